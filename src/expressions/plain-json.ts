/**
 * Turns a JSONata result into plain JSON: sequences become arrays, functions and undefined
 * values disappear, and non-finite numbers become null (as JSON would send them).
 */
export function toPlainJson(value: unknown, depth = 0): unknown {
  if (value === undefined || depth > 200) return undefined;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'function' || isFunctionValue(value)) return undefined;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const p = toPlainJson(value[i], depth + 1);
      if (p !== undefined) out.push(p);
    }
    return out;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const p = toPlainJson((value as Record<string, unknown>)[k], depth + 1);
      if (p !== undefined) out[k] = p;
    }
    return out;
  }
  return undefined;
}

/** JSONata lambdas and native functions arrive as objects marked by the library. */
export function isFunctionValue(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return v._jsonata_lambda === true || v._jsonata_function === true;
}

/**
 * True when `await value` would wait for it (a promise, or anything with a `then` function).
 * The compiled backend returns values, jsonata promises: awaiting only those saves a turn of the
 * microtask queue per expression, with the same result.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}
