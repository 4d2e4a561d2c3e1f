import type { CompiledMap } from '../datamap/types.js';
import { diagnostic, type Diagnostic } from '../errors/diagnostic.js';
import { evaluationDiagnostic } from '../expressions/compile-expression.js';
import { clockBindings } from '../expressions/bindings.js';
import { toViolations, formatPath } from '../schemas/ajv-diagnostics.js';
import { checkRecordKeysNoting, CHECKED_BEFORE } from '../source/read-records.js';
import { NamedValues } from '../redact/record-values.js';
import { isThenable } from '../expressions/plain-json.js';
import { drive, type Steps } from './drive.js';
import type { RecordContext } from './types.js';

/**
 * Checks one record and computes what every step's expressions will see: the input schema,
 * `key`, then each `let` in order. Failures are reported on the context, never thrown.
 */
export async function prepareRecord(map: CompiledMap, record: unknown, opts: { index: number; line?: number; now: number; checked?: boolean }): Promise<RecordContext> {
  return drive(prepareSteps(map, record, opts));
}

/** {@link prepareRecord} as steps: synchronous while no expression returns a promise (see drive). */
export function* prepareSteps(map: CompiledMap, record: unknown, opts: { index: number; line?: number; now: number; checked?: boolean }): Steps<RecordContext> {
  const diagnostics: Diagnostic[] = [];
  const steps: Record<string, unknown> = {};
  const ctx: RecordContext = { index: opts.index, record, bindings: {}, steps, diagnostics, ok: false };
  if (opts.line !== undefined) ctx.line = opts.line;
  const where = `Record ${opts.index + 1}`;
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    diagnostics.push(diagnostic('record/not-object', `${where} is ${Array.isArray(record) ? 'an array' : record === null ? 'null' : `a ${typeof record}`}, not an object`));
    return ctx;
  }
  // records from readRecords/recordItems were checked when they were read: no second walk.
  // Otherwise the walk also notes the values under sensitively named fields (for the view).
  let bad: string | undefined;
  if (!opts.checked) {
    const named = new NamedValues();
    const r = checkRecordKeysNoting(record, named);
    if (r !== CHECKED_BEFORE) {
      bad = r;
      ctx.named = named;
    }
  }
  if (bad) {
    diagnostics.push(diagnostic('record/forbidden-key', `${where} has a key named "${bad}"`));
    return ctx;
  }
  if (map.inputValidator && !map.inputValidator(record)) {
    for (const v of toViolations(map.inputValidator.errors)) {
      diagnostics.push(diagnostic('record/invalid', `${where}: ${formatPath(v.path)} ${v.message}`, { location: map.source.locate(['input']), data: { recordPath: formatPath(v.path) } }));
    }
    return ctx;
  }
  const clock = clockBindings(opts.now);
  const bindings: Record<string, unknown> = { now: clock.now, millis: clock.millis, steps, record, settings: map.settingValues ?? {} };
  ctx.bindings = bindings;
  try {
    let key = map.key.evaluate(record, bindings);
    if (isThenable(key)) key = yield key;
    if ((typeof key !== 'string' && typeof key !== 'number') || String(key).trim() === '') {
      diagnostics.push(diagnostic('record/missing-key', `${where}: key expression gave ${key === undefined ? 'nothing' : JSON.stringify(key)}`, { location: map.key.locate(0) }));
      return ctx;
    }
    ctx.key = String(key);
    bindings.key = ctx.key;
  } catch (err) {
    diagnostics.push(evaluationDiagnostic(err, map.key, `${where}: key`));
    return ctx;
  }
  for (const { name, expression } of map.lets) {
    try {
      // a `let` may define a helper function for later expressions: kept callable; any other
      // value is bound as plain JSON
      let value = expression.evaluateLet(record, bindings);
      if (isThenable(value)) value = yield value;
      bindings[name] = value;
    } catch (err) {
      diagnostics.push(evaluationDiagnostic(err, expression, `${where}: let ${name}`));
      return ctx;
    }
  }
  ctx.ok = true;
  return ctx;
}
