import { NATIVE, SYNC_BUILTINS, jsonataError } from './jsonata-builtins.js';
import { EVALUATION_LIMITS, jsonSizeAtMost, stringError } from './limits.js';
import { SafeRegExp } from './regex-engine.js';
import { BUILTIN_IMPLS, FOCUS, G, NEEDS_JSONATA, arity, boolean, callFunction, isArrayOfNumbers, isArrayOfStrings, isFunction, seq, type Any } from './runtime.js';

/**
 * Built-in functions of the compiled backend. The synchronous ones are jsonata's own
 * implementations behind jsonata's own signature checks, with size checks in front of those
 * that can build large values; the asynchronous ones (callbacks, regex matchers) are written
 * again here, synchronously, following jsonata 2.2.2 line by line.
 */

const LIMIT = EVALUATION_LIMITS.string;

/** Size checks made before a builtin runs, so a huge value is refused before it is built. */
export const PRECHECKS: Record<string, (args: Any[]) => void> = {
  pad: (a) => {
    const w = a[1];
    if (typeof w === 'number' && Math.abs(w) > LIMIT) throw stringError(Math.abs(w));
  },
  join: (a) => {
    const strs = a[0];
    if (!Array.isArray(strs)) return;
    const sep = typeof a[1] === 'string' ? a[1].length : 0;
    let n = 0;
    for (const s of strs) if (typeof s === 'string') n += s.length + sep;
    if (n > LIMIT) throw stringError(n);
  },
  string: (a) => {
    const v = a[0];
    if (v !== null && typeof v === 'object') {
      const n = jsonSizeAtMost(v, LIMIT) * (a[1] === true ? 2 : 1);
      if (n > LIMIT) throw stringError(n);
    }
  },
  clone: (a) => PRECHECKS.string!([a[0]]),
  base64encode: (a) => {
    if (typeof a[0] === 'string' && a[0].length * 4 / 3 > LIMIT) throw stringError(Math.ceil(a[0].length * 4 / 3));
  },
};

const isStr = (v: Any): boolean => typeof v === 'string';
const isNum = (v: Any): boolean => typeof v === 'number';
const allOf = (a: Any, test: (v: Any) => boolean): boolean => {
  if (!Array.isArray(a)) return false;
  for (let i = 0; i < a.length; i++) if (!test(a[i])) return false;
  return true;
};
const numbers = (a: Any[]): boolean => a.length === 1 && allOf(a[0], isNum);
const oneString = (a: Any[]): boolean => a.length === 1 && isStr(a[0]);
const oneNumber = (a: Any[]): boolean => a.length === 1 && isNum(a[0]);
const isScalar = (v: Any): boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * Argument lists that jsonata's signature check passes through unchanged (every argument given,
 * each of the exact type the signature names, none taken from the context, no array to wrap):
 * for those the check is skipped, the implementation gets the same arguments it would have got.
 * Anything else goes through the signature as before.
 */
const PASS_THROUGH: Partial<Record<(typeof SYNC_BUILTINS)[number], (a: Any[]) => boolean>> = {
  // <x-b?:s>
  string: (a) => a.length === 1 && (isStr(a[0]) || isNum(a[0]) || typeof a[0] === 'boolean'),
  // <s-nn?:s>
  substring: (a) => (a.length === 2 || a.length === 3) && isStr(a[0]) && isNum(a[1]) && (a.length === 2 || isNum(a[2])),
  // <s-ns?:s>
  pad: (a) => (a.length === 2 || a.length === 3) && isStr(a[0]) && isNum(a[1]) && (a.length === 2 || isStr(a[2])),
  // <n-n?:n>
  round: (a) => (a.length === 1 || a.length === 2) && isNum(a[0]) && (a.length === 1 || isNum(a[1])),
  // <s-:s>, <s-:n>
  uppercase: oneString,
  lowercase: oneString,
  trim: oneString,
  length: oneString,
  // <(nsb)-:n>
  number: (a) => a.length === 1 && (isNum(a[0]) || isStr(a[0]) || typeof a[0] === 'boolean'),
  // <n-:n>
  floor: oneNumber,
  ceil: oneNumber,
  abs: oneNumber,
  // <a<n>:n>
  sum: numbers,
  max: numbers,
  min: numbers,
  average: numbers,
  // <a:n>
  count: (a) => a.length === 1 && Array.isArray(a[0]),
  // <n-so?:s>
  formatNumber: (a) => (a.length === 2 || a.length === 3) && isNum(a[0]) && isStr(a[1]) && (a.length === 2 || (a[2] !== null && typeof a[2] === 'object' && !Array.isArray(a[2]) && !isFunction(a[2]))),
  // <s-s:s>
  substringBefore: (a) => a.length === 2 && isStr(a[0]) && isStr(a[1]),
  substringAfter: (a) => a.length === 2 && isStr(a[0]) && isStr(a[1]),
  // <bs?:x>
  assert: (a) => (a.length === 1 || a.length === 2) && typeof a[0] === 'boolean' && (a.length === 1 || isStr(a[1])),
  // <x-:b>, <x:b>
  not: (a) => a.length === 1 && isScalar(a[0]),
  boolean: (a) => a.length === 1 && isScalar(a[0]),
  exists: (a) => a.length === 1 && isScalar(a[0]),
  // <a<s>s?:s>
  join: (a) => (a.length === 1 || a.length === 2) && allOf(a[0], isStr) && (a.length === 1 || isStr(a[1])),
};

