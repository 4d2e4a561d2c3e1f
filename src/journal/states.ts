/**
 * The journal's rules as small pure functions: how a step's state moves on an event, what a
 * re-run does with a step in a given state, and a record's state from its steps. The executor,
 * `runs resolve` and status updates all go through `transition`, so they share one set of rules.
 */
import type { RecordState, StepState } from './types.js';

/** Something that happened to a step. */
export type StepEvent =
  /**
   * The intent to send is durable; the request is about to leave. `retry`: another attempt of
   * the same call after an answer that proves the earlier one was not processed (429, 503).
   */
  | { type: 'send'; retry?: boolean }
  /** The provider answered (after the retries that were safe). */
  | { type: 'answer'; outcome: 'succeeded' | 'declined' | 'pending' | 'failed' }
  /** The call provably did not take effect (refused, a status the pack marks as not processed). */
  | { type: 'not-applied' }
  /** The call may have taken effect but no answer says so. */
  | { type: 'lost' }
  /** Reconciliation (or the pre-flight guard) found the call's effect at the provider. */
  | { type: 'found'; outcome: 'succeeded' | 'declined' | 'pending' }
  /** Reconciliation proved, after the settle window, that the call did not take effect. */
  | { type: 'absent' }
  /** Reconciliation cannot tell: hold for an operator. */
  | { type: 'cannot-tell' }
  /** The lookup itself failed; try again on a later run. */
  | { type: 'lookup-failed' }
  | { type: 'skip' }
  /** Nothing was sent (an invalid payload, a refused host, a failed pre-flight guard). */
  | { type: 'not-sent' }
  /** An operator settled a held call after checking with the provider. */
  | { type: 'resolve'; as: 'succeeded' | 'not-charged' }
  /** The provider reported a later status (webhook, sync), e.g. ACH Paid → Noncollectable. */
  | { type: 'status'; outcome: 'succeeded' | 'declined' | 'pending' | 'failed' };

/** A transition the rules do not allow (a bug or a stale row), with both ends named. */
export class IllegalTransition extends Error {
  constructor(readonly from: StepState | undefined, readonly event: StepEvent) {
    super(`journal: a step in state ${from ?? '(none)'} cannot take event ${event.type}`);
  }
}

const SENDABLE: ReadonlySet<StepState | undefined> = new Set([undefined, 'planned', 'failed', 'skipped', 'declined']);
const OPEN: ReadonlySet<StepState | undefined> = new Set(['in-flight', 'unknown']);

/** The state after `event`; throws IllegalTransition when the rules forbid it. */
export function transition(from: StepState | undefined, event: StepEvent): StepState {
  switch (event.type) {
    case 'send':
      if (SENDABLE.has(from)) return 'in-flight';
      if (from === 'in-flight' && event.retry) return 'in-flight';
      break;
    case 'answer':
      if (from === 'in-flight') return event.outcome;
      break;
    case 'not-applied':
      if (from === 'in-flight') return 'failed';
      break;
    case 'lost':
      if (from === 'in-flight') return 'unknown';
      break;
    case 'found':
      // the pre-flight guard finds a charge the journal never saw (no row, or a failed one)
      if (OPEN.has(from) || SENDABLE.has(from)) return event.outcome;
      break;
    case 'absent':
      if (OPEN.has(from)) return 'failed';
      break;
    case 'cannot-tell':
      if (OPEN.has(from)) return 'needs-review';
      break;
    case 'lookup-failed':
      if (OPEN.has(from)) return 'unknown';
      break;
    case 'not-sent':
      if (SENDABLE.has(from)) return 'failed';
      break;
    case 'skip':
      if (SENDABLE.has(from)) return 'skipped';
      break;
    case 'resolve':
      if (from === 'needs-review' || from === 'unknown' || from === 'in-flight') return event.as === 'succeeded' ? 'succeeded' : 'failed';
      break;
    case 'status':
      if (from === 'pending' || from === 'succeeded' || from === 'declined' || from === 'unknown' || from === 'needs-review') return event.outcome;
      break;
  }
  throw new IllegalTransition(from, event);
}

/** What a run does with a step the journal already knows. */
export type ResumeAction =
  /** Evaluate its `when` and send it if it runs (nothing of it can have taken effect). */
  | 'run'
  /** Done: reuse its stored output, no call. */
  | 'reuse'
  /** A decline: report it again, no call (unless declines are retried). */
  | 'stop'
  /** May have taken effect: reconcile before anything else. */
  | 'reconcile'
  /** Held for review: no call until an operator resolves it. */
  | 'hold';

export function resumeAction(state: StepState | undefined, options: { retryDeclined?: boolean } = {}): ResumeAction {
  switch (state) {
    case undefined:
    case 'planned':
    case 'failed':
    case 'skipped':
      return 'run';
    case 'succeeded':
    case 'pending':
      return 'reuse';
    case 'declined':
      return options.retryDeclined ? 'run' : 'stop';
    case 'in-flight':
    case 'unknown':
      return 'reconcile';
    case 'needs-review':
      return 'hold';
  }
}

const RECORD_SEVERITY: Record<StepState, number> = {
  planned: 0, skipped: 1, succeeded: 2, pending: 3, declined: 4, failed: 5, 'in-flight': 6, unknown: 7, 'needs-review': 8,
};

/** A record's state: its worst step's; a record whose steps were all skipped is `skipped`. */
export function recordState(steps: Iterable<StepState>): RecordState {
  let worst: StepState = 'skipped';
  let any = false;
  for (const s of steps) {
    any = true;
    if (RECORD_SEVERITY[s] > RECORD_SEVERITY[worst]) worst = s;
  }
  return any ? worst : 'skipped';
}

/** States after which nothing more happens without an operator or the provider. */
export function isFinal(state: StepState): boolean {
  return state === 'succeeded' || state === 'declined' || state === 'failed' || state === 'skipped';
}

/**
 * A record row after one of its steps changed outside a run (a status sync, a webhook): its state
 * is its worst step's and its error the first failing step's.
 */
export function recordAfter<R extends { state: RecordState; updatedAt: number; errorCode?: string; errorMessage?: string }>(record: R, steps: ReadonlyArray<{ state: StepState; errorCode?: string; errorMessage?: string }>, now: number): R {
  const out: R = { ...record, state: recordState(steps.map((s) => s.state)), updatedAt: now };
  delete out.errorCode;
  delete out.errorMessage;
  const bad = steps.find((s) => s.errorCode);
  if (bad?.errorCode) {
    out.errorCode = bad.errorCode;
    if (bad.errorMessage) out.errorMessage = bad.errorMessage;
  }
  return out;
}
