/**
 * `JSON.parse(JSON.stringify(value))`, without the text in between: a deep copy of plain JSON
 * data (plain objects, arrays, strings, finite numbers, booleans, null) built directly, about
 * four times cheaper. Anything else — a toJSON method (Date), a class instance, a Map, a
 * function, a symbol, a BigInt, a non-finite number, a `__proto__` key, or a value nested
 * deeper than it ever is in a journal row (which is how a circular one shows) — is copied by
 * the JSON round trip itself, so the result, and any error thrown, are exactly JSON's.
 */
export function jsonCopy<T>(value: T): T {
  if (value === undefined) return value;
  const out = copy(value, 0);
  return (out === FALLBACK ? (JSON.parse(JSON.stringify(value)) as unknown) : out) as T;
}

const FALLBACK = Symbol('json-copy fallback');
const MAX_DEPTH = 64;
const OBJECT_PROTO = Object.prototype;

function copy(v: unknown, depth: number): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      // JSON writes -0 as 0 and non-finite numbers as null
      return Number.isFinite(v) ? (v === 0 ? 0 : v) : FALLBACK;
    case 'object': {
      if (v === null) return null;
      if (depth >= MAX_DEPTH) return FALLBACK;
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype) return FALLBACK;
        const n = v.length;
        const a: unknown[] = new Array(n);
        for (let i = 0; i < n; i++) {
          const x: unknown = v[i];
          // an undefined element (or a hole) is written as null
          if (x === undefined) { a[i] = null; continue; }
          const y = copy(x, depth + 1);
          if (y === FALLBACK) return FALLBACK;
          a[i] = y;
        }
        return a;
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== OBJECT_PROTO && proto !== null) return FALLBACK;
      if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return FALLBACK;
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(v)) {
        const x = (v as Record<string, unknown>)[k];
        if (x === undefined) continue;
        if (k === '__proto__') return FALLBACK;
        const y = copy(x, depth + 1);
        if (y === FALLBACK) return FALLBACK;
        o[k] = y;
      }
      return o;
    }
    default:
      // undefined inside an object is skipped above; functions, symbols, BigInt: JSON's rules
      return FALLBACK;
  }
}
