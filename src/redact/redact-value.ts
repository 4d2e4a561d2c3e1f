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
  return walk(value, '', undefined, paths, 0);
}

function walk(value: unknown, path: string, key: string | undefined, paths: SensitivePaths, depth: number): unknown {
  const k = key?.toLowerCase();
  if (value === null || value === undefined) return value;
  if (typeof value === 'string' || typeof value === 'number') {
    if (paths.secret.has(path) || (k !== undefined && SECRET_KEYS.has(k))) return REDACTED;
    if (paths.card.has(path) || (k !== undefined && CARD_KEYS.has(k) && /^\d[\d -]{11,}$/.test(String(value)))) return maskCardNumber(value);
    return typeof value === 'string' ? scrubText(value) : /^\d{13,19}$/.test(String(value)) ? Number(scrubText(String(value))) || REDACTED : value;
  }
  if (typeof value !== 'object' || depth > 100) return value;
  // a secret path may hold a whole object (a wallet payload): none of it is shown
  if (paths.secret.has(path) || (k !== undefined && SECRET_KEYS.has(k))) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => walk(v, `${path}[]`, key, paths, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    out[name] = walk(v, path ? `${path}.${name}` : name, name, paths, depth + 1);
  }
  return out;
}
