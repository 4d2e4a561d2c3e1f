import { recordTotals } from './totals.js';
import type { CompiledMap } from '../datamap/types.js';
import type { ErrorCode } from '../errors/catalogue.js';
import { diagnostic } from '../errors/diagnostic.js';
import { evaluationDiagnostic } from '../expressions/compile-expression.js';
import { crashPoint } from '../journal/crash-hook.js';
import type { Journal } from '../journal/journal.js';
import { hashText } from '../journal/fingerprint.js';
import { resumeAction } from '../journal/states.js';
import type { StepRow } from '../journal/types.js';
import { evaluateStep } from '../plan/evaluate-step.js';
import { planDiagnostics, planRecordRaw, reusableEvaluation, type RecordPlanRaw } from '../plan/plan-record.js';
import { isThenable } from '../expressions/plain-json.js';
import { redactValue, scrubText, type Scrubber } from '../redact/index.js';
import type { RecordItem } from '../source/read-records.js';
import { FOLLOW_UP_PREFIX } from '../status/follow-up.js';
import type { AuthSession } from './auth.js';
import type { CallContext } from './call-http.js';
import { RecordBook } from './record-book.js';
import type { RowFacts } from './scrub-value.js';
import { findMaskedCard } from './redact-step.js';
import { collectIds, describeRequest, noteRequestValues, reconcilePrior, sendStep, type StepRun } from './run-step.js';
import type { Outcome, RecordResult, StepResult } from './types.js';

/** Everything a record run needs, built once per run. */
export interface Runtime {
  map: CompiledMap;
  call: CallContext;
  auth: AuthSession | undefined;
  baseUrl: string;
  journal: Journal;
  runId: string;
  /** Record keys are unique per Data Map name. */
  scope: string;
  mapHash: string;
  preflight: boolean;
  retryDeclined: boolean;
  settleMs: number | undefined;
  /** Keys seen in this run's input, with their record index. */
  seen: Map<string, number>;
  /** Scrubs card data and secrets from anything written or reported. */
  scrub: <T>(value: T) => T;
  /** `scrub`, telling in `facts.plain` whether the copy is fresh JSON data (journal rows are written `plain` then). */
  scrubRow?: <T>(value: T, facts: RowFacts) => T;
  /** What `scrub` searches for by value: the run's secrets, and per record its card data (src/redact). */
  scrubber?: Scrubber;
  /** A claim held by a run on another host expires after this long without a heartbeat. */
  staleMs: number;
}

const SEVERITY: Record<Outcome, number> = { skipped: 0, succeeded: 1, pending: 2, declined: 3, failed: 4, unknown: 5, 'needs-review': 6 };

const STATE_OUTCOME: Record<StepRow['state'], Outcome> = {
  planned: 'skipped', skipped: 'skipped', succeeded: 'succeeded', pending: 'pending', declined: 'declined', failed: 'failed',
  'in-flight': 'unknown', unknown: 'unknown', 'needs-review': 'needs-review',
};

/** A record's identity when its map gives no usable key: the hash of its content. */
export function contentKey(value: unknown): string {
  return `sha256:${hashText(JSON.stringify(value)).slice(0, 32)}`;
}

/**
 * Runs one record as the journal allows: plans it whole first (no call unless every step
 * validates), then each step by what the journal knows of it — reuse a done step's output,
 * reconcile one that was in flight, hold one under review, send only what cannot have taken
 * effect — stopping at a decline, a failure or an unknown outcome.
 */
