import type { CompiledStep, ResolvedProvider } from '../datamap/types.js';
import { diagnostic, type Diagnostic } from '../errors/diagnostic.js';
import { evaluationDiagnostic } from '../expressions/compile-expression.js';
import { crashArmedAfterSend, crashPoint } from '../journal/crash-hook.js';
import { fingerprint } from '../journal/fingerprint.js';
import type { StepEvent } from '../journal/states.js';
import type { StepRow } from '../journal/types.js';
import { isThenable } from '../expressions/plain-json.js';
import { authHeaderPreview } from '../providers/headers.js';
import type { OperationSpec } from '../providers/pack-types.js';
import { addRequestValues, scrubText, type Scrubber } from '../redact/index.js';
import { shippedValidator } from '../schemas/ajv.js';
import { formatPath, toViolations } from '../schemas/ajv-diagnostics.js';
import { callHttp, type CallOutcome } from './call-http.js';
import { classifyDetail, type ClassifyDetail } from './classify.js';
import { normalizeHttpError } from './provider-error.js';
import { lookupContext } from './lookup-context.js';
import { chargedBy } from './totals.js';
import { lookupOnce, reconcile, reviewFacts, type SentCall } from './reconcile.js';
import type { RecordBook, StepOutcomePatch } from './record-book.js';
import { redactRequest, redactResponse } from './redact-step.js';
import { sharePart } from './scrub-value.js';
import { followUpIds } from '../status/follow-up.js';
import type { Runtime } from './run-record.js';
import type { StepResult } from './types.js';

/** A planned request of one step, with real outputs of earlier steps. */
export interface StepRequest {
  method: string;
  url: string;
  body?: unknown;
  pathParams: Record<string, unknown>;
  query: Record<string, unknown>;
}

/** A step's end: its (redacted) result, and the output later steps read. */
export interface StepRun {
  result: StepResult;
  output: unknown;
  /** True when the call provably did not happen and may be sent again (after `reconcilePrior`). */
  retry?: boolean;
}

/** The redacted request shown in results, and its fingerprint (never of raw card data). */
export function describeRequest(rt: Runtime, step: CompiledStep, req: StepRequest): { shown: NonNullable<StepResult['request']>; fp: string } {
  const shown = redactRequest(step.operation.spec, req, shownHeaders(rt.map.provider, req.body !== undefined));
  // the intent's lookup context and the result both carry the shown body: scrubbed once
  sharePart(shown.body);
  return { shown, fp: fingerprint({ operation: step.operation.id, method: shown.method, url: shown.url, body: shown.body }) };
}

// the headers a request shows (the pack's, and the auth header's preview) depend only on the
// provider and on whether there is a body: built once, and copied for each request
const headersShown = new WeakMap<ResolvedProvider, { withBody: Record<string, string>; withoutBody: Record<string, string> }>();
function shownHeaders(provider: ResolvedProvider, withBody: boolean): Record<string, string> {
  let h = headersShown.get(provider);
  if (!h) {
    const all = { ...(provider.pack.headers ?? {}), ...authHeaderPreview(provider) };
    const without = { ...all };
    delete without['Content-Type'];
    h = { withBody: all, withoutBody: without };
    headersShown.set(provider, h);
  }
  return withBody ? h.withBody : h.withoutBody;
}

// A request body's sensitive values are added to the record's scrubber once: the plan's body
// is the one sent for a step that reads no $steps, and adding it again would only make the
// scrubber sort its values again
const bodiesAdded = new WeakMap<object, Scrubber>();
/** Adds the sensitive values of a request body to a record's scrubber (once per body). */
export function noteRequestValues(scrubber: Scrubber | undefined, op: OperationSpec, body: unknown): void {
  if (!scrubber) return;
  if (body !== null && typeof body === 'object') {
    if (bodiesAdded.get(body) === scrubber) return;
    bodiesAdded.set(body, scrubber);
  }
  addRequestValues(scrubber, op, body);
}

const sent = (req: StepRequest, key: string): SentCall => ({ body: req.body, params: { ...req.pathParams, ...req.query }, key });
const followUpInput = (req: StepRequest, response: unknown) => ({ request: req.body, params: { ...req.pathParams, ...req.query }, response });

