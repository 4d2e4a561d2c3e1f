/**
 * Embedding datamap in your own program: a dry run of the shipped Shopify → Revolv3 Data Map
 * over the sample orders, printing one line per record.
 *
 * It imports the package by its name, exactly as your program would after
 * `npm install datamap-engine`, and finds the shipped map and sample orders through the
 * package's exports (`datamap-engine/mappings/*`, `datamap-engine/examples/*`). Run it with
 * `npx vite-node examples/embed-plan.ts` in this repository, or compile it with tsc in yours.
 * A dry run makes no network call and needs no credentials; every request it builds is checked
 * against the provider's JSON Schemas.
 */
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadDataMap, planRecords, readRecords, type Clock, type RecordPlanView } from 'datamap-engine';

/** Files shipped in the package, found through its exports (not the current directory). */
const shipped = (path: string): string => createRequire(import.meta.url).resolve(`datamap-engine/${path}`);

const MAP_FILE = shipped('mappings/shopify-to-revolv3.yaml');
const RECORDS_FILE = shipped('examples/shopify/orders.json');

/**
 * A fixed clock makes the plan repeatable: `$now()` in any expression reads it (read once per
 * record). It is the same `Clock` shape `runRecords` takes; a plan only calls `now()`.
 */
const CLOCK: Clock = { now: () => Date.parse('2026-11-21T00:00:00Z'), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** One line per record: its key, each step as id:decision/verdict, and the record's verdict. */
export function summarize(rec: RecordPlanView): string {
  const who = rec.key ?? `record ${rec.index + 1}`;
  const steps = rec.steps.map((s) => `${s.id}:${s.decision}/${s.verdict}`).join(' ');
  const verdict = rec.ok ? 'VALID' : 'INVALID';
  // Plan views are already redacted: diagnostics never carry a card number or security code.
  const why = rec.ok ? '' : `  (${rec.diagnostics.concat(rec.steps.flatMap((s) => s.diagnostics))[0]?.message ?? 'see the plan'})`;
  return `${who}  ${steps || '-'}  ${verdict}${why}`;
}

export async function main(): Promise<string[]> {
  // Loading validates the Data Map (schema, provider operations, expressions) and compiles every
  // expression once; it throws a DatamapError listing every error if the map is broken.
  const map = loadDataMap({ file: MAP_FILE });

  // readRecords streams a JSON array, a single object or NDJSON: one record in memory at a time.
  // (For records already in memory, wrap them with recordItems(array) instead.)
  const records = readRecords(createReadStream(RECORDS_FILE, { encoding: 'utf8' }), { source: RECORDS_FILE });

  const lines: string[] = [];
  for await (const rec of planRecords(map, records, { clock: CLOCK })) {
    lines.push(summarize(rec));
  }
  return lines;
}

/**
 * True when this file is the program being run rather than a module imported by one (e.g. by
 * the tests). vite-node removes the script from process.argv, so under its CLI (and outside
 * vitest) the example counts as the entry.
 */
function runDirectly(): boolean {
  const args = process.argv.slice(1);
  if (args.some((a) => pathToFileURL(resolve(a)).href === import.meta.url)) return true;
  return process.env.VITEST === undefined && /vite-node(\.[cm]?js)?$/.test(args[0] ?? '');
}

if (runDirectly()) {
  main().then(
    (lines) => {
      for (const line of lines) console.log(line);
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
