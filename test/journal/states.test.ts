/**
 * The journal's pure rules: every transition the rules allow (and, for every other pair of
 * state and event, an IllegalTransition), what a re-run does per state, and a record's state
 * from its steps.
 */
import { describe, expect, it } from 'vitest';
import { recordState, resumeAction, STEP_STATES, transition, type StepEvent, type StepState } from '../../src/index.js';
import { IllegalTransition, isFinal } from '../../src/journal/index.js';

type From = StepState | undefined;
const FROM: From[] = [undefined, ...STEP_STATES];
const show = (s: From) => s ?? '(none)';

/** Every event, with each of its variants. */
const EVENTS: StepEvent[] = [
  { type: 'send' },
  { type: 'send', retry: true },
  { type: 'answer', outcome: 'succeeded' },
  { type: 'answer', outcome: 'declined' },
  { type: 'answer', outcome: 'pending' },
  { type: 'answer', outcome: 'failed' },
  { type: 'not-applied' },
  { type: 'lost' },
  { type: 'found', outcome: 'succeeded' },
  { type: 'found', outcome: 'declined' },
  { type: 'found', outcome: 'pending' },
  { type: 'absent' },
  { type: 'cannot-tell' },
  { type: 'lookup-failed' },
  { type: 'skip' },
  { type: 'not-sent' },
  { type: 'resolve', as: 'succeeded' },
  { type: 'resolve', as: 'not-charged' },
  { type: 'status', outcome: 'succeeded' },
  { type: 'status', outcome: 'declined' },
  { type: 'status', outcome: 'pending' },
  { type: 'status', outcome: 'failed' },
];
const label = (e: StepEvent) => [e.type, 'outcome' in e ? e.outcome : 'as' in e ? e.as : 'retry' in e && e.retry ? 'retry' : ''].filter(Boolean).join(':');

/** States from which a call may be sent: nothing of it can have taken effect (or a decline is retried). */
const SENDABLE: From[] = [undefined, 'planned', 'failed', 'skipped', 'declined'];
/** States whose call may have taken effect and is not settled. */
const OPEN: From[] = ['in-flight', 'unknown'];

/** The allowed transitions, written out: [from, event label, to]. Everything else throws. */
const ALLOWED: Array<[From, string, StepState]> = [
  // the intent before a send: only where nothing can have taken effect
  ...SENDABLE.map((f): [From, string, StepState] => [f, 'send', 'in-flight']),
  ...SENDABLE.map((f): [From, string, StepState] => [f, 'send:retry', 'in-flight']),
  // another attempt of the same call after an answer proving the earlier one was not processed
  ['in-flight', 'send:retry', 'in-flight'],
  // the provider answers a call in flight
  ['in-flight', 'answer:succeeded', 'succeeded'],
  ['in-flight', 'answer:declined', 'declined'],
  ['in-flight', 'answer:pending', 'pending'],
  ['in-flight', 'answer:failed', 'failed'],
  ['in-flight', 'not-applied', 'failed'],
  ['in-flight', 'lost', 'unknown'],
  // reconciliation of an open call, and the pre-flight guard before a first send
  ...[...OPEN, ...SENDABLE].flatMap((f): Array<[From, string, StepState]> => [[f, 'found:succeeded', 'succeeded'], [f, 'found:declined', 'declined'], [f, 'found:pending', 'pending']]),
  ...OPEN.flatMap((f): Array<[From, string, StepState]> => [[f, 'absent', 'failed'], [f, 'cannot-tell', 'needs-review'], [f, 'lookup-failed', 'unknown']]),
  // nothing sent
  ...SENDABLE.map((f): [From, string, StepState] => [f, 'skip', 'skipped']),
  ...SENDABLE.map((f): [From, string, StepState] => [f, 'not-sent', 'failed']),
  // an operator settles a held (or open) call
  ...(['needs-review', 'unknown', 'in-flight'] as From[]).flatMap((f): Array<[From, string, StepState]> => [[f, 'resolve:succeeded', 'succeeded'], [f, 'resolve:not-charged', 'failed']]),
  // a later status from the provider
  ...(['pending', 'succeeded', 'declined', 'unknown', 'needs-review'] as From[]).flatMap((f): Array<[From, string, StepState]> => (['succeeded', 'declined', 'pending', 'failed'] as const).map((o): [From, string, StepState] => [f, `status:${o}`, o])),
];
const allowed = new Map(ALLOWED.map(([f, e, t]) => [`${show(f)} ${e}`, t]));

