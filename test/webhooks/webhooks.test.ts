/**
 * Webhooks end to end: the sandbox sends signed InvoiceStatusChanged webhooks when an ACH
 * payment settles or is returned and when a refund is confirmed; the library handler (in a
 * plain node:http server) and `datamap webhooks serve` (a real process) verify them and move
 * the journal. Bad or missing signatures are 401 and change nothing; a repeated delivery is
 * applied once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACH_RETURN_ACCOUNT, SANDBOX_WEBHOOK_KEY, countChargesByReference, createWebhookHandler, getProvider, loadDataMap, openJournal, recordItems, runRecords, startSandbox, webhookSignature,
  type Journal, type RecordResult, type RunOptions, type Sandbox, type WebhookDelivery, type WebhookHandler,
} from '../../src/index.js';
import { spawnCli } from '../helpers/spawn-cli.js';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

const ACH_MAP = `
version: 1
name: webhook ach
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
    output: '{ "invoiceId": invoiceId, "status": invoiceStatus }'
`;

const REFUND_MAP = `
version: 1
name: webhook refund
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
          "creditCard": { "paymentAccountNumber": "4111111111111111", "expirationDate": "1230", "securityCode": "737" } } }
    output: '{ "invoiceId": invoiceId }'
  - id: refund
    operation: invoices.refund
    params: { invoiceId: $steps.sale.invoiceId }
    request: '{ "amount": refund }'
    output: '{ "refundInvoiceId": invoice.invoiceId }'
`;

const mapFrom = (dir: string, name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return loadDataMap({ file });
};

let dir: string;
let sandbox: Sandbox;
let journal: Journal;
let handler: WebhookHandler;
let receiver: Server;
let hookUrl: string;
const deliveries: WebhookDelivery[] = [];

async function run(text: string, name: string, records: unknown[], options: RunOptions = {}): Promise<RecordResult[]> {
  const map = mapFrom(dir, name, text);
  const out: RecordResult[] = [];
  for await (const r of runRecords(map, recordItems(records), { baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, env: {}, journal, settleMs: 0, ...options })) out.push(r);
  return out;
}

async function post(body: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const res = await fetch(hookUrl, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, body: await res.json() };
}

/** A signed InvoiceStatusChanged delivery, shaped as the sandbox (and Revolv3's docs) send it. */
function delivery(invoiceId: number, status: string, attemptDate = '2026-12-01T10:00:00.000Z'): string {
  const event = { EventType: 'InvoiceStatusChanged', EventDateTime: attemptDate, Invoice: { InvoiceId: invoiceId, InvoiceStatus: status, InvoiceAttempts: [{ InvoiceAttemptDate: attemptDate }] } };
  return JSON.stringify({ Body: JSON.stringify(event), Entropy: 'abc' });
}
const sign = (body: string, url = hookUrl, key = SANDBOX_WEBHOOK_KEY) => webhookSignature(getProvider('revolv3')!.webhooks!.signature, key, url, body);

