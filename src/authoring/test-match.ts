/**
 * The deep-subset matcher of Data Map tests: only what the expectation names is compared.
 */
import type { PathSegment } from '../source/pointer.js';

/** One difference between an expected (sub)value and the actual one, at a path below the compared root. */
export interface SubsetDifference {
  /** Path below the compared root, e.g. `['invoice', 'amount', 'value']`. */
  path: PathSegment[];
  expected: unknown;
  /** `undefined` when the actual value is missing. */
  actual: unknown;
  /** Why they differ when it is not plain inequality, e.g. `expected 3 items, got 2`. */
  message?: string;
}

/**
 * Compares `expected` with `actual` as a deep subset: objects compare only the keys expected
 * gives; arrays must have the same length and their items match as subsets; `null` matches
 * `null` or a missing value; anything else must be equal (`===`, so `1` is not `"1"`).
 */
export function subsetDifferences(expected: unknown, actual: unknown, path: PathSegment[] = [], out: SubsetDifference[] = []): SubsetDifference[] {
  if (expected === null) {
    if (actual !== null && actual !== undefined) out.push({ path, expected, actual });
    return out;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      out.push({ path, expected, actual, message: actual === undefined ? undefined : `expected an array, got ${kind(actual)}` });
      return out;
    }
    if (expected.length !== actual.length) {
      out.push({ path, expected, actual, message: `expected ${expected.length} item${expected.length === 1 ? '' : 's'}, got ${actual.length}` });
      return out;
    }
    expected.forEach((e, i) => subsetDifferences(e, actual[i], [...path, i], out));
    return out;
  }
  if (typeof expected === 'object' && expected !== undefined) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      out.push({ path, expected, actual, message: actual === undefined ? undefined : `expected an object, got ${kind(actual)}` });
      return out;
    }
    for (const [k, e] of Object.entries(expected as Record<string, unknown>)) {
      const a = Object.prototype.hasOwnProperty.call(actual, k) ? (actual as Record<string, unknown>)[k] : undefined;
      subsetDifferences(e, a, [...path, k], out);
    }
    return out;
  }
  if (expected !== actual) out.push({ path, expected, actual });
  return out;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** `['invoice', 'lines', 0, 'value']` → `invoice.lines[0].value` (keys that are not identifiers quoted). */
export function formatTestPath(path: readonly PathSegment[]): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) s += s === '' ? seg : `.${seg}`;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s;
}
