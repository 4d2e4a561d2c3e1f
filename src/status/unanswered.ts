import type { CompiledMap } from '../datamap/types.js';
import type { AuthSession } from '../executor/auth.js';
import type { CallContext } from '../executor/call-http.js';
import { classifyDetail } from '../executor/classify.js';
import { outputLets } from '../executor/lookup-context.js';
import { lookupOnce } from '../executor/reconcile.js';
import { collectIds } from '../executor/run-step.js';
import { chargedBy } from '../executor/totals.js';
import { clockBindings } from '../expressions/bindings.js';
import type { Journal } from '../journal/journal.js';
import { recordAfter, transition, type StepEvent } from '../journal/states.js';
import type { RecordRow, StepRow, StepState } from '../journal/types.js';
import { toPlainJson } from '../expressions/plain-json.js';
import { redactValue, type Scrubber } from '../redact/index.js';
import { shownStatus, type StatusChange, type StatusUnchanged } from './apply.js';
import { FOLLOW_UP_PREFIX, followUpIds } from './follow-up.js';
import type { SyncFailure, SyncSkipped } from './sync.js';

/** Steps whose call never answered: in flight at a crash, or unknown after a lost answer. */
export const UNANSWERED: readonly StepState[] = ['unknown', 'in-flight'];

/** What settling the unanswered steps needs from the sync. */
export interface UnansweredContext {
  journal: Journal;
  map: CompiledMap;
  call: CallContext;
  baseUrl: string;
  auth: AuthSession | undefined;
  scrubber: Scrubber;
  /** Overrides the pack's settle window (ms). */
  settleMs?: number;
}

/** What settling one unanswered step did (one of the sync report's lists). */
export type UnansweredOutcome =
  | { kind: 'change'; change: StatusChange }
  | { kind: 'unchanged'; unchanged: StatusUnchanged }
  | { kind: 'failed'; failure: SyncFailure }
  | { kind: 'skipped'; skipped: SyncSkipped }
  | { kind: 'not-looked-up' };

/**
 * Settles one step whose call never answered, with the lookup the pack gives its operation and
 * what the intent kept (`StepRow.lookup`): found → adopted in the state the found object's status
 * gives, with the step's output; shown absent by a lookup made after the call's deadline plus the
 * settle window → failed (not applied: a re-run sends it again); otherwise unchanged. Nothing is
 * ever resent here. The caller holds the record (a claim), so no run works on it meanwhile.
 */
