/**
 * Everything a run writes or reports (results, journal rows) is redacted by key name and then
 * scrubbed by value: `scrubber.value(redactValue(v))`. The executor does both in one walk with
 * a joined check (src/executor/scrub-value.ts); it must give exactly what the two walks give —
 * the same strings, numbers, keys and key order, undefined kept, a fresh copy — on values
 * full of what the scrubber hides: known secrets (long and short), card numbers (grouped, in
 * text, as numbers, as keys), credentials by shape (URL user info, Bearer, apiKey=), sensitive
 * key names, and shapes the one walk leaves to the two (holes, class instances, deep nesting).
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { scrubValue, sharePart } from '../../src/executor/scrub-value.js';
import { createScrubber, redactValue, type Scrubber } from '../../src/redact/index.js';
import { rng } from '../expressions/generator.js';


const SECRET = 'tok_live_abcdef123456';
const SHORT = '987';
const KEYS = ['a', 'invoiceId', 'card', 'Token', 'cvv', 'CardNumber', 'pan', 'accountNumber', 'note', 'paymentMethod', 'creditCard',
  'paymentAccountNumber', 'securityCode', 'items', 'x.y', '0', 'x-revolv3-token', 'Authorization', 'apiKey', SECRET, SHORT, '4111111111111111',
  `k ${SECRET}`, 'https://u:p@h.example/', 'message', 'url', 'key 987'];
const STRINGS = ['', 'plain', 'USD', '[redacted]', '4111111111111111', '4111 1111 1111 1111', 'INV 9-4111111111111111', '2345678 4111111111111111',
  SHORT, `cvv ${SHORT}`, `x${SHORT}`, `1${SHORT}`, `${SHORT}.50`, SECRET, `prefix${SECRET}suffix`, 'Bearer abcdefghijk', 'basic QWxhZGRpbjpvcGVu',
  'https://user:pass@api.example.com/x', 'http://h.example/a@b', 'mail me at a@b.example', 'apiKey=zzzz1234', 'Authorization: Bearer tok',
  '"access_token":"abc"', '5500-0000-0000-0004', '12345678901234', '1795219200000', 'x-revolv3-token: s3cr3t', 'tok\u0000en', 'a\u0000987',
  '\u27E8steps.sale.id\u27E9', 'SECRET', 'plain text with token inside', 'encoded tok%5Flive'];
const NUMBERS = [0, -0, 1, 3.5, 987, 159.99, 1e12, 4111111111111111, 1234567890123, 5500000000000004, 1e21, -4111111111111111, NaN, Infinity, 1795219200000, 123456];

function value(r: () => number, depth: number, deep: boolean): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const x = r();
  if (deep && depth < 105 && x < 0.02) {
    // nesting deeper than redaction goes
    let v: unknown = pick(STRINGS);
    for (let i = 0; i < 105; i++) v = r() < 0.5 ? { note: v } : [v];
    return v;
  }
  if (depth > 5 || x < 0.3) return pick(STRINGS);
  if (x < 0.48) return pick(NUMBERS);
  if (x < 0.53) return pick([null, undefined, true, false]);
  if (x < 0.55) return pick([new Error(`failed for ${SECRET}`), new Date(0), new Map([[1, 2]]), Object.assign(Object.create(null), { note: SECRET, cvv: '1' })]);
  if (x < 0.7) {
    const a = Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1, deep));
    if (r() < 0.05) a.length += 2; // holes
    return a;
  }
  const o: Record<string, unknown> = r() < 0.02 ? (JSON.parse('{"__proto__": {"note": "x"}}') as Record<string, unknown>) : {};
  for (let i = Math.floor(r() * 6); i > 0; i--) o[pick(KEYS)] = value(r, depth + 1, deep);
  return o;
}

function scrubbers(): Scrubber[] {
  const run = createScrubber([SECRET, 'bench']);
  const record = run.child();
  record.add('4111111111111111', 'card');
  record.add(SHORT, 'secret');
  record.add(123456, 'secret');
  return [createScrubber(), run, record];
}

/**
 * Structure, key order, undefined and holes, prototypes: equal values (Object.is), the same own
 * keys in the same order, and prototypes that are the same or equal in turn (redactValue sets a
 * copy's prototype from a `__proto__` key: each call makes its own).
 */
function same(a: unknown, b: unknown, depth = 0): boolean {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return Object.is(a, b);
  if (depth > 400) return false;
  const pa: unknown = Object.getPrototypeOf(a);
  const pb: unknown = Object.getPrototypeOf(b);
  if (pa !== pb && !(pa !== null && pb !== null && pa !== Object.prototype && pb !== Object.prototype && same(pa, pb, depth + 1))) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Reflect.ownKeys(a);
  const kb = Reflect.ownKeys(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) => same((a as Record<PropertyKey, unknown>)[k], (b as Record<PropertyKey, unknown>)[k], depth + 1));
}