export async function runRecord(rt: Runtime, item: RecordItem): Promise<RecordResult> {
  const base: RecordResult = { index: item.index, outcome: 'failed', steps: [], ids: {}, diagnostics: [], runId: rt.runId };
  if (item.line) base.line = item.line;
  if (item.error) {
    base.diagnostics.push(item.error);
    base.error = { code: 'run/not-planned', message: item.error.message, retryable: false };
    return base;
  }
  const planOpts: Parameters<typeof planRecordRaw>[2] = { now: rt.call.clock.now(), index: item.index, baseUrl: rt.baseUrl };
  if (item.line) planOpts.line = item.line;
  const plan = await planRecordRaw(rt.map, item.value, planOpts);
  // every sensitive value the record's requests carry is scrubbed from whatever it prints
  if (rt.scrubber) for (const ev of plan.steps) if (ev.request) noteRequestValues(rt.scrubber, rt.map.steps.find((s) => s.id === ev.id)!.operation.spec, ev.request.body);
  if (plan.context.key !== undefined) base.key = scrubText(plan.context.key);
  if (!plan.ok) {
    base.diagnostics.push(...planDiagnostics(plan).map((d) => ({ ...d, message: scrubText(d.message) })));
    base.error = { code: 'run/not-planned', message: 'The record\'s plan has errors, so no call was made', retryable: false };
    return base;
  }
  const ctx = plan.context;
  const key = ctx.key ?? contentKey(item.value);
  const earlier = rt.seen.get(key);
  if (earlier !== undefined) {
    base.outcome = 'skipped';
    base.duplicateOf = earlier;
    base.error = { code: 'run/duplicate-key', message: scrubText(`Record ${earlier + 1} of this input has the same key ${key}: this one was not run`), retryable: false };
    await rt.journal.store.write({ runRecords: [{ runId: rt.runId, scope: rt.scope, key: rt.scrub(key), index: item.index, outcome: 'skipped', replayed: false, duplicateOf: earlier, ids: {}, errorCode: base.error.code, errorMessage: base.error.message, at: rt.call.clock.now() }] });
    return base;
  }
  rt.seen.set(key, item.index);
  // the key as the journal keeps it (scrubbed like every other row)
  const journalKey = rt.scrub(key);
  const claim = await rt.journal.store.claimRecord(rt.scope, journalKey, rt.runId, rt.call.clock.now(), rt.staleMs);
  if (!claim.ok) {
    base.error = { code: 'run/record-busy', message: `Run ${claim.heldBy} is working on record ${key} right now; it was not run`, retryable: true };
    return base;
  }
  const book = new RecordBook(rt.journal.store, rt.scope, journalKey, rt.runId, rt.call.clock, rt.scrub, claim.steps, claim.record, rt.scrubRow);
  const changed: string[] = [];
  if (claim.record?.mapHash && claim.record.mapHash !== rt.mapHash) changed.push(`the Data Map changed since run ${claim.record.runId} worked on this record`);
  for (const k of Object.keys(ctx.steps)) delete ctx.steps[k];

  let outcome: Outcome = 'skipped';
  let calls = 0;
  // an earlier step of this record made something new in this run (not adopted, not a lookup)
  let createdNow = false;
  let replayedFrom: string | undefined;
  for (const step of rt.map.steps) {
    let prior = book.steps.get(step.id);
    let action = resumeAction(prior?.state, { retryDeclined: rt.retryDeclined });
    if (action === 'reconcile' && prior && step.operation.spec.idempotent) {
      // an idempotent call (a lookup) in flight at a crash moved nothing: just send it again
      prior = await book.outcome(step.id, step.operation.id, { type: 'absent' }, { errorCode: 'run/not-applied', errorMessage: 'an idempotent call interrupted in an earlier run; sent again' });
      action = 'run';
    }
    if (prior && (action === 'reuse' || action === 'stop' || action === 'hold')) {
      // done, declined or held: report it from the journal, no call
      replayedFrom ??= prior.runId;
      const sr = replayStep(prior);
      if (action === 'reuse') {
        ctx.steps[step.id] = prior.output;
        // the provider ids, as a fresh run reports them; not the follow-up lookup parameters
        for (const [k, v] of Object.entries(prior.ids)) if (!k.startsWith(FOLLOW_UP_PREFIX)) base.ids[k] = v;
        await noteChangedRequest(rt, step, ctx, plan, prior, changed);
      }
      base.steps.push(sr);
      outcome = worse(outcome, STATE_OUTCOME[prior.state]);
      if (prior.errorCode && !base.error) base.error = { code: prior.errorCode as ErrorCode, message: prior.errorMessage ?? prior.errorCode, retryable: false };
      if (action === 'hold' && prior.review) base.review = prior.review;
      if (action === 'reuse') continue;
      break;
    }
    // a step that reads no $steps was evaluated for good by the plan above: not again
    const ev = reusableEvaluation(rt.map, step, plan) ?? await evaluateStep(rt.map, step, ctx, { baseUrl: rt.baseUrl, dryRun: false });
    if (ev.decision === 'skip' && action !== 'reconcile') {
      if (prior?.state !== 'skipped') await book.outcome(step.id, step.operation.id, { type: 'skip' });
      base.steps.push({ id: step.id, operation: step.operation.id, decision: 'skip', attempts: 0, durationMs: 0, warnings: [] });
      continue;
    }
    if (ev.decision === 'skip' || !ev.valid || !ev.request) {
      base.diagnostics.push(...ev.diagnostics.map((d) => ({ ...d, message: scrubText(d.message) })));
      base.steps.push({ id: step.id, operation: step.operation.id, decision: 'run', attempts: 0, durationMs: 0, warnings: [] });
      if (action === 'reconcile') {
        // in flight in an earlier run, but the map no longer yields its request: an operator decides
        base.error = { code: 'run/needs-review', message: `Step ${step.id} was in flight in run ${prior?.runId} but cannot be planned now, so it cannot be looked up; it is held for review`, retryable: false };
        await book.outcome(step.id, step.operation.id, { type: 'cannot-tell' }, { errorCode: base.error.code, errorMessage: base.error.message, review: { reference: { key }, reason: 'the step cannot be planned now', ...(prior?.sentAt ? { sentAt: prior.sentAt } : {}) } });
        outcome = 'needs-review';
      } else {
        base.error = { code: ev.diagnostics[0]?.code ?? 'schema/payload-invalid', message: scrubText(ev.diagnostics[0]?.message ?? 'invalid request'), retryable: false };
        await book.outcome(step.id, step.operation.id, { type: 'not-sent' }, { errorCode: base.error.code, errorMessage: base.error.message });
        outcome = 'failed';
      }
      break;
    }
    let sr: StepRun | undefined;
    if (action === 'reconcile' && prior) {
      sr = await reconcilePrior(rt, book, step, ev.request, key, ctx.bindings, prior);
      if (sr.retry) sr = undefined;
    }
    if (!sr) {
      calls++;
      sr = await sendStep(rt, book, step, ev.request, key, ctx.bindings, !createdNow);
      if (!step.operation.spec.idempotent && !sr.result.reconciliation && (sr.result.classification === 'succeeded' || sr.result.classification === 'pending')) createdNow = true;
    }
    base.steps.push(sr.result);
    const card = findMaskedCard(sr.result.request?.body);
    if (card && !base.card) base.card = card;
    const cls = sr.result.classification ?? 'failed';
    outcome = worse(outcome, cls);
    if (sr.result.error && !base.error) base.error = sr.result.error;
    if (cls === 'needs-review' || cls === 'unknown') {
      const row = book.steps.get(step.id);
      if (row?.review) base.review = row.review;
    }
    if (cls === 'succeeded' || cls === 'pending') {
      ctx.steps[step.id] = sr.output;
      collectIds(step.id, sr.output, base.ids);
    } else {
      break;
    }
  }
  base.outcome = outcome;
  if (calls === 0 && replayedFrom) {
    base.replayed = true;
    base.replayedFrom = replayedFrom;
  }
  if (!base.card && claim.record?.card) base.card = claim.record.card;
  if (changed.length) {
    base.changed = changed;
    for (const c of changed) base.diagnostics.push(diagnostic('run/replayed-changed', `Not charged again: ${c}`, { severity: 'warning' }));
  }
  if (rt.map.result && outcome !== 'failed' && outcome !== 'unknown' && outcome !== 'needs-review') {
    try {
      const v = rt.map.result.evaluatePlain(ctx.record, ctx.bindings);
      base.result = redactValue(isThenable(v) ? await v : v);
    } catch (err) {
      base.diagnostics.push({ ...evaluationDiagnostic(err, rt.map.result, `Record ${item.index + 1}: result`), severity: 'warning' });
    }
  }
  if (outcome === 'succeeded' || outcome === 'pending') {
    const t = await recordTotals(rt.map, base.steps, ctx.record, ctx.bindings, book.steps);
    if (t.totals) base.totals = t.totals;
    if (t.warning) base.diagnostics.push(t.warning);
  }
  const fin: Parameters<RecordBook['finish']>[0] = { index: item.index, outcome, replayed: base.replayed === true, ids: base.ids, mapHash: rt.mapHash };
  if (base.card) fin.card = base.card;
  if (base.error) { fin.errorCode = base.error.code; fin.errorMessage = base.error.message; }
  await book.finish(fin);
  crashPoint('after-outcome');
  return base;
}

