import type { JournalStore, LookupContext, RecordRow, ReviewInfo, StepRow } from '../journal/types.js';
import { recordState, transition, type StepEvent } from '../journal/states.js';
import type { Clock } from './clock.js';
import type { RowFacts } from './scrub-value.js';

/** What a step's outcome writes. */
export interface StepOutcomePatch {
  httpStatus?: number;
  output?: unknown;
  ids?: Record<string, string | number>;
  reconciliation?: StepRow['reconciliation'];
  errorCode?: string;
  errorMessage?: string;
  review?: ReviewInfo;
  charged?: { total: number; tax?: number };
}

/**
 * One record's rows in the journal during a run: every write goes through here, is scrubbed
 * of card data and secrets first, and moves states only as `transition` allows.
 */
export class RecordBook {
  readonly steps = new Map<string, StepRow>();
  /**
   * Some row of this book holds a part the scrub could not vouch for as fresh JSON data: from
   * then on its writes are not marked `plain` (rows share parts with the rows before them).
   */
  private opaque: boolean;
  private readonly facts: RowFacts = { plain: false };

  constructor(
    private readonly store: JournalStore,
    readonly scope: string,
    readonly key: string,
    readonly runId: string,
    private readonly clock: Clock,
    private readonly scrub: <T>(v: T) => T,
    prior: StepRow[],
    readonly previous: RecordRow | undefined,
    /** `scrub`, telling whether its copy is fresh JSON data: then the rows are written `plain` (the book never changes a row it wrote). */
    private readonly scrubRow?: <T>(v: T, facts: RowFacts) => T,
  ) {
    for (const s of prior) this.steps.set(s.stepId, s);
    this.opaque = scrubRow === undefined;
  }

  /** `scrub(v)`, noting when the copy may not be fresh JSON data. */
  private clean<T>(v: T): T {
    if (this.opaque || !this.scrubRow) return this.scrub(v);
    const out = this.scrubRow(v, this.facts);
    if (!this.facts.plain) this.opaque = true;
    return out;
  }

  /** The intent: durable before the request leaves, with how to look the call up later (`lookup`). */
  async intent(stepId: string, operation: string, fp: string, attempt: number, sentAt: number, deadlineAt: number, lookup?: LookupContext): Promise<void> {
    const cur = this.steps.get(stepId);
    const now = this.clock.now();
    const next: StepRow = {
      scope: this.scope, key: this.key, stepId, operation, fingerprint: fp, runId: this.runId,
      state: transition(cur?.state, { type: 'send', retry: attempt > 1 || (cur?.state === 'in-flight' && cur.runId === this.runId) }),
      attempts: (cur?.attempts ?? 0) + 1, createdAt: cur?.createdAt ?? now, updatedAt: now, sentAt, deadlineAt, ids: cur?.ids ?? {},
    };
    if (lookup) next.lookup = this.clean(lookup);
    this.steps.set(stepId, next);
    await this.store.write({
      steps: [next],
      events: [{ runId: this.runId, scope: this.scope, key: this.key, stepId, from: cur?.state ?? 'planned', to: next.state, at: now, note: `send attempt ${next.attempts}` }],
      // the one write that must reach stable storage before the request leaves
      durable: true,
      plain: !this.opaque,
    });
  }

  /** A state change of a step with what it produced, in one transaction. */
  async outcome(stepId: string, operation: string, event: StepEvent, patch: StepOutcomePatch = {}, fp?: string): Promise<StepRow> {
    const cur = this.steps.get(stepId);
    const now = this.clock.now();
    const next = {} as StepRow;
    const n = next as unknown as Record<string, unknown>;
    if (cur) {
      // the row so far, less what only its last outcome said (no delete: keeps the row a fast object)
      for (const k of Object.keys(cur)) if (k !== 'errorCode' && k !== 'errorMessage' && k !== 'review') n[k] = (cur as unknown as Record<string, unknown>)[k];
    } else {
      Object.assign(next, { scope: this.scope, key: this.key, stepId, operation, attempts: 0, createdAt: now, ids: {} });
    }
    next.operation = operation;
    next.runId = this.runId;
    next.state = transition(cur?.state, event);
    next.updatedAt = now;
    if (fp) next.fingerprint = fp;
    const clean = this.clean(patch) as Record<string, unknown>;
    for (const k in clean) {
      const v = clean[k];
      if (v !== undefined) n[k] = v;
    }
    this.steps.set(stepId, next);
    await this.store.write({
      steps: [next],
      events: [{ runId: this.runId, scope: this.scope, key: this.key, stepId, from: cur?.state ?? 'planned', to: next.state, at: now, note: event.type }],
      plain: !this.opaque,
    });
    return next;
  }

  /** The record's end in this run: its state, what the run reported, and the claim released. */
  async finish(report: { index: number; outcome: string; replayed: boolean; card?: string; ids: Record<string, string | number>; errorCode?: string; errorMessage?: string; mapHash: string }): Promise<void> {
    const now = this.clock.now();
    const r = this.clean(report);
    const state = recordState([...this.steps.values()].map((s) => s.state));
    const record: RecordRow = {
      // the map's hash (and below, the index and outcome) are ours, never record data: scrubbing
      // by value could garble them (a short security code between two of the hash's hex
      // letters: the next run would see a changed map)
      scope: this.scope, key: this.key, state, runId: this.runId, mapHash: report.mapHash,
      createdAt: this.previous?.createdAt ?? now, updatedAt: now, ids: { ...(this.previous?.ids ?? {}), ...r.ids }, leaseRun: null,
    };
    const card = r.card ?? this.previous?.card;
    if (card) record.card = card;
    if (r.errorCode) record.errorCode = r.errorCode;
    if (r.errorMessage) record.errorMessage = r.errorMessage;
    if (this.previous?.resolvedAs) record.resolvedAs = this.previous.resolvedAs;
    const runRecord = { runId: this.runId, scope: this.scope, key: this.key, index: report.index, outcome: report.outcome, replayed: report.replayed, ids: r.ids, at: now } as Parameters<JournalStore['write']>[0]['runRecords'] extends Array<infer T> | undefined ? T : never;
    if (r.card) runRecord.card = r.card;
    if (r.errorCode) runRecord.errorCode = r.errorCode;
    if (r.errorMessage) runRecord.errorMessage = r.errorMessage;
    await this.store.write({ records: [record], runRecords: [runRecord], plain: !this.opaque });
  }
}
