import type { CompiledMap, CompiledStep } from '../datamap/types.js';
import type { Diagnostic, SourceLocation } from '../errors/diagnostic.js';
import { fieldName, unreadRecordFields } from '../analysis/map-reads.js';
import { planRecordRaw, type RecordPlanRaw } from '../plan/plan-record.js';
import { DatamapError } from '../errors/diagnostic.js';
import { resolveSettings } from '../settings/resolve.js';
import { withSettings } from '../settings/with-settings.js';
import { settingSecrets } from '../settings/secrets.js';
import type { SettingsInput } from '../settings/types.js';
import { viewPlan } from '../plan/view.js';
import { readClock, type PlanClock } from '../plan/plan-stream.js';
import type { StepEvaluation } from '../plan/types.js';
import { createScrubber, REDACTED, redactValue, scrubText, sensitivePaths, type SensitivePaths } from '../redact/index.js';
import { missingRequiredFields } from './explain-required.js';
import { constructorKeys, descend, leafCursor, rootCursor, sourceOf, wholeSource, type FieldCursor, type FieldScope, type NodeSource } from './explain-fields.js';

/** Options of `explainRecord`. */
export interface ExplainOptions {
  /** Clock for `$now()`: the same `{ now() }` clock as a plan or a run. Defaults to the system clock. */
  clock?: PlanClock;
  /** 0-based index of the record in its input (shown in messages as "Record N+1"). */
  index?: number;
  /** Where the map's declared settings come from; an unset one shows its example, as in a plan. */
  settings?: SettingsInput;
}

/** Where a value is written in the Data Map: the expression text and its location. */
export interface ExplainedSource {
  /** The JSONata text, as written (card numbers in it masked). */
  expression: string;
  /** `file:line:column` of the expression's first character. */
  location: SourceLocation;
}

/** One field of a step's request: its value, and the expression that produced it. */
export interface ExplainedField {
  /** Payload path (`invoice.amount.value`, `lineItems[0].name`), or the parameter name. */
  path: string;
  /** Body field, path parameter or query parameter. */
  in: 'body' | 'path' | 'query';
  /** False when the expression gave nothing, so the field is left out of the request. */
  produced: boolean;
  /**
   * The value as it would be sent, made safe to print: card numbers as first 6 + last 4,
   * security codes and secrets `[redacted]`, outputs of earlier steps as `<$steps.x.y: type>`.
   * Absent when not produced.
   */
  value?: unknown;
  /** Set when the pack marks the field as a card number or a secret (security code, token). */
  sensitive?: 'card' | 'secret';
  /** The expression that gives the field, in the request (or the whole request when it is not an object constructor). */
  expression: string;
  /** Where that expression is in the Data Map. */
  location: SourceLocation;
  /** When the field's value comes from a `let`: the let and the part of it that gives the value. */
  let?: ExplainedSource & { name: string };
}

/** One step of an explained record. */
export interface ExplainedStep {
  id: string;
  operation: string;
  /** run: its `when` held or it has none; skip: `when` is false; deferred: `when` reads outputs of earlier steps. */
  decision: 'run' | 'skip' | 'deferred';
  when?: string;
  method?: string;
  /** Full URL, placeholders shown by name. */
  url?: string;
  /** Every field of the request: path and query parameters, then each leaf of the body. */
  fields: ExplainedField[];
  /** Payload paths the provider schema requires that this request does not produce. */
  missingRequired: string[];
  verdict: 'valid' | 'invalid' | 'skipped';
  /** Payload violations and expression failures of this step. */
  diagnostics: Diagnostic[];
}

/** A field-level account of how one record maps: what `datamap explain` prints. Plain data, safe to print. */
export interface Explanation {
  /** Data Map file, name and provider pack. */
  map: string;
  name: string;
  provider: string;
  /** 0-based record index. */
  index: number;
  key?: string;
  /** True when the record and every step that may run are valid. */
  ok: boolean;
  /** Record-level findings (input schema, key, let). */
  diagnostics: Diagnostic[];
  steps: ExplainedStep[];
  /** Leaf paths of the record (`lines[].sku`) that no expression of the map ever reads. */
  unreadFields: string[];
}

/**
 * Explains how one record maps: runs the real dry-run planner, then, for every step, lists each
 * request field with its (redacted) value, the expression that produced it and its
 * `file:line:column` in the Data Map, the required provider fields the request leaves out, and
 * the record fields the map never reads. Pure: no network.
 */
export async function explainRecord(map: CompiledMap, record: unknown, options: ExplainOptions = {}): Promise<Explanation> {
  if (map.settingValues === undefined && map.settings.length > 0) {
    const r = resolveSettings(map, options.settings, 'plan');
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw new DatamapError(errors);
    map = withSettings(map, r.values);
  }
  const raw = await planRecordRaw(map, record, { now: readClock(options.clock), index: options.index ?? 0 });
  const view = viewPlan(map, raw);
  const explanation: Explanation = {
    map: map.file,
    name: map.name,
    provider: map.provider.pack.name,
    index: view.index,
    ...(view.key !== undefined ? { key: view.key } : {}),
    ok: view.ok,
    diagnostics: view.diagnostics,
    steps: [],
    unreadFields: unreadFields(map, record),
  };
  for (const [i, ev] of raw.steps.entries()) {
    const step = map.steps.find((s) => s.id === ev.id);
    const sv = view.steps[i];
    if (!step || !sv) continue;
    const es: ExplainedStep = {
      id: ev.id,
      operation: ev.operation,
      decision: ev.decision,
      fields: [],
      missingRequired: [],
      verdict: sv.verdict,
      diagnostics: sv.diagnostics,
    };
    if (sv.when) es.when = scrubText(sv.when);
    if (sv.request) {
      es.method = sv.request.method;
      es.url = sv.request.url;
      es.fields.push(...paramFields(step, ev, raw));
      if (sv.request.body !== undefined && step.request) {
        es.fields.push(...await bodyFields(map, step, sv.request.body, { record, bindings: raw.context.bindings }));
      }
      if (ev.request?.body !== undefined && step.operation.spec.request) {
        es.missingRequired = missingRequiredFields(step.operation.spec.request, ev.request.body);
      }
    }
    explanation.steps.push(es);
  }
  // the values of settings declared secret, wherever the map put them (a path parameter, a field)
  const secrets = settingSecrets(map);
  return secrets.length === 0 ? explanation : createScrubber(secrets).value(explanation);
}

