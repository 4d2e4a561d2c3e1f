/**
 * scrubRow: scrubValue's copy, and whether it is fresh JSON data — what lets the run write its
 * journal rows `plain` (the memory store then keeps them without another copy).
 */
import { describe, expect, it } from 'vitest';
import { scrubRow, scrubValue, sharePart, type RowFacts } from '../../src/executor/scrub-value.js';
import { createScrubber, redactValue } from '../../src/redact/index.js';

const s = createScrubber(['s3cret-value']);
const row = (v: unknown) => {
  const facts: RowFacts = { plain: true };
  const out = scrubRow(s, v, facts);
  return { out, plain: facts.plain };
};

describe('scrubRow', () => {
  it('gives scrubValue\'s copy, fresh, and says plain for JSON data', () => {
    for (const v of [null, undefined, true, 7, 'text', { a: 1, b: [1, 'x', null, undefined, { c: -0 }], d: undefined, e: NaN }, [{ card: '4111111111111111' }], { note: 'has s3cret-value in it' }]) {
      const { out, plain } = row(v);
      expect(out).toStrictEqual(scrubValue(s, v));
      expect(out).toStrictEqual(s.value(redactValue(v)));
      if (v !== null && typeof v === 'object') expect(out).not.toBe(v);
      // a copy that needed scrubbing value by value is not vouched for (but is still right)
      const text = JSON.stringify(v) ?? '';
      if (text.includes('s3cret') || text.includes('4111')) continue;
      expect(plain).toBe(true);
    }
  });

  it('does not say plain for a copy holding what JSON does not write', () => {
    const fn = () => 1;
    for (const v of [{ n: 10n }, { f: fn }, { s: Symbol('x') }, [1, [2n]], 5n]) {
      const { out, plain } = row(v);
      expect(plain).toBe(false);
      expect(out).toStrictEqual(scrubValue(s, v));
    }
  });

  it('nor for a shared part that holds it, whether the part is met first or again', () => {
    const part = { amount: 5n, ref: 'INV-1' };
    sharePart(part);
    expect(row({ request: part }).plain).toBe(false);
    expect(row({ lookup: { request: part } }).plain).toBe(false);
    const clean = { amount: 5, ref: 'INV-1' };
    sharePart(clean);
    expect(row({ request: clean }).plain).toBe(true);
    const again = row({ lookup: { request: clean } });
    expect(again.plain).toBe(true);
    expect((again.out as { lookup: { request: unknown } }).lookup.request).not.toBe(clean);
  });
});

describe('RecordBook', () => {
  it('writes plain only while every scrubbed part was vouched for as JSON data', async () => {
    const { RecordBook } = await import('../../src/executor/record-book.js');
    const { createMemoryStore } = await import('../../src/index.js');
    const inner = createMemoryStore();
    const hints: Array<boolean | undefined> = [];
    const store = Object.create(inner) as typeof inner;
    store.write = async (b) => {
      hints.push(b.plain);
      // BigInt is what the hint promises away: write it without the hint and it is refused
      return b.plain ? inner.write(b) : undefined;
    };
    const clock = { now: () => 1, sleep: async () => undefined };
    const scrub = <T>(v: T): T => scrubValue(s, v);
    const scrubR = <T>(v: T, f: RowFacts): T => scrubRow(s, v, f);
    const book = new RecordBook(store, 'm', 'K', 'r-1', clock, scrub, [], undefined, scrubR);
    await book.intent('sale', 'payments.sale', 'fp', 1, 1, 2, { params: { ref: 'K' } });
    await book.outcome('sale', 'payments.sale', { type: 'answer', outcome: 'succeeded' }, { output: { n: 10n } });
    await book.finish({ index: 0, outcome: 'succeeded', replayed: false, ids: {}, mapHash: 'h' });
    expect(hints).toEqual([true, false, false]);
    // without scrubRow nothing is marked plain
    hints.length = 0;
    const plainless = new RecordBook(store, 'm', 'K2', 'r-1', clock, scrub, [], undefined);
    await plainless.intent('sale', 'payments.sale', 'fp', 1, 1, 2, { params: { ref: 'K2' } });
    expect(hints).toEqual([false]);
  });
});