async function stepOf(scope: string, key: string, stepId: string) {
  const found = await journal.store.getRecord(scope, key);
  return { record: found!.record, step: found!.steps.find((s) => s.stepId === stepId)! };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'datamap-webhooks-'));
  journal = openJournal(join(dir, 'journal.db'));
  handler = createWebhookHandler({ journal, env: { REVOLV3_WEBHOOK_KEY: SANDBOX_WEBHOOK_KEY }, onDelivery: (d) => deliveries.push(d) });
  receiver = createServer(handler);
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/revolv3`;
  sandbox = await startSandbox({ rateLimitPerSecond: 0, webhooks: { url: hookUrl } });
});

afterAll(async () => {
  await sandbox.close();
  await new Promise<void>((r) => receiver.close(() => r()));
  await journal.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ACH: pending until the webhook says settled or returned', () => {
  let results: RecordResult[];
  beforeAll(async () => {
    results = await run(ACH_MAP, 'ach.yaml', [
      { ref: 'ACH-OK', amount: 40, account: '4099999992' },
      { ref: 'ACH-RET', amount: 41, account: ACH_RETURN_ACCOUNT },
    ]);
  });

  it('answers Pending at once: both records are pending, never succeeded', async () => {
    expect(results.map((r) => r.outcome)).toEqual(['pending', 'pending']);
    expect((await stepOf('webhook ach', 'ACH-OK', 'sale')).step).toMatchObject({ state: 'pending', ids: { 'followUp.invoiceId': expect.any(Number) } });
  });

  it('the sandbox settles one and returns the other, sends signed webhooks; the journal follows', async () => {
    const changes = await sandbox.settle();
    expect(changes.map((c) => [c.merchantInvoiceRefId, c.from, c.to, c.why, c.webhook?.status])).toEqual([
      ['ACH-OK', 'Pending', 'Paid', 'ach-settled', 200],
      ['ACH-RET', 'Pending', 'Noncollectable', 'ach-returned', 200],
    ]);
    await handler.idle();
    const ok = await stepOf('webhook ach', 'ACH-OK', 'sale');
    expect(ok.step.state).toBe('succeeded');
    expect(ok.record.state).toBe('succeeded');
    const ret = await stepOf('webhook ach', 'ACH-RET', 'sale');
    expect(ret.step).toMatchObject({ state: 'declined', errorCode: 'provider/declined' });
    expect(ret.step.errorMessage).toContain('Noncollectable');
    expect(ret.record).toMatchObject({ state: 'declined', errorCode: 'provider/declined' });
    const events = await journal.store.listEvents('webhook ach', 'ACH-RET');
    expect(events.at(-1)).toMatchObject({ from: 'pending', to: 'declined' });
    expect(events.at(-1)!.note).toMatch(/^webhook InvoiceStatusChanged: invoiceId \d+$/);
    const applied = deliveries.filter((d) => d.type === 'InvoiceStatusChanged' && d.applied?.changes.length);
    expect(applied.map((d) => [d.applied!.changes[0]!.key, d.applied!.changes[0]!.to, d.reported!.status])).toEqual([['ACH-OK', 'succeeded', 'Paid'], ['ACH-RET', 'declined', 'Noncollectable']]);
  });

  it('a re-run replays the settled one and reports the returned one as declined; nothing is charged again', async () => {
    const again = await run(ACH_MAP, 'ach.yaml', [
      { ref: 'ACH-OK', amount: 40, account: '4099999992' },
      { ref: 'ACH-RET', amount: 41, account: ACH_RETURN_ACCOUNT },
    ]);
    expect(again.map((r) => [r.outcome, r.replayed === true])).toEqual([['succeeded', true], ['declined', true]]);
    expect(countChargesByReference(sandbox.ledger(), { includeDeclined: true })).toMatchObject({ 'ACH-OK': 1, 'ACH-RET': 1 });
    expect(sandbox.ledger().find((e) => e.merchantReference === 'ACH-RET')).toMatchObject({ status: 'Noncollectable', approved: false });
  });

  it('a lookup sees the same final status as the webhook', async () => {
    const id = (await stepOf('webhook ach', 'ACH-RET', 'sale')).step.ids['followUp.invoiceId'];
    const res = await fetch(`${sandbox.baseUrls.revolv3}/api/Invoices/${id}`, { headers: { 'x-revolv3-token': sandbox.credentials.REVOLV3_TOKEN } });
    expect(((await res.json()) as { invoiceStatus: string }).invoiceStatus).toBe('Noncollectable');
  });
});

describe('refunds: pending until the refund invoice is confirmed', () => {
  it('the refund step is pending, then succeeded once the webhook confirms it', async () => {
    const [r] = await run(REFUND_MAP, 'refund.yaml', [{ ref: 'RF-1', amount: 50, refund: 20 }]);
    expect(r!.outcome).toBe('pending');
    expect(r!.steps.map((s) => s.classification)).toEqual(['succeeded', 'pending']);
    const before = await stepOf('webhook refund', 'RF-1', 'refund');
    expect(before.step.state).toBe('pending');
    const changes = await sandbox.settle();
    expect(changes.map((c) => [c.from, c.to, c.why, c.webhook?.status])).toEqual([['RefundPending', 'PartialRefund', 'refund-confirmed', 200]]);
    await handler.idle();
    const after = await stepOf('webhook refund', 'RF-1', 'refund');
    expect(after.step.state).toBe('succeeded');
    expect(after.record.state).toBe('succeeded');
  });
});

describe('signature, decoding and de-duplication', () => {
  let invoiceId: number;
  let snapshot: string;
  beforeAll(async () => {
    await run(ACH_MAP, 'ach.yaml', [{ ref: 'ACH-SIG', amount: 42, account: '4099999992' }]);
    invoiceId = Number((await stepOf('webhook ach', 'ACH-SIG', 'sale')).step.ids['followUp.invoiceId']);
    snapshot = JSON.stringify(await journal.store.getRecord('webhook ach', 'ACH-SIG')) + JSON.stringify(await journal.store.listEvents('webhook ach', 'ACH-SIG'));
  });
  const unchanged = async () => {
    await handler.idle();
    expect(JSON.stringify(await journal.store.getRecord('webhook ach', 'ACH-SIG')) + JSON.stringify(await journal.store.listEvents('webhook ach', 'ACH-SIG'))).toBe(snapshot);
  };

  it('a missing signature is 401 and changes nothing', async () => {
    const r = await post(delivery(invoiceId, 'Noncollectable'), {});
    expect(r.status).toBe(401);
    await unchanged();
  });

  it('a wrong key, a wrong URL or a changed body is 401 and changes nothing', async () => {
    const body = delivery(invoiceId, 'Noncollectable');
    expect((await post(body, { 'x-revolv3-signature': sign(body, hookUrl, 'another-key') })).status).toBe(401);
    expect((await post(body, { 'x-revolv3-signature': sign(body, 'https://elsewhere.example/hooks/revolv3') })).status).toBe(401);
    expect((await post(body.replace('Noncollectable', 'Paid'), { 'x-revolv3-signature': sign(body) })).status).toBe(401);
    expect((await post(body, { 'x-revolv3-signature': 'bm90IGEgc2lnbmF0dXJl' })).status).toBe(401);
    await unchanged();
  });

  it('a signed body that is not a Revolv3 event is 400 and changes nothing; a connection test is 200', async () => {
    const bad = JSON.stringify({ Body: '{not json', Entropy: 'x' });
    expect((await post(bad, { 'x-revolv3-signature': sign(bad) })).status).toBe(400);
    const test = JSON.stringify({ Body: JSON.stringify({ EventType: 'WebhookTest' }), Entropy: 'y' });
    expect(await post(test, { 'x-revolv3-signature': sign(test) })).toEqual({ status: 200, body: { received: true, duplicate: false } });
    await unchanged();
  });

  it('an undocumented status moves nothing and is reported for review', async () => {
    const body = delivery(invoiceId, 'Chargeback');
    expect((await post(body, { 'x-revolv3-signature': sign(body) })).status).toBe(200);
    await unchanged();
    const d = deliveries.at(-1)!;
    expect(d.applied!.changes).toEqual([]);
    expect(d.applied!.unchanged[0]).toMatchObject({ key: 'ACH-SIG', state: 'pending', status: 'Chargeback' });
    expect(d.applied!.unchanged[0]!.reason).toMatch(/not a documented value/);
  });

  it('a verified delivery is applied once; the same delivery again is 200, a duplicate, and changes nothing more', async () => {
    const body = delivery(invoiceId, 'Paid');
    expect(await post(body, { 'x-revolv3-signature': sign(body) })).toEqual({ status: 200, body: { received: true, duplicate: false } });
    await handler.idle();
    const events = (await journal.store.listEvents('webhook ach', 'ACH-SIG')).length;
    expect((await stepOf('webhook ach', 'ACH-SIG', 'sale')).step.state).toBe('succeeded');
    // a redelivery (new Entropy, same event) is the same delivery
    const again = body.replace('"Entropy":"abc"', '"Entropy":"def"');
    expect(await post(again, { 'x-revolv3-signature': sign(again) })).toEqual({ status: 200, body: { received: true, duplicate: true } });
    await handler.idle();
    expect((await journal.store.listEvents('webhook ach', 'ACH-SIG')).length).toBe(events);
  });

  it('a delivery is remembered in the journal: after a restart (a new receiver, same journal file) it is still a duplicate', async () => {
    const body = delivery(invoiceId, 'Paid', '2026-12-01T11:00:00.000Z');
    expect(await post(body, { 'x-revolv3-signature': sign(body) })).toEqual({ status: 200, body: { received: true, duplicate: false } });
    await handler.idle();
    const events = (await journal.store.listEvents('webhook ach', 'ACH-SIG')).length;
    // another receiver process: its own journal connection, nothing in memory
    const other = openJournal(join(dir, 'journal.db'));
    const seenByOther: WebhookDelivery[] = [];
    const restarted = createWebhookHandler({ journal: other, env: { REVOLV3_WEBHOOK_KEY: SANDBOX_WEBHOOK_KEY }, onDelivery: (d) => seenByOther.push(d) });
    const server2 = createServer(restarted);
    await new Promise<void>((r) => server2.listen(0, '127.0.0.1', () => r()));
    try {
      const url2 = `http://127.0.0.1:${(server2.address() as AddressInfo).port}/hooks/revolv3`;
      const res = await fetch(url2, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-revolv3-signature': sign(body, url2) } });
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { received: true, duplicate: true } });
      await restarted.idle();
      expect(seenByOther).toEqual([expect.objectContaining({ status: 200, duplicate: true })]);
      expect(seenByOther[0]).not.toHaveProperty('applied');
    } finally {
      await new Promise((r) => server2.close(r));
      await other.close();
    }
    expect((await journal.store.listEvents('webhook ach', 'ACH-SIG')).length).toBe(events);
    // what the journal keeps of deliveries: hashes in base64url, never a run of digits a card
    // scanner would read as a card number (a hex digest can hold one)
    const db = new Database(join(dir, 'journal.db'), { readonly: true });
    try {
      const ids = (db.prepare('SELECT id FROM deliveries').all() as Array<{ id: string }>).map((r) => r.id);
      expect(ids.length).toBeGreaterThan(1);
      for (const id of ids) {
        expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(id).not.toMatch(/\d{13}/);
      }
    } finally {
      db.close();
    }
  });

  it('only POST is accepted', async () => {
    expect((await fetch(hookUrl)).status).toBe(405);
  });
});