export async function settleUnanswered(ctx: UnansweredContext, record: RecordRow, steps: StepRow[], step: StepRow): Promise<UnansweredOutcome> {
  const { map, call } = ctx;
  const base = { runId: step.runId, scope: record.scope, key: record.key, stepId: step.stepId, operation: step.operation };
  const skip = (reason: string): UnansweredOutcome => ({ kind: 'skipped', skipped: { ...base, state: step.state, reason } });
  const now = call.clock.now();
  const op = map.provider.pack.operations[step.operation];
  if (!op?.reconcile) return skip('no lookup can tell whether it took effect: check it at the provider, then `datamap runs resolve`');
  if (!step.lookup) return skip('the journal holds no reference for it (written by an older datamap): a re-run of the map with the same input reconciles it');
  const mapStep = map.steps.find((s) => s.id === step.stepId && s.operation.id === step.operation);
  if (!mapStep) return skip(`the Data Map ${map.name} has no step ${step.stepId} (${step.operation}) any more: check it at the provider, then \`datamap runs resolve\``);

  const sent = { body: step.lookup.request, params: step.lookup.params, key: record.key };
  const look = await lookupOnce(call, map, op, sent, mapStep.operation.baseUrl ?? ctx.baseUrl, ctx.auth);
  const what = `${op.reconcile.operation} ${Object.entries(step.lookup.params).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`.trim();
  if (look.kind === 'no-lookup') return skip(look.reason);
  if (look.kind === 'failed') return { kind: 'failed', failure: { ...base, code: 'sync/lookup-failed', reason: ctx.scrubber.text(`${what}: ${look.reason}`) } };

  if (look.kind === 'empty') {
    const sentAt = step.sentAt ?? step.updatedAt;
    const absentAt = (step.deadlineAt ?? sentAt + call.timeoutMs) + (ctx.settleMs ?? op.reconcile.settleMs ?? 0);
    if (now < absentAt) {
      return { kind: 'unchanged', unchanged: { ...base, state: step.state, reason: `not found at the provider yet; a lookup proves it absent only after ${new Date(absentAt).toISOString()} (the request's deadline plus the settle window)` } };
    }
    const message = `${step.operation} never answered; a lookup after the settle window (${what}) proved it did not take effect, so nothing was charged (a re-run of the map sends it again)`;
    return change(ctx, record, steps, step, { type: 'absent' }, { reconciliation: 'absent', errorCode: 'run/not-applied', errorMessage: message }, `runs sync: ${what}: not found after the settle window`, { reason: message });
  }

  // found: read it as the operation's own answer
  const found = look.response;
  const detail = classifyDetail(op.classify, found, step.lookup.request);
  const status = shownStatus(detail.value, (t) => ctx.scrubber.text(t));
  if (detail.classification === 'unknown') {
    const reason = ctx.scrubber.text(`found at the provider, but ${detail.reason ?? 'its status is not documented'}: it needs review and is never resent`);
    return change(ctx, record, steps, step, { type: 'cannot-tell' }, {
      reconciliation: 'cannot-tell', errorCode: 'run/unclassified-outcome', errorMessage: reason,
      review: { reference: { key: record.key, ...step.lookup.params }, ...(step.sentAt ? { sentAt: step.sentAt } : {}), reason },
    }, `runs sync: ${what}: found, not readable`, { reason, status });
  }
  const outcome = detail.classification === 'failed' ? 'pending' : detail.classification;
  let output: unknown = found;
  if (mapStep.output) {
    if (!step.lookup.vars || outputLets(map, mapStep) === null) {
      return { kind: 'unchanged', unchanged: { ...base, state: step.state, ...(status !== undefined ? { status } : {}), reason: `found at the provider (${what}); its output reads the host record, so a re-run of the map adopts it (without sending it again)` } };
    }
    const stepsOut: Record<string, unknown> = {};
    for (const s of steps) if (s.output !== undefined && (s.state === 'succeeded' || s.state === 'pending')) stepsOut[s.stepId] = s.output;
    const bindings = { ...clockBindings(now), steps: stepsOut, settings: map.settingValues ?? {}, key: record.key, ...step.lookup.vars };
    try {
      output = toPlainJson(await mapStep.output.evaluate(found, bindings));
    } catch (err) {
      return { kind: 'failed', failure: { ...base, code: 'sync/lookup-failed', reason: ctx.scrubber.text(`found at the provider, but the step's output failed: ${(err as Error).message}`) } };
    }
  }
  output = ctx.scrubber.value(redactValue(output));
  const ids: Record<string, string | number> = await followUpIds(op.followUp, { request: sent.body, params: sent.params, response: found });
  collectIds(step.stepId, output, ids);
  const patch: Partial<StepRow> = { reconciliation: 'adopted', httpStatus: 200, ids, ...(output !== undefined ? { output } : {}) };
  const charged = await chargedBy(op.charged, found);
  if (charged) patch.charged = charged;
  let reason = detail.reason;
  if (outcome === 'declined') {
    patch.errorCode = 'provider/declined';
    patch.errorMessage = ctx.scrubber.text(`${step.operation} was declined${detail.reason ? `: ${detail.reason}` : ''}`);
  }
  if (detail.classification === 'failed') reason = 'found with a failed status; kept as pending, not sent again';
  return change(ctx, record, steps, step, { type: 'found', outcome }, patch, `runs sync: ${what}: found, adopted`, { ...(reason ? { reason: ctx.scrubber.text(reason) } : {}), status, ...(detail.source ? { source: detail.source } : {}) });
}

async function change(ctx: UnansweredContext, record: RecordRow, steps: StepRow[], step: StepRow, event: StepEvent, patch: Partial<StepRow>, note: string, said: { reason?: string; status?: string | number | boolean; source?: string }): Promise<UnansweredOutcome> {
  const now = ctx.call.clock.now();
  const to = transition(step.state, event);
  const next: StepRow = { ...step, state: to, updatedAt: now };
  delete next.errorCode;
  delete next.errorMessage;
  delete next.review;
  Object.assign(next, ctx.scrubber.value(redactValue(patch)));
  const all = steps.map((s) => (s.stepId === step.stepId ? next : s));
  const rec: RecordRow = recordAfter({ ...record, ids: { ...record.ids } }, all, now);
  for (const [k, v] of Object.entries(next.ids)) if (!k.startsWith(FOLLOW_UP_PREFIX)) rec.ids[k] = v;
  await ctx.journal.store.write({
    durable: true,
    steps: [next],
    records: [rec],
    events: [{ runId: step.runId, scope: record.scope, key: record.key, stepId: step.stepId, from: step.state, to, at: now, note: ctx.scrubber.text(note) }],
  });
  const c: StatusChange = { runId: step.runId, scope: record.scope, key: record.key, stepId: step.stepId, operation: step.operation, from: step.state, to };
  if (said.status !== undefined) c.status = said.status;
  if (said.reason) c.reason = said.reason;
  if (said.source) c.source = said.source;
  return { kind: 'change', change: c };
}
