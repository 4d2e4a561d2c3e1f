import type { CompiledMap, CompiledStep } from '../datamap/types.js';
import { diagnostic, type Diagnostic } from '../errors/diagnostic.js';
import { evaluationDiagnostic, type CompiledExpression } from '../expressions/compile-expression.js';
import { shippedValidator } from '../schemas/ajv.js';
import { formatPath, toViolations } from '../schemas/ajv-diagnostics.js';
import type { PathSegment } from '../source/pointer.js';
import { buildUrl } from './build-url.js';
import { isThenable } from '../expressions/plain-json.js';
import { drive, type Steps } from './drive.js';
import type { RecordContext, StepEvaluation } from './types.js';

export interface EvaluateOptions {
  /** Base URL for every call (overrides the environment's; an operation override still wins). */
  baseUrl: string;
  /** In a dry run, a `when` that reads `$steps` cannot be decided: mark it deferred. */
  dryRun: boolean;
}

/** Evaluates one step for one record: its `when`, params and request, and checks the payload. */
export async function evaluateStep(map: CompiledMap, step: CompiledStep, ctx: RecordContext, opts: EvaluateOptions): Promise<StepEvaluation> {
  return drive(evaluateStepSteps(map, step, ctx, opts));
}

/** {@link evaluateStep} as steps: synchronous while no expression returns a promise (see drive). */
export function* evaluateStepSteps(map: CompiledMap, step: CompiledStep, ctx: RecordContext, opts: EvaluateOptions): Steps<StepEvaluation> {
  const diagnostics: Diagnostic[] = [];
  const result: StepEvaluation = { id: step.id, operation: step.operation.id, decision: 'run', diagnostics, valid: true };
  const where = `Record ${ctx.index + 1}, step ${step.id}`;

  if (step.when) {
    if (opts.dryRun && step.when.facts.stepRefs.length > 0) {
      result.decision = 'deferred';
    } else {
      try {
        let w = step.when.evaluate(ctx.record, ctx.bindings);
        if (isThenable(w)) w = yield w;
        result.decision = truthy(w) ? 'run' : 'skip';
      } catch (err) {
        return failed(result, evaluationDiagnostic(err, step.when, `${where}: when`));
      }
      if (result.decision === 'skip') return result;
    }
  }

  const pathParams: Record<string, unknown> = {};
  const query: Record<string, unknown> = {};
  for (const p of step.params) {
    let v: unknown;
    try {
      v = p.expression.evaluatePlain(ctx.record, ctx.bindings);
      if (isThenable(v)) v = yield v;
    } catch (err) {
      return failed(result, evaluationDiagnostic(err, p.expression, `${where}: params.${p.name}`));
    }
    if (p.in === 'path') {
      if (v === undefined || v === null || v === '' || typeof v === 'object') {
        return failed(result, diagnostic('schema/payload-invalid', `${where}: path parameter ${p.name} is ${v === undefined ? 'missing' : JSON.stringify(v)}; it must be a string or number`, { location: p.expression.locate(0), data: { step: step.id, param: p.name } }));
      }
      if (v === '.' || v === '..') {
        // percent-encoding leaves dots alone and the URL parser would then climb the path
        return failed(result, diagnostic('schema/payload-invalid', `${where}: path parameter ${p.name} is "${v}", which would change the request path`, { location: p.expression.locate(0), data: { step: step.id, param: p.name } }));
      }
      pathParams[p.name] = v;
    } else {
      query[p.name] = v;
    }
  }

  let body: unknown;
  if (step.request) {
    try {
      body = step.request.evaluatePlain(ctx.record, ctx.bindings);
      if (isThenable(body)) body = yield body;
    } catch (err) {
      return failed(result, evaluationDiagnostic(err, step.request, `${where}: request`));
    }
    if (body === undefined) {
      return failed(result, diagnostic('expression/not-object', `${where}: the request expression produced nothing`, { location: step.request.locate(0), hint: 'Check that the fields it reads exist in the record.' }));
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      const what = body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`;
      return failed(result, diagnostic('expression/not-object', `${where}: the request expression produced ${what}, not an object`, { location: step.request.locate(0) }));
    }
    const schema = step.operation.spec.request;
    if (schema) {
      const validate = requestValidator(schema);
      if (!validate(body)) {
        for (const v of toViolations(validate.errors)) {
          diagnostics.push(diagnostic('schema/payload-invalid', `${where}: ${formatPath(v.path)} ${v.message}`, {
            location: locateField(step.request, v.path),
            data: { step: step.id, operation: step.operation.id, payloadPath: formatPath(v.path) },
          }));
        }
        result.valid = false;
      }
    }
  }

  const baseUrl = step.operation.baseUrl ?? opts.baseUrl;
  result.request = { method: step.operation.method, url: buildUrl(baseUrl, step.operation.path, pathParams, query), pathParams, query };
  if (body !== undefined) result.request.body = body;
  void map;
  return result;
}

// the validator of each request schema, by the pack's (same) path string: no id built per record
const requestValidators = new Map<string, ReturnType<typeof shippedValidator>>();

function requestValidator(schema: string): ReturnType<typeof shippedValidator> {
  let v = requestValidators.get(schema);
  if (!v) {
    v = shippedValidator(schema);
    requestValidators.set(schema, v);
  }
  return v;
}

/** JSONata truthiness, as `when` conditions expect it. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(truthy);
  return v !== undefined && v !== null && v !== false && v !== 0 && v !== '' && !(typeof v === 'object' && Object.keys(v).length === 0);
}

/**
 * Finds where in the request expression a payload field is written: the keys of the path are
 * searched in order in the expression text, so `invoice.amount.value` lands on `"value"`.
 * Falls back to the start of the expression.
 */
export function locateField(expr: CompiledExpression, path: readonly PathSegment[]) {
  let offset = 0;
  let found = -1;
  for (const seg of path) {
    if (typeof seg !== 'string') continue;
    const re = new RegExp(`["']${seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']\\s*:`, 'g');
    re.lastIndex = offset;
    const m = re.exec(expr.source);
    if (!m) break;
    found = m.index;
    offset = m.index + m[0].length;
  }
  return expr.locate(found === -1 ? 0 : found);
}

/** A step's evaluation that stopped at `d`. */
function failed(result: StepEvaluation, d: Diagnostic): StepEvaluation {
  result.diagnostics.push(d);
  result.valid = false;
  return result;
}
