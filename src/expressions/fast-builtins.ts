/* eslint-disable @typescript-eslint/no-explicit-any -- JSONata values are any JSON value, sequence or function */
import { NATIVE, type NativeDefinition } from './jsonata-builtins.js';
import { PRECHECKS } from './compiled-functions.js';

/**
 * Direct implementations of the built-ins the Data Maps call most, for the argument lists that
 * jsonata's signature check passes through unchanged (every argument given, each of the exact
 * type the signature names). They compute exactly what jsonata 2.2.2's own implementation
 * computes for those arguments; anything else answers `SLOW` and the call takes the general
 * path (signature check, jsonata's implementation, its errors). Each is checked against
 * jsonata's own implementation in test/expressions (and `$round` on hundreds of thousands of
 * values around ties).
 */
export const SLOW = Symbol('slow');

/** (number of arguments given, the arguments) → the result, or SLOW. */
export type FastBuiltin = (n: number, a0: any, a1: any, a2: any) => any;

const native = (name: string) => NATIVE.get(name)!.implementation as (...args: any[]) => any;
const nativeRound = native('round');
const nativePad = native('pad');
const nativeSubstring = native('substring');
const nativeTrim = native('trim');
const nativeFormatNumber = native('formatNumber');
const nativeSubstringBefore = native('substringBefore');
const nativeSubstringAfter = native('substringAfter');
const nativeBoolean = native('boolean') as (v: any) => boolean;

/** jsonata's `$round` without a precision (or precision 0): Math.round, ties to even, no -0. */
function roundToInteger(arg: number): number {
  let result = Math.round(arg);
  const diff = result - arg;
  if (Math.abs(diff) === 0.5 && Math.abs(result % 2) === 1) result = result - 1;
  return result === 0 ? 0 : result;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
const TWO_51 = 2 ** 51;
const MARGIN = 2 ** -44;

/**
 * jsonata's `$round(arg, precision)`. jsonata shifts the decimal point in the number's shortest
 * decimal text (`1.005` → `100.5`, so it rounds as written, not as the binary value
 * 1.00499999…), rounds half to even, and shifts back through text. Shifting with a float
 * multiply gives a value within a few ulps of jsonata's shifted value; when that value is
 * clearly away from a half (by far more than those ulps) both round to the same integer, no tie
 * adjustment applies, and shifting back (an integer divided by an exact power of ten, correctly
 * rounded like the text parse) gives the same double. Anything near a half, huge, tiny, or with
 * an unusual precision goes to jsonata's own implementation.
 */
export function jsonataRound(arg: number, precision: number | undefined): number {
  if (!precision) return roundToInteger(arg);
  if (Number.isInteger(precision) && precision >= -15 && precision <= 15) {
    const scale = POW10[precision < 0 ? -precision : precision]!;
    const x = precision > 0 ? arg * scale : arg / scale;
    const ax = x < 0 ? -x : x;
    if (ax < TWO_51) {
      const floor = Math.floor(x);
      const fromHalf = x - floor - 0.5;
      if ((fromHalf < 0 ? -fromHalf : fromHalf) > ax * MARGIN + 1e-300) {
        const r = Math.round(x);
        const back = precision > 0 ? r / scale : r * scale;
        return back === 0 ? 0 : back;
      }
    }
  }
  return nativeRound(arg, precision) as number;
}

/** Length in code points, as jsonata counts (a string's iterator). */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function hasSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

const NUMERIC = /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/;
// jsonata's pattern as written (its alternatives are anchored one end each)
const BASED = /^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$/;

/** The number of finite numbers, as jsonata's $string (and `&`) write them. */
export function numberText(n: number): string {
  return String(Number.isInteger(n) ? n : Number(n.toPrecision(15)));
}

function allNumbers(a: any[]): boolean {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') return false;
  return true;
}

function allStrings(a: any[]): boolean {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'string') return false;
  return true;
}

/** Pictures "0.0", "0.00", ... (one integer digit, n decimals; no grouping, prefix, suffix or exponent). */
const FIXED_PICTURE = /^0\.(0{1,10})$/;

/**
 * jsonata's formatNumber for a picture "0." followed by `frac` zeros and no options, step by
 * step as jsonata formats once the picture is analysed (minimum integer digits 1, exactly
 * `frac` decimals, no grouping, "-" before a value that is not >= 0).
 */
function formatFixed(value: number, frac: number): string {
  const prefix = value >= 0 ? '' : '-';
  const rounded = jsonataRound(value, frac);
  let s = Math.abs(rounded).toFixed(frac);
  if (s.indexOf('.') === -1) s = s + '.';
  while (s.charAt(0) === '0') s = s.substring(1);
  while (s.charAt(s.length - 1) === '0') s = s.substring(0, s.length - 1);
  let decimalPos = s.indexOf('.');
  const padLeft = 1 - decimalPos;
  const padRight = frac - (s.length - decimalPos - 1);
  s = (padLeft > 0 ? '0'.repeat(padLeft) : '') + s;
  s = s + (padRight > 0 ? '0'.repeat(padRight) : '');
  decimalPos = s.indexOf('.');
  if (decimalPos === s.length - 1) s = s.substring(0, s.length - 1);
  return prefix + s;
}

