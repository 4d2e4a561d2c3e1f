/**
 * What reaches stable storage, and when, through the public API: a store that records each
 * batch `write` receives and when it resolves, around the real SQLite store, and a transport
 * that checks, when a money-moving request is handed to it, that its intent was committed as a
 * durable batch first. Every other write is not durable: one fsync per call, not four.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAxiosTransport, createSqliteStore, loadDataMap, openJournal, recordItems, runRecords, startSandbox,
  type HttpRequest, type JournalStore, type Sandbox, type WriteBatch,
} from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'datamap-durability-'));
let sandbox: Sandbox;
beforeAll(async () => { sandbox = await startSandbox({ port: 0, rateLimitPerSecond: 0 }); });
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Committed { durable: boolean; steps: Array<{ key: string; stepId: string; state: string }>; records: number }

/** The SQLite store, with every batch logged once `write` has resolved (i.e. committed). */
function recordingStore(path: string): { store: JournalStore; committed: Committed[] } {
  const inner = createSqliteStore(path);
  const committed: Committed[] = [];
  const store: JournalStore = {
    ...inner,
    async write(batch: WriteBatch) {
      await inner.write(batch);
      committed.push({ durable: batch.durable === true, steps: (batch.steps ?? []).map((s) => ({ key: s.key, stepId: s.stepId, state: s.state })), records: batch.records?.length ?? 0 });
    },
  };
  return { store, committed };
}

const invoices = (n: number, prefix: string): Array<Record<string, unknown>> => Array.from({ length: n }, (_, i) => ({
  invoiceNumber: `${prefix}-${i}`, status: 'open', issuedAt: '2026-11-02', technician: 'M. Ortiz',
  customer: { id: `C-${i}`, firstName: 'Dana', lastName: 'Reyes', email: 'dana@example.com', phone: '7145550142', address: { street: '100 Main St', city: 'Santa Ana', state: 'CA', zip: '92701', country: 'US' } },
  lines: [{ sku: 'SVC', description: 'Service', qty: 1, unitPrice: 40 + i }],
  payment: { method: 'card', card: { number: '4111111111111111', expMonth: 10, expYear: 2028, cvv: '123', holder: 'Dana Reyes' } },
}));

describe('journal durability', () => {
  it.each([[1], [8]])('concurrency %i: each sale leaves only after a durable write with its intent; claims, outcomes and ends are not durable', async (concurrency) => {
    const { store, committed } = recordingStore(join(dir, `c${concurrency}`, 'journal.db'));
    const journal = openJournal({ store });
    const http = createAxiosTransport();
    const sends: string[] = [];
    const problems: string[] = [];
    const transport = async (req: HttpRequest) => {
      if (req.method === 'POST') {
        const key = /"merchantInvoiceRefId":"([^"]+)"/.exec(req.body ?? '')?.[1] ?? '?';
        sends.push(key);
        const intent = committed.some((c) => c.durable && c.steps.some((s) => s.key === key && s.state === 'in-flight'));
        if (!intent) problems.push(`${key} sent before a durable intent`);
      }
      return http(req);
    };
    const map = loadDataMap({ file: 'mappings/field-service-to-revolv3.yaml' });
    const outcomes: string[] = [];
    for await (const r of runRecords(map, recordItems(invoices(12, `D${concurrency}`)), {
      baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, env: {}, settleMs: 0, journal, transport, concurrency,
    })) outcomes.push(r.outcome);
    http.close();
    await journal.close();

    expect(problems).toEqual([]);
    expect(sends).toHaveLength(12);
    expect(outcomes.filter((o) => o === 'succeeded')).toHaveLength(12);
    // every durable batch is an intent (a step going in-flight), and there is one per send
    const durable = committed.filter((c) => c.durable);
    expect(durable.every((c) => c.steps.length > 0 && c.steps.every((s) => s.state === 'in-flight'))).toBe(true);
    expect(durable).toHaveLength(12);
    // the outcomes and record ends were written too, just not as durable batches
    expect(committed.filter((c) => !c.durable && c.steps.some((s) => s.state === 'succeeded'))).toHaveLength(12);
    expect(committed.filter((c) => !c.durable && c.records > 0)).toHaveLength(12);
  });

  it('an operator resolution is a durable write', async () => {
    const { store, committed } = recordingStore(join(dir, 'resolve', 'journal.db'));
    const journal = openJournal({ store });
    const map = loadDataMap({ file: 'mappings/field-service-to-revolv3.yaml' });
    // a provider that never answers and a lookup that is refused: the record is held for review
    const transport = async (req: HttpRequest) => (req.method === 'POST'
      ? Promise.reject(Object.assign(new Error('socket hang up'), { name: 'TransportError', kind: 'reset', maybeSent: true }))
      : { status: 403, headers: {}, body: { message: 'Forbidden' } });
    let runId = '';
    const results = [];
    for await (const r of runRecords(map, recordItems(invoices(1, 'R')), {
      baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, env: {}, settleMs: 0, journal, transport, preflight: false,
      retry: { maxAttempts: 1 }, onRun: (row) => { runId = row.runId; },
    })) results.push(r);
    expect(results[0]!.outcome).toBe('needs-review');
    const before = committed.length;
    await journal.resolve(runId, 'R-0', 'not-charged');
    expect(committed.slice(before)).toEqual([expect.objectContaining({ durable: true })]);
    await journal.close();
  });
});