describe('scrubValue = scrubber.value(redactValue(v))', () => {
  it('gives the same on 12,000 seeded values, for three scrubbers', () => {
    const r = rng(20261202);
    let n = 0;
    for (const s of scrubbers()) {
      for (let i = 0; i < 4000; i++) {
        const v = value(r, 0, i % 50 === 0);
        const want = s.value(redactValue(v));
        const got = scrubValue(s, v);
        if (!same(got, want)) throw new Error(`case ${i}: ${inspect(v, { depth: 6 })}\nwant ${inspect(want, { depth: 6 })}\ngot  ${inspect(got, { depth: 6 })}`);
        n++;
      }
    }
    expect(n).toBe(12000);
  });

  it('gives the same for scalars at the top, where no number rule applies', () => {
    for (const s of scrubbers()) {
      for (const v of [...STRINGS, ...NUMBERS, ...KEYS, null, undefined, true]) expect(same(scrubValue(s, v), s.value(redactValue(v)))).toBe(true);
    }
  });

  it('builds a fresh copy, as redactValue does, and leaves the input as it was', () => {
    const [, , s] = scrubbers();
    const inner = { currency: 'USD', value: 1 };
    const v = { a: inner, b: [inner], card: '4111111111111111' };
    const before = JSON.stringify(v);
    const out = scrubValue(s!, v) as typeof v;
    expect(out).not.toBe(v);
    expect(out.a).not.toBe(inner);
    expect(out.b[0]).not.toBe(out.a);
    expect(JSON.stringify(v)).toBe(before);
  });

  it('hides what the scrubber knows even where the joined check runs (a known value inside a plain key and string)', () => {
    const [, , s] = scrubbers();
    const out = scrubValue(s!, { note: `paid with ${SECRET}`, [`k ${SECRET}`]: 1, nested: [{ m: `cvv ${SHORT}` }] });
    const text = JSON.stringify(out);
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/\b987\b/);
  });

  it('gives the same with shared parts (scrubbed once, copied after), however often and deep they recur, while the scrubber learns more', () => {
    const r = rng(20261203);
    // every object of a value, for marking some of them as parts
    const objects = (v: unknown, out: object[] = [], depth = 0): object[] => {
      if (v === null || typeof v !== 'object' || depth > 120) return out;
      out.push(v);
      for (const x of Object.values(v)) objects(x, out, depth + 1);
      return out;
    };
    let n = 0;
    for (let i = 0; i < 3000; i++) {
      const run = createScrubber([SECRET, 'bench']);
      const s = run.child();
      const part = value(r, 0, i % 40 === 0);
      const inner = objects(part);
      sharePart(part);
      for (const o of inner) if (r() < 0.2) sharePart(o);
      // the part in a journal row, then in the result (deeper), then after the scrubber learns a value
      const wrap = [{ request: part, params: { ref: 'x' } }, { steps: [{ request: { body: part, url: 'u' } }], again: part }, { note: [[[part]]] }];
      for (let k = 0; k < 6; k++) {
        if (k === 3) s.add(r() < 0.5 ? '4111111111111111' : SHORT, r() < 0.5 ? 'card' : 'secret');
        if (k === 4) run.add('plain', 'secret');
        const v = wrap[k % 3];
        const got = scrubValue(s, v);
        const want = s.value(redactValue(v));
        if (!same(got, want)) throw new Error(`case ${i}.${k}: ${inspect(v, { depth: 6 })}\nwant ${inspect(want, { depth: 6 })}\ngot  ${inspect(got, { depth: 6 })}`);
        n++;
      }
    }
    expect(n).toBe(18000);
  });

  it('a shared part that fits within the depth redaction goes where it was scrubbed, but not where it is met later, is walked in place there', () => {
    const [, , s] = scrubbers();
    for (let d = 92; d <= 101; d++) {
      let part: unknown = { note: `cvv ${SHORT}`, n: 4111111111111111 };
      for (let i = 0; i < d; i++) part = i % 2 ? { note: part } : [part];
      sharePart(part);
      for (let at = 1; at <= 8; at++) {
        let v: unknown = part;
        for (let i = 0; i < at; i++) v = { body: v };
        expect(same(scrubValue(s!, v), s!.value(redactValue(v)))).toBe(true);
      }
      // a part around it, scrubbed after it: as deep as the inner part makes it
      const outer = { wrap: part };
      sharePart(outer);
      for (let at = 1; at <= 8; at++) {
        let v: unknown = outer;
        for (let i = 0; i < at; i++) v = { body: v };
        expect(same(scrubValue(s!, v), s!.value(redactValue(v)))).toBe(true);
      }
    }
  });

  it('copies a shared part afresh each time', () => {
    const [, , s] = scrubbers();
    const part = { currency: 'USD', value: 1, card: '4111111111111111' };
    sharePart(part);
    const a = scrubValue(s!, { body: part }) as { body: object };
    const b = scrubValue(s!, { request: { body: part }, again: part }) as { request: { body: object }; again: object };
    expect(a.body).toEqual({ currency: 'USD', value: 1, card: '411111******1111' });
    expect(b.request.body).toEqual(a.body);
    expect(new Set([a.body, b.request.body, b.again]).size).toBe(3);
    expect(part.card).toBe('4111111111111111');
  });

  it('a part inside itself (a cycle) is walked in place, as before', () => {
    const [, , s] = scrubbers();
    const part: Record<string, unknown> = { note: SECRET };
    part.self = part;
    sharePart(part);
    const v = { body: part };
    expect(same(scrubValue(s!, v), s!.value(redactValue(v)))).toBe(true);
  });
});
