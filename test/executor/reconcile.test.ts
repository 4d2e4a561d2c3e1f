/**
 * A payment whose outcome is unknown (timeout, reset, 500/502/504) is never blindly resent:
 * it is reconciled by its merchant reference. Found → adopted (one POST); proven absent → sent
 * exactly once more (two POSTs); cannot tell → `unknown`, nothing resent (one POST).
 */
import nock from 'nock';
import { openMemoryJournal } from '../../src/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  api, fakeClock, INVOISS, invoissMap, netError, paid, resetNock, REVOLV3, revolv3SaleMap, run, samples, type Loose, type Seen,
} from './helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(resetNock);
afterAll(() => nock.enableNetConnect());

const LOOKUP = { merchantInvoiceRefId: 'FS-10042' };
const summary = (invoiceId: number, ref = 'FS-10042', invoiceStatus = 'Paid'): Loose => ({ invoiceId, customerId: 501, merchantInvoiceRefId: ref, invoiceStatus, total: 159.99 });
const posts = (seen: Seen[]) => seen.filter((s) => s.method === 'POST' && s.path === '/api/Payments/sale');
const timeout = () => netError('ECONNABORTED', 'timeout of 50ms exceeded');

describe('timeout on a payment', () => {
  it('real socket timeout (small timeoutMs): the lookup finds it → adopted, succeeded, exactly one POST', async () => {
    const seen: Seen[] = [];
    // the sale answers long after the 500 ms timeout (afterEach aborts the pending answer); the
    // lookup has the same deadline, which a loaded machine could miss at 100 ms (it flaked)
    api(REVOLV3, seen)
      .post('/api/Payments/sale').delayConnection(5_000).reply(200, paid(1001, 'FS-10042'))
      .get('/api/Invoices').query(LOOKUP).reply(200, [summary(1001)]);
    const clock = fakeClock();

    const [r] = await run(revolv3SaleMap(), [samples()[0]], { clock, timeoutMs: 500 });

    expect(nock.isDone()).toBe(true);
    expect(posts(seen)).toHaveLength(1);
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /api/Payments/sale', 'GET /api/Invoices?merchantInvoiceRefId=FS-10042']);
    expect(seen[1]!.headers['x-revolv3-token']).toBe('tok_test');
    expect(r!.outcome).toBe('succeeded');
    expect(r!.steps[0]).toMatchObject({ reconciliation: 'adopted', classification: 'succeeded', status: 200, attempts: 1 });
    expect(r!.ids['sale.invoiceId']).toBe(1001);
    expect(clock.sleeps).toEqual([]);
  });

  it('ECONNABORTED: adopts the newest invoice with our reference (several found)', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale').replyWithError(timeout())
      .get('/api/Invoices').query(LOOKUP).reply(200, [summary(990, 'FS-10042', 'Noncollectable'), summary(1001), summary(995, 'OTHER')]);

    const [r] = await run(revolv3SaleMap(), [samples()[0]]);

    expect(nock.isDone()).toBe(true);
    expect(posts(seen)).toHaveLength(1);
    expect(r!.outcome).toBe('succeeded');
    expect(r!.steps[0]!.reconciliation).toBe('adopted');
    expect(r!.steps[0]!.response).toMatchObject({ invoiceId: 1001, invoiceStatus: 'Paid' });
    expect(r!.ids['sale.invoiceId']).toBe(1001);
  });

  it('the adopted invoice can be a decline: declined, and still only one POST', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale').replyWithError(timeout())
      .get('/api/Invoices').query(LOOKUP).reply(200, [summary(1001, 'FS-10042', 'Noncollectable')]);
    const [r] = await run(revolv3SaleMap(), [samples()[0]]);
    expect(posts(seen)).toHaveLength(1);
    expect(r!.outcome).toBe('declined');
    expect(r!.steps[0]!.reconciliation).toBe('adopted');
  });

  it('the lookup finds nothing (empty array) → failed, not charged, one POST; a re-run over the journal sends it once', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale').replyWithError(timeout())
      .get('/api/Invoices').query(LOOKUP).reply(200, [])
      .post('/api/Payments/sale').reply(200, paid(1002, 'FS-10042'));
    const clock = fakeClock();
    const journal = openMemoryJournal();

    const [r] = await run(revolv3SaleMap(), [samples()[0]], { clock, journal });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /api/Payments/sale', 'GET /api/Invoices?merchantInvoiceRefId=FS-10042']);
    expect(r!.outcome).toBe('failed');
    expect(r!.steps[0]).toMatchObject({ reconciliation: 'absent', attempts: 1 });
    expect(r!.error).toMatchObject({ code: 'run/not-applied', retryable: true });

    const [again] = await run(revolv3SaleMap(), [samples()[0]], { clock, journal });
    expect(nock.isDone()).toBe(true);
    // the resend is the same request: same merchant reference, same amount
    expect(seen[2]!.body).toEqual(seen[0]!.body);
    expect(again!.outcome).toBe('succeeded');
    expect(again!.ids['sale.invoiceId']).toBe(1002);
  });

  it('a lookup that finds only other references is proof of absence too', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale').replyWithError(timeout())
      .get('/api/Invoices').query(LOOKUP).reply(200, [summary(7, 'FS-1004')]);
    const [r] = await run(revolv3SaleMap(), [samples()[0]]);
    expect(posts(seen)).toHaveLength(1);
    expect(r!.outcome).toBe('failed');
    expect(r!.steps[0]!.reconciliation).toBe('absent');
  });

  it('proven absent is never resent within the same run: one POST', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale').replyWithError(timeout())
      .get('/api/Invoices').query(LOOKUP).reply(200, []);
    const [r] = await run(revolv3SaleMap(), [samples()[0]]);
    expect(nock.isDone()).toBe(true);
    expect(posts(seen)).toHaveLength(1);
    expect(r!.outcome).toBe('failed');
  });

  it('the lookup keeps failing (500 on every attempt) → unknown, no resend, one POST', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale').replyWithError(timeout())
      .get('/api/Invoices').query(LOOKUP).times(4).reply(500, { message: 'Internal Server Error' });
    const clock = fakeClock();

    const [r] = await run(revolv3SaleMap(), [samples()[0]], { clock });

    expect(nock.isDone()).toBe(true);
    expect(posts(seen)).toHaveLength(1);
    expect(seen.filter((s) => s.method === 'GET')).toHaveLength(4); // the lookup is idempotent, so it was retried
    expect(clock.sleeps).toEqual([188, 375, 750]);
    expect(r!.outcome).toBe('unknown');
    expect(r!.steps[0]).toMatchObject({ classification: 'unknown' });
    expect(r!.error!.code).toBe('run/unknown-outcome');
    expect(r!.error!.message).toMatch(/lookup answered HTTP 500.*not sent again/);
    expect(r!.result).toBeUndefined();
    expect(r!.ids).toEqual({});
  });

  it('the lookup itself cannot connect (errors every time) → unknown, one POST', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale').replyWithError(timeout())
      .get('/api/Invoices').query(LOOKUP).times(4).replyWithError(netError('ECONNRESET', 'socket hang up'));
    const [r] = await run(revolv3SaleMap(), [samples()[0]]);
    expect(nock.isDone()).toBe(true);
    expect(posts(seen)).toHaveLength(1);
    expect(r!.outcome).toBe('unknown');
    expect(r!.steps[0]!.classification).toBe('unknown');
  });

  it('a lookup the provider refuses (403) cannot tell: held for review, one POST', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale').replyWithError(timeout())
      .get('/api/Invoices').query(LOOKUP).reply(403, { message: 'Forbidden' });
    const [r] = await run(revolv3SaleMap(), [samples()[0]]);
    expect(posts(seen)).toHaveLength(1);
    expect(r!.outcome).toBe('needs-review');
    expect(r!.error!.code).toBe('run/needs-review');
  });

  it('a connection reset after sending is unknown too and is reconciled, not resent', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale').replyWithError(netError('ECONNRESET', 'socket hang up'))
      .get('/api/Invoices').query(LOOKUP).reply(200, [summary(1001)]);
    const [r] = await run(revolv3SaleMap(), [samples()[0]]);
    expect(posts(seen)).toHaveLength(1);
    expect(r!.outcome).toBe('succeeded');
    expect(r!.steps[0]!.reconciliation).toBe('adopted');
  });
});

