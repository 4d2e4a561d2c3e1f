/**
 * Code generation on whole maps: every shipped map (mappings/*.yaml) compiled with code
 * generation forced on plans the bench's records (bench/records.mjs) and seeded variations of
 * them to the same views as the map compiled with closures only. This is how the
 * shopify-to-invoiss `$assert` mismatch of a9c40f5 showed (bench record 1: "the order lines add
 * up to 60.53 but total_price is 80.03"). DATAMAP_CODEGEN_SEED=<n> replays one seed;
 * DATAMAP_CODEGEN_RECORDS=<n> widens the run.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataMap, planRecords, resolveSettings, SANDBOX_SETTINGS, withSettings, type RecordItem } from '../../src/index.js';
import type { CompiledMap } from '../../src/datamap/types.js';
import { setCodegen } from '../../src/expressions/closures.js';
import { generatedCount } from '../../src/expressions/codegen.js';
import { rng } from './generator.js';
import { exampleRecords, pick, type R } from '../helpers/example-records.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAPS = readdirSync(join(repoRoot, 'mappings')).filter((f) => f.endsWith('.yaml') && !f.includes('.test.')).sort();
const SEED = Number(process.env.DATAMAP_CODEGEN_SEED ?? 20261203);
const RECORDS = Number(process.env.DATAMAP_CODEGEN_RECORDS ?? 400);
const clock = () => Date.UTC(2026, 10, 5);

/** A shipped map bound to the sandbox's settings, compiled with code generation on or off. */
function load(file: string, codegen: boolean): CompiledMap {
  const prev = setCodegen(codegen);
  try {
    const map = loadDataMap({ file: join(repoRoot, 'mappings', file) });
    const settings = map.settings.length ? resolveSettings(map, { env: { ...SANDBOX_SETTINGS } }, 'plan').values : {};
    return withSettings(map, settings);
  } finally {
    setCodegen(prev);
  }
}

/** An example record (the fields bench/records.mjs filters on). */
type Example = Record<string, unknown> & { financial_status?: string; status?: string; payment?: { card?: { number?: string } } };
const fieldService = () => JSON.parse(readFileSync(join(repoRoot, 'examples/field-service/invoices.json'), 'utf8')) as Example[];
const shopify = () => JSON.parse(readFileSync(join(repoRoot, 'examples/shopify/orders.json'), 'utf8')) as Example[];

/** bench/records.mjs's records for a map (the same filter and keys). */
function benchRecords(file: string, n: number): Record<string, unknown>[] {
  const sh = file.startsWith('shopify');
  const base = sh ? shopify().filter((r) => r.financial_status === 'pending') : fieldService().filter((r) => r.status === 'open' && r.payment?.card?.number === '4111111111111111');
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const b = base[i % base.length]!;
    out.push(sh ? { ...b, id: 900000 + i, name: `#B${i}` } : { ...b, invoiceNumber: `BENCH-${i}` });
  }
  return out;
}


/** A number of a kind the maps' arithmetic meets: money with cents, halves (for $round), big, negative, zero, numeric text. */
function money(r: R): unknown {
  switch (Math.floor(r() * 8)) {
    case 0: return Math.round(r() * 100000) / 100;
    case 1: return Math.floor(r() * 1000) + 0.5;
    case 2: return Math.floor(r() * 100) + pick(r, [0.005, 0.015, 0.125, 0.335, 0.045]);
    case 3: return 0;
    case 4: return -Math.round(r() * 5000) / 100;
    case 5: return (Math.round(r() * 100000) / 100).toFixed(2);
    case 6: return Math.floor(r() * 20);
    default: return Math.round(r() * 1e9) / 1000;
  }
}

/** A seeded variation of a record: numbers (and numeric text) changed, array items dropped or repeated, now and then a field removed. */
function vary(r: R, v: unknown, depth = 0): unknown {
  if (depth > 6) return v;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const roll = r();
      if (roll < 0.1) continue;
      out.push(vary(r, x, depth + 1));
      if (roll > 0.85) out.push(vary(r, x, depth + 1));
    }
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (r() < 0.03) continue;
      out[k] = vary(r, x, depth + 1);
    }
    return out;
  }
  if (typeof v === 'number') return r() < 0.5 ? money(r) : v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) && r() < 0.5) return String(money(r));
  return v;
}

async function plans(map: CompiledMap, records: unknown[]): Promise<Array<{ ok: boolean; text: string }>> {
  const items: RecordItem[] = records.map((value, index) => ({ index, line: index + 1, value }));
  const out: Array<{ ok: boolean; text: string }> = [];
  for await (const p of planRecords(map, items, { clock })) out.push({ ok: p.ok, text: JSON.stringify(p) });
  return out;
}

describe('codegen on = codegen off: the plan views of every shipped map', () => {
  it('shopify-to-invoiss: every bench record plans ok with codegen on, to the view closures give', async () => {
    const before = generatedCount;
    const on = load('shopify-to-invoiss.yaml', true);
    expect(generatedCount).toBeGreaterThan(before);
    const off = load('shopify-to-invoiss.yaml', false);
    const records = benchRecords('shopify-to-invoiss.yaml', 12);
    const [a, b] = [await plans(on, records), await plans(off, records)];
    for (let i = 0; i < records.length; i++) {
      expect(b[i]!.ok, `closures, bench record ${i}`).toBe(true);
      expect(a[i]!.text, `codegen, bench record ${i}`).toBe(b[i]!.text);
    }
  });

  for (const file of MAPS) {
    it(`${file}: bench records and ${RECORDS} seeded variations (seed ${SEED})`, async () => {
      const on = load(file, true);
      const off = load(file, false);
      const r = rng(SEED);
      const base = await exampleRecords(file, off);
      const records: unknown[] = file.startsWith('quickbooks') ? [...base] : benchRecords(file, 24);
      records.push(...base);
      for (let i = 0; i < RECORDS; i++) records.push(vary(r, pick(r, base)));
      const [a, b] = [await plans(on, records), await plans(off, records)];
      const differ: string[] = [];
      for (let i = 0; i < records.length; i++) {
        if (a[i]!.text !== b[i]!.text) differ.push(`record ${i}: ${JSON.stringify(records[i]).slice(0, 400)}\n  codegen  ${a[i]!.text.slice(0, 600)}\n  closures ${b[i]!.text.slice(0, 600)}`);
      }
      if (differ.length) throw new Error(`${file} (replay: DATAMAP_CODEGEN_SEED=${SEED} DATAMAP_CODEGEN_RECORDS=${RECORDS}): ${differ.length} of ${records.length} views differ\n${differ.slice(0, 3).join('\n')}`);
      // the variations reach both outcomes
      expect(b.filter((p) => p.ok).length).toBeGreaterThan(0);
    }, 120_000);
  }
});
