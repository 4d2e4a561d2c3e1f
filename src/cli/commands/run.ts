import { closeSync, existsSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
// the modules themselves, not src/index.ts: a run never loads the sandbox, studio or authoring
import { loadDataMap } from '../../datamap/load.js';
import { DatamapError } from '../../errors/diagnostic.js';
import { runRecords } from '../../executor/run.js';
import type { Outcome, RecordResult, RunOptions } from '../../executor/types.js';
import { DEFAULT_JOURNAL_PATH, openJournal, type Journal } from '../../journal/journal.js';
import type { CliIo } from '../io.js';
import { parseSets } from '../set-option.js';
import { openRecords } from '../input.js';
import { formatDiagnostic } from '../format-diagnostic.js';
import { createProgress, type ProgressState } from '../progress.js';
import { createReportBuilder } from '../run-report.js';
import { parseRate } from '../../executor/rate-limiter.js';

/**
 * Records in flight at once when --concurrency is not given: a few for a single-step map (the
 * rate limit, not the concurrency, bounds the request rate); one for a multi-step map, whose
 * find-or-create steps could otherwise race each other across records that share a customer.
 */
export const DEFAULT_CONCURRENCY = 4;

export interface RunCommandOptions {
  input: string;
  /** `--format csv|ndjson|json` (default: by the input's extension). */
  format?: string;
  env?: string;
  baseUrl?: string;
  json?: boolean;
  output?: string;
  append?: boolean;
  overwrite?: boolean;
  timeout?: string;
  set?: string[];
  /** A path, `false` for --no-journal, or absent for the default. */
  journal?: string | boolean;
  retryDeclined?: boolean;
  preflight?: boolean;
  settleWindow?: string;
  concurrency?: string;
  rateLimit?: string;
  /** `true` (every 10 s) or seconds, for progress lines when stderr is not a terminal. */
  progress?: string | boolean;
  quiet?: boolean;
  report?: string;
  maxResponseBytes?: string;
  allowHost?: string[];
  /** The command line, to say how to resume. */
  resume?: string;
}

/** Exit codes of `run`. */
export const RUN_EXIT = { ok: 0, failed: 1, usage: 2, review: 3, sigint: 130, sigterm: 143 } as const;

/** The exit code for a run's counts: 3 when any record needs attention, 1 when any failed or was declined. */
export function runExitCode(counts: Partial<Record<Outcome, number>>): number {
  if ((counts.unknown ?? 0) + (counts['needs-review'] ?? 0) > 0) return RUN_EXIT.review;
  if ((counts.failed ?? 0) + (counts.declined ?? 0) > 0) return RUN_EXIT.failed;
  return RUN_EXIT.ok;
}

/** Where the journal of a command lives: `--journal PATH`, else `.datamap/journal.db` under the working directory. */
export function journalPath(opt: string | boolean | undefined, io: CliIo): string {
  const cwd = io.cwd ?? process.cwd();
  if (typeof opt === 'string') return isAbsolute(opt) ? opt : join(cwd, opt);
  return join(cwd, DEFAULT_JOURNAL_PATH);
}

function positiveInt(flag: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new DatamapError({ code: 'usage/invalid-argument', severity: 'error', message: `${flag} "${value}" is not ${min === 0 ? 'a whole number of milliseconds (0 or more)' : 'a positive whole number of milliseconds'}`, hint: `Give ${flag} as a number of milliseconds, e.g. ${flag} 30000.` });
  }
  return n;
}

/**
 * `datamap run <map> --input <file|->`: executes each record's call sequence over the journal,
 * so a re-run resumes. Prints a line per record and a summary. Exit 0 when every record
 * succeeded, was skipped or replayed; 1 when any declined or failed; 3 when any needs review
 * or is unknown; 130/143 when interrupted.
 */
