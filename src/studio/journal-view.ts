/**
 * The studio's read-only view of the run journal: the runs (what `datamap runs` lists) and one
 * run's records (what `datamap runs show` prints), with counts per state. The journal is opened
 * for each request and closed after it, so the view is always current and holds nothing open
 * while `datamap run` writes; the studio never writes to it.
 */
import { existsSync } from 'node:fs';
import { openJournal, STEP_STATES, type Journal } from '../journal/index.js';

/** Record states, in the journal's order. */
export const JOURNAL_STATES: readonly string[] = STEP_STATES;

export class JournalView {
  constructor(readonly file: string) {}

  /** True when the journal file exists (the view never creates one). */
  get exists(): boolean {
    return existsSync(this.file);
  }

  private async use<T>(fn: (j: Journal) => Promise<T>): Promise<T> {
    const j = openJournal(this.file);
    try {
      return await fn(j);
    } finally {
      await j.close();
    }
  }

  /** Runs, newest first, each with its counts per outcome. */
  runs(limit = 50): Promise<Record<string, unknown>> {
    return this.use(async (j) => ({ runs: isoTimes(await j.listRuns({ limit })) }));
  }

  /** One run: its records (only those in `state` when given) and how many records are in each state. */
  run(runId: string, state?: string): Promise<Record<string, unknown>> {
    return this.use(async (j) => {
      const all = await j.showRun(runId);
      const byState: Record<string, number> = {};
      for (const s of JOURNAL_STATES) byState[s] = 0;
      for (const r of all.records) byState[r.state] = (byState[r.state] ?? 0) + 1;
      const records = state === undefined ? all.records : all.records.filter((r) => r.state === state);
      return { run: isoTimes(all.run), byState, state: state ?? null, records: isoTimes(records) };
    });
  }
}

/**
 * Times (`startedAt`, `at`, `sentAt`, … in ms since the epoch) as ISO text: a 13-digit number
 * can pass the Luhn check, and the answer's card scrub would then blank it.
 */
function isoTimes<T>(value: T, depth = 0): T {
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => isoTimes(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = /At$/.test(k) && typeof v === 'number' && Number.isFinite(v) ? new Date(v).toISOString() : isoTimes(v, depth + 1);
  }
  return out as T;
}
