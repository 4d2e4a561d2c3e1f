/**
 * The journal through the public API only (src/index.ts), against the built-in sandbox whose
 * ledger is the truth: `showRun` lists what a run did; `resolve` settles a record held for
 * review and later runs act on it; resolve's errors carry stable codes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DatamapError, loadDataMap, openJournal, recordItems, runRecords, startSandbox, type CompiledMap, type Journal, type RecordResult, type RunOptions, type Sandbox } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'datamap-journal-api-'));
let n = 0;
let sandbox: Sandbox;
const open: Journal[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, rateLimitPerSecond: 0 });
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  sandbox.reset();
  for (const j of open.splice(0)) await j.close();
});

/** A fresh journal file, opened through the public API. */
function journal(): { journal: Journal; path: string } {
  const path = join(dir, `j${++n}`, 'journal.db');
  const j = openJournal(path);
  open.push(j);
  return { journal: j, path };
}

async function run(map: CompiledMap, records: unknown[], options: RunOptions): Promise<{ results: RecordResult[]; runId: string }> {
  const results: RecordResult[] = [];
  let runId = '';
  for await (const r of runRecords(map, recordItems(records), { baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, env: {}, settleMs: 0, onRun: (row) => { runId = row.runId; }, ...options })) results.push(r);
  return { results, runId };
}

const SALE_MAP = 'mappings/field-service-to-revolv3.yaml';

function invoice(no: string, card: string, cvv: string, unitPrice = 40): Record<string, unknown> {
  return {
    invoiceNumber: no, status: 'open', issuedAt: '2026-11-02', technician: 'M. Ortiz',
    customer: { id: `C-${no}`, firstName: 'Dana', lastName: 'Reyes', email: 'dana@example.com', phone: '7145550142', address: { street: '100 Main St', unit: 'Suite 4', city: 'Santa Ana', state: 'CA', zip: '92701', country: 'US' } },
    lines: [{ sku: 'SVC', description: 'Service', qty: 1, unitPrice }],
    payment: { method: 'card', card: { number: card, expMonth: 10, expYear: 2028, cvv, holder: 'Dana Reyes' } },
  };
}

/**
 * A Revolv3 authorization: the pack declares no lookup for it, so after an unknown outcome no
 * lookup can tell whether it took effect and the record is held for review.
 */
const AUTHORIZE_MAP = `
version: 1
name: authorize without a lookup
provider: { name: revolv3 }
key: ref
steps:
  - id: auth
    operation: payments.authorize
    request: |
      {
        "amount": { "currency": "USD", "value": amount },
        "paymentMethod": {
          "creditCard": { "paymentAccountNumber": card, "expirationDate": "1029", "securityCode": cvv },
          "merchantPaymentMethodRefId": ref,
          "billingFirstName": "Dana",
          "billingLastName": "Reyes"
        }
      }
    output: '{ "authorizationId": paymentMethodAuthorizationId, "paymentMethodId": paymentMethod.paymentMethodId }'
`;
const authorizeMap = () => loadDataMap({ text: AUTHORIZE_MAP, file: 'authorize.yaml' });
const auth = (ref: string, amount = 25) => ({ ref, amount, card: '5555555555554444', cvv: '321' });
const authorizations = (ref: string) => sandbox.ledger().filter((e) => e.kind === 'authorization' && e.merchantReference === ref);

function codeOf(err: unknown): string | undefined {
  return err instanceof DatamapError ? err.diagnostics[0]?.code : undefined;
}

describe('our own ids (run ids, the map hash) are never scrubbed as record data', () => {
  it('a security code that also stands in the run id (between letters) leaves runId and replayedFrom whole', async () => {
    // the run id is r-<clock in base 36>-<random>: at this time it is r-mxe321my-…, and the
    // record's security code is 321
    const t = parseInt('mxe321my', 36);
    const clock = { now: () => t, sleep: async () => undefined };
    const { journal: j } = journal();
    const first = await run(authorizeMap(), [auth('RUNID-1')], { journal: j, clock });
    expect(first.results[0]!.outcome).toBe('succeeded');
    expect(first.runId).toMatch(/^r-mxe321my-/);
    expect(first.results[0]!.runId).toBe(first.runId);
    const again = await run(authorizeMap(), [auth('RUNID-1')], { journal: j, clock });
    expect(again.results[0]).toMatchObject({ outcome: 'succeeded', replayed: true, replayedFrom: first.runId, runId: again.runId });
    // the security code itself is still hidden wherever the result shows it
    expect(JSON.stringify({ ...again.results[0], runId: '', replayedFrom: '' })).not.toMatch(/(?<![0-9])321(?![0-9])/);
  });

  it("a security code that also stands in the map's hash does not make the next run see a changed map", async () => {
    // a map text whose hash holds three digits between two hex letters, and a record whose
    // security code is those digits
    let text = '';
    let code = '';
    let hash = '';
    for (let i = 0; !code; i++) {
      text = `${AUTHORIZE_MAP}# ${i}\n`;
      await run(loadDataMap({ text, file: 'authorize.yaml' }), [], { onRun: (row) => { hash = row.mapHash; } });
      expect(hash).toMatch(/^[0-9a-f]{16,}$/);
      code = /(?<=[a-f])[0-9]{3}(?=[a-f])/.exec(hash)?.[0] ?? '';
    }
    const map = () => loadDataMap({ text, file: 'authorize.yaml' });
    const { journal: j } = journal();
    const record = { ...auth('HASH-1'), cvv: code };
    const first = await run(map(), [record], { journal: j });
    expect(first.results[0]!.outcome).toBe('succeeded');
    const again = await run(map(), [record], { journal: j });
    expect(again.results[0]).toMatchObject({ outcome: 'succeeded', replayed: true });
    expect(again.results[0]!.diagnostics.map((d) => d.code)).not.toContain('run/replayed-changed');
  });
});