describe('transition: allowed', () => {
  it('the table has no contradictions', () => {
    expect(allowed.size).toBe(ALLOWED.length);
  });

  it.each(ALLOWED.map(([f, e, t]) => [show(f), e, t, f]))('%s --%s--> %s', (_f, e, to, from) => {
    const event = EVENTS.find((x) => label(x) === e)!;
    expect(event).toBeDefined();
    expect(transition(from as From, event)).toBe(to);
  });
});

describe('transition: forbidden', () => {
  /** The transitions that would break the promise, named; the sweep below covers the rest. */
  const NAMED: Array<[From, StepEvent, string]> = [
    ['succeeded', { type: 'send' }, 'a call that succeeded is never sent again (a second charge)'],
    ['succeeded', { type: 'send', retry: true }, 'nor as a "retry"'],
    ['pending', { type: 'send' }, 'an accepted, not yet final call is never sent again'],
    ['in-flight', { type: 'send' }, 'a call in flight from an earlier run is reconciled first, never resent blindly'],
    ['unknown', { type: 'send' }, 'an unknown outcome is reconciled first'],
    ['unknown', { type: 'send', retry: true }, 'an unknown outcome is not retried'],
    ['needs-review', { type: 'send' }, 'a held call is never resent automatically'],
    ['needs-review', { type: 'send', retry: true }, 'nor retried'],
    ['needs-review', { type: 'absent' }, 'only an operator settles a held call'],
    ['needs-review', { type: 'found', outcome: 'succeeded' }, 'reconciliation does not reopen a held call'],
    ['succeeded', { type: 'absent' }, 'a lookup cannot un-charge a success'],
    ['succeeded', { type: 'answer', outcome: 'failed' }, 'a late answer does not overwrite an outcome'],
    ['planned', { type: 'answer', outcome: 'succeeded' }, 'no answer without an intent written first'],
    [undefined, { type: 'answer', outcome: 'succeeded' }, 'no answer for a step the journal never sent'],
    [undefined, { type: 'lost' }, 'nothing is lost that was never sent'],
    ['failed', { type: 'absent' }, 'absence is proved only for an open call'],
    ['in-flight', { type: 'not-sent' }, 'a call in flight was sent'],
    ['in-flight', { type: 'skip' }, 'a call in flight cannot be skipped'],
    ['succeeded', { type: 'skip' }, 'a done call cannot become skipped'],
    ['succeeded', { type: 'resolve', as: 'not-charged' }, 'only held or open calls are resolved'],
    ['failed', { type: 'resolve', as: 'succeeded' }, 'a call proved not applied is not resolved'],
    ['declined', { type: 'resolve', as: 'succeeded' }, 'a decline is not resolved'],
    [undefined, { type: 'resolve', as: 'succeeded' }, 'nothing to resolve'],
    ['failed', { type: 'status', outcome: 'succeeded' }, 'a call that did not take effect gets no later status'],
    ['in-flight', { type: 'status', outcome: 'succeeded' }, 'a status is for an answered call'],
    ['skipped', { type: 'status', outcome: 'succeeded' }, 'a skipped step has no status'],
    ['pending', { type: 'found', outcome: 'succeeded' }, 'an answered call is not adopted again'],
  ];

  it.each(NAMED.map(([f, e, why]) => [show(f), label(e), why, f, e]))('%s --%s--> throws: %s', (_f, _e, _why, from, event) => {
    expect(allowed.has(`${show(from as From)} ${label(event as StepEvent)}`)).toBe(false);
    let caught: unknown;
    try {
      transition(from as From, event as StepEvent);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(IllegalTransition);
    const e = caught as IllegalTransition;
    expect(e.from).toBe(from);
    expect(e.event).toEqual(event);
    expect(e.message).toBe(`journal: a step in state ${show(from as From)} cannot take event ${(event as StepEvent).type}`);
  });

  it('every other pair of state and event throws IllegalTransition', () => {
    let thrown = 0;
    for (const from of FROM) {
      for (const event of EVENTS) {
        const want = allowed.get(`${show(from)} ${label(event)}`);
        if (want !== undefined) {
          expect(transition(from, event), `${show(from)} ${label(event)}`).toBe(want);
          continue;
        }
        expect(() => transition(from, event), `${show(from)} ${label(event)}`).toThrow(IllegalTransition);
        thrown++;
      }
    }
    expect(thrown + ALLOWED.length).toBe(FROM.length * EVENTS.length);
    expect(thrown).toBeGreaterThan(100);
  });
});

describe('resumeAction', () => {
  const TABLE: Array<[From, string, string]> = [
    [undefined, 'run', 'run'],
    ['planned', 'run', 'run'],
    ['failed', 'run', 'run'],
    ['skipped', 'run', 'run'],
    ['succeeded', 'reuse', 'reuse'],
    ['pending', 'reuse', 'reuse'],
    ['declined', 'stop', 'run'],
    ['in-flight', 'reconcile', 'reconcile'],
    ['unknown', 'reconcile', 'reconcile'],
    ['needs-review', 'hold', 'hold'],
  ];

  it('covers every state', () => {
    expect(TABLE.map(([s]) => s).sort()).toEqual([...FROM].sort());
  });

  it.each(TABLE.map(([s, a, b]) => [show(s), a, b, s]))('%s → %s (with --retry-declined: %s)', (_s, plain, retrying, state) => {
    expect(resumeAction(state as From)).toBe(plain);
    expect(resumeAction(state as From, {})).toBe(plain);
    expect(resumeAction(state as From, { retryDeclined: false })).toBe(plain);
    expect(resumeAction(state as From, { retryDeclined: true })).toBe(retrying);
  });

  it('an action of "run" is only given where a send is allowed, so a run never sends what may have taken effect', () => {
    for (const retryDeclined of [false, true]) {
      for (const s of FROM) {
        if (resumeAction(s, { retryDeclined }) === 'run') expect(transition(s, { type: 'send' })).toBe('in-flight');
      }
    }
    // and every state that may have taken effect (or is done) is never given "run"
    for (const s of ['succeeded', 'pending', 'in-flight', 'unknown', 'needs-review'] as const) {
      expect(() => transition(s, { type: 'send' })).toThrow(IllegalTransition);
      for (const retryDeclined of [false, true]) expect(resumeAction(s, { retryDeclined })).not.toBe('run');
    }
  });
});

describe('recordState', () => {
  it('a record with no steps, or only skipped ones, is skipped', () => {
    expect(recordState([])).toBe('skipped');
    expect(recordState(['skipped'])).toBe('skipped');
    expect(recordState(['skipped', 'skipped'])).toBe('skipped');
  });

  it('is its worst step\'s state, by severity', () => {
    const ORDER: StepState[] = ['skipped', 'succeeded', 'pending', 'declined', 'failed', 'in-flight', 'unknown', 'needs-review'];
    for (let i = 0; i < ORDER.length; i++) {
      expect(recordState([ORDER[i]!])).toBe(ORDER[i]);
      for (let j = i + 1; j < ORDER.length; j++) {
        expect(recordState([ORDER[i]!, ORDER[j]!]), `${ORDER[i]} + ${ORDER[j]}`).toBe(ORDER[j]);
        expect(recordState([ORDER[j]!, ORDER[i]!]), `${ORDER[j]} + ${ORDER[i]}`).toBe(ORDER[j]);
      }
    }
    expect(recordState(['succeeded', 'succeeded', 'needs-review', 'skipped'])).toBe('needs-review');
    expect(recordState(['succeeded', 'declined', 'pending'])).toBe('declined');
  });

  it('a planned step ranks below every other (it never hides a done one)', () => {
    expect(recordState(['planned', 'succeeded'])).toBe('succeeded');
    expect(recordState(['failed', 'planned'])).toBe('failed');
    for (const s of STEP_STATES) if (s !== 'planned') expect(recordState(['planned', s])).toBe(s);
  });

  it('takes any iterable (e.g. a Map\'s values)', () => {
    const steps = new Map<string, StepState>([['findClient', 'succeeded'], ['order', 'succeeded'], ['payment', 'unknown']]);
    expect(recordState(steps.values())).toBe('unknown');
  });
});

describe('isFinal', () => {
  it('succeeded, declined, failed and skipped are final; the rest wait for the provider or an operator', () => {
    expect(STEP_STATES.filter(isFinal).sort()).toEqual(['declined', 'failed', 'skipped', 'succeeded']);
  });
});
