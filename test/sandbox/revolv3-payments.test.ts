import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DECLINE_AMOUNT, type Sandbox } from '../../src/sandbox/index.js';
import { card, countCharges, r3, saleBody, SEED_INVOICE_PAYMENT, start } from './helpers.js';

let sb: Sandbox;
beforeEach(async () => ({ sb } = await start()));
afterEach(() => sb.close());

describe('Revolv3 sale', () => {
  it('approves 4111… with a full sale response', async () => {
    const res = await r3(sb, '/api/Payments/sale', saleBody('ORD-1', 30.99));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      merchantInvoiceRefId: 'ORD-1',
      invoiceStatus: 'Paid',
      invoiceAttemptStatus: 'Success',
      message: 'Approved',
      amount: { currency: 'USD', value: 30.99 },
      responseCode: '00',
      responseMessage: 'Approved',
      paymentProcessor: 'Sandbox',
      paymentMethodCreditCardDetails: { binNumber: '411111', paymentLast4Digit: '1111', paymentExpirationDate: '1230' },
    });
    for (const k of ['invoiceId', 'paymentMethodId', 'authCode', 'processorTransactionId', 'networkTransactionId']) expect(res.body[k]).toBeTruthy();
    expect(countCharges(sb.ledger(), 'ORD-1')).toBe(1);
  });

  it('approves the 2-series Mastercard', async () => {
    const res = await r3(sb, '/api/Payments/sale', saleBody('ORD-MC', 5, '2222400010000008'));
    expect(res.body.invoiceStatus).toBe('Paid');
  });

  it.each([
    ['4000000000000002', 'Noncollectable', 'Declined'],
    ['4000000000009995', 'Noncollectable', 'Insufficient Funds'],
    ['4000000000000069', 'Noncollectable', 'Expired Card'],
    ['4000000000000119', 'Failed', 'Processor Error'],
  ])('declines %s with HTTP 200 %s "%s"', async (pan, status, message) => {
    const res = await r3(sb, '/api/Payments/sale', saleBody(`D-${pan}`, 12, pan));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ invoiceStatus: status, invoiceAttemptStatus: 'Fail', message, authCode: null });
    expect(countCharges(sb.ledger(), `D-${pan}`)).toBe(0);
    expect(sb.ledger()[0]).toMatchObject({ kind: 'charge', approved: false, status });
  });

  it('declines the decline amount on an approving card and on a stored method', async () => {
    const first = await r3(sb, '/api/Payments/sale', saleBody('S-1', 10));
    const byCard = await r3(sb, '/api/Payments/sale', saleBody('S-2', DECLINE_AMOUNT));
    expect(byCard.body.invoiceStatus).toBe('Noncollectable');
    const stored = await r3(sb, `/api/Payments/sale/${first.body.paymentMethodId}`, { invoice: { merchantInvoiceRefId: 'S-3', amount: { value: DECLINE_AMOUNT } } });
    expect(stored.body).toMatchObject({ invoiceStatus: 'Noncollectable', paymentMethodId: first.body.paymentMethodId });
    const storedOk = await r3(sb, `/api/Payments/sale/${first.body.paymentMethodId}`, { invoice: { merchantInvoiceRefId: 'S-4', amount: { value: 1 } } });
    expect(storedOk.body.invoiceStatus).toBe('Paid');
  });

  it('keeps a stored declining card declining', async () => {
    const pm = await r3(sb, '/api/PaymentMethod', card('4000000000000002'));
    const res = await r3(sb, `/api/Payments/sale/${pm.body.paymentMethodId}`, { invoice: { merchantInvoiceRefId: 'S-5', amount: { value: 3 } } });
    expect(res.body.invoiceStatus).toBe('Noncollectable');
  });

  it('returns 404 for a sale on an unknown stored method', async () => {
    const res = await r3(sb, '/api/Payments/sale/999999999', { invoice: { merchantInvoiceRefId: 'X', amount: { value: 3 } } });
    expect(res.status).toBe(404);
  });

  it('answers an ACH payment with Pending', async () => {
    const res = await r3(sb, '/api/Payments/sale', {
      paymentMethod: { billingFullName: 'John Doe', ach: { accountNumber: '4099999992', routingNumber: '011075123', accountType: 'Checking' } },
      invoice: { merchantInvoiceRefId: 'ACH-1', amount: { currency: 'USD', value: 20 } },
    });
    expect(res.body).toMatchObject({ invoiceStatus: 'Pending', invoiceAttemptStatus: 'Pending', paymentMethodCreditCardDetails: null });
    expect(countCharges(sb.ledger(), 'ACH-1')).toBe(1);
  });

  it('matches paths case-insensitively and accepts PascalCase keys', async () => {
    const res = await r3(sb, '/api/payments/SALE', {
      PaymentMethod: { BillingFullName: 'Ada Lovelace', BillingAddress: { AddressLine1: '1 Main St', PostalCode: '92701' }, CreditCard: { PaymentAccountNumber: '4111111111111111', ExpirationDate: '0130' } },
      Invoice: { MerchantInvoiceRefId: 'CASE-1', Amount: { Currency: 'USD', Value: 2 } },
    });
    expect(res.status).toBe(200);
    expect(res.body.merchantInvoiceRefId).toBe('CASE-1');
  });
});

