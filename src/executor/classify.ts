import type { Classification, ClassifySpec } from '../providers/pack-types.js';

/** Sorts a 2xx response body into an outcome class by the pack's rule. */
export function classifyResponse(spec: ClassifySpec, body: unknown): Classification {
  if (!spec.field) return spec.default;
  const value = getPath(body, spec.field);
  if (value === undefined || value === null) return spec.default;
  for (const cls of ['succeeded', 'declined', 'pending', 'failed'] as const) {
    if ((spec[cls] ?? []).some((v) => v === value)) return cls;
  }
  return spec.default;
}

/** Reads a dotted path (`invoice.invoiceStatus`) from a value. */
export function getPath(value: unknown, path: string): unknown {
  let v: unknown = value;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}