describe('5xx on a payment: the same rules', () => {
  for (const status of [500, 502, 504]) {
    it(`${status} → found → adopted, one POST`, async () => {
      const seen: Seen[] = [];
      api(REVOLV3, seen)
        .post('/api/Payments/sale').reply(status, { message: 'upstream trouble' })
        .get('/api/Invoices').query(LOOKUP).reply(200, [summary(1001)]);
      const clock = fakeClock();
      const [r] = await run(revolv3SaleMap(), [samples()[0]], { clock });
      expect(nock.isDone()).toBe(true);
      expect(posts(seen)).toHaveLength(1);
      expect(clock.sleeps).toEqual([]);
      expect(r!.outcome).toBe('succeeded');
      expect(r!.steps[0]!.reconciliation).toBe('adopted');
    });
  }

  it('500 → proven absent → failed (not charged), not unknown; one POST', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale').reply(500, { message: 'Internal Server Error' })
      .get('/api/Invoices').query(LOOKUP).reply(200, []);
    const [r] = await run(revolv3SaleMap(), [samples()[0]]);
    expect(nock.isDone()).toBe(true);
    expect(posts(seen)).toHaveLength(1);
    expect(r!.outcome).toBe('failed');
    expect(r!.steps[0]).toMatchObject({ reconciliation: 'absent', status: 500 });
    expect(r!.error).toMatchObject({ code: 'run/not-applied' });
  });

  it('500 → the lookup fails → unknown, one POST; the next record still runs', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale', (b: Loose) => b.invoice.merchantInvoiceRefId === 'FS-10042').reply(500, { message: 'Internal Server Error' })
      .get('/api/Invoices').query(LOOKUP).times(4).reply(502, 'Bad Gateway')
      .post('/api/Payments/sale', (b: Loose) => b.invoice.merchantInvoiceRefId === 'FS-10043').reply(200, paid(1005, 'FS-10043'));
    const results = await run(revolv3SaleMap(), samples());
    expect(nock.isDone()).toBe(true);
    expect(posts(seen)).toHaveLength(2);
    expect(results.map((r) => r.outcome)).toEqual(['unknown', 'succeeded', 'skipped']);
    expect(results[0]!.steps[0]!.status).toBe(500);
  });

  it('503 on a payment was not processed: retried as-is, no reconcile', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale').reply(503, { message: 'Service Unavailable' })
      .post('/api/Payments/sale').reply(200, paid(1001, 'FS-10042'));
    const clock = fakeClock();
    const [r] = await run(revolv3SaleMap(), [samples()[0]], { clock });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /api/Payments/sale', 'POST /api/Payments/sale']);
    expect(clock.sleeps).toEqual([188]);
    expect(r!.outcome).toBe('succeeded');
    expect(r!.steps[0]!.reconciliation).toBeUndefined();
  });
});

