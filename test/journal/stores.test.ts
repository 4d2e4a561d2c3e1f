/**
 * Both shipped journal stores pass the store conformance suite; the SQLite store also keeps its
 * rows across close and reopen, shows committed rows to another process, and refuses a journal
 * written by a newer datamap.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStore, createSqliteStore, DatamapError, openJournal } from '../../src/index.js';
import { describeStoreConformance, eventRow, recordRow, runRecordRow, runRow, stepRow } from './store-conformance.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
const dir = mkdtempSync(join(tmpdir(), 'datamap-stores-'));
let n = 0;
const tmpDb = () => join(dir, `j${++n}`, 'journal.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreConformance('memory', () => createMemoryStore());
describeStoreConformance('sqlite (file)', () => createSqliteStore(tmpDb()));

describe('SQLite store only', () => {
  const all = {
    run: runRow('r-1', { input: 'invoices.json', counts: { succeeded: 1, 'needs-review': 1 }, status: 'finished', endedAt: 1_800_000_000_000 }),
    records: [recordRow('K1', { card: '411111…1111', ids: { 'sale.invoiceId': 1001 } }), recordRow('K2', { state: 'needs-review', errorCode: 'run/needs-review', errorMessage: 'held' })],
    steps: [stepRow('K1', 'sale', { output: { invoiceId: 1001, status: 'Paid' }, ids: { 'sale.invoiceId': 1001 }, fingerprint: 'f'.repeat(64), httpStatus: 200 }), stepRow('K2', 'sale', { state: 'needs-review', review: { reference: { key: 'K2' }, reason: 'no lookup', amount: 12.5 } })],
    runRecords: [runRecordRow('r-1', 0, 'K1', { card: '411111…1111' }), runRecordRow('r-1', 1, 'K2', { outcome: 'needs-review' })],
    events: [eventRow('K1', 'in-flight', { from: 'planned', stepId: 'sale' }), eventRow('K1', 'succeeded', { from: 'in-flight', stepId: 'sale' })],
  };

  async function fill(path: string) {
    const store = createSqliteStore(path);
    await store.createRun(all.run);
    await store.write({ records: all.records, steps: all.steps, runRecords: all.runRecords, events: all.events });
    return store;
  }

  it('creates the file (and its folder), in WAL mode', async () => {
    const path = tmpDb();
    const store = await fill(path);
    expect(store.kind).toBe('sqlite');
    expect(store.location).toBe(path);
    expect(existsSync(path)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(true);
    await store.close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('keeps every row across close and reopen', async () => {
    const path = tmpDb();
    await (await fill(path)).close();
    const store = createSqliteStore(path);
    try {
      expect(await store.getRun('r-1')).toStrictEqual(all.run);
      for (const r of all.records) {
        const got = (await store.getRecord(r.scope, r.key))!;
        expect(got.record).toStrictEqual(r);
        expect(got.steps).toStrictEqual(all.steps.filter((s) => s.key === r.key));
      }
      expect(await store.listRunRecords('r-1')).toStrictEqual(all.runRecords);
      expect(await store.listEvents('map A', 'K1')).toStrictEqual(all.events);
      // and it goes on working: events keep their order after a reopen
      await store.write({ events: [eventRow('K1', 'succeeded', { note: 'after reopen' })] });
      expect((await store.listEvents('map A', 'K1')).map((e) => e.note)).toEqual([undefined, undefined, 'after reopen']);
    } finally {
      await store.close();
    }
  });

  it('a second process sees committed rows while the writer still has the file open', async () => {
    const path = tmpDb();
    const store = await fill(path);
    try {
      // one more write after the first: the reader must see it too (it is in the WAL, not checkpointed)
      await store.write({ records: [recordRow('K3', { state: 'failed' })], runRecords: [runRecordRow('r-1', 2, 'K3', { outcome: 'failed' })] });
      const script = `
        const Database = require('better-sqlite3');
        const db = new Database(process.argv[1], { readonly: true, fileMustExist: true });
        const out = {
          runs: db.prepare('SELECT run_id, status FROM runs').all(),
          records: db.prepare('SELECT key, state, card FROM records ORDER BY key').all(),
          runRecords: db.prepare('SELECT idx, key, outcome FROM run_records ORDER BY idx').all(),
          output: JSON.parse(db.prepare("SELECT output FROM steps WHERE key = 'K1'").get().output),
        };
        db.close();
        process.stdout.write(JSON.stringify(out));`;
      const seen = JSON.parse(execFileSync(process.execPath, ['-e', script, path], { cwd: ROOT, encoding: 'utf8' })) as Record<string, unknown>;
      expect(seen).toEqual({
        runs: [{ run_id: 'r-1', status: 'finished' }],
        records: [{ key: 'K1', state: 'succeeded', card: '411111…1111' }, { key: 'K2', state: 'needs-review', card: null }, { key: 'K3', state: 'failed', card: null }],
        runRecords: [{ idx: 0, key: 'K1', outcome: 'succeeded' }, { idx: 1, key: 'K2', outcome: 'needs-review' }, { idx: 2, key: 'K3', outcome: 'failed' }],
        output: { invoiceId: 1001, status: 'Paid' },
      });
    } finally {
      await store.close();
    }
  });

  it('a write that resolved in a process then SIGKILLed (no close, no checkpoint) is there for the next', async () => {
    const path = tmpDb();
    await (await fill(path)).close();
    // the child uses the real store from the build (npm ci builds dist/), resolves one write,
    // then dies at once: its rows are only in the WAL file it leaves behind
    const script = `
      const { createSqliteStore } = await import(${JSON.stringify(`${ROOT}dist/index.js`)});
      const store = createSqliteStore(process.argv[1]);
      await store.write({
        records: [{ scope: 'map A', key: 'K2', state: 'succeeded', runId: 'r-2', mapHash: 'h', createdAt: 1, updatedAt: 2, ids: { 'sale.invoiceId': 7 }, resolvedAs: 'succeeded', leaseRun: null }],
        events: [{ runId: 'r-2', scope: 'map A', key: 'K2', to: 'succeeded', at: 2, note: 'from the killed process' }],
      });
      process.kill(process.pid, 'SIGKILL');`;
    let signal: string | undefined;
    try {
      execFileSync(process.execPath, ['--input-type=module', '-e', script, path], { cwd: ROOT, stdio: 'pipe' });
    } catch (err) {
      signal = (err as { signal?: string }).signal;
    }
    expect(signal).toBe('SIGKILL');
    expect(existsSync(`${path}-wal`)).toBe(true);
    const store = createSqliteStore(path);
    try {
      expect((await store.getRecord('map A', 'K2'))!.record).toStrictEqual({ scope: 'map A', key: 'K2', state: 'succeeded', runId: 'r-2', mapHash: 'h', createdAt: all.records[1]!.createdAt, updatedAt: 2, ids: { 'sale.invoiceId': 7 }, resolvedAs: 'succeeded', leaseRun: null });
      expect((await store.listEvents('map A', 'K2')).map((e) => e.note)).toEqual(['from the killed process']);
    } finally {
      await store.close();
    }
  });

  it('refuses a journal written by a newer schema, with a clear error, and leaves it untouched', async () => {
    const path = tmpDb();
    await (await fill(path)).close();
    const db = new Database(path);
    db.prepare("UPDATE meta SET v = '3' WHERE k = 'schema'").run();
    db.close();
    expect(() => createSqliteStore(path)).toThrow(`journal ${path} was written by a newer datamap (schema 3; this one reads 2)`);
    let caught: unknown;
    try {
      openJournal(path);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DatamapError);
    const d = (caught as DatamapError).diagnostics[0]!;
    expect(d.code).toBe('journal/open-failed');
    expect(d.message).toContain('written by a newer datamap (schema 3; this one reads 2)');
    expect(d.hint).toBeTruthy();
    const check = new Database(path, { readonly: true });
    try {
      expect(check.prepare("SELECT v FROM meta WHERE k = 'schema'").get()).toEqual({ v: '3' });
      expect(check.prepare('SELECT count(*) AS n FROM records').get()).toEqual({ n: 2 });
    } finally {
      check.close();
    }
  });

  it('opens a journal of the current schema again without complaint', async () => {
    const path = tmpDb();
    await (await fill(path)).close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare("SELECT v FROM meta WHERE k = 'schema'").get()).toEqual({ v: '2' });
    db.close();
    const again = createSqliteStore(path);
    expect((await again.listRuns()).map((r) => r.runId)).toEqual(['r-1']);
    await again.close();
  });

  it('upgrades a journal of schema 1 in place: its rows kept, steps gain their lookup context, deliveries are remembered', async () => {
    const path = tmpDb();
    await (await fill(path)).close();
    // make it what a schema-1 datamap wrote: no lookup column, no deliveries table
    const db = new Database(path);
    db.exec('ALTER TABLE steps DROP COLUMN lookup; ALTER TABLE steps DROP COLUMN charged; DROP TABLE deliveries');
    db.prepare("UPDATE meta SET v = '1' WHERE k = 'schema'").run();
    const before = db.prepare('SELECT count(*) AS n FROM steps').get() as { n: number };
    db.close();
    const store = createSqliteStore(path);
    try {
      expect((await store.listRuns()).map((r) => r.runId)).toEqual(['r-1']);
      const lookup = { request: { invoice: { merchantInvoiceRefId: 'K9' } }, params: { merchantInvoiceRefId: 'K9' }, vars: { paymentId: 'p-1' } };
      await store.write({ records: [recordRow('K9')], steps: [stepRow('K9', 'sale', { state: 'in-flight', lookup })] });
      expect((await store.getRecord('map A', 'K9'))!.steps[0]!.lookup).toStrictEqual(lookup);
      expect(await store.markDelivery('d-1', 1)).toBe(true);
      expect(await store.markDelivery('d-1', 2)).toBe(false);
    } finally {
      await store.close();
    }
    const check = new Database(path, { readonly: true });
    try {
      expect(check.prepare("SELECT v FROM meta WHERE k = 'schema'").get()).toEqual({ v: '2' });
      expect((check.prepare('SELECT count(*) AS n FROM steps').get() as { n: number }).n).toBe(before.n + 1);
    } finally {
      check.close();
    }
  });

  it('remembers a delivery across close and reopen', async () => {
    const path = tmpDb();
    const a = createSqliteStore(path);
    expect(await a.markDelivery('wh-1', 1)).toBe(true);
    await a.close();
    const b = createSqliteStore(path);
    expect(await b.markDelivery('wh-1', 2)).toBe(false);
    expect(await b.markDelivery('wh-2', 2)).toBe(true);
    await b.close();
  });
});
