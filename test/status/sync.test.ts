/**
 * Status sync: `datamap runs sync [run-id]` and `syncStatuses` look up every journaled step
 * that is not final with the pack's follow-up lookups and move it to its final state. Against
 * the sandbox, whose ACH payments settle or are returned and whose refunds are confirmed later.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACH_RETURN_ACCOUNT, countChargesByReference, loadDataMap, openJournal, recordItems, runRecords, startSandbox, syncStatuses,
  type CompiledMap, type Journal, type RecordResult, type RunOptions, type Sandbox,
} from '../../src/index.js';
import { runCli } from '../helpers/cli.js';

const ACH_MAP = `
version: 1
name: sync ach
provider: { name: revolv3 }
key: ref
steps:
  - id: sale
    operation: payments.sale
    request: |
      { "invoice": { "merchantInvoiceRefId": ref, "amount": { "currency": "USD", "value": amount } },
        "paymentMethod": {
          "billingFirstName": "Dana", "billingLastName": "Reyes",
          "billingAddress": { "addressLine1": "1 Main St", "postalCode": "92701", "country": "US" },
          "ach": { "accountNumber": account, "routingNumber": "011075123", "accountType": "Checking" } } }
    output: '{ "invoiceId": invoiceId }'
`;

const REFUND_MAP = `
version: 1
name: sync refund
provider: { name: revolv3 }
key: ref
steps:
  - id: sale
    operation: payments.sale
    request: |
      { "invoice": { "merchantInvoiceRefId": ref, "amount": { "currency": "USD", "value": 30 } },
        "paymentMethod": {
          "billingFirstName": "Dana", "billingLastName": "Reyes",
          "billingAddress": { "addressLine1": "1 Main St", "postalCode": "92701", "country": "US" },
          "creditCard": { "paymentAccountNumber": "4111111111111111", "expirationDate": "1230", "securityCode": "737" } } }
    output: '{ "invoiceId": invoiceId }'
  - id: refund
    operation: invoices.refund
    params: { invoiceId: $steps.sale.invoiceId }
    request: '{}'
`;

let dir: string;
let sandbox: Sandbox;
let journalFile: string;
let achMap: CompiledMap;
let refundMap: CompiledMap;

async function run(map: CompiledMap, records: unknown[], options: RunOptions = {}): Promise<RecordResult[]> {
  const journal = openJournal(journalFile);
  const out: RecordResult[] = [];
  try {
    for await (const r of runRecords(map, recordItems(records), { baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, env: {}, journal, settleMs: 0, ...options })) out.push(r);
  } finally {
    await journal.close();
  }
  return out;
}

async function withJournal<T>(f: (j: Journal) => Promise<T>): Promise<T> {
  const j = openJournal(journalFile);
  try {
    return await f(j);
  } finally {
    await j.close();
  }
}

const cli = (args: string[]) => runCli(['runs', 'sync', '--journal', journalFile, ...args], { env: { ...sandbox.credentials }, now: () => Date.parse('2026-12-02T00:00:00Z') });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'datamap-sync-'));
  journalFile = join(dir, 'journal.db');
  writeFileSync(join(dir, 'ach.yaml'), ACH_MAP);
  writeFileSync(join(dir, 'refund.yaml'), REFUND_MAP);
  achMap = loadDataMap({ file: join(dir, 'ach.yaml') });
  refundMap = loadDataMap({ file: join(dir, 'refund.yaml') });
  sandbox = await startSandbox({ rateLimitPerSecond: 0 });
});

afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('syncStatuses (library)', () => {
  it('before the provider settles: looked up, still pending, nothing changes', async () => {
    const results = await run(achMap, [{ ref: 'S-OK', amount: 20, account: '4099999992' }, { ref: 'S-RET', amount: 21, account: ACH_RETURN_ACCOUNT }]);
    expect(results.map((r) => r.outcome)).toEqual(['pending', 'pending']);
    const report = await withJournal((journal) => syncStatuses(achMap, { journal, baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, env: {} }));
    expect(report.checked).toBe(2);
    expect(report.changes).toEqual([]);
    expect(report.unchanged.map((u) => [u.key, u.state, u.status])).toEqual([['S-OK', 'pending', 'Pending'], ['S-RET', 'pending', 'Pending']]);
  });

  it('after it settles: the settled one succeeded, the returned one declined (Noncollectable), each change reported', async () => {
    await sandbox.settle();
    const report = await withJournal((journal) => syncStatuses(achMap, { journal, baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, env: {} }));
    expect(report.changes.map((c) => [c.key, c.stepId, c.from, c.to, c.status])).toEqual([
      ['S-OK', 'sale', 'pending', 'succeeded', 'Paid'],
      ['S-RET', 'sale', 'pending', 'declined', 'Noncollectable'],
    ]);
    expect(report.changes[1]!.reason).toMatch(/returned after it was first accepted/);
    await withJournal(async (j) => {
      expect((await j.store.getRecord('sync ach', 'S-RET'))!.record).toMatchObject({ state: 'declined', errorCode: 'provider/declined' });
      const ev = (await j.store.listEvents('sync ach', 'S-RET')).at(-1)!;
      expect(ev).toMatchObject({ from: 'pending', to: 'declined' });
      expect(ev.note).toMatch(/^runs sync: invoices\.get invoiceId \d+$/);
    });
    // final now: a second sync looks nothing up
    const again = await withJournal((journal) => syncStatuses(achMap, { journal, baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, env: {} }));
    expect(again).toMatchObject({ checked: 0, changes: [], failed: [] });
    const rerun = await run(achMap, [{ ref: 'S-OK', amount: 20, account: '4099999992' }, { ref: 'S-RET', amount: 21, account: ACH_RETURN_ACCOUNT }]);
    expect(rerun.map((r) => [r.outcome, r.replayed === true])).toEqual([['succeeded', true], ['declined', true]]);
  });

  it('a call that never answered is looked up by the reference its intent kept: found → adopted, with its output and follow-up', async () => {
    // the sale reaches the provider, its answer is lost, and the run's own lookups fail
    sandbox.injectFault({ kind: 'reset-after', provider: 'revolv3', method: 'POST', path: '/api/Payments/sale', times: 1 });
    sandbox.injectFault({ kind: 'error-before', provider: 'revolv3', method: 'GET', path: '/api/Invoices', times: 50 });
    const [r] = await run(achMap, [{ ref: 'S-LOST', amount: 22, account: '4099999992' }], { preflight: false });
    sandbox.clearFaults();
    expect(r!.outcome).toBe('unknown');
    await withJournal(async (j) => {
      const step = (await j.store.getRecord('sync ach', 'S-LOST'))!.steps[0]!;
      // what the intent kept: the reference and the request as redacted (no account number)
      expect(step.lookup).toMatchObject({ params: { merchantInvoiceRefId: 'S-LOST' }, vars: {} });
      expect(JSON.stringify(step.lookup)).not.toContain('4099999992');
    });
    const report = await withJournal((journal) => syncStatuses(achMap, { journal, baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, env: {} }));
    expect(report.skipped).toEqual([]);
    expect(report.changes).toEqual([expect.objectContaining({ key: 'S-LOST', stepId: 'sale', from: 'unknown', to: 'pending', status: 'Pending' })]);
    const invoiceId = sandbox.ledger().find((e) => e.kind === 'charge' && e.merchantReference === 'S-LOST')!.invoiceId!;
    expect(invoiceId).toBeGreaterThan(0);
    await withJournal(async (j) => {
      const got = (await j.store.getRecord('sync ach', 'S-LOST'))!;
      expect(got.record).toMatchObject({ state: 'pending', leaseRun: null });
      expect(got.steps[0]).toMatchObject({ state: 'pending', reconciliation: 'adopted', output: { invoiceId } });
      expect(got.steps[0]!.ids).toMatchObject({ 'sale.invoiceId': invoiceId, 'followUp.invoiceId': invoiceId });
      expect((await j.store.listEvents('sync ach', 'S-LOST')).at(-1)!.note).toBe('runs sync: invoices.find merchantInvoiceRefId S-LOST: found, adopted');
      // the sync is in the journal as a run of its own, finished
      const [latest] = await j.store.listRuns({ limit: 1 });
      expect(latest).toMatchObject({ input: '(runs sync)', status: 'finished', counts: { pending: 1 } });
    });
    // now a pending ACH payment like any other: settles by the follow-up lookup
    await sandbox.settle();
    const later = await withJournal((journal) => syncStatuses(achMap, { journal, baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, env: {} }));
    expect(later.changes).toEqual([expect.objectContaining({ key: 'S-LOST', from: 'pending', to: 'succeeded', status: 'Paid' })]);
    // a re-run charges nothing: the one sale is in the ledger once
    const [again] = await run(achMap, [{ ref: 'S-LOST', amount: 22, account: '4099999992' }]);
    expect(again).toMatchObject({ outcome: 'succeeded', replayed: true });
    expect(countChargesByReference(sandbox.ledger())['S-LOST']).toBe(1);
  });

  it('a call that never reached the provider: unchanged within the settle window, proven absent after it, then sent once by a re-run', async () => {
    sandbox.injectFault({ kind: 'error-before', provider: 'revolv3', method: 'POST', path: '/api/Payments/sale', times: 1 });
    sandbox.injectFault({ kind: 'error-before', provider: 'revolv3', method: 'GET', path: '/api/Invoices', times: 50 });
    const [r] = await run(achMap, [{ ref: 'S-NEVER', amount: 23, account: '4099999992' }], { preflight: false });
    sandbox.clearFaults();
    expect(r!.outcome).toBe('unknown');
    const step = await withJournal(async (j) => (await j.store.getRecord('sync ach', 'S-NEVER'))!.steps[0]!);
    const early = { now: () => step.deadlineAt! + 5_000, sleep: async () => undefined };
    const soon = await withJournal((journal) => syncStatuses(achMap, { journal, baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, env: {}, clock: early }));
    expect(soon.changes.filter((c) => c.key === 'S-NEVER')).toEqual([]);
    expect(soon.unchanged).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'S-NEVER', state: 'unknown', reason: expect.stringMatching(/proves it absent only after/) })]));
    const late = { now: () => step.deadlineAt! + 10_001, sleep: async () => undefined };
    const after = await withJournal((journal) => syncStatuses(achMap, { journal, baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, env: {}, clock: late }));
    expect(after.changes.filter((c) => c.key === 'S-NEVER')).toEqual([expect.objectContaining({ from: 'unknown', to: 'failed', reason: expect.stringMatching(/did not take effect/) })]);
    await withJournal(async (j) => expect((await j.store.getRecord('sync ach', 'S-NEVER'))!.steps[0]).toMatchObject({ state: 'failed', reconciliation: 'absent', errorCode: 'run/not-applied' }));
    expect(countChargesByReference(sandbox.ledger())['S-NEVER']).toBeUndefined();
    const [again] = await run(achMap, [{ ref: 'S-NEVER', amount: 23, account: '4099999992' }]);
    expect(again!.outcome).toBe('pending');
    expect(countChargesByReference(sandbox.ledger())['S-NEVER']).toBe(1);
  });

  it('a record a live run holds is left alone and listed', async () => {
    sandbox.injectFault({ kind: 'reset-after', provider: 'revolv3', method: 'POST', path: '/api/Payments/sale', times: 1 });
    sandbox.injectFault({ kind: 'error-before', provider: 'revolv3', method: 'GET', path: '/api/Invoices', times: 50 });
    await run(achMap, [{ ref: 'S-HELD', amount: 24, account: '4099999992' }], { preflight: false });
    sandbox.clearFaults();
    await withJournal(async (journal) => {
      // a run of this very process, alive, takes the record
      const now = Date.now();
      await journal.store.createRun({ runId: 'r-live-000001', mapName: 'sync ach', mapHash: '', mapFile: 'ach.yaml', provider: 'revolv3', startedAt: now, status: 'running', host: hostname(), pid: process.pid, heartbeatAt: now });
      expect((await journal.store.claimRecord('sync ach', 'S-HELD', 'r-live-000001', now, 120_000)).ok).toBe(true);
      const report = await syncStatuses(achMap, { journal, baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, env: {} });
      expect(report.skipped).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'S-HELD', state: 'unknown', reason: 'run r-live-000001 is working on it now' })]));
      expect(report.changes.filter((c) => c.key === 'S-HELD')).toEqual([]);
      expect((await journal.store.getRecord('sync ach', 'S-HELD'))!.steps[0]!.state).toBe('unknown');
      await journal.store.updateRun('r-live-000001', { status: 'finished' });
    });
  });
});

describe('datamap runs sync (CLI)', () => {
  let runId: string;
  beforeAll(async () => {
    const results = await run(refundMap, [{ ref: 'S-RF' }]);
    expect(results[0]!.outcome).toBe('pending');
    runId = results[0]!.runId!;
  });

  it('a lookup that fails changes nothing and exits 1', async () => {
    const r = await cli([runId, '--base-url', 'http://127.0.0.1:9/revolv3']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILED {5}S-RF\/refund \(invoices\.refund\): sync\/lookup-failed/);
    await withJournal(async (j) => expect((await j.store.getRecord('sync refund', 'S-RF'))!.record.state).toBe('pending'));
  });

  it('the refund stays pending until confirmed, then is succeeded; text and --json; exit 0', async () => {
    const before = await cli([runId, '--base-url', sandbox.baseUrls.revolv3]);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain('UNCHANGED  S-RF/refund (invoices.refund): stays pending — RefundPending');
    await sandbox.settle();
    const after = await cli([runId, '--base-url', sandbox.baseUrls.revolv3, '--json']);
    expect(after.code).toBe(0);
    const out = JSON.parse(after.stdout) as { maps: Array<{ map: string; report: { changes: Array<Record<string, unknown>> } }> };
    expect(out.maps[0]!.map).toBe('sync refund');
    expect(out.maps[0]!.report.changes).toEqual([expect.objectContaining({ key: 'S-RF', stepId: 'refund', from: 'pending', to: 'succeeded', status: 'Refund' })]);
    await withJournal(async (j) => expect((await j.store.getRecord('sync refund', 'S-RF'))!.record.state).toBe('succeeded'));
  });

  it('without a run id it syncs every map with records not final, by the map file each run recorded', async () => {
    const r = await cli(['--base-url', sandbox.baseUrls.revolv3]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sync ach');
    // the record the live run held earlier (now finished) is settled by its reference
    expect(r.stdout).toMatch(/CHANGED {4}S-HELD\/sale \(payments\.sale\): unknown → pending/);
    expect(r.stdout).not.toContain('sync refund');
  });

  it('an unknown run is journal/unknown-run, exit 2', async () => {
    const r = await cli(['r-nope-000000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('journal/unknown-run');
  });
});
