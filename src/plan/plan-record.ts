import type { CompiledMap, CompiledStep } from '../datamap/types.js';
import { diagnostic, type Diagnostic } from '../errors/diagnostic.js';
import { evaluationDiagnostic, type CompiledExpression } from '../expressions/compile-expression.js';
import { prepareSteps } from './context.js';
import { drive, type Steps } from './drive.js';
import { evaluateStepSteps } from './evaluate-step.js';
import { Placeholders, responseSchemaRoot } from './placeholders.js';
import { isThenable } from '../expressions/plain-json.js';
import type { RecordContext, StepEvaluation } from './types.js';

/** One record's dry run: every step evaluated with earlier outputs as typed placeholders. */
export interface RecordPlanRaw {
  context: RecordContext;
  steps: StepEvaluation[];
  /** True when the record and every step that may run are valid. */
  ok: boolean;
  placeholders: Placeholders;
}

export interface PlanOptions {
  /** Clock for `$now()`, ms since epoch. */
  now: number;
  baseUrl?: string;
  index?: number;
  line?: number;
  /** The record was already checked for forbidden keys (it came from readRecords or recordItems). */
  checked?: boolean;
}

const registries = new WeakMap<CompiledMap, Placeholders>();
const sampleResponses = new WeakMap<CompiledStep, unknown>();
const readSteps = new WeakMap<CompiledMap, Set<string>>();

/** Ids of the steps whose output a later step reads (`$steps.<id>` in its when, params, request or output). */
export function stepsReadByLaterSteps(map: CompiledMap): Set<string> {
  let ids = readSteps.get(map);
  if (!ids) {
    ids = new Set();
    for (const s of map.steps) {
      for (const e of [s.when, s.request, s.output, ...s.params.map((p) => p.expression)]) {
        for (const r of e?.facts.stepRefs ?? []) ids.add(r.stepId);
      }
    }
    readSteps.set(map, ids);
  }
  return ids;
}

const stepReadsSteps = new WeakMap<CompiledMap, Set<string>>();

/**
 * Ids of the steps whose `when`, params or request may read `$steps` (earlier outputs), and so
 * must be evaluated again once the real outputs are known. Any reference to the variable
 * counts (`$steps.x`, `$steps` as a whole, `$lookup($steps, ...)`), and so does `$eval`, which
 * could build one at run time; a `let` that mentions either may hand `$steps` to any step
 * through a function, so then every step counts.
 */
export function stepsReadingSteps(map: CompiledMap): Set<string> {
  let ids = stepReadsSteps.get(map);
  if (!ids) {
    const reads = (e: CompiledExpression | undefined) => e?.facts.variables.some((v) => v.name === 'steps' || v.name === 'eval') ?? false;
    const viaLets = map.lets.some((l) => reads(l.expression));
    ids = new Set(map.steps.filter((s) => viaLets || [s.when, s.request, ...s.params.map((p) => p.expression)].some(reads)).map((s) => s.id));
    stepReadsSteps.set(map, ids);
  }
  return ids;
}

/**
 * A step's evaluation from the record's plan when it stands as it is for the real run: the
 * step reads no `$steps`, so earlier outputs cannot change its `when`, params or request.
 * Undefined when the step must be evaluated again with the real outputs.
 */
export function reusableEvaluation(map: CompiledMap, step: CompiledStep, plan: RecordPlanRaw): StepEvaluation | undefined {
  if (stepsReadingSteps(map).has(step.id)) return undefined;
  const ev = plan.steps[step.index];
  return ev?.id === step.id && ev.decision !== 'deferred' ? ev : undefined;
}

/** Plans one record. Pure: no network, no clock other than the one given. */
export async function planRecordRaw(map: CompiledMap, record: unknown, opts: PlanOptions): Promise<RecordPlanRaw> {
  return drive(planSteps(map, record, opts));
}

/**
 * {@link planRecordRaw}, synchronously when no expression returns a promise (the compiled
 * backend's never do): the plan itself, else a promise of it.
 */
export function planRecordRawNow(map: CompiledMap, record: unknown, opts: PlanOptions): RecordPlanRaw | Promise<RecordPlanRaw> {
  return drive(planSteps(map, record, opts));
}

function* planSteps(map: CompiledMap, record: unknown, opts: PlanOptions): Steps<RecordPlanRaw> {
  let placeholders = registries.get(map);
  if (!placeholders) {
    placeholders = new Placeholders();
    registries.set(map, placeholders);
  }
  const ctxOpts: { index: number; line?: number; now: number; checked?: boolean } = { index: opts.index ?? 0, now: opts.now };
  if (opts.line !== undefined) ctxOpts.line = opts.line;
  if (opts.checked) ctxOpts.checked = true;
  const context = yield* prepareSteps(map, record, ctxOpts);
  const steps: StepEvaluation[] = [];
  if (!context.ok) return { context, steps, ok: false, placeholders };
  const baseUrl = opts.baseUrl ?? map.provider.baseUrl;
  const read = stepsReadByLaterSteps(map);
  for (const step of map.steps) {
    const ev = yield* evaluateStepSteps(map, step, context, { baseUrl, dryRun: true });
    steps.push(ev);
    if (ev.decision === 'skip' || !ev.valid) continue;
    // typed placeholders only for the steps a later step reads
    if (!read.has(step.id)) continue;
    let response = sampleResponses.get(step);
    if (response === undefined) {
      // typed placeholders are the same for every record: build them once per step
      const root = responseSchemaRoot(step.operation.spec.response);
      response = root ? placeholders.forSchema(root.schema, `$steps.${step.id}.response`, root.baseId) : {};
      sampleResponses.set(step, response);
    }
    let output: unknown = response;
    if (step.output) {
      try {
        const out = step.output.evaluatePlain(response, context.bindings);
        output = isThenable(out) ? yield out : out;
      } catch (err) {
        ev.diagnostics.push(evaluationDiagnostic(err, step.output, `Record ${context.index + 1}, step ${step.id}: output`));
        ev.valid = false;
        continue;
      }
    }
    context.steps[step.id] = placeholders.relabel(output, `$steps.${step.id}`);
  }
  const ok = steps.every((s) => s.valid);
  return { context, steps, ok, placeholders };
}

/** Diagnostics of a record plan, record-level first. */
export function planDiagnostics(plan: RecordPlanRaw): Diagnostic[] {
  return [...plan.context.diagnostics, ...plan.steps.flatMap((s) => s.diagnostics)];
}

export { diagnostic };
