/**
 * Declines, provider errors and the retries the payments policy allows: 429 with Retry-After
 * (seconds or HTTP date), 503/500 on idempotent lookups, backoff and its limits. The fake clock
 * shows every wait; nothing sleeps for real.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  api, fakeClock, netError, INVOICE_GET_MAP, INVOISS, inlineMap, invoissMap, paid, resetNock, REVOLV3, revolv3SaleMap, run, samples, T0, type Seen,
} from './helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(resetNock);
afterAll(() => nock.enableNetConnect());

describe('declines and provider errors', () => {
  it('a decline (HTTP 200, invoiceStatus Noncollectable) is an outcome: declined, no retry, exactly one POST', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen).post('/api/Payments/sale').reply(200, { ...paid(1003, 'FS-10042', 'Noncollectable'), message: 'Do Not Honor' });
    const clock = fakeClock();

    const [r] = await run(revolv3SaleMap(), [samples()[0]], { clock });

    expect(nock.isDone()).toBe(true);
    expect(seen).toHaveLength(1);
    expect(r!.outcome).toBe('declined');
    expect(r!.steps[0]).toMatchObject({ classification: 'declined', status: 200, attempts: 1 });
    expect(r!.steps[0]!.reconciliation).toBeUndefined();
    expect(r!.error).toEqual({ code: 'provider/declined', message: 'Do Not Honor', retryable: false });
    expect(r!.ids['sale.invoiceId']).toBeUndefined(); // a declined step's output is not used
    expect(clock.sleeps).toEqual([]);
  });

  it('an ACH-style Failed status is a decline too, and the next record still runs', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale').reply(200, paid(1004, 'FS-10042', 'Failed'))
      .post('/api/Payments/sale').reply(200, paid(1005, 'FS-10043'));
    const results = await run(revolv3SaleMap(), samples().slice(0, 2));
    expect(results.map((r) => r.outcome)).toEqual(['declined', 'succeeded']);
    expect(seen).toHaveLength(2);
  });

  it('a 400 with {message, errors[]} fails with a normalized error (providerMessage, details) and is not retried', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen).post('/api/Payments/sale').reply(400, {
      message: 'One or more validation errors occurred.',
      errors: ['Invoice.Amount.Value must be greater than 0', 'PaymentMethod.CreditCard.ExpirationDate is invalid'],
    });
    const clock = fakeClock();

    const [r] = await run(revolv3SaleMap(), [samples()[0]], { clock });

    expect(nock.isDone()).toBe(true);
    expect(seen).toHaveLength(1);
    expect(r!.outcome).toBe('failed');
    expect(r!.steps[0]).toMatchObject({ status: 400, classification: 'failed', attempts: 1 });
    expect(r!.error).toEqual({
      code: 'provider/rejected',
      message: 'Revolv3 answered HTTP 400: One or more validation errors occurred.',
      status: 400,
      providerMessage: 'One or more validation errors occurred.',
      details: ['Invoice.Amount.Value must be greater than 0', 'PaymentMethod.CreditCard.ExpirationDate is invalid'],
      retryable: false,
    });
    expect(r!.steps[0]!.error).toEqual(r!.error);
    expect(clock.sleeps).toEqual([]);
  });

  it('error details that are objects are kept as JSON text; a text body becomes the provider message', async () => {
    api(REVOLV3, [])
      .post('/api/Payments/sale').reply(422, { message: 'Invalid', errors: [{ field: 'invoice.amount', code: 'range' }] })
      .post('/api/Payments/sale').reply(404, 'Not Found', { 'Content-Type': 'text/plain' });
    const [a, b] = await run(revolv3SaleMap(), samples().slice(0, 2));
    expect(a!.error).toMatchObject({ code: 'provider/rejected', status: 422, providerMessage: 'Invalid', details: ['{"field":"invoice.amount","code":"range"}'] });
    expect(b!.error).toMatchObject({ code: 'provider/rejected', status: 404, providerMessage: 'Not Found' });
  });

  it('a 401 with the static token is not retried (there is nothing to refresh)', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen).post('/api/Payments/sale').reply(401, { message: 'Unauthorized' });
    const [r] = await run(revolv3SaleMap(), [samples()[0]]);
    expect(seen).toHaveLength(1);
    expect(r!.outcome).toBe('failed');
    expect(r!.error).toMatchObject({ code: 'auth/failed', status: 401 });
  });
});

describe('429: Retry-After is honoured', () => {
  it('Retry-After in seconds: the clock sleeps 3000 ms, then the call succeeds', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale').reply(429, { message: 'Too Many Requests' }, { 'Retry-After': '3' })
      .post('/api/Payments/sale').reply(200, paid(1001, 'FS-10042'));
    const clock = fakeClock();

    const [r] = await run(revolv3SaleMap(), [samples()[0]], { clock });

    expect(nock.isDone()).toBe(true);
    expect(clock.sleeps).toEqual([3000]);
    expect(seen).toHaveLength(2); // a 429 was not processed, so even a payment is sent again
    expect(r!.outcome).toBe('succeeded');
    expect(r!.steps[0]).toMatchObject({ attempts: 2, durationMs: 3000, status: 200 });
  });

  it('Retry-After as an HTTP date: the clock sleeps until that date', async () => {
    const seen: Seen[] = [];
    const at = new Date(T0 + 7000).toUTCString();
    api(REVOLV3, seen)
      .post('/api/Payments/sale').reply(429, { message: 'Too Many Requests' }, { 'Retry-After': at })
      .post('/api/Payments/sale').reply(200, paid(1001, 'FS-10042'));
    const clock = fakeClock();

    const [r] = await run(revolv3SaleMap(), [samples()[0]], { clock });

    expect(clock.sleeps).toEqual([7000]);
    expect(clock.t).toBe(T0 + 7000);
    expect(seen).toHaveLength(2);
    expect(r!.outcome).toBe('succeeded');
  });

  it('without Retry-After: exponential backoff with jitter (random 0.5 → 75% of each step)', async () => {
    api(REVOLV3, [])
      .post('/api/Payments/sale').times(2).reply(429, { message: 'slow down' })
      .post('/api/Payments/sale').reply(200, paid(1001, 'FS-10042'));
    const clock = fakeClock();
    const [r] = await run(revolv3SaleMap(), [samples()[0]], { clock });
    expect(clock.sleeps).toEqual([188, 375]);
    expect(r!.outcome).toBe('succeeded');
    expect(r!.steps[0]!.attempts).toBe(3);
  });

  it('a Retry-After beyond the retry budget is not waited: failed as rate-limited after one call', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen).post('/api/Payments/sale').reply(429, { message: 'Too Many Requests' }, { 'Retry-After': '120' });
    const clock = fakeClock();
    const [r] = await run(revolv3SaleMap(), [samples()[0]], { clock });
    expect(clock.sleeps).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(r!.outcome).toBe('failed');
    expect(r!.error).toMatchObject({ code: 'provider/rate-limited', status: 429, retryable: true });
  });

  it('429 on every attempt: stops after maxAttempts', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen).post('/api/Payments/sale').times(3).reply(429, {}, { 'Retry-After': '1' });
    const clock = fakeClock();
    const [r] = await run(revolv3SaleMap(), [samples()[0]], { clock, retry: { maxAttempts: 3 } });
    expect(nock.isDone()).toBe(true);
    expect(seen).toHaveLength(3);
    expect(clock.sleeps).toEqual([1000, 1000]);
    expect(r!.outcome).toBe('failed');
    expect(r!.steps[0]!.attempts).toBe(3);
  });
});

describe('idempotent lookups are retried', () => {
  it('503 on invoices.get, then success', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .get('/api/Invoices/1001').reply(503, { message: 'Service Unavailable' })
      .get('/api/Invoices/1001').reply(200, { invoiceId: 1001, invoiceStatus: 'Paid' });
    const clock = fakeClock();

    const [r] = await run(inlineMap(INVOICE_GET_MAP), [{ id: '1001' }], { clock });

    expect(nock.isDone()).toBe(true);
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /api/Invoices/1001', 'GET /api/Invoices/1001']);
    expect(clock.sleeps).toEqual([188]);
    expect(r!.outcome).toBe('succeeded');
    expect(r!.steps[0]).toMatchObject({ attempts: 2, status: 200 });
    expect(r!.ids).toEqual({ 'get.invoiceId': 1001 });
  });

  it('500 on an idempotent lookup is retried too (it cannot have changed anything)', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .get('/api/Invoices/1001').times(2).reply(500, { message: 'boom' })
      .get('/api/Invoices/1001').reply(200, { invoiceId: 1001, invoiceStatus: 'Paid' });
    const clock = fakeClock();
    const [r] = await run(inlineMap(INVOICE_GET_MAP), [{ id: '1001' }], { clock });
    expect(seen).toHaveLength(3);
    expect(clock.sleeps).toEqual([188, 375]);
    expect(r!.outcome).toBe('succeeded');
  });

  it('503 on every attempt: failed after maxAttempts with the backoff sequence', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen).get('/api/Invoices/1001').times(4).reply(503, { message: 'Service Unavailable' });
    const clock = fakeClock();
    const [r] = await run(inlineMap(INVOICE_GET_MAP), [{ id: '1001' }], { clock });
    expect(nock.isDone()).toBe(true);
    expect(seen).toHaveLength(4);
    expect(clock.sleeps).toEqual([188, 375, 750]);
    expect(r!.outcome).toBe('failed');
    expect(r!.error).toMatchObject({ code: 'provider/server-error', status: 503, retryable: true, providerMessage: 'Service Unavailable' });
  });

  it('a connection reset on a lookup is retried', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .get('/api/Invoices/1001').replyWithError(netError('ECONNRESET', 'socket hang up'))
      .get('/api/Invoices/1001').reply(200, { invoiceId: 1001, invoiceStatus: 'Paid' });
    const clock = fakeClock();
    const [r] = await run(inlineMap(INVOICE_GET_MAP), [{ id: '1001' }], { clock });
    expect(seen).toHaveLength(2);
    expect(clock.sleeps).toEqual([188]);
    expect(r!.outcome).toBe('succeeded');
  });

  it('503 on the Invoiss clients.find, then the whole flow goes on', async () => {
    const seen: Seen[] = [];
    api(INVOISS, seen)
      .get('/public/clients').query({ externalId: 'C-902' }).reply(503, { message: 'busy' })
      .get('/public/clients').query({ externalId: 'C-902' }).reply(200, [{ id: 'cl_9', name: 'Sam Whitfield' }])
      .post('/public/orders').reply(201, { id: 'ord_9', grandTotal: 167, number: 'FS-10043' })
      .post('/public/payments/process').reply(200, { success: true, message: 'ok' });
    const clock = fakeClock();
    const [r] = await run(invoissMap(), [samples()[1]], { clock });
    expect(nock.isDone()).toBe(true);
    expect(clock.sleeps).toEqual([188]);
    expect(r!.outcome).toBe('succeeded');
    expect(r!.steps[0]!.attempts).toBe(2);
    expect(seen.filter((s) => s.path === '/public/payments/process')).toHaveLength(1);
  });
});

describe('connection refused is safe to retry, even for a payment', () => {
  it('ECONNREFUSED on the sale: retried, then one successful POST', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale').replyWithError(netError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:443'))
      .post('/api/Payments/sale').reply(200, paid(1001, 'FS-10042'));
    const clock = fakeClock();
    const [r] = await run(revolv3SaleMap(), [samples()[0]], { clock });
    expect(nock.isDone()).toBe(true);
    expect(clock.sleeps).toEqual([188]);
    expect(r!.outcome).toBe('succeeded');
    expect(r!.steps[0]!.reconciliation).toBeUndefined();
  });
});