export async function runCommand(mapFile: string, opts: RunCommandOptions, io: CliIo, extra: Partial<RunOptions> = {}): Promise<number> {
  const map = loadDataMap({ file: mapFile });
  for (const d of map.diagnostics) io.stderr(formatDiagnostic(d) + '\n\n');
  const runOpts: RunOptions = { env: io.env, settings: parseSets(opts.set), ...extra, input: opts.input };
  if (opts.env) runOpts.environment = opts.env;
  if (opts.baseUrl) runOpts.baseUrl = opts.baseUrl;
  const timeout = positiveInt('--timeout', opts.timeout);
  if (timeout !== undefined) runOpts.timeoutMs = timeout;
  const settle = positiveInt('--settle-window', opts.settleWindow, 0);
  if (settle !== undefined) runOpts.settleMs = settle;
  const maxResponseBytes = positiveInt('--max-response-bytes', opts.maxResponseBytes);
  if (maxResponseBytes !== undefined) runOpts.maxResponseBytes = maxResponseBytes;
  if (opts.allowHost?.length) runOpts.allowHosts = opts.allowHost;
  if (opts.retryDeclined) runOpts.retryDeclined = true;
  runOpts.concurrency = positiveInt('--concurrency', opts.concurrency) ?? (map.steps.length > 1 ? 1 : DEFAULT_CONCURRENCY);
  if (runOpts.concurrency > 256) throw new DatamapError({ code: 'usage/invalid-argument', severity: 'error', message: `--concurrency ${runOpts.concurrency} is more than 256`, hint: 'Give --concurrency from 1 to 256; the rate limit, not the concurrency, bounds the request rate.' });
  if (opts.rateLimit !== undefined) {
    const rate = parseRate(opts.rateLimit);
    if (rate === undefined) throw new DatamapError({ code: 'usage/invalid-argument', severity: 'error', message: `--rate-limit "${opts.rateLimit}" is not a rate`, hint: 'Give requests per second, e.g. --rate-limit 20/s (or 1200/m); 0 turns the client-side limit off.' });
    runOpts.rateLimit = rate;
  }
  let everySeconds: number | undefined;
  if (opts.progress !== undefined && opts.progress !== false) {
    everySeconds = opts.progress === true ? 10 : positiveInt('--progress', String(opts.progress));
  }
  if (opts.preflight === false) runOpts.preflight = false;

  let fd: number | undefined;
  if (opts.output) {
    if (opts.append && opts.overwrite) throw new DatamapError({ code: 'usage/invalid-argument', severity: 'error', message: '--append and --overwrite cannot be used together', hint: 'Choose one.' });
    if (existsSync(opts.output) && statSync(opts.output).size > 0 && !opts.append && !opts.overwrite) {
      throw new DatamapError({ code: 'usage/output-exists', severity: 'error', message: `The results file ${opts.output} exists and is not empty; it was left as it is`, hint: 'Pass --append to add this run\'s results to it, --overwrite to replace it, or choose another file.' });
    }
  }
  let fraction: (() => number | undefined) | undefined;
  const records = openRecords(opts.input, io, { format: opts.format, schema: map.spec.input, progress: (f) => { fraction = f; } });
  let journal: Journal | undefined;
  if (opts.journal === false) {
    io.stderr('warning: --no-journal: this run keeps no journal, so running it again will charge every record again.\n');
  } else {
    journal = openJournal(journalPath(opts.journal, io));
    runOpts.journal = journal;
  }
  if (opts.output) fd = openSync(opts.output, opts.append ? 'a' : 'w');

  const stop = new AbortController();
  runOpts.signal = stop.signal;
  let stoppedBy: 'SIGINT' | 'SIGTERM' | undefined;
  const unsubscribe = io.onSignal?.((sig) => {
    if (stoppedBy) {
      io.stderr('\nStopped at once. The journal holds every call that was in flight; the next run reconciles them.\n');
      io.exit?.(sig === 'SIGINT' ? RUN_EXIT.sigint : RUN_EXIT.sigterm);
      return;
    }
    stoppedBy = sig;
    io.stderr(`\n${sig}: no new records are started; the calls in flight finish and are recorded (${sig === 'SIGINT' ? 'Ctrl-C' : 'send it'} again to stop at once).\n`);
    stop.abort();
  });

  const counts: Record<Outcome, number> = { succeeded: 0, declined: 0, pending: 0, failed: 0, unknown: 0, 'needs-review': 0, skipped: 0 };
  let total = 0;
  let replayed = 0;
  let runId = '';
  const startedAt = io.now();
  const state: ProgressState = { done: 0, counts, startedAt, fraction: () => fraction?.() };
  const progress = createProgress(io.stderr, { tty: io.stderrIsTTY === true, ...(everySeconds !== undefined ? { everySeconds } : {}), now: io.now }, state);
  const report = opts.report ? createReportBuilder({ map: { name: map.name, file: mapFile }, input: opts.input, startedAt }) : undefined;
  runOpts.onRun = (run) => {
    runId = run.runId;
    report?.setRun(run.runId);
    if (opts.quiet) return;
    if (!opts.json) io.stdout(`Running ${map.name} — ${map.provider.pack.title}, ${safeTarget(opts.baseUrl ?? opts.env ?? map.provider.environment)}${journal ? ` (run ${run.runId}, journal ${journal.location})` : ' (no journal)'}\n`);
  };
  try {
    for await (const r of runRecords(map, records, runOpts)) {
      total++;
      counts[r.outcome]++;
      if (r.replayed) replayed++;
      const line = JSON.stringify(r) + '\n';
      if (fd !== undefined) writeSync(fd, line);
      report?.add(r);
      state.done = total;
      const problem = r.outcome !== 'succeeded' && r.outcome !== 'skipped' && r.outcome !== 'pending';
      if (!opts.quiet || problem) {
        progress.clear();
        if (opts.json) io.stdout(line);
        else io.stdout(formatResultLine(r));
      }
      progress.tick();
    }
  } finally {
    progress.clear();
    unsubscribe?.();
    if (opts.report && report) writeFileSync(opts.report, JSON.stringify(report.build(io.now(), stoppedBy !== undefined), null, 2) + '\n');
    if (fd !== undefined) closeSync(fd);
    await journal?.close();
  }
  const parts = Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  if (replayed) parts.push(`${replayed} replayed from the journal`);
  if (opts.json) io.stdout(JSON.stringify({ summary: { runId, total, ...counts, replayed, interrupted: stoppedBy ?? false } }) + '\n');
  else {
    io.stdout(`\n${total} record${total === 1 ? '' : 's'}: ${parts.join(', ') || 'none'}\n`);
    if (counts['needs-review'] + counts.unknown > 0) io.stdout(`Held for review: check them at the provider, then \`datamap runs resolve ${runId} <key> --as succeeded|not-charged\` (see \`datamap runs show ${runId} --state needs-review\`).\n`);
  }
  if (stoppedBy) {
    io.stderr(`Interrupted after ${total} record${total === 1 ? '' : 's'}. Resume with the same command${opts.resume ? `:\n  ${opts.resume}` : ''}\n`);
    return stoppedBy === 'SIGINT' ? RUN_EXIT.sigint : RUN_EXIT.sigterm;
  }
  return runExitCode(counts);
}