describe('Revolv3 one-time invoice payment (seed body)', () => {
  it('approves the seed doc body verbatim', async () => {
    const res = await r3(sb, '/api/Invoices/payment', SEED_INVOICE_PAYMENT);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      customerId: 1,
      merchantInvoiceRefId: '123456789',
      invoiceStatus: 'Paid',
      invoiceAttemptStatus: 'Success',
      subtotal: 60,
      taxAmount: 0,
      total: 60,
    });
    expect(typeof res.body.invoiceId).toBe('number');
    expect(typeof res.body.paymentMethodId).toBe('number');
    const detail = await r3(sb, `/api/Invoices/${res.body.invoiceId}`);
    expect(detail.body.invoiceLineItems).toHaveLength(3);
  });

  it('subtracts discounts and creates a customer from inline fields', async () => {
    const res = await r3(sb, '/api/Invoices/payment', {
      firstName: 'Ann',
      lastName: 'Lee',
      merchantCustomerRefId: 'CUST-9',
      invoice: {
        merchantInvoiceRefId: 'INV-D',
        invoiceLineItems: [
          { name: 'A', value: 100, valueType: 'Standard' },
          { name: 'B', value: 10, valueType: 'Discount' },
          { name: 'C', value: 10, valueType: 'DiscountPercentage' },
        ],
      },
      paymentMethod: card('4111111111111111'),
    });
    expect(res.body).toMatchObject({ subtotal: 100, total: 80, invoiceStatus: 'Paid' });
    expect(res.body.customerId).not.toBe(1);
  });

  it('requires a customer, an invoice and a payment source', async () => {
    const res = await r3(sb, '/api/Invoices/payment', { invoice: { merchantInvoiceRefId: 'x', invoiceLineItems: [] } });
    expect(res.status).toBe(400);
    expect(res.body.errors.length).toBeGreaterThanOrEqual(3);
  });
});

