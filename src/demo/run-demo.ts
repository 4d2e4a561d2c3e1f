import { createReadStream, readdirSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { openJournal, type Journal } from '../journal/index.js';
import { loadDataMap } from '../datamap/load.js';
import { runRecords } from '../executor/run.js';
import type { RecordResult } from '../executor/types.js';
import { PACKAGE_ROOT } from '../paths.js';
import { startSandbox } from '../sandbox/index.js';
import type { Sandbox } from '../sandbox/index.js';
import { readRecords } from '../source/read-records.js';
import { readCsvRecords } from '../source/read-csv.js';

/** Options of the demo run. */
export interface DemoOptions {
  /** Folder of Data Maps (default: the shipped `mappings/`). */
  mappingsDir?: string;
  /** Folder of sample records, one subfolder per host system (default: `examples/`). */
  examplesDir?: string;
  /** Called for each record as it ends, for live output. */
  onResult?: (map: { file: string; name: string; provider: string }, result: RecordResult) => void;
  /** Use this sandbox instead of starting one. */
  sandbox?: Sandbox;
  /** Called when the second pass (the re-run over the same journal) starts. */
  onSecondPass?: () => void;
}

/** One shipped map run over its sample records in the demo. */
export interface DemoRun {
  map: string;
  name: string;
  provider: string;
  samples: string;
  results: RecordResult[];
}

/** What `runDemo` returns: each map's results, the re-run's, and the sandbox's charges per reference. */
export interface DemoReport {
  runs: DemoRun[];
  /** The same maps over the same records again, on the same journal: every record replayed. */
  rerun: DemoRun[];
  /** Charges the sandbox recorded per merchant reference (each should be 1). */
  chargesPerReference: Record<string, number>;
  /** Sandbox ledger entries (all kinds) before and after the re-run: equal when nothing was charged again. */
  ledgerBeforeRerun: number;
  ledgerAfterRerun: number;
  /** Provider calls that could move money, made by the re-run (should be 0). */
  rerunMoneyCalls: number;
}

/**
 * The README's main job: starts the built-in sandbox in-process, runs every shipped Data Map
 * on its host system's sample records through the real executor over HTTP, and reports.
 * Sample records for `mappings/<host>-to-<provider>.yaml` are the JSON and CSV files in `examples/<host>/`.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const mappingsDir = options.mappingsDir ?? join(PACKAGE_ROOT, 'mappings');
  const examplesDir = options.examplesDir ?? join(PACKAGE_ROOT, 'examples');
  const sandbox = options.sandbox ?? (await startSandbox({ seed: 'demo' }));
  // a fresh journal each time, so every demo tells the same story
  const dir = mkdtempSync(join(tmpdir(), 'datamap-demo-'));
  const journal = openJournal(join(dir, 'journal.db'));
  const report: DemoReport = { runs: [], rerun: [], chargesPerReference: {}, ledgerBeforeRerun: 0, ledgerAfterRerun: 0, rerunMoneyCalls: 0 };
  try {
    report.runs = await pass(mappingsDir, examplesDir, sandbox, journal, options);
    report.ledgerBeforeRerun = sandbox.ledger().length;
    options.onSecondPass?.();
    report.rerun = await pass(mappingsDir, examplesDir, sandbox, journal, options);
    report.ledgerAfterRerun = sandbox.ledger().length;
    for (const run of report.rerun) for (const r of run.results) for (const st of r.steps) if (st.decision === 'run' && !st.replayed) report.rerunMoneyCalls++;
    for (const e of sandbox.ledger()) {
      if (e.kind !== 'charge' || !e.approved) continue;
      const ref = `${e.provider}:${e.merchantReference ?? ''}`;
      report.chargesPerReference[ref] = (report.chargesPerReference[ref] ?? 0) + 1;
    }
  } finally {
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
    if (!options.sandbox) await sandbox.close();
  }
  return report;
}

async function pass(mappingsDir: string, examplesDir: string, sandbox: Sandbox, journal: Journal, options: DemoOptions): Promise<DemoRun[]> {
  const runs: DemoRun[] = [];
  for (const file of readdirSync(mappingsDir).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml')).sort()) {
    const host = basename(file).split('-to-')[0] ?? '';
    const dir = join(examplesDir, host);
    if (!existsSync(dir)) continue;
    const map = loadDataMap({ file: join(mappingsDir, file) });
    const provider = map.provider.pack.name;
    const baseUrl = (sandbox.baseUrls as Record<string, string>)[provider];
    if (!baseUrl) continue;
    for (const sample of readdirSync(dir).filter((f) => f.endsWith('.json') || f.endsWith('.csv')).sort()) {
      const path = join(dir, sample);
      const results: RecordResult[] = [];
      const stream = createReadStream(path, { encoding: 'utf8' });
      const records = sample.endsWith('.csv')
        ? readCsvRecords(stream, map.spec.input ? { source: path, schema: map.spec.input } : { source: path })
        : readRecords(stream, { source: path });
      // the sandbox's lookups show a write at once, so no settle window is needed against it
      for await (const r of runRecords(map, records, { baseUrl, credentials: { ...sandbox.credentials }, env: { ...sandbox.settings }, journal, settleMs: 0, input: join('examples', host, sample) })) {
        results.push(r);
        options.onResult?.({ file: join('mappings', file), name: map.name, provider }, r);
      }
      runs.push({ map: join('mappings', file), name: map.name, provider, samples: join('examples', host, sample), results });
    }
  }
  return runs;
}