describe('showRun', () => {
  it('lists each record of a run with its state, provider ids and masked card, and the run counts', async () => {
    const { journal: j } = journal();
    const map = loadDataMap({ file: SALE_MAP });
    const records = [invoice('API-1', '4111111111111111', '123'), invoice('API-2', '4000000000000002', '456'), { ...invoice('API-3', '2222400010000008', '737'), status: 'paid' }];
    const { results, runId } = await run(map, records, { journal: j });
    expect(results.map((r) => r.outcome)).toEqual(['succeeded', 'declined', 'skipped']);

    const shown = await j.showRun(runId);
    expect(shown.run).toMatchObject({ runId, mapName: map.name, status: 'finished', provider: 'revolv3', counts: { succeeded: 1, declined: 1, skipped: 1 } });
    expect(shown.records.map((r) => [r.index, r.key, r.state, r.outcome, r.replayed])).toEqual([
      [0, 'API-1', 'succeeded', 'succeeded', false],
      [1, 'API-2', 'declined', 'declined', false],
      [2, 'API-3', 'skipped', 'skipped', false],
    ]);
    const [paid, declined] = shown.records;
    const charge = sandbox.ledger().find((e) => e.merchantReference === 'API-1')!;
    expect(paid!.ids).toMatchObject({ 'sale.invoiceId': charge.invoiceId, 'sale.paymentMethodId': charge.paymentMethodId });
    expect(paid!.card).toBe('411111******1111');
    expect(paid!.steps).toEqual([expect.objectContaining({ stepId: 'sale', operation: 'payments.sale', state: 'succeeded', attempts: 1, httpStatus: 200 })]);
    expect(declined!.card).toBe('400000******0002');
    expect(declined!.errorCode).toBe('provider/declined');
    // the listing never holds a full card number or the security codes
    const text = JSON.stringify(shown);
    for (const secret of ['4111111111111111', '4000000000000002', '2222400010000008', '"123"', '"456"', '"737"']) expect(text).not.toContain(secret);

    // --state filters
    expect((await j.showRun(runId, { state: 'declined' })).records.map((r) => r.key)).toEqual(['API-2']);
    expect((await j.showRun(runId, { state: ['succeeded', 'skipped'] })).records.map((r) => r.key)).toEqual(['API-1', 'API-3']);
    // listRuns shows it too, newest first
    const second = await run(map, records, { journal: j });
    expect((await j.listRuns()).map((r) => r.runId)).toEqual([second.runId, runId]);
    const replay = await j.showRun(second.runId);
    expect(replay.records.map((r) => [r.key, r.state, r.replayed])).toEqual([['API-1', 'succeeded', true], ['API-2', 'declined', true], ['API-3', 'skipped', false]]);
    expect(sandbox.ledger().filter((e) => e.merchantReference === 'API-1')).toHaveLength(1);
  });
});