describe('Revolv3 authorize / capture / refund / reverse / void', () => {
  const authBody = (value: number, pan = '4111111111111111') => ({ paymentMethod: card(pan), amount: { currency: 'USD', value } });

  it('authorizes, captures partially, refunds partially, refuses too much, then refunds the rest', async () => {
    const auth = await r3(sb, '/api/Payments/authorization', authBody(100));
    expect(auth.status).toBe(200);
    expect(auth.body).toMatchObject({ responseMessage: 'Approved', paymentMethod: { paymentMethodCreditCardDetails: { binNumber: '411111' } } });
    const authId = auth.body.paymentMethodAuthorizationId;
    expect(typeof authId).toBe('number');

    const over = await r3(sb, `/api/Payments/capture/${authId}`, { invoice: { merchantInvoiceRefId: 'CAP-1', amount: { value: 100.01 } } });
    expect(over.status).toBe(400);

    const cap = await r3(sb, `/api/Payments/capture/${authId}`, { invoice: { merchantInvoiceRefId: 'CAP-1', amount: { currency: 'USD', value: 80 } } });
    expect(cap.status).toBe(200);
    expect(cap.body).toMatchObject({ invoiceStatus: 'Paid', amount: { value: 80 }, merchantInvoiceRefId: 'CAP-1' });

    const twice = await r3(sb, `/api/Payments/capture/${authId}`, { invoice: { merchantInvoiceRefId: 'CAP-1', amount: { value: 10 } } });
    expect(twice.status).toBe(400);

    const invoiceId = cap.body.invoiceId;
    const partial = await r3(sb, `/api/Invoices/${invoiceId}/refund`, { amount: 30 });
    expect(partial.status).toBe(200);
    // a refund is RefundPending until it is confirmed (settle), then PartialRefund / Refund
    expect(partial.body.invoice).toMatchObject({ parentInvoiceId: invoiceId, invoiceStatus: 'RefundPending' });
    expect(partial.body.refunds[0]).toMatchObject({ amount: -30, invoiceAttemptStatus: 'Success' });

    const tooMuch = await r3(sb, `/api/Invoices/${invoiceId}/refund`, { amount: 50.01 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.errors[0]).toContain('exceeds');

    const rest = await r3(sb, `/api/Invoices/${invoiceId}/refund`, { amount: 50 });
    expect(rest.body.invoice.invoiceStatus).toBe('RefundPending');
    const confirmed = await sb.settle();
    expect(confirmed.map((c) => [c.invoiceId, c.from, c.to, c.why])).toEqual([
      [partial.body.invoice.invoiceId, 'RefundPending', 'PartialRefund', 'refund-confirmed'],
      [rest.body.invoice.invoiceId, 'RefundPending', 'Refund', 'refund-confirmed'],
    ]);
    expect((await r3(sb, `/api/Invoices/${rest.body.invoice.invoiceId}`, undefined, { method: 'GET' })).body.invoiceStatus).toBe('Refund');
    const again = await r3(sb, `/api/Invoices/${invoiceId}/refund`, { amount: 1 });
    expect(again.status).toBe(400);
    expect(again.body.message).toMatch(/fully refunded/);

    const kinds = sb.ledger().map((e) => `${e.kind}:${e.amount}`);
    expect(kinds).toEqual(['authorization:100', 'charge:80', 'refund:30', 'refund:50']);
    expect(countCharges(sb.ledger(), 'CAP-1')).toBe(1);
  });

  it('declines an authorization with HTTP 200 and no authorization id', async () => {
    const res = await r3(sb, '/api/Payments/authorization', authBody(10, '4000000000000002'));
    expect(res.status).toBe(200);
    expect(res.body.paymentMethodAuthorizationId).toBeNull();
    expect(res.body.responseMessage).toBe('Declined');
  });

  it('authorizes a stored method', async () => {
    const pm = await r3(sb, '/api/PaymentMethod', card('2222400010000008'));
    const res = await r3(sb, `/api/Payments/authorization/${pm.body.paymentMethodId}`, { amount: { value: 5 } });
    expect(res.body.paymentMethodAuthorizationId).toEqual(expect.any(Number));
  });

  it('reverses an uncaptured authorization only', async () => {
    const auth = await r3(sb, '/api/Payments/authorization', authBody(40));
    const id = auth.body.paymentMethodAuthorizationId;
    const rev = await r3(sb, '/api/PaymentMethod/reverse-auth', { paymentMethodAuthorizationId: id, reason: 'customer cancelled', amount: 40 });
    expect(rev.status).toBe(200);
    expect(rev.body).toMatchObject({ paymentProcessor: 0, referenceNumber: expect.any(String), message: expect.any(String) });
    expect((await r3(sb, '/api/PaymentMethod/reverse-auth', { paymentMethodAuthorizationId: id })).status).toBe(400);
    expect((await r3(sb, `/api/Payments/capture/${id}`, { invoice: { amount: { value: 1 } } })).status).toBe(400);

    const auth2 = await r3(sb, '/api/Payments/authorization', authBody(40));
    const id2 = auth2.body.paymentMethodAuthorizationId;
    await r3(sb, `/api/Payments/capture/${id2}`, { invoice: { merchantInvoiceRefId: 'R2', amount: { value: 40 } } });
    const late = await r3(sb, '/api/PaymentMethod/reverse-auth', { paymentMethodAuthorizationId: id2 });
    expect(late.status).toBe(400);
    expect((await r3(sb, '/api/PaymentMethod/reverse-auth', { paymentMethodAuthorizationId: 1 })).status).toBe(404);
  });

  it('voids a paid invoice once; not a declined one; 404 for unknown', async () => {
    const sale = await r3(sb, '/api/Payments/sale', saleBody('V-1', 15));
    const v = await r3(sb, `/api/Payments/void/${sale.body.invoiceId}`, undefined, { method: 'POST' });
    expect(v.status).toBe(200);
    expect(v.body.invoice).toMatchObject({ invoiceId: sale.body.invoiceId, invoiceStatus: 'Void' });
    expect(v.body.invoice.invoiceAttempts.length).toBe(2);
    expect((await r3(sb, `/api/Payments/void/${sale.body.invoiceId}`, undefined, { method: 'POST' })).status).toBe(400);

    const declined = await r3(sb, '/api/Payments/sale', saleBody('V-2', 15, '4000000000000002'));
    expect((await r3(sb, `/api/Payments/void/${declined.body.invoiceId}`, undefined, { method: 'POST' })).status).toBe(400);
    expect((await r3(sb, '/api/Payments/void/424242', undefined, { method: 'POST' })).status).toBe(404);
    expect(sb.ledger().filter((e) => e.kind === 'void')).toHaveLength(1);
  });
});

describe('Revolv3 lookups and customers', () => {
  it('finds invoices by merchantInvoiceRefId, and returns [] when none', async () => {
    await r3(sb, '/api/Payments/sale', saleBody('LOOK-1', 9.5));
    await r3(sb, '/api/Payments/sale', saleBody('OTHER', 1));
    const found = await r3(sb, '/api/Invoices?merchantInvoiceRefId=LOOK-1');
    expect(found.status).toBe(200);
    expect(found.body).toHaveLength(1);
    expect(found.body[0]).toMatchObject({
      merchantInvoiceRefId: 'LOOK-1',
      binNumber: '411111',
      last4Digit: '1111',
      invoiceStatus: 'Paid',
      subtotal: 9.5,
      tax: 0,
      total: 9.5,
      billingDate: '2030-01-15',
    });
    expect((await r3(sb, '/api/Invoices?merchantInvoiceRefId=NOPE')).body).toEqual([]);
  });

  it('gets invoice detail with attempts, 404 when unknown', async () => {
    const sale = await r3(sb, '/api/Payments/sale', saleBody('DET-1', 7));
    const d = await r3(sb, `/api/invoices/${sale.body.invoiceId}`);
    expect(d.body).toMatchObject({ invoiceId: sale.body.invoiceId, invoiceStatus: 'Paid', total: 7 });
    expect(d.body.invoiceAttempts[0]).toMatchObject({ amount: 7, invoiceAttemptStatus: 'Success' });
    expect((await r3(sb, '/api/Invoices/31337')).status).toBe(404);
  });

  it('creates a customer (201) and a payment method with only BIN and last 4', async () => {
    const cust = await r3(sb, '/api/Customers', {
      merchantCustomerRefId: 'C-1',
      firstName: 'Joe',
      lastName: 'Doe',
      email: 'joe@example.com',
      billingAddresses: [{ addressLine1: '100 Main', city: 'Santa Ana', state: 'CA', postalCode: '91111', country: 'US' }],
    });
    expect(cust.status).toBe(201);
    expect(cust.body).toMatchObject({ merchantCustomerRefId: 'C-1', firstName: 'Joe', billingAddresses: [{ addressId: expect.any(Number) }] });
    const pm = await r3(sb, '/api/PaymentMethod', { customerId: cust.body.customerId, ...card('4111111111111111') });
    expect(pm.status).toBe(200);
    expect(pm.body).toMatchObject({
      paymentMethodId: expect.any(Number),
      billingFirstName: 'Ada',
      paymentMethodCreditCardDetails: { binNumber: '411111', paymentLast4Digit: '1111', paymentExpirationDate: '1230' },
    });
    expect(JSON.stringify(pm.body)).not.toContain('4111111111111111');
    expect(JSON.stringify(pm.body)).not.toContain('737');
    const invoices = await r3(sb, `/api/Customers/${cust.body.customerId}/invoices`);
    expect(invoices.body).toEqual([]);
  });
});