/**
 * Sends one step for real, journaled: the pre-flight guard first where it applies, the intent
 * durable before each attempt leaves, the outcome and output in one write after; an unknown
 * outcome is reconciled (waiting out the settle window) before anything else happens.
 */
export async function sendStep(rt: Runtime, book: RecordBook, step: CompiledStep, req: StepRequest, key: string, bindings: Record<string, unknown>, guard = true): Promise<StepRun> {
  const op = step.operation.spec;
  // what was sent, as the lookups and follow-ups read it: built once for the call
  const sentCall = sent(req, key);
  noteRequestValues(rt.scrubber, op, req.body);
  const { shown, fp } = describeRequest(rt, step, req);
  const result: StepResult = { id: step.id, operation: step.operation.id, decision: 'run', request: shown, attempts: 0, durationMs: 0, warnings: [] };
  const prior = book.steps.get(step.id);

  // Pre-flight guard: the journal knows nothing of this call (no row, or only a skip), so an
  // earlier charge could exist that another journal, or none, recorded. Not needed (`guard`
  // false) when an earlier step of the record created something new in this very run: a
  // payment for an order created a moment ago cannot exist yet.
  if (guard && rt.preflight && op.reconcile?.preflight && (!prior || prior.state === 'skipped' || prior.state === 'planned')) {
    const look = await lookupOnce(rt.call, rt.map, op, sentCall, step.operation.baseUrl ?? rt.baseUrl, rt.auth);
    if (look.kind === 'found') {
      result.reconciliation = 'preflight-adopted';
      return adopt(rt, book, step, op, result, look.response, bindings, fp, 'preflight-adopted', req, key);
    }
    if (look.kind === 'failed') {
      result.classification = 'failed';
      result.error = { code: 'preflight/failed', message: scrubText(`The pre-flight lookup for ${step.operation.id} failed (${look.reason}), so nothing was sent`), retryable: true };
      await book.outcome(step.id, step.operation.id, { type: 'not-sent' }, { errorCode: result.error.code, errorMessage: result.error.message }, fp);
      return { result, output: undefined };
    }
  }

  // how to find the call later if no answer comes (runs sync), kept with the intent
  const lookup = op.reconcile ? await lookupContext(rt.map, step, op, shown.body, sentCall, bindings) : undefined;
  let lastSentAt = rt.call.clock.now();
  crashPoint('before-intent');
  const out: CallOutcome = await callHttp(rt.call, op, req, rt.auth, {
    beforeSend: async (attempt, at, deadlineAt) => {
      lastSentAt = at;
      await book.intent(step.id, step.operation.id, fp, attempt, at, deadlineAt, lookup);
      crashPoint('after-intent');
    },
    onSent: crashArmedAfterSend() ? () => { setTimeout(() => crashPoint('after-send'), 100); } : undefined,
  });
  crashPoint('after-response');
  result.attempts = out.attempts;
  result.durationMs = out.durationMs;
  if (out.rateLimited) result.rateLimited = out.rateLimited;

  if (out.unknown) {
    // the call has ended (answered, reset or timed out), so from our side it can no longer land:
    // its deadline is now, and only the provider's settle window is left to wait out
    const deadlineAt = Math.min(lastSentAt + 2_000 + rt.call.timeoutMs, rt.call.clock.now());
    const rec = await reconcile(rt.call, rt.map, op, sentCall, step.operation.baseUrl ?? rt.baseUrl, rt.auth, { deadlineAt, settleMs: settleFor(rt, op) });
    if (rec.kind === 'found') {
      result.reconciliation = 'adopted';
      return adopt(rt, book, step, op, result, rec.response, bindings, fp, 'adopted', req, key);
    }
    if (out.response) result.status = out.response.status;
    if (rec.kind === 'absent') {
      result.reconciliation = 'absent';
      result.classification = 'failed';
      const why = out.response ? `HTTP ${out.response.status}` : out.error?.message ?? 'no answer';
      result.error = { code: 'run/not-applied', message: scrubText(`${step.operation.id} got ${why}; a lookup after the settle window proved it did not take effect, so nothing was charged (a later run sends it again)`), retryable: true };
      await book.outcome(step.id, step.operation.id, { type: 'lost' });
      await book.outcome(step.id, step.operation.id, { type: 'absent' }, { reconciliation: 'absent', errorCode: result.error.code, errorMessage: result.error.message, ...(result.status ? { httpStatus: result.status } : {}) });
      return { result, output: undefined };
    }
    return hold(rt, book, step, op, result, req, key, rec.kind === 'cannot-tell' ? 'cannot-tell' : 'lookup-failed', rec.reason, lastSentAt);
  }

  if (!out.response) {
    result.classification = 'failed';
    result.error = { code: out.error?.code ?? 'transport/network', message: scrubText(out.error?.message ?? 'no response'), retryable: out.error?.code !== 'transport/host-not-allowed' };
    const event: StepEvent = book.steps.get(step.id)?.state === 'in-flight' ? { type: 'not-applied' } : { type: 'not-sent' };
    await book.outcome(step.id, step.operation.id, event, { errorCode: result.error.code, errorMessage: result.error.message }, fp);
    return { result, output: undefined };
  }
  const status = out.response.status;
  const body = out.response.body;
  result.status = status;
  result.response = redactResponse(op, body);
  if (status < 200 || status >= 300) {
    result.classification = 'failed';
    result.error = await normalizeHttpError(rt.map.provider.pack, status, body);
    await book.outcome(step.id, step.operation.id, { type: 'answer', outcome: 'failed' }, { httpStatus: status, errorCode: result.error.code, errorMessage: result.error.message });
    return { result, output: undefined };
  }
  const detail = classifyDetail(op.classify, body, req.body);
  if (detail.classification === 'unknown') return holdUnclassified(rt, book, step, op, result, req, key, detail, lastSentAt, fp, body);
  notePending(step, result, detail);
  return finishAnswer(rt, book, step, op, result, body, bindings, { type: 'answer', outcome: detail.classification }, { ids: await followUpIds(op.followUp, { request: req.body, params: sentCall.params, response: body }) });
}

