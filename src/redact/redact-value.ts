import type { OperationSpec, SensitiveSpec } from '../providers/pack-types.js';
import { maskCardNumber, REDACTED, scrubText } from './mask.js';

// Key names that are sensitive wherever they appear, whatever the schema says.
const CARD_KEYS = new Set(['paymentaccountnumber', 'cardnumber', 'pan', 'accountnumber', 'card_number']);
const SECRET_KEYS = new Set([
  'securitycode', 'cvv', 'cvv2', 'cvc', 'cvc2', 'cid', 'csc', 'password', 'secret', 'clientsecret', 'client_secret',
  'access_token', 'accesstoken', 'refresh_token', 'token', 'authorization', 'x-revolv3-token', 'apikey', 'api_key',
]);

/** Compiled lookup of a pack operation's sensitive paths. */
export interface SensitivePaths {
  card: Set<string>;
  secret: Set<string>;
}

/** Builds the lookup once per operation (dotted paths, `[]` for array elements). */
export function sensitivePaths(...specs: Array<SensitiveSpec | undefined>): SensitivePaths {
  const card = new Set<string>();
  const secret = new Set<string>();
  for (const s of specs) {
    for (const p of s?.cardNumber ?? []) card.add(p);
    for (const p of [...(s?.securityCode ?? []), ...(s?.secret ?? [])]) secret.add(p);
  }
  return { card, secret };
}

const byOperation = new WeakMap<OperationSpec, SensitivePaths>();

/** The sensitive paths of an operation, built once per operation. */
export function operationPaths(op: OperationSpec): SensitivePaths {
  let p = byOperation.get(op);
  if (!p) {
    p = sensitivePaths(op.sensitive);
    byOperation.set(op, p);
  }
  return p;
}

const NONE: SensitivePaths = { card: new Set(), secret: new Set() };

/**
 * Returns a copy of `value` safe to print: declared card numbers as first 6 + last 4,
 * security codes and secrets removed, and any other Luhn-valid digit run masked.
 */
export function redactValue(value: unknown, paths: SensitivePaths = NONE): unknown {
  // without sensitive paths (most calls) no path needs to be built
  if (paths.card.size === 0 && paths.secret.size === 0) return walkByName(value, undefined, 0);
  return walk(value, '', undefined, paths, 0);
}

/** A leaf: a string or number that is not under a secret or card path or key. */
function leaf(value: string | number): unknown {
  if (typeof value === 'string') return scrubText(value);
  // only a whole number of 13-19 digits can be a card number (String(n) has no leading zeros)
  return value >= 1e12 && /^\d{13,19}$/.test(String(value)) ? Number(scrubText(String(value))) || REDACTED : value;
}

/** `walk` with no sensitive paths: by key names alone. */
function walkByName(value: unknown, key: string | undefined, depth: number): unknown {
  if (value === null || value === undefined) return value;
  const t = typeof value;
  if (t === 'string' || t === 'number') {
    if (key !== undefined) {
      const k = key.toLowerCase();
      if (SECRET_KEYS.has(k)) return REDACTED;
      if (CARD_KEYS.has(k) && /^\d[\d -]{11,}$/.test(String(value))) return maskCardNumber(value as string | number);
    }
    return leaf(value as string | number);
  }
  if (t !== 'object' || depth > 100) return value;
  if (key !== undefined && SECRET_KEYS.has(key.toLowerCase())) return REDACTED;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    // as Array.prototype.map: a hole stays a hole
    for (let i = 0; i < value.length; i++) if (i in value) out[i] = walkByName(value[i], key, depth + 1);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(value as Record<string, unknown>)) out[name] = walkByName((value as Record<string, unknown>)[name], name, depth + 1);
  return out;
}

function walk(value: unknown, path: string, key: string | undefined, paths: SensitivePaths, depth: number): unknown {
  const k = key?.toLowerCase();
  if (value === null || value === undefined) return value;
  if (typeof value === 'string' || typeof value === 'number') {
    if (paths.secret.has(path) || (k !== undefined && SECRET_KEYS.has(k))) return REDACTED;
    if (paths.card.has(path) || (k !== undefined && CARD_KEYS.has(k) && /^\d[\d -]{11,}$/.test(String(value)))) return maskCardNumber(value);
    return leaf(value);
  }
  if (typeof value !== 'object' || depth > 100) return value;
  // a secret path may hold a whole object (a wallet payload): none of it is shown
  if (paths.secret.has(path) || (k !== undefined && SECRET_KEYS.has(k))) return REDACTED;
  if (Array.isArray(value)) {
    const p = `${path}[]`;
    return value.map(relevantPaths(paths).has(p) ? (v) => walk(v, p, key, paths, depth + 1) : (v) => walkByName(v, key, depth + 1));
  }
  const out: Record<string, unknown> = {};
  const relevant = relevantPaths(paths);
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    const p = path ? `${path}.${name}` : name;
    // no sensitive path at or below this one: by key names alone from here on
    out[name] = relevant.has(p) ? walk(v, p, name, paths, depth + 1) : walkByName(v, name, depth + 1);
  }
  return out;
}

const relevantOf = new WeakMap<SensitivePaths, { set: Set<string>; card: number; secret: number }>();

/** Every path `walk` can be at with a sensitive path at or below it: each one's prefixes and itself. */
function relevantPaths(paths: SensitivePaths): Set<string> {
  let r = relevantOf.get(paths);
  // built once per paths object (again if its sets were added to since)
  if (!r || r.card !== paths.card.size || r.secret !== paths.secret.size) {
    const set = new Set<string>();
    for (const p of [...paths.card, ...paths.secret]) {
      set.add(p);
      for (let i = 1; i < p.length; i++) if (p[i] === '.' || p[i] === '[') set.add(p.slice(0, i));
    }
    r = { set, card: paths.card.size, secret: paths.secret.size };
    relevantOf.set(paths, r);
  }
  return r.set;
}
