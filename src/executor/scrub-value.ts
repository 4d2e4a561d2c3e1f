import { maskingChangesJoined, mayHoldCardNumber, mayHoldUserInfo, REDACTED, scrubText } from '../redact/mask.js';
import { KEY_PLAIN, KEY_SECRET, keyClass, redactScalar, redactValue, type SensitivePaths } from '../redact/redact-value.js';
import type { Scrubber } from '../redact/scrubber.js';

const NONE: SensitivePaths = { card: new Set(), secret: new Set() };
const FALLBACK = Symbol('scrub fallback');
const OBJECT_PROTO = Object.prototype;
const ARRAY_PROTO = Array.prototype;
/** Deeper than this, redactValue returns objects as they are: left to the two walks. */
const MAX_DEPTH = 100;
/** Between the strings of a value joined for one check: neither a digit, a letter, a space nor a dash. */
const SEP = '\u0000';

// Per key name: its keyClass, plus PLAIN_KEY once the name is known to be left as it is by
// masking (scrubText, then maskCredentials) — a property of the text alone, whatever the
// scrubber knows. Only key names are kept (results and rows repeat the same few), and marked
// plain only when the scrubber knew none of them; never values.
const keyInfo = new Map<string, number>();
const PLAIN_KEY = 4;
const CLASS_BITS = 3;
const MAX_KEYS = 10_000;
const MAX_KEY_LENGTH = 200;

/**
 * What everything a run writes or reports goes through: redaction by key name
 * (`redactValue(v)`), then scrubbing by value (`scrubber.value(...)`), with exactly their result,
 * built fresh as redactValue builds it. One walk redacts and collects every key and string;
 * when one check over them all (as the plan view makes it) finds nothing the scrubber would
 * change, that copy is the result. Otherwise a second walk scrubs each string; whatever that
 * walk does not cover the same way as the two walks — a key that scrubbing would rename, a
 * `__proto__` key, an object that is not plain, an array with holes or of a subclass, nesting
 * deeper than redactValue goes — is left to the two walks themselves.
 */
export function scrubValue<T>(scrubber: Scrubber, value: T): T {
  return scrub(scrubber, value, undefined);
}

/** What {@link scrubRow} says of the copy it made. */
export interface RowFacts {
  /**
   * True when the copy is fresh (shares no object with the value or with anything else) and
   * holds only JSON data: plain objects and arrays, strings, numbers, booleans, null, undefined.
   * False says nothing (the copy may be either).
   */
  plain: boolean;
}

/** {@link scrubValue}, telling in `facts.plain` whether the copy is fresh JSON data (a journal row a store may keep as it is). */
export function scrubRow<T>(scrubber: Scrubber, value: T, facts: RowFacts): T {
  facts.plain = false;
  return scrub(scrubber, value, facts);
}

function scrub<T>(scrubber: Scrubber, value: T, facts: RowFacts | undefined): T {
  const v = value as unknown;
  if (v === null || v === undefined || typeof v === 'boolean') {
    if (facts) facts.plain = true;
    return value;
  }
  if (typeof v === 'string' || typeof v === 'number') {
    if (facts) facts.plain = true;
    // at the top, value() leaves a number as redaction left it (the number rule is for nested ones)
    const r = redactScalar(v, null, KEY_PLAIN, NONE);
    return (typeof r === 'string' ? scrubber.text(r) : r) as T;
  }
  if (typeof v !== 'object') return value;
  const c = new Collect(scrubber);
  const copy = c.walk(v, KEY_PLAIN, 0);
  if (copy !== FALLBACK && c.clean()) {
    // the one walk's copy: fresh, and JSON data unless it met something else
    if (facts) facts.plain = !c.opaque;
    return copy as T;
  }
  const out = exact(scrubber, v, KEY_PLAIN, 0);
  return (out === FALLBACK ? scrubber.value(redactValue(v)) : out) as T;
}

/** A part's scrubbed copy, for one scrubber as it was (its size: values are only ever added to it). */
interface PartCopy {
  s: Scrubber;
  size: number;
  out: unknown;
  /** The depth of the part's deepest object, below the part. */
  depth: number;
  /** The part holds something that is not JSON data (see Collect.opaque). */
  opaque: boolean;
}
const parts = new WeakMap<object, PartCopy | null>();
/** A part being scrubbed: met again inside itself (a cycle), it is walked in place. */
const BUSY: PartCopy = { s: undefined as unknown as Scrubber, size: -1, out: undefined, depth: 0, opaque: true };

