import type { Classification, ClassifyCondition, ClassifySpec, ClassifyValue } from '../providers/pack-types.js';

/** A classification with the reason behind it, when the pack gives one. */
export interface ClassifyDetail {
  classification: Classification;
  /** Why: the matching rule's reason, the note on the matched value, or why nothing matched. */
  reason?: string;
  /** The documentation reference of the rule or status list that decided. */
  source?: string;
  /** The value of `field` that was looked at, when there is one. */
  value?: unknown;
}

const CLASSES = ['succeeded', 'declined', 'pending', 'failed', 'unknown'] as const;

/** Sorts a 2xx response body into an outcome class by the pack's rule. */
export function classifyResponse(spec: ClassifySpec, body: unknown, request?: unknown): Classification {
  return classifyDetail(spec, body, request).classification;
}

/**
 * Sorts a 2xx response body into an outcome class, saying why: the pack's `rules` first, then
 * the value of `field` in the class lists, then `default`. A value outside every list (an
 * undocumented status) falls to `default`, which is `unknown` wherever the provider publishes a
 * closed set of values.
 */
export function classifyDetail(spec: ClassifySpec, body: unknown, request?: unknown): ClassifyDetail {
  for (const rule of spec.rules ?? []) {
    if (rule.when.every((c) => holds(c, c.of === 'request' ? request : body))) return { classification: rule.class, reason: rule.reason, source: rule.source };
  }
  if (!spec.field) return { classification: spec.default };
  const value = getPath(body, spec.field);
  if (value === undefined || value === null) {
    return withSource({ classification: spec.default, reason: `the response has no ${spec.field}` }, spec.source);
  }
  for (const cls of CLASSES) {
    if ((spec[cls] ?? []).some((v) => v === value)) {
      const d: ClassifyDetail = { classification: cls, value };
      const note = spec.notes?.[String(value)];
      if (note) d.reason = note;
      return withSource(d, spec.source);
    }
  }
  return withSource({ classification: spec.default, value, reason: `${spec.field} ${JSON.stringify(value)} is not a documented value` }, spec.source);
}

function withSource(d: ClassifyDetail, source: string | undefined): ClassifyDetail {
  if (source) d.source = source;
  return d;
}

function holds(c: ClassifyCondition, body: unknown): boolean {
  const v = getPath(body, c.field);
  if (c.present !== undefined && c.present !== (v !== undefined && v !== null)) return false;
  if (c.in !== undefined && !c.in.some((x: ClassifyValue) => x === v)) return false;
  return true;
}

// a pack's few dotted paths, split once
const splits = new Map<string, string[]>();

/** Reads a dotted path (`invoice.invoiceStatus`) from a value. */
export function getPath(value: unknown, path: string): unknown {
  let parts = splits.get(path);
  if (!parts) {
    parts = path.split('.');
    if (splits.size < 1000) splits.set(path, parts);
  }
  let v: unknown = value;
  for (const part of parts) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}
