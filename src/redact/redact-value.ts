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

/** What a key name says about its value wherever it is: nothing, a card number, a secret. */
export const KEY_PLAIN = 0;
export const KEY_CARD = 1;
export const KEY_SECRET = 2;
const keyClasses = new Map<string, number>();

/** The class of a key name (case-insensitive), memoised: bodies repeat the same few names. */
export function keyClass(key: string): number {
  let c = keyClasses.get(key);
  if (c === undefined) {
    const k = key.toLowerCase();
    c = SECRET_KEYS.has(k) ? KEY_SECRET : CARD_KEYS.has(k) ? KEY_CARD : KEY_PLAIN;
    if (keyClasses.size >= 10_000) keyClasses.clear();
    keyClasses.set(key, c);
  }
  return c;
}

/**
 * Where sensitive paths can still be below a path. A path that is no prefix (as text) of any
 * sensitive path can neither be one nor lead to one (a deeper path only adds characters), so
 * the walk stops building path strings there and checks key names only.
 */
export class SensitivePathIndex {
  private readonly all: string[];
  /** True when there is any sensitive path (the root path `''` is a prefix of each). */
  readonly root: boolean;

  constructor(paths: SensitivePaths) {
    this.all = [...paths.card, ...paths.secret];
    this.root = this.all.length > 0;
  }

  /**
   * The path of a child (`name` under an object, `[]` for an array item) when some sensitive
   * path starts with it, else null (tested without building the string).
   */
  child(path: string | null, name: string | undefined): string | null {
    if (path === null) return null;
    const sep = name === undefined ? '[]' : path ? '.' : '';
    const tail = name ?? '';
    const n = path.length + sep.length + tail.length;
    for (const s of this.all) {
      if (s.length >= n && s.startsWith(path) && s.startsWith(sep, path.length) && s.startsWith(tail, path.length + sep.length)) return path + sep + tail;
    }
    return null;
  }
}

const indexes = new WeakMap<SensitivePaths, { index: SensitivePathIndex; card: number; secret: number }>();

/** The index of a paths object, built once (again if its sets were added to since). */
export function pathIndex(paths: SensitivePaths): SensitivePathIndex {
  let r = indexes.get(paths);
  if (!r || r.card !== paths.card.size || r.secret !== paths.secret.size) {
    r = { index: new SensitivePathIndex(paths), card: paths.card.size, secret: paths.secret.size };
    indexes.set(paths, r);
  }
  return r.index;
}

/**
 * A string or number leaf as it may be shown: a secret (by path or key name) as [redacted], a
 * card number (by path, or by key name when it looks like one) as first 6 + last 4, any other
 * Luhn-valid digit run masked. `keyCls` is {@link keyClass} of the nearest key name.
 */
export function redactScalar(value: string | number, path: string | null, keyCls: number, paths: SensitivePaths): unknown {
  if (keyCls === KEY_SECRET || (path !== null && paths.secret.has(path))) return REDACTED;
  if ((path !== null && paths.card.has(path)) || (keyCls === KEY_CARD && /^\d[\d -]{11,}$/.test(String(value)))) return maskCardNumber(value);
  if (typeof value === 'string') return scrubText(value);
  // only an integer of 13 to 19 digits can be a card number
  if (!Number.isInteger(value) || value < 1e12 || value >= 1e19) return value;
  return /^\d{13,19}$/.test(String(value)) ? Number(scrubText(String(value))) || REDACTED : value;
}

/**
 * Returns a copy of `value` safe to print: declared card numbers as first 6 + last 4,
 * security codes and secrets removed, and any other Luhn-valid digit run masked.
 */
export function redactValue(value: unknown, paths: SensitivePaths = NONE): unknown {
  const index = pathIndex(paths);
  return walk(value, index.root ? '' : null, KEY_PLAIN, paths, index, 0);
}

function walk(value: unknown, path: string | null, keyCls: number, paths: SensitivePaths, index: SensitivePathIndex, depth: number): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string' || typeof value === 'number') return redactScalar(value, path, keyCls, paths);
  if (typeof value !== 'object' || depth > 100) return value;
  // a secret path may hold a whole object (a wallet payload): none of it is shown
  if (keyCls === KEY_SECRET || (path !== null && paths.secret.has(path))) return REDACTED;
  if (Array.isArray(value)) {
    const p = index.child(path, undefined);
    return value.map((v) => walk(v, p, keyCls, paths, index, depth + 1));
  }
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    out[name] = walk(v, index.child(path, name), keyClass(name), paths, index, depth + 1);
  }
  return out;
}
