/**
 * Happy paths through the public API with nock at the HTTP boundary: Invoiss find → create
 * client → order → payment with ids passed between steps, an existing client reused, and the
 * Revolv3 seed invoice payment and sale.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../../src/index.js';
import {
  api, fakeClock, INVOISS, INVOISS_TOKEN, inlineMap, invoissMap, paid, resetNock, REVOLV3, revolv3SaleMap, run, samples, SEED_MAP,
  seedInvoicePayment, TOKEN, type Loose, type Seen,
} from './helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(resetNock);
afterAll(() => nock.enableNetConnect());

const order = (id: string, clientId: string, number: string, grandTotal: number): Loose => ({
  id, number, client: clientId, type: 'INVOICE', externalId: number, lineItems: [], subTotal: grandTotal, taxTotal: 0, grandTotal, paidTotal: 0, status: 'OPEN',
});

describe('Invoiss: find or create the client, create the order, process the payment', () => {
  it('creates the client when none is found and passes every id to the next step', async () => {
    const seen: Seen[] = [];
    api(INVOISS, seen)
      .get('/public/clients').query({ externalId: 'C-881' }).reply(200, [])
      .post('/public/clients').reply(201, { id: 'cl_100', name: 'Dana Reyes', externalId: 'C-881' })
      .post('/public/orders').reply(201, order('ord_200', 'cl_100', 'FS-10042', 159.99))
      .post('/public/payments/process').reply(200, { success: true, message: 'Payment processed' });

    const [r] = await run(invoissMap(), [samples()[0]]);

    expect(nock.isDone()).toBe(true);
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'GET /public/clients?externalId=C-881',
      'POST /public/clients',
      'POST /public/orders',
      'POST /public/payments/process',
    ]);
    // the bare token, as the Invoiss docs show it
    for (const s of seen) expect(s.headers.authorization).toBe(INVOISS_TOKEN);
    expect(seen[0]!.headers['content-type']).toBeUndefined();
    expect(seen[1]!.body).toEqual({ name: 'Dana Reyes', contact: 'Dana Reyes', email: 'dana.reyes@example.com', phone: '7145550142', externalId: 'C-881' });
    // the created client's id goes into the order ...
    expect(seen[2]!.body).toMatchObject({ client: 'cl_100', type: 'INVOICE', number: 'FS-10042', externalId: 'FS-10042', serviceDate: '2026-11-02' });
    expect(seen[2]!.body.lineItems).toHaveLength(3);
    // ... and the order's id and total into the payment, with a paymentId derived from the key
    expect(seen[3]!.body).toEqual({ method: 'CARD', type: 'INVOICE', order: { id: 'ord_200', grandTotal: 159.99 }, orderId: 'ord_200', amount: 159.99, paymentId: 'pay-FS-10042', company: { id: 'comp_1' }, signature: 'sig-1' });

    expect(r!.outcome).toBe('succeeded');
    expect(r!.key).toBe('FS-10042');
    expect(r!.steps.map((s) => [s.id, s.decision, s.classification, s.attempts])).toEqual([
      ['findClient', 'run', 'succeeded', 1],
      ['createClient', 'run', 'succeeded', 1],
      ['order', 'run', 'succeeded', 1],
      ['payment', 'run', 'succeeded', 1],
    ]);
    expect(r!.ids).toEqual({ 'createClient.clientId': 'cl_100', 'order.id': 'ord_200', 'payment.paymentId': 'pay-FS-10042' });
    expect(r!.result).toEqual({
      invoice: 'FS-10042', amount: 159.99, clientId: 'cl_100', clientCreated: true, orderId: 'ord_200', paymentId: 'pay-FS-10042', success: true, message: 'Payment processed',
    });
    expect(r!.error).toBeUndefined();
    for (const s of r!.steps) expect(s.warnings).toEqual([]);
    // the result shows the auth header name, never its value
    expect(r!.steps[0]!.request!.headers.Authorization).not.toContain(INVOISS_TOKEN);
  });

  it('reuses an existing client: createClient is skipped and the found id is used in the order', async () => {
    const seen: Seen[] = [];
    api(INVOISS, seen)
      .get('/public/clients').query({ externalId: 'C-902' }).reply(200, [{ id: 'cl_existing', name: 'Sam Whitfield', externalId: 'C-902' }])
      .post('/public/orders').reply(201, order('ord_300', 'cl_existing', 'FS-10043', 167))
      .post('/public/payments/process').reply(200, { success: true, message: 'ok', paymentId: 'pay-FS-10043' });

    const [r] = await run(invoissMap(), [samples()[1]]);

    expect(nock.isDone()).toBe(true);
    expect(seen.filter((s) => s.method === 'POST' && s.path === '/public/clients')).toHaveLength(0);
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /public/clients?externalId=C-902', 'POST /public/orders', 'POST /public/payments/process']);
    expect(seen[1]!.body.client).toBe('cl_existing');
    expect(seen[2]!.body).toMatchObject({ orderId: 'ord_300', order: { id: 'ord_300', grandTotal: 167 }, amount: 167 });
    expect(r!.outcome).toBe('succeeded');
    expect(r!.steps.map((s) => `${s.id}:${s.decision}`)).toEqual(['findClient:run', 'createClient:skip', 'order:run', 'payment:run']);
    expect(r!.result).toMatchObject({ clientId: 'cl_existing', clientCreated: false, orderId: 'ord_300' });
  });

  it('a paid invoice makes no call at all and is skipped', async () => {
    const results = await run(invoissMap(), [samples()[2]]);
    expect(results[0]!.outcome).toBe('skipped');
    expect(results[0]!.steps.every((s) => s.decision === 'skip')).toBe(true);
    expect(summarize(results)).toMatchObject({ total: 1, skipped: 1 });
  });
});

describe('Revolv3', () => {
  it('seed invoice payment (invoices.payment): the documented body is sent as is and Paid is a success', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Invoices/payment')
      .reply(200, { customerId: 1, invoiceId: 4242, merchantInvoiceRefId: '123456789', invoiceStatus: 'Paid', invoiceAttemptStatus: 'Success', message: 'Approve', subtotal: 60, taxAmount: 4.5, total: 64.5, paymentMethodId: 77 });

    const [r] = await run(inlineMap(SEED_MAP), [seedInvoicePayment()]);

    expect(nock.isDone()).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers['x-revolv3-token']).toBe(TOKEN);
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen[0]!.body).toEqual(seedInvoicePayment());
    expect(r!.outcome).toBe('succeeded');
    expect(r!.key).toBe('123456789');
    expect(r!.ids).toEqual({ 'pay.invoiceId': 4242, 'pay.customerId': 1 });
    expect(r!.result).toEqual({ ref: '123456789', invoiceId: 4242, status: 'Paid' });
    expect(r!.card).toBe('411111******1111');
    // the request as the result shows it: card masked, security code gone, token redacted
    const shown = r!.steps[0]!.request!;
    expect(shown.headers['x-revolv3-token']).toBe('[redacted]');
    expect(shown.body).toMatchObject({ paymentMethod: { creditCard: { paymentAccountNumber: '411111******1111', securityCode: '[redacted]' } } });
  });

  it('sale: each open invoice is charged once with its own reference; the paid one is skipped', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale', (b: Loose) => b.invoice?.merchantInvoiceRefId === 'FS-10042').reply(200, paid(1001, 'FS-10042'))
      .post('/api/Payments/sale', (b: Loose) => b.invoice?.merchantInvoiceRefId === 'FS-10043').reply(200, { ...paid(1002, 'FS-10043'), paymentMethodCreditCardDetails: { binNumber: '400000', paymentLast4Digit: '0002' } });
    const clock = fakeClock();

    const results = await run(revolv3SaleMap(), samples(), { clock });

    expect(nock.isDone()).toBe(true);
    expect(seen).toHaveLength(2);
    expect(seen[0]!.body).toMatchObject({
      invoice: { merchantInvoiceRefId: 'FS-10042', orderProcessingChannel: 'Moto', amount: { currency: 'USD', value: 159.99 } },
      paymentMethod: { creditCard: { paymentAccountNumber: '4111111111111111', expirationDate: '1028', securityCode: '123' }, merchantPaymentMethodRefId: 'C-881' },
    });
    expect(seen[1]!.body.invoice.amount.value).toBe(167);
    expect(results.map((r) => [r.key, r.outcome, r.card])).toEqual([
      ['FS-10042', 'succeeded', '411111******1111'],
      ['FS-10043', 'succeeded', '400000******0002'],
      ['FS-10044', 'skipped', undefined],
    ]);
    expect(results[0]!.ids).toEqual({ 'sale.invoiceId': 1001, 'sale.paymentMethodId': 9001 });
    expect(results[0]!.result).toEqual({ invoice: 'FS-10042', amount: 159.99, revolv3InvoiceId: 1001, status: 'Paid', card: '411111…1111' });
    expect(summarize(results)).toEqual({ total: 3, succeeded: 2, declined: 0, pending: 0, failed: 0, unknown: 0, 'needs-review': 0, skipped: 1 });
    expect(clock.sleeps).toEqual([]);
  });

  it('an unrecognised invoiceStatus is pending, never a failure that could invite a re-charge', async () => {
    api(REVOLV3, []).post('/api/Payments/sale').reply(200, paid(1001, 'FS-10042', 'OneTimePaymentPending'));
    const [r] = await run(revolv3SaleMap(), [samples()[0]]);
    expect(r!.outcome).toBe('pending');
    expect(r!.steps[0]!.classification).toBe('pending');
  });
});