describe('Invoiss payments.process reconciles through the order', () => {
  const flow = (seen: Seen[]) =>
    api(INVOISS, seen)
      .get('/public/clients').query({ externalId: 'C-881' }).reply(200, [{ id: 'cl_1', name: 'Dana Reyes' }])
      .post('/public/orders').reply(201, { id: 'ord_1', grandTotal: 159.99, number: 'FS-10042' });

  it('500 on the payment → the order lists our paymentId → adopted, one payment POST', async () => {
    const seen: Seen[] = [];
    flow(seen)
      .post('/public/payments/process').reply(500, { message: 'oops' })
      .get('/public/orders/ord_1').reply(200, { id: 'ord_1', grandTotal: 159.99, paidTotal: 159.99, payments: [{ paymentId: 'pay-FS-10042', amount: 159.99, method: 'CARD', status: 'COMPLETED' }] });
    const [r] = await run(invoissMap(), [samples()[0]]);
    expect(nock.isDone()).toBe(true);
    expect(seen.filter((s) => s.path === '/public/payments/process')).toHaveLength(1);
    expect(r!.outcome).toBe('succeeded');
    expect(r!.steps[3]).toMatchObject({ reconciliation: 'adopted', classification: 'succeeded' });
    expect(r!.result).toMatchObject({ paymentId: 'pay-FS-10042', success: true });
  });

  it('timeout on the payment → the order has no such payment → failed, not charged, not resent', async () => {
    const seen: Seen[] = [];
    flow(seen)
      .post('/public/payments/process').replyWithError(timeout())
      .get('/public/orders/ord_1').reply(200, { id: 'ord_1', grandTotal: 159.99, paidTotal: 0, payments: [] });
    const [r] = await run(invoissMap(), [samples()[0]]);
    expect(nock.isDone()).toBe(true);
    expect(seen.filter((s) => s.path === '/public/payments/process')).toHaveLength(1);
    expect(r!.outcome).toBe('failed');
    expect(r!.steps[3]!.reconciliation).toBe('absent');
  });

  it('a 404 from the order lookup is not proof of absence: held for review, not resent', async () => {
    const seen: Seen[] = [];
    flow(seen)
      .post('/public/payments/process').reply(500, { message: 'oops' })
      .get('/public/orders/ord_1').reply(404, { message: 'not found' });
    const [r] = await run(invoissMap(), [samples()[0]]);
    expect(nock.isDone()).toBe(true);
    expect(seen.filter((s) => s.path === '/public/payments/process')).toHaveLength(1);
    expect(r!.outcome).toBe('needs-review');
    expect(r!.review).toMatchObject({ reference: { orderId: 'ord_1' }, amount: 159.99 });
  });

  it('an order create that times out is looked up by its externalId: found → adopted, not created twice', async () => {
    const seen: Seen[] = [];
    api(INVOISS, seen)
      .get('/public/clients').query({ externalId: 'C-881' }).reply(200, [{ id: 'cl_1', name: 'Dana Reyes' }])
      .post('/public/orders').replyWithError(timeout())
      .get('/public/orders').query({ externalId: 'FS-10042' }).reply(200, [{ id: 'ord_9', externalId: 'FS-10042', grandTotal: 159.99, createdAt: '2026-11-21T00:00:00Z' }])
      .post('/public/payments/process').reply(200, { success: true, message: 'ok' });
    const [r] = await run(invoissMap(), [samples()[0]]);
    expect(nock.isDone()).toBe(true);
    expect(seen.filter((s) => s.method === 'POST' && s.path === '/public/orders')).toHaveLength(1);
    expect(r!.outcome).toBe('succeeded');
    expect(r!.steps[2]).toMatchObject({ id: 'order', reconciliation: 'adopted' });
    expect(seen.find((s) => s.path === '/public/payments/process')!.body).toMatchObject({ orderId: 'ord_9' });
  });
});
