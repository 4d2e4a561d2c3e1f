/**
 * The conformance suite every JournalStore must pass: the embedded SQLite store and the memory
 * store run it today (stores.test.ts); a PostgreSQL store for many workers must pass it too.
 *
 *   describeStoreConformance('postgres', async () => createPostgresStore(...));
 *
 * `makeStore` is called once per test and must return an empty store; the suite closes it.
 * What the suite pins down (the contract a store implements):
 * - runs: create (a second create of the same id is refused), patch, get, list newest first
 *   (ties by run id, descending), `limit`, `mapName`;
 * - claims: a record is taken atomically by one live run at a time; a holder is gone when its
 *   run ended, its process is dead on this host, or (another host) its heartbeat is older than
 *   `staleMs`; a claim answers what the journal knows of the record (row and steps);
 * - `write`: all rows of a batch or none; records, steps and run records are upserts by their
 *   identity ((scope, key), (scope, key, stepId), (runId, index)); events are appended in order;
 * - values come back exactly as written: optional fields absent (not `undefined`, not `null`),
 *   JSON values (ids, output, review, counts) deep-equal, numbers and strings unchanged.
 *   A record's `leaseRun` may come back as `null` where none was written (both mean "no holder").
 */
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventRow, JournalStore, RecordRow, RunRecordRow, RunRow, StepRow } from '../../src/index.js';

export type StoreFactory = () => JournalStore | Promise<JournalStore>;

const T0 = Date.parse('2026-11-21T00:00:00Z');
const HOST = hostname();
const STALE = 120_000;

/** A run of this process on this host (alive for every claim check). */
export function runRow(runId: string, patch: Partial<RunRow> = {}): RunRow {
  return { runId, mapName: 'map A', mapHash: 'h'.repeat(64), mapFile: 'maps/a.yaml', provider: 'revolv3', startedAt: T0, status: 'running', host: HOST, pid: process.pid, heartbeatAt: T0, ...patch };
}

export function recordRow(key: string, patch: Partial<RecordRow> = {}): RecordRow {
  return { scope: 'map A', key, state: 'succeeded', runId: 'r-1', mapHash: 'h'.repeat(64), createdAt: T0, updatedAt: T0 + 5, ids: {}, leaseRun: null, ...patch };
}

export function stepRow(key: string, stepId: string, patch: Partial<StepRow> = {}): StepRow {
  return { scope: 'map A', key, stepId, operation: 'payments.sale', state: 'succeeded', attempts: 1, runId: 'r-1', createdAt: T0, updatedAt: T0 + 5, ids: {}, ...patch };
}

export function runRecordRow(runId: string, index: number, key: string, patch: Partial<RunRecordRow> = {}): RunRecordRow {
  return { runId, scope: 'map A', key, index, outcome: 'succeeded', replayed: false, ids: {}, at: T0 + index, ...patch };
}

export function eventRow(key: string, to: string, patch: Partial<EventRow> = {}): EventRow {
  return { runId: 'r-1', scope: 'map A', key, to, at: T0, ...patch };
}

/** A process id that was alive and is now dead (a child spawned and killed, reaped). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => { child.once('spawn', resolve); child.once('error', reject); });
  const pid = child.pid!;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
  return pid;
}

/** A live child process (for a holder that is alive on this host but is not this process). */
export async function liveChild(): Promise<{ pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => { child.once('spawn', resolve); child.once('error', reject); });
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A record as read back, with "no holder" written one way (`leaseRun` absent ≡ null). */
const lease = (r: RecordRow): RecordRow => ({ ...r, leaseRun: r.leaseRun ?? null });
const byStep = (steps: StepRow[]): StepRow[] => [...steps].sort((a, b) => (a.stepId < b.stepId ? -1 : a.stepId > b.stepId ? 1 : 0));
const keysOf = (rows: RecordRow[]): string[] => rows.map((r) => `${r.scope}/${r.key}`).sort();

