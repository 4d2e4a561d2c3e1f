import { hash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (i > 0) out += ',';
      out += v === undefined ? 'null' : canonicalJson(v);
    }
    return out + ']';
  }
  const o = value as Record<string, unknown>;
  // keys in UTF-16 code unit order (what the default sort does), undefined values left out
  const keys = Object.keys(o).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    out += (first ? '' : ',') + quotedKey(k) + ':' + canonicalJson(v);
    first = false;
  }
  return out + '}';
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