function unreadFields(map: CompiledMap, record: unknown): string[] {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return [];
  return unreadRecordFields(map, record).map(scrubText);
}

/** Path and query parameters: value, expression, location. */
function paramFields(step: CompiledStep, ev: StepEvaluation, raw: RecordPlanRaw): ExplainedField[] {
  const out: ExplainedField[] = [];
  for (const p of step.params) {
    const values = p.in === 'path' ? ev.request?.pathParams : ev.request?.query;
    const v = values?.[p.name];
    const src = wholeSource(p.expression);
    const safe = v === undefined ? undefined : (redactValue({ [p.name]: v }) as Record<string, unknown>)[p.name];
    out.push({
      path: p.name,
      in: p.in,
      produced: v !== undefined,
      ...(v !== undefined ? { value: scrubValue(raw.placeholders.render(safe).value) } : {}),
      ...(safe === REDACTED ? { sensitive: 'secret' as const } : {}),
      expression: scrubText(src.text),
      location: p.expression.locate(src.offset),
    });
  }
  return out;
}

type Seg = string | number;

/** Every leaf of the (redacted, rendered) body, plus constructor keys that produced nothing. */
async function bodyFields(map: CompiledMap, step: CompiledStep, body: unknown, scope: FieldScope): Promise<ExplainedField[]> {
  const request = step.request!;
  const root = rootCursor(request);
  const paths = sensitivePaths(step.operation.spec.sensitive);
  const out: ExplainedField[] = [];
  const add = (segs: Seg[], at: FieldCursor | undefined, produced: boolean, value?: unknown) => {
    const cursor = at && leafCursor(map, at);
    const sensitive = sensitivityOf(segs, paths, value);
    const src = cursorSource(cursor);
    const field: ExplainedField = {
      path: formatPath(segs),
      in: 'body',
      produced,
      ...(produced ? { value: sensitive === 'secret' ? REDACTED : value } : {}),
      ...(sensitive ? { sensitive } : {}),
      expression: safeExpression(src.request, sensitive),
      location: request.locate(src.request.offset),
    };
    if (cursor?.letName !== undefined && src.let) {
      const l = map.lets.find((x) => x.name === cursor.letName)!;
      field.let = { name: cursor.letName, expression: safeExpression(src.let, sensitive), location: l.expression.locate(src.let.offset) };
    }
    out.push(field);
  };
  const cursorSource = (cursor: FieldCursor | undefined): { request: NodeSource; let?: NodeSource } => {
    const whole = !cursor || cursor.requestNode === root?.node;
    const result: { request: NodeSource; let?: NodeSource } = { request: whole ? wholeSource(request) : sourceOf(cursor.requestNode, request) };
    if (cursor?.letName !== undefined) result.let = sourceOf(cursor.node, cursor.expression);
    return result;
  };
  const walk = async (value: unknown, segs: Seg[], cursor: FieldCursor | undefined, depth: number): Promise<void> => {
    if (depth > 64) return;
    if (Array.isArray(value) && value.length > 0) {
      for (const [i, v] of value.entries()) await walk(v, [...segs, i], cursor && await descend(map, cursor, i, scope), depth + 1);
      return;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const obj = value as Record<string, unknown>;
      const written = constructorKeys(map, cursor);
      const keys = [...written, ...Object.keys(obj).filter((k) => !written.includes(k))];
      if (keys.length === 0) {
        if (segs.length > 0) add(segs, cursor, true, value);
        return;
      }
      for (const k of keys) {
        const next = cursor && await descend(map, cursor, k, scope);
        if (Object.prototype.hasOwnProperty.call(obj, k)) await walk(obj[k], [...segs, k], next, depth + 1);
        else add([...segs, k], next, false);
      }
      return;
    }
    add(segs, cursor, true, value);
  };
  await walk(body, [], root, 0);
  return out;
}

/** Card/secret per the pack's sensitive paths (a secret also covers everything under it). */
function sensitivityOf(segs: Seg[], paths: SensitivePaths, value: unknown): 'card' | 'secret' | undefined {
  const dotted = segs.map((s) => (typeof s === 'number' ? '[]' : s)).reduce<string>((acc, s) => (s === '[]' ? acc + '[]' : acc ? `${acc}.${s}` : s), '');
  if (paths.card.has(dotted)) return 'card';
  for (const p of paths.secret) if (dotted === p || dotted.startsWith(p + '.') || dotted.startsWith(p + '[')) return 'secret';
  if (value === REDACTED) return 'secret';
  return undefined;
}

/** Expression text safe to print: card numbers masked, a literal written for a sensitive field hidden. */
function safeExpression(src: NodeSource, sensitive: 'card' | 'secret' | undefined): string {
  if (sensitive && src.literal) return REDACTED;
  return scrubText(src.text);
}

function scrubValue(v: unknown): unknown {
  return typeof v === 'string' ? scrubText(v) : v;
}

function formatPath(segs: Seg[]): string {
  let out = '';
  for (const s of segs) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `.${fieldName(s)}` : fieldName(s);
  }
  return out;
}
