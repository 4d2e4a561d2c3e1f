import { hash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so equal values give equal text. The text is
 * stored in journals (as a fingerprint), so it never changes: keys in UTF-16 code unit order
 * (what the default sort does), undefined left out of objects and null in arrays (and holes),
 * numbers as JSON writes them (-0 as 0, non-finite as null), strings escaped as JSON escapes
 * them, a function or symbol as null, and any other object by its own enumerable keys (toJSON
 * is not called). test/journal/fingerprint-pinned.test.ts pins the text.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      // Number::toString, as JSON.stringify writes a finite number (-0 as 0)
      return Number.isFinite(value) ? '' + value : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : Array.isArray(value) ? arrayJson(value) : objectJson(value as Record<string, unknown>);
    case 'bigint':
      // throws, as JSON does
      return JSON.stringify(value);
    default:
      // undefined, a function, a symbol
      return 'null';
  }
}

function arrayJson(a: readonly unknown[]): string {
  const n = a.length;
  if (n === 0) return '[]';
  let out = '[';
  for (let i = 0; i < n; i++) {
    const v = a[i];
    if (i > 0) out += ',';
    out += v === undefined ? 'null' : canonicalJson(v);
  }
  return out + ']';
}

function objectJson(o: Record<string, unknown>): string {
  const keys = Object.keys(o);
  const n = keys.length;
  if (n > 1) sortKeys(keys, n);
  let out = '{';
  let first = true;
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    const v = o[k];
    if (v === undefined) continue;
    out += (first ? '' : ',') + quotedKey(k) + ':' + canonicalJson(v);
    first = false;
  }
  return out + '}';
}

/**
 * Sorts key names in UTF-16 code unit order, in place: the default sort's order (`<` on
 * strings compares code units), by insertion for the few keys an object has — several times
 * faster than `sort()`, which converts and compares through its generic path.
 */
function sortKeys(a: string[], n: number): void {
  if (n > 16) {
    a.sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > x) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
}

/** A string as JSON.stringify writes it: quoted as it is when nothing in it needs escaping. */
function quote(s: string): string {
  const n = s.length;
  if (n > 64) return JSON.stringify(s);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    // control characters, quote, backslash, and surrogates (a lone one is escaped)
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

// a key as JSON writes it, for the few key names requests repeat
const quoted = new Map<string, string>();
function quotedKey(k: string): string {
  let q = quoted.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (k.length <= 200) {
      if (quoted.size >= 10_000) quoted.clear();
      quoted.set(k, q);
    }
  }
  return q;
}

/** sha256 (hex) of a value's canonical JSON. */
export function fingerprint(value: unknown): string {
  // one-shot hash: the same digest as createHash().update().digest(), without the Hash object
  return hash('sha256', canonicalJson(value), 'hex');
}

/** sha256 (hex) of a text. */
export function hashText(text: string): string {
  return hash('sha256', text, 'hex');
}