function worse(a: Outcome, b: StepResult['classification'] | Outcome): Outcome {
  const o: Outcome = b === undefined ? 'failed' : (b as Outcome);
  return SEVERITY[o] > SEVERITY[a] ? o : a;
}

function replayStep(prior: StepRow): StepResult {
  const r: StepResult = { id: prior.stepId, operation: prior.operation, decision: 'run', attempts: 0, durationMs: 0, warnings: [], replayed: true };
  r.classification = prior.state === 'in-flight' ? 'unknown' : prior.state === 'planned' || prior.state === 'skipped' ? undefined : prior.state;
  if (prior.httpStatus) r.status = prior.httpStatus;
  if (prior.reconciliation) r.reconciliation = prior.reconciliation;
  if (prior.errorCode) r.error = { code: prior.errorCode as ErrorCode, message: prior.errorMessage ?? prior.errorCode, retryable: false };
  return r;
}

/** For a step reused from the journal: say so when today's request differs from the journaled one. */
async function noteChangedRequest(rt: Runtime, step: Runtime['map']['steps'][number], ctx: Parameters<typeof evaluateStep>[2], plan: RecordPlanRaw, prior: StepRow, changed: string[]): Promise<void> {
  if (!prior.fingerprint) return;
  try {
    const ev = reusableEvaluation(rt.map, step, plan) ?? await evaluateStep(rt.map, step, ctx, { baseUrl: rt.baseUrl, dryRun: false });
    if (ev.decision !== 'run' || !ev.request) return;
    if (describeRequest(rt, step, ev.request).fp !== prior.fingerprint) changed.push(`the ${step.id} request differs from the one sent in run ${prior.runId}`);
  } catch {
    // a request that cannot be evaluated now changes nothing about what was done
  }
}
