/**
 * Status sync: `datamap runs sync [run-id]` and `syncStatuses` look up every journaled step
 * that is not final with the pack's follow-up lookups and move it to its final state. Against
 * the sandbox, whose ACH payments settle or are returned and whose refunds are confirmed later.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACH_RETURN_ACCOUNT, loadDataMap, openJournal, recordItems, runRecords, startSandbox, syncStatuses,
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

  it('a call that never answered is not looked up: it is listed with what to do', async () => {
    sandbox.injectFault({ kind: 'reset-after', provider: 'revolv3', method: 'POST', path: '/api/Payments/sale', times: 1 });
    sandbox.injectFault({ kind: 'error-before', provider: 'revolv3', method: 'GET', path: '/api/Invoices', times: 50 });
    const [r] = await run(achMap, [{ ref: 'S-LOST', amount: 22, account: '4099999992' }], { preflight: false });
    sandbox.clearFaults();
    expect(r!.outcome).toBe('unknown');
    const report = await withJournal((journal) => syncStatuses(achMap, { journal, baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, env: {} }));
    expect(report.skipped).toEqual([expect.objectContaining({ key: 'S-LOST', state: 'unknown', reason: expect.stringMatching(/re-run of the map/) })]);
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
    expect(r.stdout).toContain('SKIPPED    S-LOST/sale (payments.sale, unknown)');
    expect(r.stdout).not.toContain('sync refund');
  });

  it('an unknown run is journal/unknown-run, exit 2', async () => {
    const r = await cli(['r-nope-000000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('journal/unknown-run');
  });
});
