import { DatamapError, diagnostic } from '../errors/diagnostic.js';
import { createMemoryStore } from './memory-store.js';
import { createSqliteStore } from './sqlite-store.js';
import { holderIsGone } from './liveness.js';
import { recordState, transition } from './states.js';
import type { JournalStore, RecordRow, RunRecordRow, RunRow, StepRow } from './types.js';

/** A run with what it reported, per outcome. */
export interface RunSummary extends RunRow {
  counts: Record<string, number>;
}

/** One record of a run, as `datamap runs show` lists it. */
export interface RunRecordView extends RunRecordRow {
  /** Where the record stands in the journal now (it may have moved since, e.g. resolved). */
  state: string;
  resolvedAs?: RecordRow['resolvedAs'];
  /**
   * True for a record the run took but never reported, because it was killed first (its
   * `index` is -1 then, `outcome` is the record's state, e.g. after `runs sync` settled it).
   */
  unfinished?: boolean;
  steps: Array<Pick<StepRow, 'stepId' | 'operation' | 'state' | 'attempts' | 'ids' | 'reconciliation' | 'errorCode' | 'errorMessage' | 'review' | 'httpStatus'>>;
}

/** The run journal: what every run did, per record and step. */
export interface Journal {
  readonly store: JournalStore;
  /** The database file (or `(memory)`). */
  readonly location: string;
  /** Runs, newest first. */
  listRuns(options?: { limit?: number; mapName?: string }): Promise<RunSummary[]>;
  /** A run and the records it reported, optionally only those in some states. */
  showRun(runId: string, options?: { state?: string | string[] }): Promise<{ run: RunSummary; records: RunRecordView[] }>;
  /**
   * Settles a record held for review after an operator checked with the provider: `succeeded`
   * (the charge exists; later runs replay it) or `not-charged` (it does not; a later run sends).
   */
  resolve(runId: string, key: string, as: 'succeeded' | 'not-charged', options?: { now?: number; note?: string }): Promise<RecordRow>;
  /** Closes the journal's store. */
  close(): Promise<void>;
}

/** A run on another host whose heartbeat is older than this is taken as gone. */
const STALE_MS = 120_000;

/** Default journal file, relative to the working directory. */
export const DEFAULT_JOURNAL_PATH = '.datamap/journal.db';

/**
 * Opens (creating when absent) a journal: a SQLite file at `path`, or any store passed in
 * (`{ store }`), e.g. `createMemoryStore()`.
 */
export function openJournal(target: string | { store: JournalStore }): Journal {
  let store: JournalStore;
  if (typeof target === 'string') {
    try {
      store = createSqliteStore(target);
    } catch (err) {
      throw new DatamapError(diagnostic('journal/open-failed', `Cannot open the journal ${target}: ${(err as Error).message}`, { hint: 'Check the path and its permissions, or choose another file with --journal PATH.' }));
    }
  } else store = target.store;
  return createJournal(store);
}

/**
 * A journal over a fresh in-memory store (nothing survives the process). `transient`: forget
 * each record once it is finished (what a run without a journal uses: memory stays flat).
 */
export function openMemoryJournal(options: { transient?: boolean } = {}): Journal {
  return createJournal(createMemoryStore(options));
}