for (const name of SYNC_BUILTINS) {
  const def = NATIVE.get(name)!;
  const pre = PRECHECKS[name];
  const impl = def.implementation;
  const sig = def.signature;
  const pass = PASS_THROUGH[name];
  BUILTIN_IMPLS.set(def, (args, input) => {
    // $string of a finite number: what jsonata's JSON.stringify with its number replacer gives
    if (name === 'string' && args.length === 1 && typeof args[0] === 'number' && Number.isFinite(args[0])) {
      const n = args[0] as number;
      return String(Number.isInteger(n) ? n : Number(n.toPrecision(15)));
    }
    const v = sig && !(pass && pass(args)) ? sig.validate(args, input) : args;
    if (pre) pre(v);
    const focus = { createSequence: FOCUS.createSequence, input, environment: undefined, options: undefined };
    return impl.apply(focus, v);
  });
}

function validated(name: string, args: Any[], input: Any): Any[] {
  const sig = NATIVE.get(name)!.signature;
  return sig ? sig.validate(args, input) : args;
}

function hofArgs(func: Any, a1: Any, a2: Any, a3: Any): Any[] {
  const out = [a1];
  const n = arity(func);
  if (n >= 2) out.push(a2);
  if (n >= 3) out.push(a3);
  return out;
}

function define(name: string, body: (args: Any[]) => Any): void {
  BUILTIN_IMPLS.set(NATIVE.get(name)!, (args, input) => body(validated(name, args, input)));
}

define('map', ([arr, func]) => {
  if (arr === undefined) return undefined;
  const result = seq();
  for (let i = 0; i < arr.length; i++) {
    const res = callFunction(func, hofArgs(func, arr[i], i, arr));
    if (res !== undefined) result.push(res);
  }
  G.cells(result.length);
  return result;
});

define('filter', ([arr, func]) => {
  if (arr === undefined) return undefined;
  const result = seq();
  for (let i = 0; i < arr.length; i++) {
    if (boolean(callFunction(func, hofArgs(func, arr[i], i, arr)))) result.push(arr[i]);
  }
  return result;
});

define('single', ([arr, func]) => {
  if (arr === undefined) return undefined;
  let found = false;
  let result: Any;
  for (let i = 0; i < arr.length; i++) {
    const entry = arr[i];
    const positive = func === undefined ? true : boolean(callFunction(func, hofArgs(func, entry, i, arr)));
    if (positive) {
      if (!found) {
        result = entry;
        found = true;
      } else {
        throw jsonataError('D3138', { index: i });
      }
    }
  }
  if (!found) throw jsonataError('D3139');
  return result;
});

define('reduce', ([sequence, func, init]) => {
  if (sequence === undefined) return undefined;
  const n = arity(func);
  if (n < 2) throw jsonataError('D3050', { index: 1 });
  let result: Any;
  let index: number;
  if (init === undefined && sequence.length > 0) {
    result = sequence[0];
    index = 1;
  } else {
    result = init;
    index = 0;
  }
  while (index < sequence.length) {
    const args = [result, sequence[index]];
    if (n >= 3) args.push(index);
    if (n >= 4) args.push(sequence);
    result = callFunction(func, args);
    index++;
  }
  return result;
});

