import { createReadStream, readdirSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import { loadDataMap } from '../datamap/load.js';
import { runRecords } from '../executor/run.js';
import type { RecordResult } from '../executor/types.js';
import { PACKAGE_ROOT } from '../paths.js';
import { startSandbox } from '../sandbox/index.js';
import type { Sandbox } from '../sandbox/index.js';
import { readRecords } from '../source/read-records.js';

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
}

export interface DemoReport {
  runs: Array<{ map: string; name: string; provider: string; samples: string; results: RecordResult[] }>;
  /** Charges the sandbox recorded per merchant reference (each should be 1). */
  chargesPerReference: Record<string, number>;
}

/**
 * The README's main job: starts the built-in sandbox in-process, runs every shipped Data Map
 * on its host system's sample records through the real executor over HTTP, and reports.
 * Sample records for `mappings/<host>-to-<provider>.yaml` are the JSON files in `examples/<host>/`.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const mappingsDir = options.mappingsDir ?? join(PACKAGE_ROOT, 'mappings');
  const examplesDir = options.examplesDir ?? join(PACKAGE_ROOT, 'examples');
  const sandbox = options.sandbox ?? (await startSandbox({ seed: 'demo' }));
  const report: DemoReport = { runs: [], chargesPerReference: {} };
  try {
    for (const file of readdirSync(mappingsDir).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml')).sort()) {
      const host = basename(file).split('-to-')[0] ?? '';
      const dir = join(examplesDir, host);
      if (!existsSync(dir)) continue;
      const map = loadDataMap({ file: join(mappingsDir, file) });
      const provider = map.provider.pack.name;
      const baseUrl = (sandbox.baseUrls as Record<string, string>)[provider];
      if (!baseUrl) continue;
      for (const sample of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
        const path = join(dir, sample);
        const results: RecordResult[] = [];
        const records = readRecords(createReadStream(path, { encoding: 'utf8' }), { source: path });
        for await (const r of runRecords(map, records, { baseUrl, credentials: { ...sandbox.credentials }, env: {} })) {
          results.push(r);
          options.onResult?.({ file: join('mappings', file), name: map.name, provider }, r);
        }
        report.runs.push({ map: join('mappings', file), name: map.name, provider, samples: join('examples', host, sample), results });
      }
    }
    for (const e of sandbox.ledger()) {
      if (e.kind !== 'charge' || !e.approved) continue;
      const ref = `${e.provider}:${e.merchantReference ?? ''}`;
      report.chargesPerReference[ref] = (report.chargesPerReference[ref] ?? 0) + 1;
    }
  } finally {
    if (!options.sandbox) await sandbox.close();
  }
  return report;
}
