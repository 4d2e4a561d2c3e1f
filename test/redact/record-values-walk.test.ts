/**
 * The values a record carries under sensitively named fields (card numbers, security codes,
 * tokens…), wherever they are: the record walk remembers each place's names in the order
 * records gave them (a skeleton shared by all records) instead of looking each name's class up.
 * It must find exactly what the plain walk finds — the same values, kinds and order — whatever
 * the records look like: the same shape again and again, names in another order, new names,
 * arrays, deep nesting, enumerable names on a prototype, more places than the skeleton keeps.
 * The oracle below is the plain walk (Object.keys, a regular expression per name).
 */
import { describe, expect, it } from 'vitest';
import { collectRecordValues, type RedactionPlan } from '../../src/redact/record-values.js';
import type { ScrubKind } from '../../src/redact/index.js';
import { rng } from '../helpers/seeded.js';

const CARD_NAME = /^(card_?number|cardnumber|credit_?card_?number|pan|payment_?account_?number|primary_?account_?number)$/i;
const SECRET_NAME = /^(cvv2?|cvc2?|cid|csc|security_?code|card_?code|credit_card_cvv|card_?cvv|account_?number|routing_?number|iban|password|passwd|secret|client_?secret|api_?key|token|access_?token|refresh_?token|network_?token|cavv)$/i;

function leaves(v: unknown, kind: ScrubKind, depth: number, out: Array<[string | number, ScrubKind]>): void {
  if (typeof v === 'string' || typeof v === 'number') {
    out.push([v, kind]);
    return;
  }
  if (v === null || typeof v !== 'object' || depth > 16) return;
  for (const x of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) leaves(x, kind, depth + 1, out);
}

/** The plain walk: values and depths as a stack, Object.keys per object, each name tested. */
function oracle(record: unknown): Array<[string | number, ScrubKind]> {
  const out: Array<[string | number, ScrubKind]> = [];
  const values: unknown[] = [record];
  const depths: number[] = [0];
  let budget = 10_000;
  while (values.length > 0 && budget-- > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (v === null || typeof v !== 'object' || depth > 64) continue;
    if (Array.isArray(v)) {
      for (const x of v) {
        values.push(x);
        depths.push(depth + 1);
      }
      continue;
    }
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      if (CARD_NAME.test(k)) leaves(x, 'card', 0, out);
      else if (SECRET_NAME.test(k)) leaves(x, 'secret', 0, out);
      else if (x !== null && typeof x === 'object') {
        values.push(x);
        depths.push(depth + 1);
      }
    }
  }
  return out;
}

const NO_PATHS: RedactionPlan = { paths: [] };

function walked(record: unknown): Array<[string | number, ScrubKind]> {
  const values: Array<string | number> = [];
  const kinds: ScrubKind[] = [];
  collectRecordValues(NO_PATHS, record, values, kinds);
  return values.map((v, i) => [v, kinds[i]!]);
}

const NAMES = ['id', 'name', 'card', 'number', 'cvv', 'CVV2', 'cardNumber', 'card_number', 'pan', 'token', 'Token', 'accessToken', 'account_number', 'iban', 'note', 'lines', 'payment', 'customer', 'password', 'pin', '0', '1', 'x.y', 'a/b'];
const LEAVES: unknown[] = ['', 'plain', '4111111111111111', '123', 987, 4111111111111111, null, true, 'tok_abcdefgh'];

function value(r: () => number, depth: number, names: readonly string[]): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const x = r();
  if (depth > 5 || x < 0.35) return pick(LEAVES);
  if (x < 0.55) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1, names));
  const o: Record<string, unknown> = {};
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) o[pick(names)] = value(r, depth + 1, names);
  return o;
}

describe('record values under sensitive names (the skeleton walk)', () => {
  it('finds what the plain walk finds over random records, shapes repeated and shuffled', () => {
    const r = rng(4242);
    const shapes = Array.from({ length: 12 }, () => value(r, 0, NAMES));
    for (let i = 0; i < 4000; i++) {
      // mostly a shape seen before (the skeleton's order hits), sometimes a new one
      const rec = r() < 0.7 ? structuredClone(shapes[i % shapes.length]) : value(r, 0, NAMES);
      const record = { wrap: rec, cvv: r() < 0.3 ? String(i) : undefined, list: [rec, { pan: i }] };
      expect(walked(record), `record ${i}`).toEqual(oracle(record));
    }
  });

  it('the same names in another order, and a record that is an array', () => {
    const a = { customer: { name: 'A', card: { number: '4111111111111111', cvv: '123' } }, token: 'tok_1' };
    const b = { token: 'tok_2', customer: { card: { cvv: '456', number: '5500000000000004' }, name: 'B' } };
    for (const rec of [a, b, a, b, [a, b], [[b]]]) expect(walked(rec)).toEqual(oracle(rec));
    expect(walked(b)).toEqual([['tok_2', 'secret'], ['456', 'secret']]);
  });

  it('skips enumerable names of a prototype, as Object.keys does', () => {
    const proto = { cvv: 'from-the-prototype', token: 'proto-token' };
    const rec = Object.create(proto) as Record<string, unknown>;
    rec.name = 'own';
    rec.password = 'own-password';
    expect(walked(rec)).toEqual(oracle(rec));
    expect(walked(rec)).toEqual([['own-password', 'secret']]);
  });

  it('stops where the plain walk stops: 64 levels down, 10,000 values', () => {
    let deep: unknown = { cvv: 'at-the-bottom' };
    for (let i = 0; i < 70; i++) deep = { next: deep };
    expect(walked(deep)).toEqual(oracle(deep));
    expect(walked(deep)).toEqual([]);
    const wide = Array.from({ length: 12_000 }, (_, i) => ({ token: `t${i}` }));
    expect(walked(wide)).toEqual(oracle(wide));
  });

  it('records with more distinct names than the skeleton keeps (a map keyed by ids) give the same values', () => {
    const r = rng(7);
    for (let round = 0; round < 3; round++) {
      const byId: Record<string, unknown> = {};
      for (let i = 0; i < 5000; i++) byId[`id-${round}-${i}`] = { token: `t${round}-${i}`, note: 'n', [`k${i}`]: { cvv: String(i) } };
      expect(walked(byId)).toEqual(oracle(byId));
      const rec = value(r, 0, NAMES);
      expect(walked(rec)).toEqual(oracle(rec));
    }
  });
});