define('sift', ([arg, func]) => {
  let result: Any = Object.create(null);
  for (const item of keysOf(arg)) {
    const entry = arg[item];
    if (boolean(callFunction(func, hofArgs(func, entry, item, arg)))) result[item] = entry;
  }
  if (keysOf(result).length === 0) result = undefined;
  return result;
});

define('each', ([obj, func]) => {
  const result = seq();
  for (const key of keysOf(obj)) {
    const val = callFunction(func, hofArgs(func, obj[key], key, obj));
    if (val !== undefined) result.push(val);
  }
  return result;
});

define('sort', ([arr, comparator]) => {
  if (arr === undefined) return undefined;
  if (arr.length <= 1) return arr;
  if (comparator === undefined && !isArrayOfNumbers(arr) && !isArrayOfStrings(arr)) throw jsonataError('D3070', { index: 1 });
  return msort(arr, comparator);
});

// $sort's merge sort, as jsonata's (module functions: no closures made per call)
function sortBefore(comparator: Any, a: Any, b: Any): Any {
  return comparator === undefined ? a > b : callFunction(comparator, [a, b]);
}

function merge(l: Any[], r: Any[], comparator: Any): Any[] {
  const out: Any[] = [];
  let i = 0;
  let j = 0;
  while (true) {
    if (i >= l.length) {
      for (; j < r.length; j++) out.push(r[j]);
      return out;
    }
    if (j >= r.length) {
      for (; i < l.length; i++) out.push(l[i]);
      return out;
    }
    G.tick();
    if (sortBefore(comparator, l[i], r[j])) out.push(r[j++]);
    else out.push(l[i++]);
  }
}

function msort(a: Any[], comparator: Any): Any[] {
  if (!Array.isArray(a) || a.length <= 1) return a;
  const middle = Math.floor(a.length / 2);
  return merge(msort(a.slice(0, middle), comparator), msort(a.slice(middle), comparator), comparator);
}

function keysOf(v: Any): string[] {
  return typeof v === 'object' && v !== null ? Object.keys(v) : [];
}

/** jsonata's evaluateMatcher, synchronously. */
function evaluateMatcher(matcher: Any, str: Any): Any {
  const result = callFunction(matcher, [str]);
  if (result && !(typeof result.start === 'number' || result.end === 'number' || Array.isArray(result.groups) || isFunction(result.next))) {
    throw jsonataError('T1010');
  }
  return result;
}

define('contains', ([str, token]) => {
  if (str === undefined || token === undefined) return undefined;
  if (typeof token === 'string') return str.indexOf(token) !== -1;
  return evaluateMatcher(token, str) !== undefined;
});

define('match', ([str, regex, limit]) => {
  if (str === undefined) return undefined;
  if (limit < 0) throw jsonataError('D3040', { value: limit, index: 3 });
  const result = seq();
  if (limit === undefined || limit > 0) {
    let count = 0;
    let matches = evaluateMatcher(regex, str);
    while (matches !== undefined && (limit === undefined || count < limit)) {
      result.push({ match: matches.match, index: matches.start, groups: matches.groups });
      matches = evaluateMatcher(matches.next, undefined);
      count++;
      G.tick();
    }
  }
  G.cells(result.length);
  return result;
});

define('split', ([str, separator, limit]) => {
  if (str === undefined) return undefined;
  if (limit < 0) throw jsonataError('D3020', { value: limit, index: 3 });
  let result: Any[] = [];
  if (limit === undefined || limit > 0) {
    if (typeof separator === 'string') {
      result = str.split(separator, limit);
    } else {
      let count = 0;
      let matches = evaluateMatcher(separator, str);
      if (matches !== undefined) {
        let start = 0;
        while (matches !== undefined && (limit === undefined || count < limit)) {
          result.push(str.substring(start, matches.start));
          start = matches.end;
          matches = evaluateMatcher(matches.next, undefined);
          count++;
          G.tick();
        }
        if (limit === undefined || count < limit) result.push(str.substring(start));
      } else {
        result.push(str);
      }
    }
  }
  G.cells(result.length);
  return result;
});