/**
 * Marks an object that several values written or reported carry as it is (a step's shown
 * request body: in the intent's lookup context and in the result), so that it is scrubbed once
 * per scrubber state rather than in each. Scrubbing is a walk of independent pieces: the copy
 * of a part under a plain key name is the same wherever the part is (as the two walks make it),
 * so the copy made once stands for every later walk — while the scrubber knows no more values
 * than then, the part's nesting fits within the depth redaction goes at its place, and its own
 * scrub was the one-walk kind (one that would leave the part to the two walks is not kept, and
 * the part is walked in place as before). The part must not change after it is marked.
 */
export function sharePart(v: unknown): void {
  if (v !== null && typeof v === 'object' && !parts.has(v)) parts.set(v, null);
}

/**
 * The scrubbed copy of a marked part at `depth` (a fresh copy each time), or undefined to walk
 * it in place; `walker` (a walk that tracks how deep it went) learns the part's depth.
 */
function partCopy(s: Scrubber, v: object, depth: number, walker?: Collect): unknown {
  let p = parts.get(v);
  if (p === undefined || p === BUSY) return undefined;
  const size = s.size;
  if (p === null || p.s !== s || p.size !== size) {
    parts.set(v, BUSY);
    const c = new Collect(s);
    const copy = c.walk(v, KEY_PLAIN, 0);
    const out = copy === FALLBACK ? FALLBACK : c.clean() ? copy : exact(s, v, KEY_PLAIN, 0);
    if (out === FALLBACK) {
      parts.set(v, null);
      return undefined;
    }
    p = { s, size, out, depth: c.maxDepth, opaque: c.opaque || out !== copy };
    parts.set(v, p);
  }
  if (depth + p.depth > MAX_DEPTH) return undefined;
  if (walker) {
    if (depth + p.depth > walker.maxDepth) walker.maxDepth = depth + p.depth;
    if (p.opaque) walker.opaque = true;
  }
  return copyPlain(p.out);
}

/** A copy of what the walks build: plain objects, arrays without holes, and scalars. */
function copyPlain(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const n = v.length;
    const a: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) a[i] = copyPlain(v[i]);
    return a;
  }
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) o[k] = copyPlain((v as Record<string, unknown>)[k]);
  return o;
}

/** The redacting walk: redactValue's copy with the scrubber's number rule, every key and string seen. */
class Collect {
  /** Keys known to be left as they are by masking, joined. */
  private keys = '';
  /** Every other key and string, joined. */
  private text = '';
  private digitRuns = false;
  private userInfo = false;
  private newKeys: string[] | undefined;
  /** The depth of the deepest object walked. */
  maxDepth = 0;
  /** Met something that is not JSON data (a BigInt, a function, a symbol), kept as it is. */
  opaque = false;

  constructor(private readonly s: Scrubber) {}

  private see(str: string): void {
    this.text += str + SEP;
    if (str.length >= 13 && !this.digitRuns && mayHoldCardNumber(str)) this.digitRuns = true;
    if (!this.userInfo && mayHoldUserInfo(str)) this.userInfo = true;
  }

  /** Sees a key name; its keyClass. */
  private seeKey(k: string): number {
    let info = keyInfo.get(k);
    if (info === undefined) {
      info = keyClass(k);
      if (k.length <= MAX_KEY_LENGTH) {
        if (keyInfo.size >= MAX_KEYS) keyInfo.clear();
        keyInfo.set(k, info);
      }
    }
    if (info & PLAIN_KEY) {
      this.keys += k + SEP;
    } else {
      this.see(k);
      if (k.length <= MAX_KEY_LENGTH) (this.newKeys ??= []).push(k);
    }
    return info & CLASS_BITS;
  }

  /**
   * True when scrubbing would change no string seen: no known value in any (Scrubber.knowsAnyIn),
   * and masking changes none of them (maskingChangesJoined, with the user-info test per string).
   */
  clean(): boolean {
    if (this.userInfo || maskingChangesJoined(this.text, this.digitRuns)) return false;
    if (this.s.knowsAnyIn(this.text) || (this.keys !== '' && this.s.knowsAnyIn(this.keys))) return false;
    // masking leaves each of the new keys as it is: remember them
    if (this.newKeys) {
      for (const k of this.newKeys) {
        const info = keyInfo.get(k);
        if (info !== undefined) keyInfo.set(k, info | PLAIN_KEY);
      }
    }
    return true;
  }