export function describeStoreConformance(name: string, makeStore: StoreFactory): void {
  describe(`JournalStore conformance: ${name}`, () => {
    let store: JournalStore;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('runs', () => {
      it('creates and reads a run exactly, with and without its optional fields', async () => {
        const full = runRow('r-full', { input: 'invoices.json', endedAt: T0 + 900, status: 'finished', counts: { succeeded: 2, 'needs-review': 1 } });
        const bare = runRow('r-bare');
        await store.createRun(full);
        await store.createRun(bare);
        expect(await store.getRun('r-full')).toStrictEqual(full);
        const got = await store.getRun('r-bare');
        expect(got).toStrictEqual(bare);
        expect(got).not.toHaveProperty('input');
        expect(got).not.toHaveProperty('endedAt');
        expect(got).not.toHaveProperty('counts');
        expect(await store.getRun('r-none')).toBeUndefined();
      });

      it('refuses a second run with the same id and keeps the first', async () => {
        await store.createRun(runRow('r-1', { mapName: 'first' }));
        await expect(store.createRun(runRow('r-1', { mapName: 'second' }))).rejects.toThrow();
        expect((await store.getRun('r-1'))!.mapName).toBe('first');
      });

      it('patches a run: status, end, heartbeat, counts; other fields unchanged', async () => {
        const run = runRow('r-1', { input: 'a.ndjson' });
        await store.createRun(run);
        await store.updateRun('r-1', { heartbeatAt: T0 + 20_000 });
        await store.updateRun('r-1', { status: 'interrupted', endedAt: T0 + 30_000, counts: { succeeded: 3, failed: 1 } });
        expect(await store.getRun('r-1')).toStrictEqual({ ...run, heartbeatAt: T0 + 20_000, status: 'interrupted', endedAt: T0 + 30_000, counts: { succeeded: 3, failed: 1 } });
        await store.updateRun('r-missing', { status: 'finished' });
        expect(await store.getRun('r-missing')).toBeUndefined();
      });

      it('lists runs newest first (ties by run id, descending), with limit and a map filter', async () => {
        await store.createRun(runRow('r-b', { startedAt: T0 + 10, mapName: 'map A' }));
        await store.createRun(runRow('r-a', { startedAt: T0 + 30, mapName: 'map B' }));
        await store.createRun(runRow('r-d', { startedAt: T0 + 20, mapName: 'map A' }));
        await store.createRun(runRow('r-c', { startedAt: T0 + 20, mapName: 'map B' }));
        await store.createRun(runRow('r-e', { startedAt: T0, mapName: 'map A' }));
        expect((await store.listRuns()).map((r) => r.runId)).toEqual(['r-a', 'r-d', 'r-c', 'r-b', 'r-e']);
        expect((await store.listRuns({ limit: 2 })).map((r) => r.runId)).toEqual(['r-a', 'r-d']);
        expect((await store.listRuns({ mapName: 'map A' })).map((r) => r.runId)).toEqual(['r-d', 'r-b', 'r-e']);
        expect((await store.listRuns({ mapName: 'map A', limit: 1 })).map((r) => r.runId)).toEqual(['r-d']);
        expect(await store.listRuns({ mapName: 'no such map' })).toEqual([]);
        const [first] = await store.listRuns({ limit: 1 });
        expect(first).toStrictEqual(runRow('r-a', { startedAt: T0 + 30, mapName: 'map B' }));
      });

      it('lists nothing in an empty store', async () => {
        expect(await store.listRuns()).toEqual([]);
        expect(await store.listRecords()).toEqual([]);
        expect(await store.listRunRecords('r-1')).toEqual([]);
        expect(await store.listEvents('map A', 'K')).toEqual([]);
        expect(await store.getRecord('map A', 'K')).toBeUndefined();
      });
    });

    describe('claimRecord', () => {
      it('grants a record the journal does not know, and it then exists as planned, held by the run', async () => {
        await store.createRun(runRow('r-1'));
        const c = await store.claimRecord('map A', 'K1', 'r-1', T0, STALE);
        expect(c).toStrictEqual({ ok: true, steps: [] });
        const got = await store.getRecord('map A', 'K1');
        expect(got!.steps).toEqual([]);
        expect(got!.record).toMatchObject({ scope: 'map A', key: 'K1', state: 'planned', runId: 'r-1', leaseRun: 'r-1' });
      });

      it('grants the same run again, with what the journal knows of the record', async () => {
        await store.createRun(runRow('r-1'));
        await store.claimRecord('map A', 'K1', 'r-1', T0, STALE);
        const again = await store.claimRecord('map A', 'K1', 'r-1', T0 + 1, STALE);
        expect(again.ok).toBe(true);
        if (!again.ok) return;
        expect(again.record).toMatchObject({ key: 'K1', state: 'planned', leaseRun: 'r-1' });
      });

      it('refuses a record another live run holds, naming the holder', async () => {
        await store.createRun(runRow('r-holder'));
        await store.createRun(runRow('r-other'));
        expect((await store.claimRecord('map A', 'K1', 'r-holder', T0, STALE)).ok).toBe(true);
        expect(await store.claimRecord('map A', 'K1', 'r-other', T0 + 1, STALE)).toStrictEqual({ ok: false, heldBy: 'r-holder' });
        // the refusal changed nothing: the holder still holds it
        expect((await store.getRecord('map A', 'K1'))!.record.leaseRun).toBe('r-holder');
        // another key, and the same key in another scope, are free
        expect((await store.claimRecord('map A', 'K2', 'r-other', T0 + 1, STALE)).ok).toBe(true);
        expect((await store.claimRecord('map B', 'K1', 'r-other', T0 + 1, STALE)).ok).toBe(true);
      });

      it('refuses while the holder is a live process on this host, even with an old heartbeat', async () => {
        const child = await liveChild();
        try {
          await store.createRun(runRow('r-holder', { pid: child.pid, heartbeatAt: T0 - 10 * STALE }));
          await store.createRun(runRow('r-other'));
          await store.claimRecord('map A', 'K1', 'r-holder', T0, STALE);
          expect(await store.claimRecord('map A', 'K1', 'r-other', T0 + 1, STALE)).toStrictEqual({ ok: false, heldBy: 'r-holder' });
        } finally {
          await child.stop();
        }
      });

      it('grants a record once its holder run has finished (or was interrupted)', async () => {
        for (const status of ['finished', 'interrupted'] as const) {
          const key = `K-${status}`;
          await store.createRun(runRow(`r-h-${status}`));
          await store.createRun(runRow(`r-o-${status}`));
          await store.claimRecord('map A', key, `r-h-${status}`, T0, STALE);
          expect((await store.claimRecord('map A', key, `r-o-${status}`, T0, STALE)).ok).toBe(false);
          await store.updateRun(`r-h-${status}`, { status, endedAt: T0 + 1 });
          const c = await store.claimRecord('map A', key, `r-o-${status}`, T0 + 2, STALE);
          expect(c.ok).toBe(true);
          expect((await store.getRecord('map A', key))!.record.leaseRun).toBe(`r-o-${status}`);
        }
      });

      it('grants a record whose holder process is dead on this host, however fresh its heartbeat', async () => {
        const pid = await deadPid();
        await store.createRun(runRow('r-dead', { pid, heartbeatAt: T0 + 1000 }));
        await store.createRun(runRow('r-next'));
        await store.claimRecord('map A', 'K1', 'r-dead', T0, STALE);
        const c = await store.claimRecord('map A', 'K1', 'r-next', T0 + 1000, STALE);
        expect(c.ok).toBe(true);
        expect((await store.getRecord('map A', 'K1'))!.record.leaseRun).toBe('r-next');
      });

      it('on another host: refuses within staleMs of the last heartbeat, grants after', async () => {
        await store.createRun(runRow('r-far', { host: 'another-host.invalid', pid: process.pid, heartbeatAt: T0 }));
        await store.createRun(runRow('r-here'));
        await store.claimRecord('map A', 'K1', 'r-far', T0, STALE);
        expect(await store.claimRecord('map A', 'K1', 'r-here', T0 + STALE, STALE)).toStrictEqual({ ok: false, heldBy: 'r-far' });
        // a heartbeat moves the deadline
        await store.updateRun('r-far', { heartbeatAt: T0 + 60_000 });
        expect((await store.claimRecord('map A', 'K1', 'r-here', T0 + STALE + 1, STALE)).ok).toBe(false);
        expect((await store.claimRecord('map A', 'K1', 'r-here', T0 + 60_000 + STALE + 1, STALE)).ok).toBe(true);
        expect((await store.getRecord('map A', 'K1'))!.record.leaseRun).toBe('r-here');
      });

      it('grants a record whose holder run is not in the journal, or that no run holds', async () => {
        await store.createRun(runRow('r-1'));
        await store.write({ records: [recordRow('K-ghost', { leaseRun: 'r-never-created' }), recordRow('K-free', { leaseRun: null })] });
        expect((await store.claimRecord('map A', 'K-ghost', 'r-1', T0, STALE)).ok).toBe(true);
        expect((await store.claimRecord('map A', 'K-free', 'r-1', T0, STALE)).ok).toBe(true);
      });

      it('answers what the journal knows: the record row and its steps', async () => {
        await store.createRun(runRow('r-2'));
        const rec = recordRow('K1', { state: 'needs-review', card: '411111…1111', ids: { 'sale.invoiceId': 1001 }, errorCode: 'run/needs-review', errorMessage: 'held' });
        const steps = [stepRow('K1', 'auth', { state: 'succeeded', output: { id: 7 } }), stepRow('K1', 'sale', { state: 'needs-review', review: { reference: { key: 'K1' }, reason: 'no lookup' } })];
        await store.write({ records: [rec], steps });
        const c = await store.claimRecord('map A', 'K1', 'r-2', T0 + 10, STALE);
        expect(c.ok).toBe(true);
        if (!c.ok) return;
        expect(lease(c.record!)).toStrictEqual({ ...rec, leaseRun: 'r-2' });
        expect(byStep(c.steps)).toStrictEqual(byStep(steps));
      });

      it('is atomic: of many runs claiming one record at once, exactly one is granted', async () => {
        const runs = Array.from({ length: 8 }, (_, i) => `r-${i}`);
        for (const r of runs) await store.createRun(runRow(r));
        const answers = await Promise.all(runs.map((r) => store.claimRecord('map A', 'K1', r, T0, STALE)));
        const granted = answers.map((a, i) => (a.ok ? runs[i] : undefined)).filter(Boolean);
        expect(granted).toHaveLength(1);
        for (const a of answers) if (!a.ok) expect(a.heldBy).toBe(granted[0]);
        expect((await store.getRecord('map A', 'K1'))!.record.leaseRun).toBe(granted[0]);
      });

      it('a record released by a finish (leaseRun null) can be taken by the next run', async () => {
        await store.createRun(runRow('r-1'));
        await store.createRun(runRow('r-2'));
        await store.claimRecord('map A', 'K1', 'r-1', T0, STALE);
        await store.write({ records: [recordRow('K1', { runId: 'r-1', leaseRun: null })] });
        const c = await store.claimRecord('map A', 'K1', 'r-2', T0 + 1, STALE);
        expect(c.ok).toBe(true);
        if (c.ok) expect(c.record).toMatchObject({ key: 'K1', state: 'succeeded', runId: 'r-1', leaseRun: 'r-2' });
      });
    });

    describe('write', () => {
      it('writes every kind of row in one batch, and reads each back', async () => {
        await store.write({
          records: [recordRow('K1')],
          steps: [stepRow('K1', 'sale')],
          runRecords: [runRecordRow('r-1', 0, 'K1')],
          events: [eventRow('K1', 'in-flight', { stepId: 'sale', from: 'planned' })],
        });
        expect(lease((await store.getRecord('map A', 'K1'))!.record)).toStrictEqual(recordRow('K1'));
        expect((await store.getRecord('map A', 'K1'))!.steps).toStrictEqual([stepRow('K1', 'sale')]);
        expect(await store.listRunRecords('r-1')).toStrictEqual([runRecordRow('r-1', 0, 'K1')]);
        expect(await store.listEvents('map A', 'K1')).toStrictEqual([eventRow('K1', 'in-flight', { stepId: 'sale', from: 'planned' })]);
      });

      it('an empty batch writes nothing and does not fail', async () => {
        await store.write({});
        await store.write({ records: [], steps: [], runRecords: [], events: [] });
        expect(await store.listRecords()).toEqual([]);
      });

      it('is atomic: a batch with a row that cannot be stored writes none of its rows', async () => {
        await store.write({ records: [recordRow('K0', { state: 'succeeded' })] });
        const circular: Record<string, unknown> = { a: 1 };
        circular.self = circular;
        const bad = [
          { what: 'a circular output', step: stepRow('K1', 'sale', { output: circular }) },
          { what: 'a BigInt in output', step: stepRow('K1', 'sale', { output: { n: 10n } }) },
        ];
        for (const { what, step } of bad) {
          await expect(
            store.write({
              records: [recordRow('K0', { state: 'failed' }), recordRow('K1')],
              steps: [stepRow('K0', 'sale'), step],
              runRecords: [runRecordRow('r-1', 0, 'K1')],
              events: [eventRow('K1', 'succeeded')],
            }),
            what,
          ).rejects.toThrow();
          expect((await store.getRecord('map A', 'K0'))!.record.state, what).toBe('succeeded');
          expect((await store.getRecord('map A', 'K0'))!.steps, what).toEqual([]);
          expect(await store.getRecord('map A', 'K1'), what).toBeUndefined();
          expect(await store.listRunRecords('r-1'), what).toEqual([]);
          expect(await store.listEvents('map A', 'K1'), what).toEqual([]);
        }
        // and the store still works
        await store.write({ records: [recordRow('K1')] });
        expect((await store.getRecord('map A', 'K1'))!.record.state).toBe('succeeded');
      });

      it('upserts records by (scope, key): the last write wins whole, optional fields cleared', async () => {
        await store.write({ records: [recordRow('K1', { state: 'needs-review', card: '411111…1111', ids: { a: 1 }, errorCode: 'run/needs-review', errorMessage: 'held', leaseRun: 'r-1' })] });
        await store.write({ records: [recordRow('K1', { state: 'succeeded', ids: { a: 1, b: 'x' }, resolvedAs: 'succeeded', updatedAt: T0 + 99 })] });
        const got = (await store.getRecord('map A', 'K1'))!.record;
        expect(lease(got)).toStrictEqual(recordRow('K1', { state: 'succeeded', ids: { a: 1, b: 'x' }, resolvedAs: 'succeeded', updatedAt: T0 + 99 }));
        expect(got).not.toHaveProperty('card');
        expect(got).not.toHaveProperty('errorCode');
        expect(await store.listRecords()).toHaveLength(1);
      });

      it('upserts steps by (scope, key, stepId)', async () => {
        await store.write({ steps: [stepRow('K1', 'sale', { state: 'in-flight', fingerprint: 'f1', sentAt: T0, deadlineAt: T0 + 30_000 })] });
        await store.write({ steps: [stepRow('K1', 'sale', { state: 'unknown', fingerprint: 'f1', sentAt: T0, deadlineAt: T0 + 30_000, errorCode: 'run/unknown-outcome' })] });
        await store.write({ steps: [stepRow('K1', 'sale', { state: 'succeeded', fingerprint: 'f1', attempts: 2, httpStatus: 200, output: { invoiceId: 5 }, ids: { 'sale.invoiceId': 5 }, reconciliation: 'adopted' })] });
        await store.write({ records: [recordRow('K1')], steps: [stepRow('K1', 'capture', { state: 'planned' }), stepRow('K2', 'sale')] });
        const got = (await store.getRecord('map A', 'K1'))!;
        expect(byStep(got.steps)).toStrictEqual([
          stepRow('K1', 'capture', { state: 'planned' }),
          stepRow('K1', 'sale', { state: 'succeeded', fingerprint: 'f1', attempts: 2, httpStatus: 200, output: { invoiceId: 5 }, ids: { 'sale.invoiceId': 5 }, reconciliation: 'adopted' }),
        ]);
        expect(got.steps.find((s) => s.stepId === 'sale')).not.toHaveProperty('errorCode');
        expect(got.steps.find((s) => s.stepId === 'sale')).not.toHaveProperty('sentAt');
      });

      it('upserts run records by (runId, index); other runs keep theirs', async () => {
        await store.write({ runRecords: [runRecordRow('r-1', 0, 'K1', { outcome: 'unknown', errorCode: 'run/unknown-outcome' }), runRecordRow('r-2', 0, 'K1', { outcome: 'succeeded', replayed: true })] });
        await store.write({ runRecords: [runRecordRow('r-1', 0, 'K1', { outcome: 'succeeded', ids: { x: 1 } })] });
        expect(await store.listRunRecords('r-1')).toStrictEqual([runRecordRow('r-1', 0, 'K1', { outcome: 'succeeded', ids: { x: 1 } })]);
        expect(await store.listRunRecords('r-2')).toStrictEqual([runRecordRow('r-2', 0, 'K1', { outcome: 'succeeded', replayed: true })]);
      });

      it('appends events: every write adds, none replaces', async () => {
        const e = eventRow('K1', 'in-flight', { stepId: 'sale', from: 'planned', note: 'send attempt 1' });
        await store.write({ events: [e] });
        await store.write({ events: [e] });
        expect(await store.listEvents('map A', 'K1')).toStrictEqual([e, e]);
      });
    });

    describe('reads', () => {
      it('getRecord returns the record with all of its steps and only its own', async () => {
        await store.write({
          records: [recordRow('K1'), recordRow('K2'), recordRow('K1', { scope: 'map B', state: 'failed' })],
          steps: [stepRow('K1', 'findClient', { operation: 'clients.find' }), stepRow('K1', 'order', { operation: 'orders.create', createdAt: T0 + 1 }), stepRow('K1', 'payment', { operation: 'payments.process', createdAt: T0 + 2 }), stepRow('K2', 'payment'), stepRow('K1', 'payment', { scope: 'map B', state: 'failed' })],
        });
        const got = (await store.getRecord('map A', 'K1'))!;
        expect(got.steps.map((s) => s.stepId).sort()).toEqual(['findClient', 'order', 'payment']);
        expect(got.steps.every((s) => s.scope === 'map A' && s.key === 'K1')).toBe(true);
        const b = (await store.getRecord('map B', 'K1'))!;
        expect(b.record.state).toBe('failed');
        expect(b.steps).toStrictEqual([stepRow('K1', 'payment', { scope: 'map B', state: 'failed' })]);
        expect(await store.getRecord('map A', 'K3')).toBeUndefined();
      });

      it('listRunRecords: only that run, ordered by index whatever the write order', async () => {
        await store.write({ runRecords: [runRecordRow('r-1', 2, 'K3'), runRecordRow('r-2', 1, 'K9')] });
        await store.write({ runRecords: [runRecordRow('r-1', 0, 'K1'), runRecordRow('r-1', 10, 'K11'), runRecordRow('r-1', 1, 'K2')] });
        expect((await store.listRunRecords('r-1')).map((r) => [r.index, r.key])).toEqual([[0, 'K1'], [1, 'K2'], [2, 'K3'], [10, 'K11']]);
        expect((await store.listRunRecords('r-2')).map((r) => r.key)).toEqual(['K9']);
        expect(await store.listRunRecords('r-3')).toEqual([]);
      });

      it('listRecords filters by scope, states and run, alone and together', async () => {
        await store.write({
          records: [
            recordRow('A1', { state: 'succeeded', runId: 'r-1' }),
            recordRow('A2', { state: 'needs-review', runId: 'r-1' }),
            recordRow('A3', { state: 'unknown', runId: 'r-2' }),
            recordRow('A4', { state: 'declined', runId: 'r-2' }),
            recordRow('B1', { scope: 'map B', state: 'needs-review', runId: 'r-3' }),
            recordRow('B2', { scope: 'map B', state: 'succeeded', runId: 'r-1' }),
          ],
        });
        expect(keysOf(await store.listRecords())).toEqual(['map A/A1', 'map A/A2', 'map A/A3', 'map A/A4', 'map B/B1', 'map B/B2']);
        expect(keysOf(await store.listRecords({ scope: 'map B' }))).toEqual(['map B/B1', 'map B/B2']);
        expect(keysOf(await store.listRecords({ states: ['needs-review'] }))).toEqual(['map A/A2', 'map B/B1']);
        expect(keysOf(await store.listRecords({ states: ['needs-review', 'unknown'] }))).toEqual(['map A/A2', 'map A/A3', 'map B/B1']);
        expect(keysOf(await store.listRecords({ runId: 'r-1' }))).toEqual(['map A/A1', 'map A/A2', 'map B/B2']);
        expect(keysOf(await store.listRecords({ scope: 'map A', states: ['needs-review', 'unknown', 'succeeded'], runId: 'r-1' }))).toEqual(['map A/A1', 'map A/A2']);
        expect(keysOf(await store.listRecords({ scope: 'map C' }))).toEqual([]);
        expect(keysOf(await store.listRecords({ states: ['in-flight'] }))).toEqual([]);
        const [a2] = await store.listRecords({ states: ['needs-review'], scope: 'map A' });
        expect(lease(a2!)).toStrictEqual(recordRow('A2', { state: 'needs-review', runId: 'r-1' }));
      });

      it('listEvents: that record\'s events, in the order they were written, across batches', async () => {
        const e1 = eventRow('K1', 'in-flight', { stepId: 'sale', from: 'planned', at: T0 + 5, note: 'send attempt 1' });
        const e2 = eventRow('K2', 'in-flight', { stepId: 'sale', from: 'planned', at: T0 });
        const e3 = eventRow('K1', 'unknown', { stepId: 'sale', from: 'in-flight', at: T0 + 1 });
        const e4 = eventRow('K1', 'needs-review', { stepId: 'sale', from: 'unknown', at: T0 + 1 });
        const e5 = eventRow('K1', 'succeeded', { runId: 'r-2', at: T0 });
        await store.write({ events: [e1, e2] });
        await store.write({ events: [e3] });
        await store.write({ events: [e4, e5] });
        expect(await store.listEvents('map A', 'K1')).toStrictEqual([e1, e3, e4, e5]);
        expect(await store.listEvents('map A', 'K2')).toStrictEqual([e2]);
        expect(await store.listEvents('map B', 'K1')).toStrictEqual([]);
      });
    });

    describe('markDelivery', () => {
      it('is true the first time an id is seen and false for every later delivery of it', async () => {
        expect(await store.markDelivery('wh-1', T0)).toBe(true);
        expect(await store.markDelivery('wh-1', T0 + 1)).toBe(false);
        expect(await store.markDelivery('wh-2', T0 + 2)).toBe(true);
        expect(await store.markDelivery('wh-1', T0 + 3)).toBe(false);
      });

      it('of many deliveries of one id at once, exactly one is first', async () => {
        const firsts = await Promise.all(Array.from({ length: 20 }, (_, i) => store.markDelivery('wh-same', T0 + i)));
        expect(firsts.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('values round-trip exactly', () => {
      const odd = 'ключ "quoted" \'single\' ; DROP TABLE records; -- 🙂 \\ \n\t%_';

      it('records: every field, and none of the optional ones', async () => {
        const full = recordRow(odd, { scope: `scope ${odd}`, state: 'needs-review', card: '555555…4444', ids: { 'sale.invoiceId': 1001, 'order.id': 'ord_7', 'neg': -3, 'f': 0.1 }, errorCode: 'run/needs-review', errorMessage: `held: ${odd}`, resolvedAs: 'not-charged', leaseRun: 'r-9', createdAt: 1, updatedAt: Number.MAX_SAFE_INTEGER });
        const bare: RecordRow = { scope: 'map A', key: 'K-bare', state: 'planned', runId: 'r-1', mapHash: '', createdAt: T0, updatedAt: T0, ids: {} };
        await store.write({ records: [full, bare] });
        expect((await store.getRecord(full.scope, full.key))!.record).toStrictEqual(full);
        const got = (await store.getRecord('map A', 'K-bare'))!.record;
        expect(lease(got)).toStrictEqual({ ...bare, leaseRun: null });
        for (const k of ['card', 'errorCode', 'errorMessage', 'resolvedAs']) expect(got).not.toHaveProperty(k);
      });

      it('steps: every field (JSON output and review), and none of the optional ones', async () => {
        const output = { invoiceId: 1001, status: 'Paid', card: '411111…1111', nested: { list: [1, 'two', null, true, false, 0, -0.5, { deep: [] }], empty: {}, unicode: odd }, nothing: null };
        const full = stepRow('K1', 'sale', {
          state: 'needs-review', fingerprint: 'a'.repeat(64), attempts: 3, sentAt: T0 + 1, deadlineAt: T0 + 30_001, httpStatus: 500,
          ids: { 'sale.invoiceId': 1001, 'sale.ref': 'FS-1' }, output, reconciliation: 'cannot-tell', errorCode: 'run/needs-review', errorMessage: odd,
          review: { reference: { key: 'K1', merchantInvoiceRefId: 'K1', n: 3 }, amount: 46.08, sentAt: T0 + 1, reason: 'the operation has no lookup' },
          lookup: { request: { invoice: { merchantInvoiceRefId: 'K1', amount: { value: 46.08 } }, card: '411111…1111' }, params: { merchantInvoiceRefId: 'K1' }, vars: { paymentId: 'p-1', nothing: null } },
          charged: { total: 46.08, tax: 0.5 },
        });
        const bare = stepRow('K1', 'order', { state: 'skipped', attempts: 0 });
        await store.write({ records: [recordRow('K1')], steps: [full, bare] });
        const steps = byStep((await store.getRecord('map A', 'K1'))?.steps ?? []);
        expect(steps).toStrictEqual([bare, full]);
        for (const k of ['fingerprint', 'sentAt', 'deadlineAt', 'httpStatus', 'output', 'reconciliation', 'errorCode', 'errorMessage', 'review', 'lookup', 'charged']) expect(steps[0]).not.toHaveProperty(k);
      });

      it('steps: outputs that are falsy or not objects come back as themselves', async () => {
        const outputs: unknown[] = [null, 0, false, '', 'null', [], 'text', 12.5, [null]];
        await store.write({ records: [recordRow('K1')], steps: outputs.map((output, i) => stepRow('K1', `s${i}`, { output })) });
        const steps = (await store.getRecord('map A', 'K1'))!.steps;
        for (let i = 0; i < outputs.length; i++) {
          const s = steps.find((x) => x.stepId === `s${i}`)!;
          expect(s).toHaveProperty('output');
          expect(s.output).toStrictEqual(outputs[i]);
        }
      });

      it('run records: every field (duplicateOf 0 included), and none of the optional ones', async () => {
        const full = runRecordRow('r-1', 1, odd, { outcome: 'skipped', replayed: true, duplicateOf: 0, card: '222240…0008', ids: { 'payment.paymentId': 'pay-1', n: 2 }, errorCode: 'run/duplicate-key', errorMessage: odd });
        const bare = runRecordRow('r-1', 0, 'K0');
        await store.write({ runRecords: [full, bare] });
        const got = await store.listRunRecords('r-1');
        expect(got).toStrictEqual([bare, full]);
        expect(typeof got[1]!.replayed).toBe('boolean');
        expect(typeof got[0]!.replayed).toBe('boolean');
        for (const k of ['duplicateOf', 'card', 'errorCode', 'errorMessage']) expect(got[0]).not.toHaveProperty(k);
      });

      it('events: every field, and none of the optional ones', async () => {
        const full = eventRow('K1', 'failed', { stepId: 'sale', from: 'in-flight', note: odd, at: T0 + 7 });
        const bare = eventRow('K1', 'succeeded');
        await store.write({ events: [full, bare] });
        const got = await store.listEvents('map A', 'K1');
        expect(got).toStrictEqual([full, bare]);
        for (const k of ['stepId', 'from', 'note']) expect(got[1]).not.toHaveProperty(k);
      });

      it('what a read returns is a copy: changing it changes nothing stored', async () => {
        await store.createRun(runRow('r-1', { counts: { succeeded: 1 } }));
        await store.write({ records: [recordRow('K1', { ids: { a: 1 } })], steps: [stepRow('K1', 'sale', { output: { v: 1 } })] });
        const run = (await store.getRun('r-1'))!;
        run.counts!.succeeded = 99;
        const got = (await store.getRecord('map A', 'K1'))!;
        got.record.ids.a = 2;
        (got.steps[0]!.output as { v: number }).v = 2;
        expect((await store.getRun('r-1'))!.counts).toEqual({ succeeded: 1 });
        expect((await store.getRecord('map A', 'K1'))!.record.ids).toEqual({ a: 1 });
        expect((await store.getRecord('map A', 'K1'))!.steps[0]!.output).toEqual({ v: 1 });
      });
    });
  });
}