describe('resolve a record held for review', () => {
  it('held: an authorization whose answer was lost after it was processed, with what to check', async () => {
    const { journal: j } = journal();
    sandbox.injectFault({ kind: 'error-after', provider: 'revolv3', path: '/api/Payments/authorization' });
    const { results, runId } = await run(authorizeMap(), [auth('AUTH-1', 25)], { journal: j });
    expect(results[0]!.outcome).toBe('needs-review');
    expect(results[0]!.error!.code).toBe('run/needs-review');
    expect(authorizations('AUTH-1')).toHaveLength(1);
    const [rec] = (await j.showRun(runId, { state: 'needs-review' })).records;
    expect(rec).toMatchObject({ key: 'AUTH-1', state: 'needs-review', outcome: 'needs-review', card: '555555******4444' });
    expect(rec!.steps[0]).toMatchObject({ stepId: 'auth', operation: 'payments.authorize', state: 'needs-review', reconciliation: 'cannot-tell', attempts: 1 });
    expect(rec!.steps[0]!.review).toMatchObject({ reference: { key: 'AUTH-1' }, reason: expect.stringContaining('no lookup') });

    // held records are never resent automatically: a plain re-run makes no call
    const again = await run(authorizeMap(), [auth('AUTH-1', 25)], { journal: j });
    expect(again.results[0]!.outcome).toBe('needs-review');
    expect(again.results[0]!.replayed).toBe(true);
    expect(authorizations('AUTH-1')).toHaveLength(1);
  });

  it('as succeeded (the operator found it at the provider): later runs replay it, no call', async () => {
    const { journal: j } = journal();
    sandbox.injectFault({ kind: 'error-after', provider: 'revolv3', path: '/api/Payments/authorization' });
    const first = await run(authorizeMap(), [auth('AUTH-2', 30)], { journal: j });
    expect(first.results[0]!.outcome).toBe('needs-review');
    const ledger = sandbox.ledger();
    expect(authorizations('AUTH-2')).toHaveLength(1);

    const settled = await j.resolve(first.runId, 'AUTH-2', 'succeeded', { note: 'seen in the portal' });
    expect(settled).toMatchObject({ key: 'AUTH-2', state: 'succeeded', resolvedAs: 'succeeded' });
    expect(settled).not.toHaveProperty('errorCode');
    const shown = (await j.showRun(first.runId)).records[0]!;
    expect(shown).toMatchObject({ key: 'AUTH-2', state: 'succeeded', outcome: 'needs-review', resolvedAs: 'succeeded' });

    for (let i = 0; i < 2; i++) {
      const later = await run(authorizeMap(), [auth('AUTH-2', 30)], { journal: j });
      expect(later.results[0]).toMatchObject({ outcome: 'succeeded', replayed: true, replayedFrom: first.runId });
      expect((await j.showRun(later.runId)).records[0]).toMatchObject({ state: 'succeeded', replayed: true, resolvedAs: 'succeeded' });
    }
    expect(sandbox.ledger()).toEqual(ledger);
    // once settled it is no longer held: resolving again is refused
    await expect(j.resolve(first.runId, 'AUTH-2', 'not-charged')).rejects.toSatisfy((e: unknown) => codeOf(e) === 'journal/not-held');
  });

  it('as not-charged (the operator found nothing): the next run sends it exactly once', async () => {
    const { journal: j, path } = journal();
    // a 500 before processing: nothing was authorized, but no lookup can prove it
    sandbox.injectFault({ kind: 'error-before', provider: 'revolv3', path: '/api/Payments/authorization' });
    const first = await run(authorizeMap(), [auth('AUTH-3', 40)], { journal: j });
    expect(first.results[0]!.outcome).toBe('needs-review');
    expect(authorizations('AUTH-3')).toHaveLength(0);

    const settled = await j.resolve(first.runId, 'AUTH-3', 'not-charged');
    expect(settled).toMatchObject({ key: 'AUTH-3', state: 'failed', resolvedAs: 'not-charged' });

    // a journal opened afresh on the same file acts on the resolution
    const reopened = openJournal(path);
    open.push(reopened);
    const next = await run(authorizeMap(), [auth('AUTH-3', 40)], { journal: reopened });
    expect(next.results[0]!.outcome).toBe('succeeded');
    expect(next.results[0]!.replayed).toBeUndefined();
    expect(authorizations('AUTH-3')).toHaveLength(1);
    expect(next.results[0]!.ids['auth.authorizationId']).toBe(authorizations('AUTH-3')[0]!.paymentMethodAuthorizationId);

    // and after that it is done: a further run replays it
    const after = await run(authorizeMap(), [auth('AUTH-3', 40)], { journal: reopened });
    expect(after.results[0]).toMatchObject({ outcome: 'succeeded', replayed: true, replayedFrom: next.runId });
    expect(authorizations('AUTH-3')).toHaveLength(1);
  });

  it('resolve refuses an unknown run, an unknown key, and a record that is not held, with stable codes', async () => {
    const { journal: j } = journal();
    const map = loadDataMap({ file: SALE_MAP });
    const { runId } = await run(map, [invoice('API-9', '4111111111111111', '123')], { journal: j });

    const attempts: Array<[string, () => Promise<unknown>, RegExp]> = [
      ['journal/unknown-run', () => j.resolve('r-no-such-run', 'API-9', 'succeeded'), /no run r-no-such-run/],
      ['journal/unknown-record', () => j.resolve(runId, 'API-404', 'succeeded'), /no record with key API-404/],
      ['journal/not-held', () => j.resolve(runId, 'API-9', 'not-charged'), /API-9 is succeeded, not held for review/],
    ];
    for (const [code, call, message] of attempts) {
      let caught: unknown;
      try {
        await call();
      } catch (err) {
        caught = err;
      }
      expect(codeOf(caught), code).toBe(code);
      const d = (caught as DatamapError).diagnostics[0]!;
      expect(d.message).toMatch(message);
      expect(d.hint, code).toBeTruthy();
    }
    // showRun of an unknown run has the same code
    await expect(j.showRun('r-no-such-run')).rejects.toSatisfy((e: unknown) => codeOf(e) === 'journal/unknown-run');
    // nothing was changed by the refusals
    expect((await j.showRun(runId)).records[0]).toMatchObject({ key: 'API-9', state: 'succeeded' });
    expect((await j.showRun(runId)).records[0]).not.toHaveProperty('resolvedAs');
  });
});
