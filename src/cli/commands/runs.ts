import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { DatamapError, openJournal, type Journal, type RunRecordView, type RunSummary } from '../../index.js';
import type { CliIo } from '../io.js';
import { journalPath } from './run.js';
import { registerRunsSync } from './runs-sync.js';

function openExisting(opt: string | undefined, io: CliIo): Journal {
  const path = journalPath(opt, io);
  if (!existsSync(path)) {
    throw new DatamapError({ code: 'journal/no-journal', severity: 'error', message: `There is no journal at ${path}`, hint: 'Run `datamap run` first (it writes .datamap/journal.db in the working directory), or point at a journal with --journal PATH.' });
  }
  return openJournal(path);
}

const STATES = ['planned', 'in-flight', 'succeeded', 'pending', 'declined', 'failed', 'unknown', 'needs-review', 'skipped'];

function countsText(c: Record<string, number>): string {
  return Object.entries(c).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ') || 'no records';
}

function runLine(r: RunSummary): string {
  return `${r.runId}  ${new Date(r.startedAt).toISOString()}  ${r.status.padEnd(11)}  ${r.mapName}  — ${countsText(r.counts)}\n`;
}

function recordLine(r: RunRecordView): string {
  const ids = Object.entries(r.ids).map(([k, v]) => `${k}=${v}`).join(' ');
  let line = `${r.state.toUpperCase().padEnd(12)} ${r.key}${ids ? '  ' + ids : ''}${r.card ? `  card ${r.card}` : ''}${r.replayed ? '  (replayed)' : ''}${r.duplicateOf !== undefined ? `  (duplicate of record ${r.duplicateOf + 1})` : ''}${r.resolvedAs ? `  (resolved as ${r.resolvedAs})` : ''}${r.unfinished ? '  (not reported: the run was interrupted)' : ''}\n`;
  if (r.errorCode) line += `             ${r.errorCode}: ${r.errorMessage ?? ''}\n`;
  for (const s of r.steps) {
    if (!s.review) continue;
    const ref = Object.entries(s.review.reference).map(([k, v]) => `${k}=${String(v)}`).join(', ');
    line += `             ${s.stepId} (${s.operation}): check ${ref}${s.review.amount !== undefined ? `, amount ${String(s.review.amount)}` : ''}${s.review.sentAt ? `, sent ${new Date(s.review.sentAt).toISOString()}` : ''} — ${s.review.reason}\n`;
  }
  return line;
}

/** `datamap runs`, `runs show`, `runs resolve`: what the journal knows, and settling held records. */
export function registerRunsCommand(program: Command, io: CliIo, setCode: (code: number) => void): void {
  const runs = program
    .command('runs')
    .description('List the runs in the journal (.datamap/journal.db), show a run\'s records, resolve records held for review, sync statuses that are not final')
    .option('--journal <path>', 'journal file (default: .datamap/journal.db in the working directory)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', `
Examples:
  datamap runs
  datamap runs show r-lx3k2a-9f1c2e --state needs-review
  datamap runs resolve r-lx3k2a-9f1c2e FS-10042 --as succeeded
  datamap runs sync

Exit codes: 0 ok, 2 usage or no such journal/run/record.`)
    .action(async (opts: { journal?: string; json?: boolean }) => {
      const journal = openExisting(opts.journal, io);
      try {
        const list = await journal.listRuns();
        if (opts.json) io.stdout(JSON.stringify({ journal: journal.location, runs: list }, null, 2) + '\n');
        else if (list.length === 0) io.stdout(`No runs in ${journal.location}\n`);
        else for (const r of list) io.stdout(runLine(r));
      } finally {
        await journal.close();
      }
      setCode(0);
    });

  runs
    .command('show')
    .description('Records of one run: state, provider ids, masked card, error, what to check for held ones')
    .argument('<run-id>', 'run id (see datamap runs)')
    .option('--state <state>', `only records in this state (${STATES.join(', ')})`)
    .option('--journal <path>', 'journal file')
    .option('--json', 'machine-readable output')
    .action(async (runId: string, opts: { state?: string; journal?: string; json?: boolean }) => {
      const o = { ...runs.opts(), ...opts } as { state?: string; journal?: string; json?: boolean };
      if (o.state && !STATES.includes(o.state)) {
        throw new DatamapError({ code: 'usage/invalid-argument', severity: 'error', message: `--state "${o.state}" is not a state`, hint: `Use one of: ${STATES.join(', ')}.` });
      }
      const journal = openExisting(o.journal, io);
      try {
        const shown = await journal.showRun(runId, o.state ? { state: o.state } : {});
        if (o.json) io.stdout(JSON.stringify(shown, null, 2) + '\n');
        else {
          io.stdout(runLine(shown.run));
          for (const r of shown.records) io.stdout(recordLine(r));
        }
      } finally {
        await journal.close();
      }
      setCode(0);
    });

  runs
    .command('resolve')
    .description('Settle a record held for review after checking with the provider')
    .argument('<run-id>', 'run id')
    .argument('<key>', 'record key')
    .requiredOption('--as <outcome>', 'succeeded (the charge exists: never send it) or not-charged (it does not: the next run sends it)')
    .option('--note <text>', 'why, for the journal')
    .option('--journal <path>', 'journal file')
    .option('--json', 'machine-readable output')
    .action(async (runId: string, key: string, opts: { as: string; note?: string; journal?: string; json?: boolean }) => {
      const o = { ...runs.opts(), ...opts } as typeof opts;
      if (o.as !== 'succeeded' && o.as !== 'not-charged') {
        throw new DatamapError({ code: 'usage/invalid-argument', severity: 'error', message: `--as "${o.as}" is not an outcome`, hint: 'Use --as succeeded or --as not-charged.' });
      }
      const journal = openExisting(o.journal, io);
      try {
        const rec = await journal.resolve(runId, key, o.as, o.note ? { note: o.note, now: io.now() } : { now: io.now() });
        if (o.json) io.stdout(JSON.stringify(rec, null, 2) + '\n');
        else io.stdout(`${key}: resolved as ${o.as}; the record is now ${rec.state}.${o.as === 'not-charged' ? ' The next run sends it.' : ' Later runs replay it and never send it.'}\n`);
      } finally {
        await journal.close();
      }
      setCode(0);
    });

  registerRunsSync(runs, io, setCode, openExisting);
}