/** A pending answer the pack explains (ACH, a refund): say why it is not final yet. */
function notePending(step: CompiledStep, result: StepResult, detail: ClassifyDetail): void {
  if (detail.classification === 'pending' && detail.reason) {
    result.warnings.push(diagnostic('run/pending-confirmation', `Step ${step.id}: not final: ${detail.reason}`, { severity: 'warning' }));
  }
}

/**
 * An answer the provider's docs do not list (or list as needing a person, e.g. MerchantPaid):
 * never read as success, never resent; the journal holds it for review.
 */
async function holdUnclassified(rt: Runtime, book: RecordBook, step: CompiledStep, op: OperationSpec, result: StepResult, req: StepRequest, key: string, detail: ClassifyDetail, sentAt: number, fp?: string, body?: unknown): Promise<StepRun> {
  void rt;
  result.classification = 'needs-review';
  result.error = { code: 'run/unclassified-outcome', message: scrubText(`${step.operation.id} answered ${detail.reason ?? 'an undocumented response'}; it needs review and is never resent`), retryable: false };
  const facts = await reviewFacts(op, sent(req, key));
  const review = { ...facts, sentAt, reason: scrubText(result.error.message) };
  // where its status can be looked up later (runs sync, webhooks): the answer named the object
  const ids = body === undefined ? {} : await followUpIds(op.followUp, followUpInput(req, body));
  if (book.steps.get(step.id)?.state === 'in-flight') await book.outcome(step.id, step.operation.id, { type: 'lost' });
  await book.outcome(step.id, step.operation.id, { type: 'cannot-tell' }, { review, ids, errorCode: result.error.code, errorMessage: result.error.message, ...(result.status ? { httpStatus: result.status } : {}) }, fp);
  return { result, output: undefined };
}

/**
 * A step the journal holds as in flight or unknown from an earlier run: look it up before
 * anything else. Found → adopt; proven absent → may be sent again (`retry`); else held.
 */