function isPlainScalar(v: any): boolean {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

const FAST: Record<string, FastBuiltin> = {
  round: (n, a0, a1) => {
    if (typeof a0 !== 'number') return SLOW;
    if (n === 1) return roundToInteger(a0);
    if (n !== 2 || typeof a1 !== 'number') return SLOW;
    return jsonataRound(a0, a1);
  },
  number: (n, a0) => {
    if (n !== 1) return SLOW;
    if (typeof a0 === 'number') return a0;
    if (typeof a0 === 'string') {
      if (NUMERIC.test(a0)) {
        // for text of this shape parseFloat and Number read the same value (never NaN), and
        // jsonata's isFinite(text) is that value being finite
        const v = Number(a0);
        if (Number.isFinite(v)) return v;
      }
      if (BASED.test(a0)) return Number(a0);
      return SLOW; // jsonata's D3030
    }
    if (a0 === true) return 1;
    if (a0 === false) return 0;
    return SLOW;
  },
  string: (n, a0) => {
    if (n !== 1) return SLOW;
    if (typeof a0 === 'string') return a0;
    if (typeof a0 === 'number') return Number.isFinite(a0) ? numberText(a0) : SLOW;
    if (typeof a0 === 'boolean') return a0 ? 'true' : 'false';
    return SLOW;
  },
  sum: (n, a0) => {
    if (n !== 1 || !Array.isArray(a0) || !allNumbers(a0)) return SLOW;
    let total = 0;
    for (let i = 0; i < a0.length; i++) total += a0[i];
    return total;
  },
  count: (n, a0) => (n === 1 && Array.isArray(a0) ? a0.length : SLOW),
  exists: (n, a0) => (n === 1 ? a0 !== undefined : SLOW),
  pad: (n, a0, a1, a2) => {
    if ((n !== 2 && n !== 3) || typeof a0 !== 'string' || typeof a1 !== 'number' || (n === 3 && typeof a2 !== 'string')) return SLOW;
    PRECHECKS.pad!([a0, a1, a2]);
    const char = n === 2 || a2.length === 0 ? ' ' : a2;
    if (char.length !== 1) return nativePad(a0, a1, n === 2 ? undefined : a2);
    const width = Math.trunc(a1);
    const padLength = Math.abs(width) - codePoints(a0);
    if (!(padLength > 0)) return a0;
    const padding = char.repeat(padLength);
    return width > 0 ? a0 + padding : padding + a0;
  },
  substring: (n, a0, a1, a2) => {
    if ((n !== 2 && n !== 3) || typeof a0 !== 'string' || typeof a1 !== 'number' || (n === 3 && typeof a2 !== 'number')) return SLOW;
    if (hasSurrogate(a0)) return nativeSubstring(a0, a1, n === 2 ? undefined : a2);
    const strLength = a0.length;
    let start = a1;
    if (strLength + start < 0) start = 0;
    if (n === 3) {
      if (a2 <= 0) return '';
      const end = start >= 0 ? start + a2 : strLength + start + a2;
      return a0.slice(start, end);
    }
    return a0.slice(start);
  },
  join: (n, a0, a1) => {
    if ((n !== 1 && n !== 2) || !Array.isArray(a0) || !allStrings(a0) || (n === 2 && typeof a1 !== 'string')) return SLOW;
    PRECHECKS.join!([a0, a1]);
    return a0.join(n === 1 ? '' : a1);
  },
  lowercase: (n, a0) => (n === 1 && typeof a0 === 'string' ? a0.toLowerCase() : SLOW),
  uppercase: (n, a0) => (n === 1 && typeof a0 === 'string' ? a0.toUpperCase() : SLOW),
  trim: (n, a0) => (n === 1 && typeof a0 === 'string' ? nativeTrim(a0) : SLOW),
  length: (n, a0) => (n === 1 && typeof a0 === 'string' ? codePoints(a0) : SLOW),
  // a non-finite number is jsonata's D1001 (thrown by the general path, with its position)
  not: (n, a0) => (n === 1 && isPlainScalar(a0) ? !nativeBoolean(a0) : SLOW),
  boolean: (n, a0) => (n === 1 && isPlainScalar(a0) ? nativeBoolean(a0) : SLOW),
  assert: (n, a0, a1) => (a0 === true && (n === 1 || (n === 2 && typeof a1 === 'string')) ? undefined : SLOW),
  formatNumber: (n, a0, a1) => {
    if (n !== 2 || typeof a0 !== 'number' || typeof a1 !== 'string') return SLOW;
    const fixed = FIXED_PICTURE.exec(a1);
    if (fixed) return formatFixed(a0, fixed[1]!.length);
    try {
      return nativeFormatNumber(a0, a1);
    } catch {
      return SLOW; // a bad picture: the general path throws jsonata's error with its position
    }
  },
  substringBefore: (n, a0, a1) => (n === 2 && typeof a0 === 'string' && typeof a1 === 'string' ? nativeSubstringBefore(a0, a1) : SLOW),
  substringAfter: (n, a0, a1) => (n === 2 && typeof a0 === 'string' && typeof a1 === 'string' ? nativeSubstringAfter(a0, a1) : SLOW),
};

/** The fast implementation of a built-in (by its jsonata definition object), if there is one. */
export function fastBuiltin(name: string): { def: NativeDefinition; fast: FastBuiltin } | undefined {
  const fast = FAST[name];
  const def = NATIVE.get(name);
  return fast && def ? { def, fast } : undefined;
}
