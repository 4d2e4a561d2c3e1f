import { maskCardNumber, maskCredentials, REDACTED, scrubText } from './mask.js';

/** How a known sensitive value is shown: a card as first 6 + last 4, anything else not at all. */
export type ScrubKind = 'card' | 'secret';

/** Values shorter than this are never searched for: they would garble unrelated text. */
export const MIN_SENSITIVE_LENGTH = 3;
/** Values at least this long are replaced wherever they occur; shorter ones only as a token of their own. */
export const ANYWHERE_LENGTH = 6;
/** A record cannot make the per-record set grow without bound. */
export const MAX_VALUES = 256;
/** Text that JSON.stringify and encodeURIComponent leave as it is, with no spaces or dashes (so no trimming or digit grouping either). */
export const PLAIN_VALUE = /^[A-Za-z0-9_.!~*'()]*$/;

interface Entry {
  value: string;
  replacement: string;
  /** For short values: matches the value only where it stands alone (not inside 1987 or A987). */
  re?: RegExp;
}

/**
 * Scrubs every string the engine emits: known sensitive values (credentials, issued tokens, the
 * card numbers, security codes, account numbers and secrets of the record at hand) by value,
 * card numbers by the Luhn check, and credentials by their shape (URL user info, auth headers).
 *
 * A run has one scrubber holding its credentials; each record gets a `child()` that adds the
 * record's own sensitive values and is dropped with it. `text()` and `value()` are cheap when
 * there is nothing to hide: `value()` copies only the parts of a value that change.
 */
export class Scrubber {
  private readonly own = new Map<string, Entry>();
  /** Values (with their kind) already added. */
  private readonly added = new Set<string>();
  private cache: Entry[] | undefined;

  constructor(private readonly parent?: Scrubber) {}

  /** A scrubber that knows everything this one knows, plus what is added to it. */
  child(): Scrubber {
    return new Scrubber(this);
  }

  /** Number of values searched for (this scrubber and its parents). */
  get size(): number {
    return this.own.size + (this.parent?.size ?? 0);
  }

  /** Adds a value known to be sensitive (strings and numbers; anything else is ignored). */
  add(value: unknown, kind: ScrubKind = 'secret'): this {
    if (typeof value !== 'string' && typeof value !== 'number') return this;
    const raw = String(value);
    // a value given again with the same kind adds nothing new (a record's card number is found
    // by its path, its field name and in the request body)
    const seenKey = kind === 'card' ? `c${raw}` : `s${raw}`;
    if (this.added.has(seenKey)) return this;
    // plain text (letters, digits, URI-safe marks) is its own JSON-escaped and URI-encoded form
    const plain = PLAIN_VALUE.test(raw);
    const text = plain ? raw : raw.trim();
    if (text.length < MIN_SENSITIVE_LENGTH || this.own.size >= MAX_VALUES) return this;
    if (this.added.size < MAX_VALUES * 4) this.added.add(seenKey);
    const replacement = kind === 'card' ? maskCardNumber(text) : REDACTED;
    const variants = plain ? new Set([text]) : new Set([text, JSON.stringify(text).slice(1, -1), encodeURIComponent(text)]);
    const digits = plain ? text : text.replace(/[\s-]/g, '');
    if (kind === 'card' && /^\d{13,19}$/.test(digits)) variants.add(digits);
    for (const v of variants) {
      if (v.length < MIN_SENSITIVE_LENGTH || this.own.has(v) || this.parent?.has(v)) continue;
      const entry: Entry = { value: v, replacement };
      // a short value counts only where it stands on its own: digits not inside a longer number
      // (`cvv 987`, `"987"`, `x987`, not `1987` or `987.50`), other text not inside a word
      if (v.length < ANYWHERE_LENGTH) entry.re = standaloneMatcher(v);
      this.own.set(v, entry);
    }
    this.cache = undefined;
    return this;
  }

  private lookup(value: string): Entry | undefined {
    return this.own.get(value) ?? this.parent?.lookup(value);
  }

  /** True when `value` is searched for. */
  has(value: string): boolean {
    return this.own.has(value) || (this.parent?.has(value) ?? false);
  }

  private entries(): Entry[] {
    if (!this.cache) {
      const all = [...(this.parent?.entries() ?? []), ...this.own.values()];
      // longest first, so a value that contains another is replaced whole
      this.cache = all.sort((a, b) => b.value.length - a.value.length);
    }
    return this.cache;
  }

  /**
   * True when `text()` would replace some known value (this scrubber's or a parent's) in
   * `text`. For several strings joined by U+0000 (not a digit or letter, so it bounds a short
   * value as a string's ends do), false means that `text()` replaces no known value in any of
   * them (the plan view uses it to skip a walk that would change nothing).
   */
  knowsAnyIn(text: string): boolean {
    for (const e of this.own.values()) {
      if (!text.includes(e.value)) continue;
      if (!e.re) return true;
      // a short value counts where it stands alone; U+0000 between joined strings is an edge
      e.re.lastIndex = 0;
      const hit = e.re.test(text);
      e.re.lastIndex = 0;
      if (hit) return true;
    }
    return this.parent?.knowsAnyIn(text) ?? false;
  }

  /** True when `value()` would replace this number (a known long value, or a card number). */
  changesNumber(v: number): boolean {
    const t = String(v);
    const known = this.lookup(t);
    if (known && known.value.length >= ANYWHERE_LENGTH) return true;
    return Number.isInteger(v) && t.length >= 13 && scrubText(t) !== t;
  }

  /** A string with every known sensitive value, card number and credential masked. */
  text(s: string): string {
    let out = s;
    for (const e of this.entries()) {
      if (!out.includes(e.value)) continue;
      if (e.re) {
        e.re.lastIndex = 0;
        out = out.replace(e.re, e.replacement);
      } else {
        out = out.split(e.value).join(e.replacement);
      }
    }
    return maskCredentials(scrubText(out));
  }

  /**
   * `value` with every string (keys included) scrubbed: a copy of the parts that change, the
   * parts in which nothing needs hiding as they are (`value` itself when nothing does).
   */
  value<T>(value: T): T {
    if (typeof value === 'string') return this.text(value) as T;
    if (value === null || typeof value !== 'object') return value;
    return this.walk(value, 0) as T;
  }

  /**
   * A number inside a value as `value()` shows it: replaced when it is a known long value or a
   * card number. Short known values (a 3-digit security code) are hidden in text only: as
   * numbers they would also hit ids and amounts that later steps need.
   */
  number(v: number): unknown {
    const t = String(v);
    const known = this.lookup(t);
    if (known && known.value.length >= ANYWHERE_LENGTH) return known.replacement;
    if (Number.isInteger(v) && t.length >= 13) {
      const s = scrubText(t);
      return s === t ? v : s;
    }
    return v;
  }

  private walk(v: unknown, depth: number): unknown {
    if (typeof v === 'string') return this.text(v);
    if (typeof v === 'number') return this.number(v);
    if (v === null || typeof v !== 'object') return v;
    if (depth > 200) return REDACTED;
    // copy on write: a part in which nothing changes is returned as it is, not rebuilt
    if (Array.isArray(v)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        const y = this.walk(x, depth + 1);
        if (out) out.push(y);
        else if (y !== x) out = [...v.slice(0, i), y];
      }
      return out ?? v;
    }
    if (v instanceof Error) return this.text(v.message);
    const entries = Object.entries(v as Record<string, unknown>);
    let changed = false;
    const keys: string[] = [];
    const values: unknown[] = [];
    for (const [k, x] of entries) {
      const nk = this.text(k);
      const nx = this.walk(x, depth + 1);
      if (nk !== k || nx !== x) changed = true;
      keys.push(nk);
      values.push(nx);
    }
    if (!changed) return v;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) out[keys[i]!] = values[i];
    return out;
  }
}

/** A scrubber for one run, knowing the given values (e.g. credentials) as secrets. */
export function createScrubber(secrets: Iterable<unknown> = []): Scrubber {
  const s = new Scrubber();
  for (const v of secrets) s.add(v, 'secret');
  return s;
}

// The matchers of short values, shared by every scrubber: a record's child scrubber would
// otherwise compile the same few (a 3-digit code) again for every record.
const matchers = new Map<string, RegExp>();

/** The (shared, global) regex that finds a short value where it stands on its own, as the scrubber does. */
export function standaloneMatcher(v: string): RegExp {
  let re = matchers.get(v);
  if (!re) {
    const edge = /^\d+$/.test(v) ? '0-9' : 'A-Za-z0-9';
    re = new RegExp(`(?<![${edge}*]|[0-9]\\.)${escapeRegExp(v)}(?![${edge}]|\\.[0-9])`, 'g');
    if (matchers.size >= 10_000) matchers.clear();
    matchers.set(v, re);
  }
  return re;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