/** jsonata's replacement-string substitution (`$0`, `$1`, `$$`). */
function substitute(replacement: string, regexMatch: Any): string {
  let out = '';
  let position = 0;
  let index = replacement.indexOf('$', position);
  while (index !== -1 && position < replacement.length) {
    out += replacement.substring(position, index);
    position = index + 1;
    const dollarVal = replacement.charAt(position);
    if (dollarVal === '$') {
      out += '$';
      position++;
    } else if (dollarVal === '0') {
      out += regexMatch.match;
      position++;
    } else {
      const maxDigits = regexMatch.groups.length === 0 ? 1 : Math.floor(Math.log(regexMatch.groups.length) * Math.LOG10E) + 1;
      index = parseInt(replacement.substring(position, position + maxDigits), 10);
      if (maxDigits > 1 && index > regexMatch.groups.length) index = parseInt(replacement.substring(position, position + maxDigits - 1), 10);
      if (!Number.isNaN(index)) {
        if (regexMatch.groups.length > 0) {
          const submatch = regexMatch.groups[index - 1];
          if (submatch !== undefined) out += submatch;
        }
        position += index.toString().length;
      } else {
        out += '$';
      }
    }
    index = replacement.indexOf('$', position);
  }
  out += replacement.substring(position);
  return out;
}

define('replace', ([str, pattern, replacement, limit]) => {
  if (str === undefined) return undefined;
  if (pattern === '') throw jsonataError('D3010', { value: pattern, index: 2 });
  if (limit < 0) throw jsonataError('D3011', { value: limit, index: 4 });
  let result = '';
  let position = 0;
  if (limit === undefined || limit > 0) {
    let count = 0;
    if (typeof pattern === 'string') {
      let index = str.indexOf(pattern, position);
      while (index !== -1 && (limit === undefined || count < limit)) {
        result = grown(result, str.substring(position, index));
        result = grown(result, replacement);
        position = index + pattern.length;
        count++;
        index = str.indexOf(pattern, position);
      }
      result = grown(result, str.substring(position));
    } else {
      let matches = evaluateMatcher(pattern, str);
      if (matches !== undefined) {
        while (matches !== undefined && (limit === undefined || count < limit)) {
          result = grown(result, str.substring(position, matches.start));
          const replacedWith = typeof replacement === 'string' ? substitute(replacement, matches) : callFunction(replacement, [matches]);
          if (typeof replacedWith === 'string') result = grown(result, replacedWith);
          else throw jsonataError('D3012', { value: replacedWith });
          position = matches.start + matches.match.length;
          count++;
          matches = evaluateMatcher(matches.next, undefined);
          G.tick();
        }
        result = grown(result, str.substring(position));
      } else {
        result = str;
      }
    }
  } else {
    result = str;
  }
  return result;
});

/** `result + s`, within the string limit. */
function grown(result: string, s: string): string {
  const out = result + s;
  if (out.length > LIMIT) throw stringError(out.length);
  return out;
}

/** jsonata's evaluateRegex: a matcher function over the safe engine. */
export function regexMatcher(value: RegExp, position: number | undefined): Any {
  // a bound module function, not a closure: the CLI bundle names every closure it makes
  const state: MatcherState = { re: new SafeRegExp(value), value, position };
  return runMatcher.bind(state);
}

interface MatcherState {
  re: SafeRegExp;
  value: RegExp;
  position: number | undefined;
}

function runMatcher(this: MatcherState, str: string, fromIndex?: number): Any {
  const re = this.re;
  re.lastIndex = fromIndex || 0;
  const match = re.exec(str);
  if (match === null) return undefined;
  const result: Any = { match: match[0], start: match.index, end: match.index + match[0]!.length, groups: [] };
  for (let i = 1; i < match.length; i++) result.groups.push(match[i]);
  result.next = () => {
    if (re.lastIndex >= str.length) return undefined;
    const next = runMatcher.call(this, str, re.lastIndex);
    if (next && next.match === '') throw jsonataError('D1004', { position: this.position, value: this.value.source });
    return next;
  };
  return result;
}

export { NEEDS_JSONATA };
