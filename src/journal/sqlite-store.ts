import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { holderIsGone } from './liveness.js';
import type { ClaimResult, EventRow, JournalStore, RecordRow, RunRecordRow, RunRow, StepRow, WriteBatch } from './types.js';

const SCHEMA_VERSION = 2;

const DDL = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY, map_name TEXT NOT NULL, map_hash TEXT NOT NULL, map_file TEXT NOT NULL,
  provider TEXT NOT NULL, input TEXT, started_at INTEGER NOT NULL, ended_at INTEGER,
  status TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, heartbeat_at INTEGER NOT NULL, counts TEXT);
CREATE INDEX IF NOT EXISTS runs_started ON runs (started_at DESC);
CREATE TABLE IF NOT EXISTS records (
  scope TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, run_id TEXT NOT NULL, map_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, card TEXT, ids TEXT NOT NULL,
  error_code TEXT, error_message TEXT, resolved_as TEXT, lease_run TEXT,
  PRIMARY KEY (scope, key));
CREATE INDEX IF NOT EXISTS records_state ON records (state);
CREATE TABLE IF NOT EXISTS steps (
  scope TEXT NOT NULL, key TEXT NOT NULL, step_id TEXT NOT NULL, operation TEXT NOT NULL, state TEXT NOT NULL,
  fingerprint TEXT, attempts INTEGER NOT NULL, run_id TEXT NOT NULL, created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL, sent_at INTEGER, deadline_at INTEGER, http_status INTEGER, ids TEXT NOT NULL,
  output TEXT, reconciliation TEXT, error_code TEXT, error_message TEXT, review TEXT, lookup TEXT, charged TEXT,
  PRIMARY KEY (scope, key, step_id));
CREATE TABLE IF NOT EXISTS run_records (
  run_id TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, idx INTEGER NOT NULL, outcome TEXT NOT NULL,
  replayed INTEGER NOT NULL, duplicate_of INTEGER, card TEXT, ids TEXT NOT NULL, error_code TEXT,
  error_message TEXT, at INTEGER NOT NULL, PRIMARY KEY (run_id, idx));
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL,
  step_id TEXT, from_state TEXT, to_state TEXT NOT NULL, at INTEGER NOT NULL, note TEXT);
