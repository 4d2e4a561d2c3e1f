import type { CompiledMap, CompiledStep } from '../datamap/types.js';
import { diagnostic, type Diagnostic } from '../errors/diagnostic.js';
import { evaluationDiagnostic } from '../expressions/compile-expression.js';
import { evaluateStep } from '../plan/evaluate-step.js';
import { planDiagnostics, planRecordRaw } from '../plan/plan-record.js';
import { toPlainJson } from '../plan/plain-json.js';
import { authHeaderPreview } from '../providers/headers.js';
import { redactValue, scrubText } from '../redact/index.js';
import { shippedValidator } from '../schemas/ajv.js';
import { formatPath, toViolations } from '../schemas/ajv-diagnostics.js';
import type { RecordItem } from '../source/read-records.js';
import type { AuthSession } from './auth.js';
import { callHttp, type CallContext, type CallOutcome } from './call-http.js';
import { classifyResponse } from './classify.js';
import { normalizeHttpError } from './provider-error.js';
import { reconcile } from './reconcile.js';
import { findMaskedCard, redactRequest, redactResponse } from './redact-step.js';
import type { Outcome, RecordResult, StepResult } from './types.js';

/** Everything a record run needs, built once per run. */
export interface Runtime {
  map: CompiledMap;
  call: CallContext;
  auth: AuthSession | undefined;
  baseUrl: string;
}

const SEVERITY: Record<Outcome, number> = { skipped: 0, succeeded: 1, pending: 2, declined: 3, failed: 4, unknown: 5 };

/**
 * Runs one record: plans it whole first (no call unless every step validates), then runs the
 * steps in order with real outputs, stopping at a decline, a failure or an unknown outcome.
 */
export async function runRecord(rt: Runtime, item: RecordItem): Promise<RecordResult> {
  const base: RecordResult = { index: item.index, outcome: 'failed', steps: [], ids: {}, diagnostics: [] };
  if (item.line) base.line = item.line;
  if (item.error) {
    base.diagnostics.push(item.error);
    base.error = { code: 'run/not-planned', message: item.error.message, retryable: false };
    return base;
  }
  const planOpts: Parameters<typeof planRecordRaw>[2] = { now: rt.call.clock.now(), index: item.index, baseUrl: rt.baseUrl };
  if (item.line) planOpts.line = item.line;
  const plan = await planRecordRaw(rt.map, item.value, planOpts);
  if (plan.context.key !== undefined) base.key = scrubText(plan.context.key);
  if (!plan.ok) {
    base.diagnostics.push(...planDiagnostics(plan).map((d) => ({ ...d, message: scrubText(d.message) })));
    base.error = { code: 'run/not-planned', message: 'The record\'s plan has errors, so no call was made', retryable: false };
    return base;
  }
  const ctx = plan.context;
  for (const k of Object.keys(ctx.steps)) delete ctx.steps[k];

  let outcome: Outcome = 'skipped';
  for (const step of rt.map.steps) {
    const ev = await evaluateStep(rt.map, step, ctx, { baseUrl: rt.baseUrl, dryRun: false });
    if (ev.decision === 'skip') {
      base.steps.push({ id: step.id, operation: step.operation.id, decision: 'skip', attempts: 0, durationMs: 0, warnings: [] });
      continue;
    }
    if (!ev.valid || !ev.request) {
      // with real outputs a payload can still turn out invalid: stop before calling
      base.diagnostics.push(...ev.diagnostics.map((d) => ({ ...d, message: scrubText(d.message) })));
      base.steps.push({ id: step.id, operation: step.operation.id, decision: 'run', attempts: 0, durationMs: 0, warnings: [] });
      base.error = { code: ev.diagnostics[0]?.code ?? 'schema/payload-invalid', message: scrubText(ev.diagnostics[0]?.message ?? 'invalid request'), retryable: false };
      outcome = 'failed';
      break;
    }
    const sr = await runStep(rt, step, ev.request, ctx.key);
    base.steps.push(sr.result);
    const card = findMaskedCard(sr.result.request?.body);
    if (card && !base.card) base.card = card;
    const stepOutcome: Outcome = sr.result.classification === 'unknown' ? 'unknown' : sr.result.classification ?? 'failed';
    if (SEVERITY[stepOutcome] > SEVERITY[outcome]) outcome = stepOutcome;
    if (sr.result.error && !base.error) base.error = sr.result.error;
    if (stepOutcome === 'succeeded' || stepOutcome === 'pending') {
      const out = await stepOutput(step, sr.body, ctx.bindings, ctx.record, sr.result.warnings);
      ctx.steps[step.id] = out;
      collectIds(step.id, out, base.ids);
    } else {
      break;
    }
  }
  base.outcome = outcome;
  if (rt.map.result && outcome !== 'failed' && outcome !== 'unknown') {
    try {
      base.result = redactValue(toPlainJson(await rt.map.result.evaluate(ctx.record, ctx.bindings)));
    } catch (err) {
      base.diagnostics.push({ ...evaluationDiagnostic(err, rt.map.result, `Record ${item.index + 1}: result`), severity: 'warning' });
    }
  }
  return base;
}

