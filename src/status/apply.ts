import { classifyDetail } from '../executor/classify.js';
import type { Journal } from '../journal/journal.js';
import { recordAfter, transition } from '../journal/states.js';
import type { RecordRow, RunRow, StepRow, StepState } from '../journal/types.js';
import type { OperationSpec, ProviderPack } from '../providers/pack-types.js';
import { getProvider } from '../providers/registry.js';
import { scrubText } from '../redact/index.js';
import { storedFollowUp } from './follow-up.js';

/** Step states a later status may settle: accepted but not final, or held because the answer was not understood. */
export const OPEN_FOR_STATUS: readonly StepState[] = ['pending', 'needs-review'];

/** One step a reported status moved. */
export interface StatusChange {
  runId: string;
  /** The Data Map's name (the journal scope) and the record key. */
  scope: string;
  key: string;
  stepId: string;
  operation: string;
  from: StepState;
  to: StepState;
  /** The provider's status as reported (the value of the follow-up classification's field). */
  status?: string | number | boolean;
  /** Why, from the pack (e.g. an ACH payment returned after it was accepted). */
  reason?: string;
  /** The documentation the rule cites. */
  source?: string;
}

/** A step a status reached but did not move: still pending, or a status the pack cannot read (needs a person). */
export interface StatusUnchanged {
  runId: string;
  scope: string;
  key: string;
  stepId: string;
  operation: string;
  state: StepState;
  status?: string | number | boolean;
  reason: string;
}

/** What applying reported statuses did. */
export interface StatusApplied {
  changes: StatusChange[];
  unchanged: StatusUnchanged[];
}

/** A journaled step that can be followed up: its record, its run's provider pack, the operation and its stored follow-up parameters. */
export interface FollowUpStep {
  record: RecordRow;
  step: StepRow;
  run: RunRow;
  pack: ProviderPack;
  operation: OperationSpec;
  params: Record<string, string | number>;
}

/**
 * The steps a status can still settle (pending or held for review, with follow-up parameters
 * stored when the call answered), optionally of one run or one Data Map (scope).
 */
export async function followUpSteps(journal: Journal, filter: { runId?: string; scope?: string } = {}): Promise<FollowUpStep[]> {
  const records: RecordRow[] = [];
  if (filter.runId) {
    const run = await journal.store.getRun(filter.runId);
    if (!run) return [];
    const seen = new Set<string>();
    for (const rr of await journal.store.listRunRecords(filter.runId)) {
      if (seen.has(rr.key)) continue;
      seen.add(rr.key);
      const found = await journal.store.getRecord(rr.scope, rr.key);
      if (found && OPEN_FOR_STATUS.includes(found.record.state)) records.push(found.record);
    }
  } else {
    const f: { states: StepState[]; scope?: string } = { states: [...OPEN_FOR_STATUS] };
    if (filter.scope) f.scope = filter.scope;
    records.push(...(await journal.store.listRecords(f)));
  }
  const runs = new Map<string, RunRow | undefined>();
  const out: FollowUpStep[] = [];
  for (const rec of records) {
    if (filter.scope && rec.scope !== filter.scope) continue;
    const found = await journal.store.getRecord(rec.scope, rec.key);
    if (!found) continue;
    for (const step of found.steps) {
      if (!OPEN_FOR_STATUS.includes(step.state)) continue;
      const params = storedFollowUp(step.ids);
      if (Object.keys(params).length === 0) continue;
      if (!runs.has(step.runId)) runs.set(step.runId, await journal.store.getRun(step.runId));
      const run = runs.get(step.runId);
      const pack = run ? getProvider(run.provider) : undefined;
      const operation = pack?.operations[step.operation];
      if (!run || !pack || !operation?.followUp) continue;
      out.push({ record: found.record, step, run, pack, operation, params });
    }
  }
  return out;
}

/**
 * Applies a status the provider reported for one step's object (a lookup's answer, or a
 * webhook's object) through the journal's own rules (event `status`), read with the operation's
 * `followUp.classify`: an ACH payment held as pending becomes declined when it turns
 * Noncollectable, a refund becomes succeeded once its refund invoice is confirmed. A status the
 * pack does not document moves nothing and is reported for review.
 */