describe('datamap webhooks serve (a real process)', () => {
  it('verifies, applies to the journal file, logs ids and statuses only; 401 for a bad signature; stops on SIGTERM', async () => {
    const jpath = join(dir, 'cli-journal.db');
    const proc = spawnCli(['webhooks', 'serve', '--port', '0', '--journal', jpath], { REVOLV3_WEBHOOK_KEY: SANDBOX_WEBHOOK_KEY });
    const port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no listening line')), 30_000);
      let out = '';
      proc.child.stdout!.on('data', (d: string) => {
        out += d;
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) { clearTimeout(t); resolve(Number(m[1])); }
      });
    });
    const url = `http://127.0.0.1:${port}/`;
    const sb = await startSandbox({ rateLimitPerSecond: 0, webhooks: { url } });
    const j = openJournal(jpath);
    try {
      const map = mapFrom(dir, 'ach-cli.yaml', ACH_MAP);
      const out: RecordResult[] = [];
      for await (const r of runRecords(map, recordItems([{ ref: 'CLI-RET', amount: 43, account: ACH_RETURN_ACCOUNT }]), { baseUrl: sb.baseUrls.revolv3, credentials: { ...sb.credentials }, env: {}, journal: j, settleMs: 0 })) out.push(r);
      expect(out[0]!.outcome).toBe('pending');
      const bad = JSON.stringify({ Body: JSON.stringify({ EventType: 'InvoiceStatusChanged', Invoice: { InvoiceId: 1, InvoiceStatus: 'Paid' } }) });
      expect((await fetch(url, { method: 'POST', body: bad, headers: { 'x-revolv3-signature': 'AAAA' } })).status).toBe(401);
      const changes = await sb.settle();
      expect(changes.map((c) => [c.to, c.webhook?.status])).toEqual([['Noncollectable', 200]]);
      // the server applies after answering: wait for its log line
      for (let i = 0; i < 100 && (await j.store.getRecord('webhook ach', 'CLI-RET'))!.record.state !== 'declined'; i++) await new Promise((r) => setTimeout(r, 50));
      expect((await j.store.getRecord('webhook ach', 'CLI-RET'))!.record.state).toBe('declined');
    } finally {
      await j.close();
      await sb.close();
      proc.child.kill('SIGTERM');
    }
    const res = await proc.done;
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('401 refused: invalid signature');
    expect(res.stdout).toMatch(/200 InvoiceStatusChanged invoiceId \d+ Noncollectable: CLI-RET\/sale pending → declined/);
    // no account number, key or card data in what the server printed
    expect(res.stdout + res.stderr).not.toContain(ACH_RETURN_ACCOUNT);
    expect(res.stdout + res.stderr).not.toContain(SANDBOX_WEBHOOK_KEY);
  }, 60_000);

  it('without the key it refuses to start (webhooks/missing-key, exit 2)', async () => {
    const proc = spawnCli(['webhooks', 'serve', '--port', '0', '--journal', join(dir, 'nokey.db')], { REVOLV3_WEBHOOK_KEY: '' });
    const res = await proc.done;
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('webhooks/missing-key');
    expect(res.stderr).toContain('REVOLV3_WEBHOOK_KEY');
  }, 30_000);
});