export async function reconcilePrior(rt: Runtime, book: RecordBook, step: CompiledStep, req: StepRequest, key: string, bindings: Record<string, unknown>, prior: StepRow): Promise<StepRun> {
  const op = step.operation.spec;
  const { shown, fp } = describeRequest(rt, step, req);
  const result: StepResult = { id: step.id, operation: step.operation.id, decision: 'run', request: shown, attempts: 0, durationMs: 0, warnings: [] };
  if (prior.fingerprint && prior.fingerprint !== fp) {
    result.warnings.push(diagnostic('run/needs-review', `Step ${step.id}: the request differs from the one in flight in run ${prior.runId}; it is reconciled by its reference`, { severity: 'warning' }));
  }
  const sentAt = prior.sentAt ?? prior.updatedAt;
  const deadlineAt = prior.deadlineAt ?? sentAt + rt.call.timeoutMs;
  const rec = await reconcile(rt.call, rt.map, op, sent(req, key), step.operation.baseUrl ?? rt.baseUrl, rt.auth, { deadlineAt, settleMs: settleFor(rt, op) });
  if (rec.kind === 'found') {
    result.reconciliation = 'adopted';
    return adopt(rt, book, step, op, result, rec.response, bindings, fp, 'adopted', req, key);
  }
  if (rec.kind === 'absent') {
    await book.outcome(step.id, step.operation.id, { type: 'absent' }, { reconciliation: 'absent', errorCode: 'run/not-applied', errorMessage: `proven absent after the settle window (run ${prior.runId})` });
    return { result, output: undefined, retry: true };
  }
  return hold(rt, book, step, op, result, req, key, rec.kind === 'cannot-tell' ? 'cannot-tell' : 'lookup-failed', rec.reason, sentAt);
}

function settleFor(rt: Runtime, op: OperationSpec): number {
  return rt.settleMs ?? op.reconcile?.settleMs ?? 0;
}

async function adopt(rt: Runtime, book: RecordBook, step: CompiledStep, op: OperationSpec, result: StepResult, found: unknown, bindings: Record<string, unknown>, fp: string, how: 'adopted' | 'preflight-adopted', req: StepRequest, key: string): Promise<StepRun> {
  result.status = 200;
  result.response = redactResponse(op, found);
  const detail = classifyDetail(op.classify, found, req.body);
  const cls = detail.classification;
  if (cls === 'unknown') {
    result.reconciliation = how;
    return holdUnclassified(rt, book, step, op, result, req, key, detail, rt.call.clock.now(), fp, found);
  }
  notePending(step, result, detail);
  const outcome = cls === 'failed' ? 'pending' : cls;
  if (cls === 'failed') {
    result.warnings.push(diagnostic('run/needs-review', `Step ${step.id}: the lookup found the call with a failed status; it is kept as pending, not sent again`, { severity: 'warning' }));
  }
  return finishAnswer(rt, book, step, op, result, found, bindings, { type: 'found', outcome }, { reconciliation: how, ids: await followUpIds(op.followUp, followUpInput(req, found)) }, fp);
}

async function finishAnswer(rt: Runtime, book: RecordBook, step: CompiledStep, op: OperationSpec, result: StepResult, body: unknown, bindings: Record<string, unknown>, event: StepEvent, extra: StepOutcomePatch = {}, fp?: string): Promise<StepRun> {
  const cls = event.type === 'answer' || event.type === 'found' ? event.outcome : 'failed';
  result.classification = cls;
  if (cls === 'declined') {
    result.error = { code: 'provider/declined', message: scrubText(declineMessage(body) ?? `${step.operation.id} was declined`), retryable: false };
  }
  if (op.response) {
    const validate = shippedValidator(op.response);
    if (!validate(body)) {
      for (const v of toViolations(validate.errors).slice(0, 5)) {
        result.warnings.push(diagnostic('schema/response-mismatch', `Step ${step.id}: response ${formatPath(v.path)} ${v.message}`, { severity: 'warning' }));
      }
    }
  }
  let output: unknown;
  let charged: StepOutcomePatch['charged'];
  // the follow-up parameters (where a later status is looked up) first, then the output's ids;
  // objects built with all their keys at once (a key added after a spread makes a slow object)
  const ids: Record<string, string | number> = {};
  if (extra.ids) for (const k in extra.ids) ids[k] = extra.ids[k]!;
  if (cls === 'succeeded' || cls === 'pending') {
    output = await stepOutput(rt, step, body, bindings, result.warnings);
    collectIds(step.id, output, ids);
    charged = await chargedBy(op.charged, body);
  }
  // undefined fields are not written (RecordBook.outcome)
  const patch: StepOutcomePatch = {
    httpStatus: result.status ?? 200, output: output !== undefined ? output : extra.output, ids, reconciliation: extra.reconciliation,
    errorCode: result.error ? result.error.code : extra.errorCode, errorMessage: result.error ? result.error.message : extra.errorMessage,
    review: extra.review, charged: charged ?? extra.charged,
  };
  const row = await book.outcome(step.id, step.operation.id, event, patch, fp);
  // later steps read the output as stored (scrubbed), so a resumed run sees the same values
  return { result, output: row.output };
}