CREATE INDEX IF NOT EXISTS events_record ON events (scope, key);
CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, at INTEGER NOT NULL);
`;

type Row = Record<string, unknown>;
const j = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
const pj = <T>(v: unknown): T | undefined => (typeof v === 'string' ? (JSON.parse(v) as T) : undefined);
const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));

function toRun(r: Row): RunRow {
  const run: RunRow = {
    runId: r.run_id as string, mapName: r.map_name as string, mapHash: r.map_hash as string, mapFile: r.map_file as string,
    provider: r.provider as string, startedAt: r.started_at as number, status: r.status as RunRow['status'],
    host: r.host as string, pid: r.pid as number, heartbeatAt: r.heartbeat_at as number,
  };
  if (r.input != null) run.input = r.input as string;
  if (r.ended_at != null) run.endedAt = r.ended_at as number;
  if (r.counts != null) run.counts = pj(r.counts);
  return run;
}

function toRecord(r: Row): RecordRow {
  const rec: RecordRow = {
    scope: r.scope as string, key: r.key as string, state: r.state as RecordRow['state'], runId: r.run_id as string,
    mapHash: r.map_hash as string, createdAt: r.created_at as number, updatedAt: r.updated_at as number,
    ids: pj(r.ids) ?? {}, leaseRun: (r.lease_run as string | null) ?? null,
  };
  if (r.card != null) rec.card = r.card as string;
  if (r.error_code != null) rec.errorCode = r.error_code as string;
  if (r.error_message != null) rec.errorMessage = r.error_message as string;
  if (r.resolved_as != null) rec.resolvedAs = r.resolved_as as RecordRow['resolvedAs'];
  return rec;
}

function toStep(r: Row): StepRow {
  const s: StepRow = {
    scope: r.scope as string, key: r.key as string, stepId: r.step_id as string, operation: r.operation as string,
    state: r.state as StepRow['state'], attempts: r.attempts as number, runId: r.run_id as string,
    createdAt: r.created_at as number, updatedAt: r.updated_at as number, ids: pj(r.ids) ?? {},
  };
  const o = s as unknown as Record<string, unknown>;
  for (const [col, f] of [['fingerprint', 'fingerprint'], ['sent_at', 'sentAt'], ['deadline_at', 'deadlineAt'], ['http_status', 'httpStatus'], ['reconciliation', 'reconciliation'], ['error_code', 'errorCode'], ['error_message', 'errorMessage']] as const) {
    const v = opt(r[col]);
    if (v !== undefined) o[f] = v;
  }
  if (r.output != null) s.output = pj(r.output);
  if (r.review != null) s.review = pj(r.review);
  if (r.lookup != null) s.lookup = pj(r.lookup);
  if (r.charged != null) s.charged = pj(r.charged);
  return s;
}

function toRunRecord(r: Row): RunRecordRow {
  const x: RunRecordRow = {
    runId: r.run_id as string, scope: r.scope as string, key: r.key as string, index: r.idx as number,
    outcome: r.outcome as string, replayed: r.replayed === 1, ids: pj(r.ids) ?? {}, at: r.at as number,
  };
  if (r.duplicate_of != null) x.duplicateOf = r.duplicate_of as number;
  if (r.card != null) x.card = r.card as string;
  if (r.error_code != null) x.errorCode = r.error_code as string;
  if (r.error_message != null) x.errorMessage = r.error_message as string;
  return x;
}

/**
 * The embedded journal store: one SQLite file in WAL mode. Every committed write survives a
 * crash of the process; a `durable` batch (an intent before a send) is committed with
 * `synchronous=FULL`, an fsync of the log, so it also survives a crash of the machine, and with
 * it every write before it. Other writes commit with `synchronous=NORMAL` (no fsync): about
 * 80 times cheaper here, and losing one to a power loss is safe (see `WriteBatch.durable`).
 * Several processes may share the file; writes are serialised by SQLite and records are
 * claimed per run.
 */
export function createSqliteStore(path: string): JournalStore {
  const require = createRequire(import.meta.url);
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: 10_000 });
  db.pragma('journal_mode = WAL');
  // NORMAL between durable commits; FULL is switched on around each durable one
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const version = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get()
    ? (db.prepare('SELECT v FROM meta WHERE k = ?').get('schema') as { v: string } | undefined)
    : undefined;
  if (version && Number(version.v) > SCHEMA_VERSION) {
    db.close();
    throw new Error(`journal ${path} was written by a newer datamap (schema ${version.v}; this one reads ${SCHEMA_VERSION})`);
  }
  db.transaction(() => {
    db.exec(DDL);
    // schema 1 → 2: steps keep their lookup context and what was charged (a column missing from
    // an older file is added); webhook deliveries are remembered (a new table, made above)
    const have = new Set((db.prepare('PRAGMA table_info(steps)').all() as Array<{ name: string }>).map((c) => c.name));
    for (const col of ['lookup', 'charged']) if (!have.has(col)) db.exec(`ALTER TABLE steps ADD COLUMN ${col} TEXT`);
    db.prepare('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v').run('schema', String(SCHEMA_VERSION));
  }).immediate();

  const q = {
    insertRun: db.prepare(`INSERT INTO runs (run_id, map_name, map_hash, map_file, provider, input, started_at, ended_at, status, host, pid, heartbeat_at, counts)
      VALUES (@runId, @mapName, @mapHash, @mapFile, @provider, @input, @startedAt, @endedAt, @status, @host, @pid, @heartbeatAt, @counts)`),
    getRun: db.prepare('SELECT * FROM runs WHERE run_id = ?'),
    getRecord: db.prepare('SELECT * FROM records WHERE scope = ? AND key = ?'),
    getSteps: db.prepare('SELECT * FROM steps WHERE scope = ? AND key = ? ORDER BY created_at, step_id'),
    setLease: db.prepare('UPDATE records SET lease_run = ? WHERE scope = ? AND key = ?'),
    upsertRecord: db.prepare(`INSERT INTO records (scope, key, state, run_id, map_hash, created_at, updated_at, card, ids, error_code, error_message, resolved_as, lease_run)
      VALUES (@scope, @key, @state, @runId, @mapHash, @createdAt, @updatedAt, @card, @ids, @errorCode, @errorMessage, @resolvedAs, @leaseRun)
      ON CONFLICT (scope, key) DO UPDATE SET state = excluded.state, run_id = excluded.run_id, map_hash = excluded.map_hash,
        updated_at = excluded.updated_at, card = excluded.card, ids = excluded.ids, error_code = excluded.error_code,
        error_message = excluded.error_message, resolved_as = excluded.resolved_as, lease_run = excluded.lease_run`),
    upsertStep: db.prepare(`INSERT INTO steps (scope, key, step_id, operation, state, fingerprint, attempts, run_id, created_at, updated_at, sent_at, deadline_at, http_status, ids, output, reconciliation, error_code, error_message, review, lookup, charged)
      VALUES (@scope, @key, @stepId, @operation, @state, @fingerprint, @attempts, @runId, @createdAt, @updatedAt, @sentAt, @deadlineAt, @httpStatus, @ids, @output, @reconciliation, @errorCode, @errorMessage, @review, @lookup, @charged)
      ON CONFLICT (scope, key, step_id) DO UPDATE SET operation = excluded.operation, state = excluded.state, fingerprint = excluded.fingerprint,
        attempts = excluded.attempts, run_id = excluded.run_id, updated_at = excluded.updated_at, sent_at = excluded.sent_at,
        deadline_at = excluded.deadline_at, http_status = excluded.http_status, ids = excluded.ids, output = excluded.output,
        reconciliation = excluded.reconciliation, error_code = excluded.error_code, error_message = excluded.error_message, review = excluded.review,
        lookup = excluded.lookup, charged = excluded.charged`),
    upsertRunRecord: db.prepare(`INSERT INTO run_records (run_id, scope, key, idx, outcome, replayed, duplicate_of, card, ids, error_code, error_message, at)
      VALUES (@runId, @scope, @key, @index, @outcome, @replayed, @duplicateOf, @card, @ids, @errorCode, @errorMessage, @at)
      ON CONFLICT (run_id, idx) DO UPDATE SET scope = excluded.scope, key = excluded.key, outcome = excluded.outcome, replayed = excluded.replayed,
        duplicate_of = excluded.duplicate_of, card = excluded.card, ids = excluded.ids, error_code = excluded.error_code,
        error_message = excluded.error_message, at = excluded.at`),
    markDelivery: db.prepare('INSERT INTO deliveries (id, at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING'),
    insertEvent: db.prepare('INSERT INTO events (run_id, scope, key, step_id, from_state, to_state, at, note) VALUES (@runId, @scope, @key, @stepId, @from, @to, @at, @note)'),
  };

  const write = db.transaction((batch: WriteBatch) => {
    for (const r of batch.records ?? []) {
      q.upsertRecord.run({ ...r, card: r.card ?? null, ids: j(r.ids), errorCode: r.errorCode ?? null, errorMessage: r.errorMessage ?? null, resolvedAs: r.resolvedAs ?? null, leaseRun: r.leaseRun ?? null });
    }
    for (const s of batch.steps ?? []) {
      q.upsertStep.run({
        ...s, fingerprint: s.fingerprint ?? null, sentAt: s.sentAt ?? null, deadlineAt: s.deadlineAt ?? null, httpStatus: s.httpStatus ?? null,
        ids: j(s.ids), output: j(s.output), reconciliation: s.reconciliation ?? null, errorCode: s.errorCode ?? null,
        errorMessage: s.errorMessage ?? null, review: j(s.review), lookup: j(s.lookup), charged: j(s.charged),
      });
    }
    for (const x of batch.runRecords ?? []) {
      q.upsertRunRecord.run({ ...x, replayed: x.replayed ? 1 : 0, duplicateOf: x.duplicateOf ?? null, card: x.card ?? null, ids: j(x.ids), errorCode: x.errorCode ?? null, errorMessage: x.errorMessage ?? null });
    }
    for (const e of batch.events ?? []) q.insertEvent.run({ ...e, stepId: e.stepId ?? null, from: e.from ?? null, note: e.note ?? null });
  });

  const claim = db.transaction((scope: string, key: string, runId: string, now: number, staleMs: number): ClaimResult => {
    const row = q.getRecord.get(scope, key) as Row | undefined;
    if (row) {
      const lease = row.lease_run as string | null;
      if (lease && lease !== runId) {
        const holder = q.getRun.get(lease) as Row | undefined;
        if (!holderIsGone(holder ? toRun(holder) : undefined, now, staleMs)) return { ok: false, heldBy: lease };
      }
      q.setLease.run(runId, scope, key);
      return { ok: true, record: toRecord({ ...row, lease_run: runId }), steps: (q.getSteps.all(scope, key) as Row[]).map(toStep) };
    }
    q.upsertRecord.run({ scope, key, state: 'planned', runId, mapHash: '', createdAt: now, updatedAt: now, card: null, ids: '{}', errorCode: null, errorMessage: null, resolvedAs: null, leaseRun: runId });
    return { ok: true, steps: [] };
  });

  let queue: Array<{ batch: WriteBatch; resolve: () => void; reject: (e: unknown) => void }> = [];
  let flushing = false;
  const writeMany = db.transaction((batches: WriteBatch[]) => {
    for (const b of batches) write(b);
  });
  // synchronous is a connection setting, changed only between transactions
  let sync: 'NORMAL' | 'FULL' = 'NORMAL';
  const setSync = { NORMAL: db.prepare('PRAGMA synchronous = NORMAL'), FULL: db.prepare('PRAGMA synchronous = FULL') };
  const syncMode = (mode: 'NORMAL' | 'FULL') => {
    if (sync !== mode) setSync[mode].run();
    sync = mode;
  };
  const flush = () => {
    const taken = queue;
    queue = [];
    flushing = false;
    if (taken.length === 0) return;
    // one durable batch makes the shared commit durable (one fsync for all of them)
    syncMode(taken.some((t) => t.batch.durable) ? 'FULL' : 'NORMAL');
    try {
      writeMany.immediate(taken.map((t) => t.batch));
      for (const t of taken) t.resolve();
    } catch {
      // one bad batch must not fail the others: commit them one by one
      for (const t of taken) {
        try {
          syncMode(t.batch.durable ? 'FULL' : 'NORMAL');
          write.immediate(t.batch);
          t.resolve();
        } catch (e) {
          t.reject(e);
        }
      }
    }
  };

  return {
    kind: 'sqlite',
    location: path,
    async createRun(run) {
      q.insertRun.run({ ...run, input: run.input ?? null, endedAt: run.endedAt ?? null, counts: j(run.counts) });
    },
    async updateRun(runId, patch) {
      const cols: Record<string, string> = { mapName: 'map_name', mapHash: 'map_hash', mapFile: 'map_file', provider: 'provider', input: 'input', startedAt: 'started_at', endedAt: 'ended_at', status: 'status', host: 'host', pid: 'pid', heartbeatAt: 'heartbeat_at', counts: 'counts' };
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const [k, v] of Object.entries(patch)) {
        const c = cols[k];
        if (!c) continue;
        sets.push(`${c} = ?`);
        values.push(k === 'counts' ? j(v) : v ?? null);
      }
      if (sets.length) db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE run_id = ?`).run(...values, runId);
    },
    async getRun(runId) {
      const r = q.getRun.get(runId) as Row | undefined;
      return r ? toRun(r) : undefined;
    },
    async listRuns(options = {}) {
      const rows = (options.mapName
        ? db.prepare('SELECT * FROM runs WHERE map_name = ? ORDER BY started_at DESC, run_id DESC LIMIT ?').all(options.mapName, options.limit ?? -1)
        : db.prepare('SELECT * FROM runs ORDER BY started_at DESC, run_id DESC LIMIT ?').all(options.limit ?? -1)) as Row[];
      return rows.map(toRun);
    },
    async claimRecord(scope, key, runId, now, staleMs) {
      // a lease is seen by other processes at commit, fsync or not; a lease lost to a power
      // loss only frees the record, and the run that held it is gone then too
      syncMode('NORMAL');
      return claim.immediate(scope, key, runId, now, staleMs);
    },
    async getRecord(scope, key) {
      const r = q.getRecord.get(scope, key) as Row | undefined;
      return r ? { record: toRecord(r), steps: (q.getSteps.all(scope, key) as Row[]).map(toStep) } : undefined;
    },
    write(batch) {
      // group commit: the writes of records in flight at once share one transaction (one
      // fsync); each caller's promise resolves only once its rows are committed
      return new Promise<void>((resolve, reject) => {
        queue.push({ batch, resolve, reject });
        if (!flushing) {
          flushing = true;
          setImmediate(flush);
        }
      });
    },
    async listRunRecords(runId) {
      return (db.prepare('SELECT * FROM run_records WHERE run_id = ? ORDER BY idx').all(runId) as Row[]).map(toRunRecord);
    },
    async listRecords(filter = {}) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.scope) { where.push('scope = ?'); args.push(filter.scope); }
      if (filter.runId) { where.push('run_id = ?'); args.push(filter.runId); }
      if (filter.states?.length) { where.push(`state IN (${filter.states.map(() => '?').join(', ')})`); args.push(...filter.states); }
      return (db.prepare(`SELECT * FROM records ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY scope, key`).all(...args) as Row[]).map(toRecord);
    },
    async listEvents(scope, key) {
      return (db.prepare('SELECT * FROM events WHERE scope = ? AND key = ? ORDER BY seq').all(scope, key) as Row[]).map((r) => {
        const e: EventRow = { runId: r.run_id as string, scope: r.scope as string, key: r.key as string, to: r.to_state as string, at: r.at as number };
        if (r.step_id != null) e.stepId = r.step_id as string;
        if (r.from_state != null) e.from = r.from_state as string;
        if (r.note != null) e.note = r.note as string;
        return e;
      });
    },
    async markDelivery(id, at) {
      // not fsynced: a delivery noted and lost to a power loss is applied again, which changes nothing
      flush();
      syncMode('NORMAL');
      return q.markDelivery.run(id, at).changes === 1;
    },
    async close() {
      flush();
      if (db.open) db.close();
    },
  };
}
