/**
 * The memory store keeps rows as JSON would store them (what the SQLite store gives back too):
 * a copy, never the caller's objects, with JSON's rules for odd values — undefined dropped or
 * null in arrays, -0 as 0, NaN as null, a Date as its ISO text, a class instance by its own
 * fields — and a row JSON cannot hold (circular, BigInt) refused.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/index.js';

const T0 = 1_800_000_000_000;
const step = (output: unknown) => ({ scope: 'm', key: 'K', stepId: 'sale', operation: 'payments.sale', state: 'succeeded' as const, attempts: 1, runId: 'r-1', createdAt: T0, updatedAt: T0, ids: { 'sale.id': 7 }, output });

const record = { scope: 'm', key: 'K', state: 'succeeded' as const, runId: 'r-1', mapHash: 'h', createdAt: T0, updatedAt: T0, ids: {}, leaseRun: 'r-1' };

class Point {
  constructor(readonly x: number, readonly y: number) {}
  get sum(): number { return this.x + this.y; }
}

describe('memory store rows', () => {
  it('are what a JSON round trip of the written row gives', async () => {
    const odd = {
      n: -0, nan: NaN, inf: -Infinity, when: new Date(T0), list: [1, undefined, () => 1, null, 'x'], gone: undefined, fn: () => 2,
      point: new Point(1, 2), map: new Map([['a', 1]]), nested: { deeper: { deepest: [{ a: [[[{ b: 1 }]]] }] } },
      withJson: { toJSON: () => ({ replaced: true }) }, text: 'caf\u00e9 \ud83d\ude00 \ud800', proto: JSON.parse('{"__proto__": {"x": 1}}'),
      deep: JSON.parse('['.repeat(80) + '1' + ']'.repeat(80)),
    };
    const row = step(odd);
    const store = createMemoryStore();
    await store.write({ records: [record], steps: [row] });
    const got = (await store.getRecord('m', 'K'))!.steps[0]!;
    expect(got).toStrictEqual(JSON.parse(JSON.stringify(row)));
    expect(Object.getPrototypeOf((got.output as { proto: object }).proto)).toBe(Object.prototype);
    expect(Object.keys((got.output as { proto: object }).proto)).toEqual(['__proto__']);
  });

  it('are copies: changing the written objects afterwards changes nothing stored', async () => {
    const output = { invoiceId: 5, lines: [{ sku: 'A' }] };
    const row = step(output);
    const store = createMemoryStore();
    await store.write({ records: [record], steps: [row] });
    output.lines[0]!.sku = 'B';
    row.ids['sale.id'] = 8;
    const got = (await store.getRecord('m', 'K'))!.steps[0]!;
    expect(got.output).toEqual({ invoiceId: 5, lines: [{ sku: 'A' }] });
    expect(got.ids).toEqual({ 'sale.id': 7 });
    // and what is read is a copy too
    (got.output as typeof output).invoiceId = 6;
    expect((await store.getRecord('m', 'K'))!.steps[0]!.output).toEqual({ invoiceId: 5, lines: [{ sku: 'A' }] });
  });

  it.each([{ transient: false }, { transient: true }])('refuse a row JSON cannot hold, writing nothing of the batch (transient: $transient)', async (options) => {
    const store = createMemoryStore(options);
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    for (const output of [circular, { n: 10n }]) {
      await expect(store.write({ records: [record], steps: [step({ ok: 1 }), { ...step(output), stepId: 'capture' }] })).rejects.toThrow(TypeError);
      expect(await store.getRecord('m', 'K')).toBeUndefined();
    }
  });
});
