/**
 * redactValue walks a value by key names alone when there are no sensitive paths, and builds
 * paths only where a sensitive path can still be below; both must give exactly what the plain
 * path-building walk gives. The oracle below is that walk as it was written first.
 */
import { describe, expect, it } from 'vitest';
import { maskCardNumber, REDACTED, redactValue, scrubText, sensitivePaths, type SensitivePaths } from '../../src/redact/index.js';
import { rng } from '../expressions/generator.js';

const CARD_KEYS = new Set(['paymentaccountnumber', 'cardnumber', 'pan', 'accountnumber', 'card_number']);
const SECRET_KEYS = new Set([
  'securitycode', 'cvv', 'cvv2', 'cvc', 'cvc2', 'cid', 'csc', 'password', 'secret', 'clientsecret', 'client_secret',
  'access_token', 'accesstoken', 'refresh_token', 'token', 'authorization', 'x-revolv3-token', 'apikey', 'api_key',
]);

function oracle(value: unknown, path: string, key: string | undefined, paths: SensitivePaths, depth: number): unknown {
  const k = key?.toLowerCase();
  if (value === null || value === undefined) return value;
  if (typeof value === 'string' || typeof value === 'number') {
    if (paths.secret.has(path) || (k !== undefined && SECRET_KEYS.has(k))) return REDACTED;
    if (paths.card.has(path) || (k !== undefined && CARD_KEYS.has(k) && /^\d[\d -]{11,}$/.test(String(value)))) return maskCardNumber(value);
    return typeof value === 'string' ? scrubText(value) : /^\d{13,19}$/.test(String(value)) ? Number(scrubText(String(value))) || REDACTED : value;
  }
  if (typeof value !== 'object' || depth > 100) return value;
  if (paths.secret.has(path) || (k !== undefined && SECRET_KEYS.has(k))) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => oracle(v, `${path}[]`, key, paths, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) out[name] = oracle(v, path ? `${path}.${name}` : name, name, paths, depth + 1);
  return out;
}


const KEYS = ['a', 'b', 'card', 'Token', 'cvv', 'CardNumber', 'pan', 'accountNumber', 'note', 'paymentMethod', 'creditCard', 'paymentAccountNumber', 'securityCode', 'items', 'x.y', '0'];
const STRINGS = ['', 'plain', '4111111111111111', '4111 1111 1111 1111', 'INV 9-4111111111111111', '1234567 4111111111111111', '987', 'Bearer abcdefghijk', '5500-0000-0000-0004', '12345678901234'];
const NUMBERS = [0, -0, 1, 3.5, 987, 1e12, 4111111111111111, 1234567890123, 5500000000000004, 1e21, -4111111111111111, NaN, Infinity];

function value(r: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const x = r();
  if (depth > 4 || x < 0.3) return pick(STRINGS);
  if (x < 0.5) return pick(NUMBERS);
  if (x < 0.55) return pick([null, undefined, true, false]);
  if (x < 0.7) {
    const a = Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
    if (r() < 0.1) a.length += 2; // holes
    return a;
  }
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) o[pick(KEYS)] = value(r, depth + 1);
  return o;
}

const SPECS: SensitivePaths[] = [
  sensitivePaths(undefined),
  sensitivePaths({ cardNumber: ['paymentMethod.creditCard.paymentAccountNumber', 'card'], securityCode: ['paymentMethod.creditCard.securityCode'] }),
  sensitivePaths({ cardNumber: ['items[].card', 'a[]'], secret: ['b', 'x.y.note'] }),
  sensitivePaths({ secret: ['paymentMethod'] }),
];

describe('redactValue', () => {
  it.each(SPECS.map((paths, i) => ({ name: `paths set ${i + 1}`, i, paths })))('gives what the path-building walk gives ($name, 3000 seeded values)', ({ i, paths }) => {
    const r = rng(12 + i);
    for (let n = 0; n < 3000; n++) {
      const v = value(r, 0);
      expect(redactValue(v, paths), JSON.stringify(v)).toStrictEqual(oracle(v, '', undefined, paths, 0));
    }
  });

  it('redacts the shipped shapes: a card at its path, its code, a card-like number and text anywhere', () => {
    const paths = sensitivePaths({ cardNumber: ['paymentMethod.creditCard.paymentAccountNumber'], securityCode: ['paymentMethod.creditCard.securityCode'] });
    const v = { paymentMethod: { creditCard: { paymentAccountNumber: '4111111111111111', securityCode: '987', expirationDate: '1228' } }, memo: 'card 4111 1111 1111 1111', ref: 4111111111111111, list: [{ cvv: 123 }] };
    expect(redactValue(v, paths)).toStrictEqual({
      paymentMethod: { creditCard: { paymentAccountNumber: '411111******1111', securityCode: REDACTED, expirationDate: '1228' } },
      memo: 'card 411111******1111',
      ref: REDACTED,
      list: [{ cvv: REDACTED }],
    });
    // a copy, never the value itself
    expect(redactValue(v)).not.toBe(v);
  });

  it('follows the paths of a set that grew after it was first used', () => {
    const paths = sensitivePaths({ secret: ['a'] });
    expect(redactValue({ a: 'x', b: { c: 'y' } }, paths)).toStrictEqual({ a: REDACTED, b: { c: 'y' } });
    paths.secret.add('b.c');
    expect(redactValue({ a: 'x', b: { c: 'y' } }, paths)).toStrictEqual({ a: REDACTED, b: { c: REDACTED } });
  });
});