export async function applyStatusToStep(journal: Journal, target: FollowUpStep, object: unknown, options: { now: number; note: string }): Promise<StatusChange | StatusUnchanged> {
  const spec = target.operation.followUp!.classify;
  const detail = classifyDetail(spec, object);
  // read the step fresh: an earlier delivery or sync may have moved it since it was listed
  const found = await journal.store.getRecord(target.record.scope, target.record.key);
  const step = found?.steps.find((s) => s.stepId === target.step.stepId);
  const base = { runId: target.step.runId, scope: target.record.scope, key: target.record.key, stepId: target.step.stepId, operation: target.step.operation };
  const status = shownStatus(detail.value, scrubText);
  if (!found || !step) return { ...base, state: target.step.state, reason: 'the journal no longer holds this step' };
  const withStatus = <T extends object>(o: T): T => (status !== undefined ? { ...o, status } : o);
  if (!OPEN_FOR_STATUS.includes(step.state)) return withStatus({ ...base, state: step.state, reason: `already ${step.state}` });
  const cls = detail.classification;
  if (cls === 'unknown') return withStatus({ ...base, state: step.state, reason: scrubText(detail.reason ?? 'not a documented status: needs review') });
  if (cls === 'pending' && step.state === 'pending') return withStatus({ ...base, state: step.state, reason: scrubText(detail.reason ?? 'still not final') });
  const to = transition(step.state, { type: 'status', outcome: cls });
  const now = options.now;
  const next: StepRow = { ...step, state: to, updatedAt: now };
  delete next.errorCode;
  delete next.errorMessage;
  const said = `${step.operation} later reported ${status === undefined ? 'a new status' : String(status)}`;
  if (to === 'declined' || to === 'failed') {
    next.errorCode = 'provider/declined';
    next.errorMessage = scrubText(detail.reason ? `${said}: ${detail.reason}` : said);
  }
  if (to !== 'needs-review') delete next.review;
  const steps = found.steps.map((s) => (s.stepId === step.stepId ? next : s));
  const record: RecordRow = recordAfter(found.record, steps, now);
  // durable like an operator's resolution: a webhook is answered 200 and not sent again
  await journal.store.write({
    durable: true,
    steps: [next],
    records: [record],
    events: [{ runId: step.runId, scope: found.record.scope, key: found.record.key, stepId: step.stepId, from: step.state, to, at: now, note: scrubText(options.note) }],
  });
  const change: StatusChange = withStatus({ ...base, from: step.state, to });
  if (detail.reason) change.reason = scrubText(detail.reason);
  if (detail.source) change.source = detail.source;
  return change;
}

/**
 * A provider's status as reported to the user: a string or number scrubbed like any provider
 * text (a hostile answer can put a card number there), anything else left out.
 */
export function shownStatus(v: unknown, scrub: (s: string) => string): string | number | boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return scrub(v);
  if (typeof v === 'number') {
    const t = scrub(String(v));
    return t === String(v) ? v : t;
  }
  return undefined;
}

/** True for a {@link StatusChange}. */
export function isChange(r: StatusChange | StatusUnchanged): r is StatusChange {
  return 'to' in r;
}

/**
 * Applies a status reported for an object (e.g. an invoice by id) to every journaled step of
 * `pack` whose stored follow-up parameters match `report.match`.
 */
export async function applyReportedStatus(journal: Journal, pack: ProviderPack, report: { match: Record<string, string | number>; object: unknown }, options: { now: number; note: string }): Promise<StatusApplied> {
  const out: StatusApplied = { changes: [], unchanged: [] };
  for (const t of await followUpSteps(journal)) {
    if (t.pack.name !== pack.name) continue;
    if (!Object.entries(report.match).every(([k, v]) => t.params[k] !== undefined && String(t.params[k]) === String(v))) continue;
    const r = await applyStatusToStep(journal, t, report.object, options);
    if (isChange(r)) out.changes.push(r);
    else out.unchanged.push(r);
  }
  return out;
}