/** A URL without user:pass, for display. */
function safeTarget(target: string): string {
  try {
    const u = new URL(target);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    return u.toString().replace(/\/$/, '');
  } catch {
    return target;
  }
}

/** One line per record (plus indented reasons): key, outcome, ids, masked card. */
export function formatResultLine(r: RecordResult): string {
  const parts = [`${r.outcome.toUpperCase().padEnd(9)} ${r.key ?? `record ${r.index + 1}`}`];
  const ids = Object.entries(r.ids).map(([k, v]) => `${k}=${v}`).join(' ');
  if (ids) parts.push(ids);
  if (r.card) parts.push(`card ${r.card}`);
  const steps = r.steps.map((s) => `${s.id}:${s.decision === 'skip' ? 'skipped' : s.classification ?? '?'}${s.reconciliation ? `(${s.reconciliation})` : ''}${s.attempts > 1 ? `×${s.attempts}` : ''}`).join(' ');
  if (steps) parts.push(`[${steps}]`);
  if (r.replayed) parts.push(`replayed from ${r.replayedFrom ?? 'the journal'}, no call`);
  if (r.duplicateOf !== undefined) parts.push(`duplicate of record ${r.duplicateOf + 1}`);
  let line = parts.join('  ') + '\n';
  if (r.error) {
    line += `          ${r.error.code}: ${r.error.message}\n`;
    for (const d of r.error.details ?? []) line += `            - ${d}\n`;
  }
  if (r.review) {
    const ref = Object.entries(r.review.reference).map(([k, v]) => `${k}=${String(v)}`).join(', ');
    line += `          check at the provider: ${ref}${r.review.amount !== undefined ? `, amount ${String(r.review.amount)}` : ''}${r.review.sentAt ? `, sent ${new Date(r.review.sentAt).toISOString()}` : ''}\n`;
  }
  for (const d of r.diagnostics) line += formatDiagnostic(d).split('\n').map((l) => '          ' + l).join('\n') + '\n';
  return line;
}