  walk(v: unknown, keyCls: number, depth: number): unknown {
    if (v === null || v === undefined) return v;
    if (typeof v === 'string') {
      if (keyCls === KEY_PLAIN) {
        // redactScalar of a string under a plain name: scrubText, which changes nothing
        // without a digit run long enough for a card number
        if (mayHoldCardNumber(v)) {
          const r = scrubText(v);
          this.digitRuns = true;
          this.see(r);
          return r;
        }
        this.text += v + SEP;
        if (!this.userInfo && mayHoldUserInfo(v)) this.userInfo = true;
        return v;
      }
      const r = redactScalar(v, null, keyCls, NONE);
      if (typeof r === 'string') this.see(r);
      return r;
    }
    if (typeof v === 'number') {
      const r = redactScalar(v, null, keyCls, NONE);
      if (typeof r === 'string') {
        this.see(r);
        return r;
      }
      return typeof r === 'number' ? this.s.number(r) : r;
    }
    if (typeof v !== 'object') {
      if (typeof v !== 'boolean') this.opaque = true;
      return v;
    }
    if (depth > MAX_DEPTH) return FALLBACK;
    if (depth > this.maxDepth) this.maxDepth = depth;
    // a secret (by its key name) holds nothing shown, whatever it is
    if (keyCls === KEY_SECRET) {
      this.see(REDACTED);
      return REDACTED;
    }
    if (keyCls === KEY_PLAIN && depth > 0) {
      const p = partCopy(this.s, v, depth, this);
      if (p !== undefined) return p;
    }
    if (Array.isArray(v)) {
      if (Object.getPrototypeOf(v) !== ARRAY_PROTO) return FALLBACK;
      const n = v.length;
      const a: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const x: unknown = v[i];
        if (x === undefined && !(i in v)) return FALLBACK;
        const y = this.walk(x, keyCls, depth + 1);
        if (y === FALLBACK) return FALLBACK;
        a[i] = y;
      }
      return a;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== OBJECT_PROTO && proto !== null) return FALLBACK;
    const o: Record<string, unknown> = {};
    const keys = Object.keys(v);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k === '__proto__') return FALLBACK;
      const y = this.walk((v as Record<string, unknown>)[k], this.seeKey(k), depth + 1);
      if (y === FALLBACK) return FALLBACK;
      o[k] = y;
    }
    return o;
  }
}

/** The same copy with every string scrubbed one by one (something was found to hide). */
function exact(s: Scrubber, v: unknown, keyCls: number, depth: number): unknown {
  if (v === null || v === undefined) return v;
  if (typeof v === 'string') {
    const r = redactScalar(v, null, keyCls, NONE);
    return typeof r === 'string' ? s.text(r) : r;
  }
  if (typeof v === 'number') {
    const r = redactScalar(v, null, keyCls, NONE);
    return typeof r === 'string' ? s.text(r) : typeof r === 'number' ? s.number(r) : r;
  }
  if (typeof v !== 'object') return v;
  if (depth > MAX_DEPTH) return FALLBACK;
  if (keyCls === KEY_SECRET) return s.text(REDACTED);
  if (keyCls === KEY_PLAIN && depth > 0) {
    const p = partCopy(s, v, depth);
    if (p !== undefined) return p;
  }
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== ARRAY_PROTO) return FALLBACK;
    const n = v.length;
    const a: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const x: unknown = v[i];
      if (x === undefined && !(i in v)) return FALLBACK;
      const y = exact(s, x, keyCls, depth + 1);
      if (y === FALLBACK) return FALLBACK;
      a[i] = y;
    }
    return a;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== OBJECT_PROTO && proto !== null) return FALLBACK;
  const o: Record<string, unknown> = {};
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    // a key that scrubbing renames (or that would set the prototype) is the two walks' business
    if (k === '__proto__' || s.text(k) !== k) return FALLBACK;
    const y = exact(s, (v as Record<string, unknown>)[k], keyClass(k), depth + 1);
    if (y === FALLBACK) return FALLBACK;
    o[k] = y;
  }
  return o;
}
