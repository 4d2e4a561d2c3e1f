/**
 * Turns a JSONata result into plain JSON: sequences become arrays, functions and undefined
 * values disappear, and non-finite numbers become null (as JSON would send them).
 */
export function toPlainJson(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'function') return undefined;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) {
      const p = toPlainJson(v);
      if (p !== undefined) out.push(p);
    }
    return out;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const p = toPlainJson(v);
      if (p !== undefined) out[k] = p;
    }
    return out;
  }
  return undefined;
}
