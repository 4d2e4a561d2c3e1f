import { isAbsolute, join } from 'node:path';
import type { Command } from 'commander';
import { loadDataMap } from '../../datamap/load.js';
import type { CompiledMap } from '../../datamap/types.js';
import { DatamapError, diagnostic } from '../../errors/diagnostic.js';
import type { Journal } from '../../journal/journal.js';
import { syncStatuses, type SyncReport } from '../../status/sync.js';
import type { CliIo } from '../io.js';
import { integerOption, textOption, urlOption } from '../options.js';

/** The Data Maps to sync: the one given, else the map file each run with records not final recorded. */
async function mapsToSync(journal: Journal, runId: string | undefined, mapFile: string | undefined, io: CliIo): Promise<Array<{ map: CompiledMap; runId?: string }>> {
  const cwd = io.cwd ?? process.cwd();
  const load = (file: string) => {
    const abs = isAbsolute(file) ? file : join(cwd, file);
    try {
      return loadDataMap({ file: abs });
    } catch (err) {
      if (err instanceof DatamapError && err.code === 'source/file-not-found') {
        throw new DatamapError(diagnostic('sync/map-not-found', `The Data Map ${file} the run used is not there`, { hint: 'Give the map with --map FILE if it moved.' }));
      }
      throw err;
    }
  };
  if (runId) {
    const run = await journal.store.getRun(runId);
    if (!run) throw new DatamapError(diagnostic('journal/unknown-run', `The journal ${journal.location} has no run ${runId}`, { hint: 'List the runs with `datamap runs`.' }));
    return [{ map: load(mapFile ?? run.mapFile), runId }];
  }
  if (mapFile) return [{ map: load(mapFile) }];
  // every scope with records not final, by the map file of the last run that worked on them
  const files = new Map<string, string>();
  // `planned`: a record whose run was killed mid-call (its state is written when it is finished)
  for (const rec of await journal.store.listRecords({ states: ['pending', 'needs-review', 'unknown', 'in-flight', 'planned'] })) {
    if (files.has(rec.scope)) continue;
    const run = await journal.store.getRun(rec.runId);
    if (run) files.set(rec.scope, run.mapFile);
  }
  return [...files.values()].map((f) => ({ map: load(f) }));
}

/** One report as text: a line per step, then the counts. */
export function syncText(report: SyncReport): string {
  const lines: string[] = [];
  for (const c of report.changes) lines.push(`CHANGED    ${c.key}/${c.stepId} (${c.operation}): ${c.from} → ${c.to}${c.status !== undefined ? ` — ${String(c.status)}` : ''}${c.reason ? `: ${c.reason}` : ''}`);
  for (const u of report.unchanged) lines.push(`UNCHANGED  ${u.key}/${u.stepId} (${u.operation}): stays ${u.state}${u.status !== undefined ? ` — ${String(u.status)}` : ''}: ${u.reason}`);
  for (const f of report.failed) lines.push(`FAILED     ${f.key}/${f.stepId} (${f.operation}): ${f.code}: ${f.reason}`);
  for (const s of report.skipped) lines.push(`SKIPPED    ${s.key}/${s.stepId} (${s.operation}, ${s.state}): ${s.reason}`);
  lines.push(`${report.checked} looked up: ${report.changes.length} changed, ${report.unchanged.length} unchanged, ${report.failed.length} failed; ${report.skipped.length} not looked up`);
  return lines.join('\n') + '\n';
}

/** `datamap runs sync [run-id]`: look up every record not final and move it to its final state. */
export function registerRunsSync(runs: Command, io: CliIo, setCode: (code: number) => void, openExisting: (path: string | undefined, io: CliIo) => Journal): void {
  runs
    .command('sync')
    .description('Look up every journaled record that is not final (pending ACH payments and refunds, answers held for review, calls that never answered) and move it to its final state')
    .argument('[run-id]', 'only this run\'s records (default: every record of every map in the journal)')
    .option('--map <file>', 'the Data Map to use (default: the file the run recorded)', textOption('--map', 'a file path'))
    .option('--env <name>', 'environment of the provider pack (default: the map\'s)', textOption('--env'))
    .option('--base-url <url>', 'send the lookups to this base URL', urlOption('--base-url'))
    .option('--settle-window <ms>', 'how long after a call\'s deadline the provider may still show it (default: the pack\'s)', integerOption('--settle-window', 0, 86_400_000, 'a whole number of milliseconds from 0 to 86400000'))
    .option('--journal <path>', 'journal file')
    .option('--json', 'machine-readable output')
    .addHelpText('after', `
Only idempotent lookups are made (Revolv3: GET /api/Invoices/{id} and /api/Invoices?merchantInvoiceRefId=);
nothing that could move money is sent. A call that never answered (unknown, or in flight when a
run was killed) is looked up by the reference kept with its intent: found, it is adopted in the
state the provider shows; not found after its deadline plus the settle window, it is marked not
applied (a re-run sends it again); not found before that, it stays as it is.

Examples:
  datamap runs sync
  datamap runs sync r-lx3k2a-9f1c2e --json

Exit codes: 0 every lookup answered, 1 any lookup failed, 2 usage or no such journal/run/map.`)
    .action(async (runId: string | undefined, opts: { map?: string; env?: string; baseUrl?: string; settleWindow?: number; journal?: string; json?: boolean }) => {
      const o = { ...runs.opts(), ...opts } as typeof opts;
      const journal = openExisting(o.journal, io);
      const reports: Array<{ map: string; report: SyncReport }> = [];
      try {
        for (const { map, runId: id } of await mapsToSync(journal, runId, o.map, io)) {
          const report = await syncStatuses(map, {
            journal, env: io.env, clock: { now: io.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
            ...(id ? { runId: id } : {}), ...(o.env ? { environment: o.env } : {}), ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}),
            ...(o.settleWindow !== undefined ? { settleMs: o.settleWindow } : {}),
          });
          reports.push({ map: map.name, report });
        }
      } finally {
        await journal.close();
      }
      if (o.json) io.stdout(JSON.stringify({ maps: reports }, null, 2) + '\n');
      else if (reports.length === 0) io.stdout('Nothing to sync: every journaled record is final.\n');
      else for (const r of reports) io.stdout(`${r.map}\n${syncText(r.report).replace(/^/gm, '  ')}`);
      setCode(reports.some((r) => r.report.failed.length > 0) ? 1 : 0);
    });
}