function createJournal(store: JournalStore): Journal {
  const summarize = async (run: RunRow): Promise<RunSummary> => {
    // a run still marked running whose process is gone was killed: shown as interrupted
    const shown = run.status === 'running' && holderIsGone(run, Date.now(), STALE_MS) ? { ...run, status: 'interrupted' as const } : run;
    if (run.counts) return { ...shown, counts: run.counts };
    const counts: Record<string, number> = {};
    for (const r of await store.listRunRecords(run.runId)) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    return { ...shown, counts };
  };
  const stepViews = (steps: StepRow[]): RunRecordView['steps'] => steps.map((s) => {
    const v: RunRecordView['steps'][number] = { stepId: s.stepId, operation: s.operation, state: s.state, attempts: s.attempts, ids: s.ids };
    for (const k of ['reconciliation', 'errorCode', 'errorMessage', 'review', 'httpStatus'] as const) if (s[k] !== undefined) (v as Record<string, unknown>)[k] = s[k];
    return v;
  });
  return {
    store,
    location: store.location,
    async listRuns(options) {
      return Promise.all((await store.listRuns(options)).map(summarize));
    },
    async showRun(runId, options = {}) {
      const run = await store.getRun(runId);
      if (!run) throw new DatamapError(diagnostic('journal/unknown-run', `The journal ${store.location} has no run ${runId}`, { hint: 'List the runs with `datamap runs`.' }));
      const wanted = options.state === undefined ? undefined : new Set(Array.isArray(options.state) ? options.state : [options.state]);
      const records: RunRecordView[] = [];
      const reported = new Set<string>();
      for (const rr of await store.listRunRecords(runId)) {
        reported.add(rr.key);
        const now = await store.getRecord(rr.scope, rr.key);
        const state = now?.record.state ?? rr.outcome;
        if (wanted && !wanted.has(state) && !wanted.has(rr.outcome)) continue;
        const view: RunRecordView = { ...rr, state, steps: stepViews(now?.steps ?? []) };
        if (now?.record.resolvedAs) view.resolvedAs = now.record.resolvedAs;
        records.push(view);
      }
      // records the run took and never reported (it was killed): as the journal has them now
      for (const rec of await store.listRecords({ scope: run.mapName, runId })) {
        if (reported.has(rec.key)) continue;
        const now = await store.getRecord(rec.scope, rec.key);
        if (!now || now.steps.length === 0) continue;
        const state = now.record.state === 'planned' ? (now.steps.some((x) => x.state === 'in-flight') ? 'in-flight' : now.record.state) : now.record.state;
        if (wanted && !wanted.has(state)) continue;
        const view: RunRecordView = { runId, scope: rec.scope, key: rec.key, index: -1, outcome: state, replayed: false, ids: rec.ids, at: rec.updatedAt, state, unfinished: true, steps: stepViews(now.steps) };
        if (rec.card) view.card = rec.card;
        if (rec.errorCode) view.errorCode = rec.errorCode;
        if (rec.errorMessage) view.errorMessage = rec.errorMessage;
        records.push(view);
      }
      return { run: await summarize(run), records };
    },
    async resolve(runId, key, as, options = {}) {
      const run = await store.getRun(runId);
      if (!run) throw new DatamapError(diagnostic('journal/unknown-run', `The journal ${store.location} has no run ${runId}`, { hint: 'List the runs with `datamap runs`.' }));
      const found = await store.getRecord(run.mapName, key);
      if (!found) throw new DatamapError(diagnostic('journal/unknown-record', `Run ${runId} (${run.mapName}) has no record with key ${key}`, { hint: `List its records with \`datamap runs show ${runId}\`.` }));
      const open = found.steps.filter((s) => s.state === 'needs-review' || s.state === 'unknown' || s.state === 'in-flight');
      if (open.length === 0) {
        throw new DatamapError(diagnostic('journal/not-held', `Record ${key} is ${found.record.state}, not held for review: there is nothing to resolve`, { hint: 'Only needs-review (or unknown) records can be resolved.' }));
      }
      const now = options.now ?? Date.now();
      const steps = open.map((s) => ({ ...s, state: transition(s.state, { type: 'resolve', as }), updatedAt: now, reconciliation: s.reconciliation, errorCode: as === 'not-charged' ? 'journal/resolved-not-charged' : undefined, errorMessage: as === 'not-charged' ? 'resolved by an operator: not charged' : undefined }) as StepRow);
      const all = found.steps.map((s) => steps.find((x) => x.stepId === s.stepId) ?? s);
      const record: RecordRow = { ...found.record, state: recordState(all.map((s) => s.state)), resolvedAs: as, updatedAt: now };
      if (as === 'succeeded') { delete record.errorCode; delete record.errorMessage; }
      await store.write({
        steps,
        records: [record],
        events: open.map((s) => ({ runId, scope: run.mapName, key, stepId: s.stepId, from: s.state, to: transition(s.state, { type: 'resolve', as }), at: now, note: options.note ?? `resolved by an operator as ${as}` })),
        durable: true,
      });
      return record;
    },
    close: () => store.close(),
  };
}
