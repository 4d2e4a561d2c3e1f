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

/**
 * `plain` (WriteBatch): the caller built the rows for this write, they hold only JSON data, and
 * it will not change them. The memory store then keeps them without copying; what a reader sees
 * must still be what a JSON round trip of the written rows gives, and nothing a caller can
 * still change (the batch and its arrays, what it read back) reaches what is stored.
 */
describe('memory store rows written plain', () => {
  it.each([{ transient: false }, { transient: true }])('read back as written: changing the batch, its arrays or what was read changes nothing stored (transient: $transient)', async (options) => {
    const store = createMemoryStore(options);
    const row = step({ invoiceId: 5, lines: [{ sku: 'A' }], n: -0, gone: undefined, list: [1, undefined] });
    const expected = JSON.parse(JSON.stringify(row));
    const batch = { records: [record], steps: [row], plain: true };
    await store.write(batch);
    // the batch and its arrays are the caller's: it may reuse them
    batch.steps.push({ ...step({ other: 1 }), stepId: 'capture' });
    batch.steps[0] = step({ replaced: true });
    batch.records.length = 0;
    const got = (await store.getRecord('m', 'K'))!;
    expect(got.steps).toStrictEqual([expected]);
    expect(got.record).toStrictEqual(record);
    // what is read is a copy
    (got.steps[0]!.output as { invoiceId: number }).invoiceId = 6;
    got.steps[0]!.ids['sale.id'] = 9;
    got.record.state = 'failed';
    const again = (await store.getRecord('m', 'K'))!;
    expect(again.steps).toStrictEqual([expected]);
    expect(again.record.state).toBe('succeeded');
    // a claim gives copies too, and leaves the written record object as the caller made it
    const claim = await store.claimRecord('m', 'K', 'r-2', T0 + 1, 60_000);
    expect(claim.ok).toBe(true);
    expect(record.leaseRun).toBe('r-1');
    if (claim.ok) {
      expect(claim.steps).toStrictEqual([expected]);
      claim.steps[0]!.state = 'failed';
      claim.record!.ids.x = 1;
    }
    expect((await store.getRecord('m', 'K'))!.steps).toStrictEqual([expected]);
    expect((await store.getRecord('m', 'K'))!.record.ids).toEqual({});
  });

  it('give the same rows, run records and events as the same batches written without the hint', async () => {
    const a = createMemoryStore();
    const b = createMemoryStore();
    await a.createRun({ runId: 'r-1', mapName: 'm', mapHash: 'h', mapFile: 'f', provider: 'p', startedAt: T0, status: 'running', host: 'h', pid: 1, heartbeatAt: T0 });
    await b.createRun({ runId: 'r-1', mapName: 'm', mapHash: 'h', mapFile: 'f', provider: 'p', startedAt: T0, status: 'running', host: 'h', pid: 1, heartbeatAt: T0 });
    const batches = () => [
      { steps: [step({ invoiceId: 1, nan: NaN, inf: Infinity })], events: [{ runId: 'r-1', scope: 'm', key: 'K', stepId: 'sale', from: 'planned', to: 'in-flight', at: T0, note: 'send attempt 1' }] },
      { records: [{ ...record, leaseRun: null }], runRecords: [{ runId: 'r-1', scope: 'm', key: 'K', index: 0, outcome: 'succeeded', replayed: false, ids: { 'sale.invoiceId': 1 }, at: T0 }] },
    ];
    for (const x of batches()) await a.write({ ...x, plain: true });
    for (const x of batches()) await b.write(x);
    expect(await a.getRecord('m', 'K')).toStrictEqual(await b.getRecord('m', 'K'));
    expect(await a.listRunRecords('r-1')).toStrictEqual(await b.listRunRecords('r-1'));
    expect(await a.listEvents('m', 'K')).toStrictEqual(await b.listEvents('m', 'K'));
    expect(await a.listRecords()).toStrictEqual(await b.listRecords());
  });
});