async function hold(rt: Runtime, book: RecordBook, step: CompiledStep, op: OperationSpec, result: StepResult, req: StepRequest, key: string, kind: 'cannot-tell' | 'lookup-failed', reason: string, sentAt: number): Promise<StepRun> {
  const facts = await reviewFacts(op, sent(req, key));
  const review = { ...facts, sentAt, reason: scrubText(reason) };
  const cur = book.steps.get(step.id)?.state;
  if (cur === 'in-flight') await book.outcome(step.id, step.operation.id, { type: 'lost' });
  if (kind === 'cannot-tell') {
    result.classification = 'needs-review';
    result.reconciliation = 'cannot-tell';
    result.error = { code: 'run/needs-review', message: scrubText(`The outcome of ${step.operation.id} is unknown and no lookup can tell (${reason}); it is held for review and was not sent again`), retryable: false };
    await book.outcome(step.id, step.operation.id, { type: 'cannot-tell' }, { reconciliation: 'cannot-tell', review, errorCode: result.error.code, errorMessage: result.error.message });
  } else {
    result.classification = 'unknown';
    result.error = { code: 'run/unknown-outcome', message: scrubText(`The outcome of ${step.operation.id} is unknown and its lookup failed (${reason}); it was not sent again — the next run looks it up again`), retryable: false };
    await book.outcome(step.id, step.operation.id, { type: 'lookup-failed' }, { review, errorCode: result.error.code, errorMessage: result.error.message });
  }
  return { result, output: undefined };
}

async function stepOutput(rt: Runtime, step: CompiledStep, body: unknown, bindings: Record<string, unknown>, warnings: Diagnostic[]): Promise<unknown> {
  void rt;
  if (!step.output) return body;
  try {
    const v = step.output.evaluatePlain(body, bindings);
    return isThenable(v) ? await v : v;
  } catch (err) {
    warnings.push({ ...evaluationDiagnostic(err, step.output, `step ${step.id}: output`), severity: 'warning' });
    return undefined;
  }
}

function declineMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const m = b.message ?? b.responseMessage ?? b.revolv3ResponseMessage;
  return typeof m === 'string' ? m : undefined;
}

/** Ids a step produced: the output's fields whose names end in `id`. */
export function collectIds(stepId: string, out: unknown, ids: Record<string, string | number>): void {
  if (!out || typeof out !== 'object' || Array.isArray(out)) return;
  for (const k of Object.keys(out)) {
    const v = (out as Record<string, unknown>)[k];
    if ((typeof v === 'string' || typeof v === 'number') && endsInId(k)) ids[idName(stepId, k)] = typeof v === 'string' ? scrubText(v) : v;
  }
}

// `<step>.<field>` names, made once: a name built anew is looked up in V8's string table at every use as a key
const idNames = new Map<string, Map<string, string>>();
function idName(stepId: string, k: string): string {
  let m = idNames.get(stepId);
  if (!m) {
    if (idNames.size >= 1000) idNames.clear();
    idNames.set(stepId, (m = new Map()));
  }
  let n = m.get(k);
  if (n === undefined) {
    n = `${stepId}.${k}`;
    if (m.size < 1000) m.set(k, n);
  }
  return n;
}

/** `/id$/i.test(k)` without the regex. */
function endsInId(k: string): boolean {
  const n = k.length;
  if (n < 2) return false;
  const a = k.charCodeAt(n - 2);
  const b = k.charCodeAt(n - 1);
  return (a === 105 || a === 73) && (b === 100 || b === 68);
}