async function runStep(rt: Runtime, step: CompiledStep, req: { method: string; url: string; body?: unknown; pathParams: Record<string, unknown>; query: Record<string, unknown> }, key: string | undefined): Promise<{ result: StepResult; body: unknown }> {
  const op = step.operation.spec;
  const headers = { ...(rt.map.provider.pack.headers ?? {}), ...authHeaderPreview(rt.map.provider) };
  if (req.body === undefined) delete headers['Content-Type'];
  const result: StepResult = { id: step.id, operation: step.operation.id, decision: 'run', request: redactRequest(op, req, headers), attempts: 0, durationMs: 0, warnings: [] };
  let out: CallOutcome = await callHttp(rt.call, op, req, rt.auth);
  result.attempts = out.attempts;
  result.durationMs = out.durationMs;
  let body: unknown = out.response?.body;

  if (out.unknown) {
    const rec = await reconcile(rt.call, rt.map.provider.pack, op, { body: req.body, params: { ...req.pathParams, ...req.query }, key }, step.operation.baseUrl ?? rt.baseUrl, rt.auth);
    if (rec.kind === 'found') {
      result.reconciliation = 'adopted';
      body = rec.response;
      out = { response: { status: 200, headers: {}, body }, unknown: false, attempts: out.attempts, durationMs: out.durationMs };
    } else if (rec.kind === 'absent') {
      // proven absent: send once more, and never again
      const again = await callHttp(rt.call, { ...op, idempotent: false }, req, rt.auth);
      result.reconciliation = again.unknown ? 'unknown' : 'resent';
      out = { ...again, attempts: out.attempts + again.attempts, durationMs: out.durationMs + again.durationMs };
      body = again.response?.body;
    } else {
      result.reconciliation = 'unknown';
    }
    result.attempts = out.attempts;
    result.durationMs = out.durationMs;
    if (result.reconciliation === 'unknown') {
      result.classification = 'unknown';
      if (out.response) result.status = out.response.status;
      result.error = { code: 'run/unknown-outcome', message: scrubText(`The outcome of ${step.operation.id} is unknown: ${rec.kind === 'cannot-tell' ? rec.reason : 'the resend also went unanswered'}; it was not sent again`), retryable: false };
      if (out.response) result.response = redactResponse(op, out.response.body);
      return { result, body: undefined };
    }
  }

  if (!out.response) {
    result.classification = 'failed';
    result.error = { code: out.error?.code ?? 'transport/network', message: scrubText(out.error?.message ?? 'no response'), retryable: out.error?.code !== 'transport/host-not-allowed' };
    return { result, body: undefined };
  }
  const status = out.response.status;
  result.status = status;
  result.response = redactResponse(op, body);
  if (status < 200 || status >= 300) {
    result.classification = 'failed';
    result.error = await normalizeHttpError(rt.map.provider.pack, status, body);
    return { result, body };
  }
  result.classification = classifyResponse(op.classify, body);
  if (result.classification === 'declined') {
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
  return { result, body };
}

async function stepOutput(step: CompiledStep, body: unknown, bindings: Record<string, unknown>, record: unknown, warnings: Diagnostic[]): Promise<unknown> {
  if (!step.output) return body;
  try {
    return toPlainJson(await step.output.evaluate(body, bindings));
  } catch (err) {
    warnings.push({ ...evaluationDiagnostic(err, step.output, `step ${step.id}: output`), severity: 'warning' });
    void record;
    return undefined;
  }
}

function declineMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const m = b.message ?? b.responseMessage ?? b.revolv3ResponseMessage;
  return typeof m === 'string' ? m : undefined;
}

function collectIds(stepId: string, out: unknown, ids: Record<string, string | number>): void {
  if (!out || typeof out !== 'object' || Array.isArray(out)) return;
  for (const [k, v] of Object.entries(out)) {
    if ((/id$/i.test(k)) && (typeof v === 'string' || typeof v === 'number')) ids[`${stepId}.${k}`] = typeof v === 'string' ? scrubText(v) : v;
  }
}
