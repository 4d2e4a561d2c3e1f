import { createWriteStream, type WriteStream } from 'node:fs';
import { loadDataMap, runRecords, type Outcome, type RecordResult, type RunOptions } from '../../index.js';
import type { CliIo } from '../io.js';
import { openRecords } from '../input.js';
import { formatDiagnostic } from '../format-diagnostic.js';

export interface RunCommandOptions {
  input: string;
  env?: string;
  baseUrl?: string;
  json?: boolean;
  output?: string;
  timeout?: string;
}

/**
 * `datamap run <map> --input <file|->`: executes each record's call sequence. Prints a line per
 * record and a summary; exit 0 when every record succeeded or was skipped, 1 otherwise.
 */
export async function runCommand(mapFile: string, opts: RunCommandOptions, io: CliIo, extra: Partial<RunOptions> = {}): Promise<number> {
  const map = loadDataMap({ file: mapFile });
  for (const d of map.diagnostics) io.stderr(formatDiagnostic(d) + '\n\n');
  const records = openRecords(opts.input, io);
  const runOpts: RunOptions = { env: io.env, ...extra };
  if (opts.env) runOpts.environment = opts.env;
  if (opts.baseUrl) runOpts.baseUrl = opts.baseUrl;
  if (opts.timeout) runOpts.timeoutMs = Number(opts.timeout);
  let file: WriteStream | undefined;
  if (opts.output) file = createWriteStream(opts.output, { encoding: 'utf8' });
  const counts: Record<Outcome, number> = { succeeded: 0, declined: 0, pending: 0, failed: 0, unknown: 0, skipped: 0 };
  let total = 0;
  if (!opts.json) io.stdout(`Running ${map.name} — ${map.provider.pack.title}, ${opts.baseUrl ?? opts.env ?? map.provider.environment}\n`);
  try {
    for await (const r of runRecords(map, records, runOpts)) {
      total++;
      counts[r.outcome]++;
      if (file) file.write(JSON.stringify(r) + '\n');
      if (opts.json) io.stdout(JSON.stringify(r) + '\n');
      else io.stdout(formatResultLine(r));
    }
  } finally {
    if (file) await new Promise<void>((resolve) => file!.end(resolve));
  }
  const summary = Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ');
  if (opts.json) io.stdout(JSON.stringify({ summary: { total, ...counts } }) + '\n');
  else io.stdout(`\n${total} record${total === 1 ? '' : 's'}: ${summary || 'none'}\n`);
  return counts.succeeded + counts.skipped === total ? 0 : 1;
}

/** One line per record (plus indented reasons): key, outcome, ids, masked card. */
export function formatResultLine(r: RecordResult): string {
  const parts = [`${r.outcome.toUpperCase().padEnd(9)} ${r.key ?? `record ${r.index + 1}`}`];
  const ids = Object.entries(r.ids).map(([k, v]) => `${k}=${v}`).join(' ');
  if (ids) parts.push(ids);
  if (r.card) parts.push(`card ${r.card}`);
  const steps = r.steps.map((s) => `${s.id}:${s.decision === 'skip' ? 'skipped' : s.classification ?? '?'}${s.reconciliation ? `(${s.reconciliation})` : ''}${s.attempts > 1 ? `×${s.attempts}` : ''}`).join(' ');
  if (steps) parts.push(`[${steps}]`);
  let line = parts.join('  ') + '\n';
  if (r.error) {
    line += `          ${r.error.code}: ${r.error.message}\n`;
    for (const d of r.error.details ?? []) line += `            - ${d}\n`;
  }
  for (const d of r.diagnostics) line += formatDiagnostic(d).split('\n').map((l) => '          ' + l).join('\n') + '\n';
  return line;
}
