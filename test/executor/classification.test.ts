/**
 * Classification from the docs (issue 10): every documented outcome of every money-moving
 * operation, through the public API with nock at the HTTP boundary.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryJournal } from '../../src/index.js';
import { api, inlineMap, INVOISS, paid, resetNock, REVOLV3, revolv3SaleMap, run, samples, type Loose, type Seen } from './helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(resetNock);
afterAll(() => nock.enableNetConnect());

const AUTH_MAP = `
version: 1
name: authorize
provider: { name: revolv3, environment: sandbox }
key: ref
steps:
  - id: auth
    operation: payments.authorize
    request: |
      { "amount": { "currency": "USD", "value": 12.5 },
        "paymentMethod": {
          "billingAddress": { "addressLine1": "1 Main St", "postalCode": "92101" },
          "billingFullName": "Dana Reyes",
          "creditCard": { "paymentAccountNumber": "4111111111111111", "expirationDate": "1029" } } }
  - id: capture
    operation: payments.capture
    params: { paymentMethodAuthorizationId: $steps.auth.paymentMethodAuthorizationId }
    request: '{ "invoice": { "merchantInvoiceRefId": $key, "amount": { "currency": "USD", "value": 12.5 } } }'
`;

const REFUND_MAP = `
version: 1
name: refund
provider: { name: revolv3, environment: sandbox }
key: ref
steps:
  - id: refund
    operation: invoices.refund
    params: { invoiceId: invoiceId }
    request: '{ "amount": 10 }'
`;

const authAnswer = (id: number | null): Loose => ({
  paymentMethodAuthorizationId: id, networkTransactionId: 'n1', responseCode: id ? '000' : '05',
  responseMessage: id ? 'Approved' : 'Do Not Honor', message: id ? 'Approved' : 'Declined',
  paymentMethod: { paymentMethodId: 77 },
});

describe('authorizations', () => {
  it('an authorization answered without a paymentMethodAuthorizationId is declined, and capture is never sent', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen).post('/api/Payments/authorization').reply(200, authAnswer(null));
    const [r] = await run(inlineMap(AUTH_MAP), [{ ref: 'A-1' }]);
    expect(r!.outcome).toBe('declined');
    expect(r!.steps[0]!.classification).toBe('declined');
    expect(r!.error?.code).toBe('provider/declined');
    expect(seen.map((s) => s.path)).toEqual(['/api/Payments/authorization']);
  });

  it('an authorization with an id succeeds and its id reaches the capture', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/authorization').reply(200, authAnswer(4242))
      .post('/api/Payments/capture/4242').reply(200, paid(1001, 'A-1'));
    const [r] = await run(inlineMap(AUTH_MAP), [{ ref: 'A-1' }]);
    expect(r!.outcome).toBe('succeeded');
    expect(seen.map((s) => s.path)).toEqual(['/api/Payments/authorization', '/api/Payments/capture/4242']);
  });
});

describe('invoice statuses of a sale', () => {
  const cases: Array<[string | number | boolean, string]> = [
    ['Paid', 'succeeded'], [1, 'succeeded'],
    ['Noncollectable', 'declined'], [5, 'declined'], ['Failed', 'declined'], [6, 'declined'],
    ['Pending', 'pending'], [3, 'pending'], ['OneTimePaymentPending', 'pending'], ['Recycle', 'pending'], ['RetryPending', 'pending'],
    ['BatchPending', 'pending'], ['CapturePending', 'pending'], ['RecurringPending', 'pending'], ['MultiCardsPending', 'pending'],
    ['MerchantPaid', 'unknown'], [8, 'unknown'], ['MerchantCancelled', 'unknown'], ['Void', 'unknown'], ['Refund', 'unknown'],
    ['Settled', 'unknown'], ['paid', 'unknown'], [0, 'unknown'], [20, 'unknown'], [true, 'unknown'],
  ];
  for (const [status, expected] of cases) {
    it(`invoiceStatus ${JSON.stringify(status)} is ${expected}`, async () => {
      const seen: Seen[] = [];
      api(REVOLV3, seen).post('/api/Payments/sale').reply(200, { ...paid(1001, 'FS-10042'), invoiceStatus: status });
      const journal = openMemoryJournal();
      const [r] = await run(revolv3SaleMap(), [samples()[0]], { journal });
      // an undocumented answer is held for review in the journal: never resent, never reconciled into a success
      const shown = expected === 'unknown' ? 'needs-review' : expected;
      expect(r!.steps[0]!.classification).toBe(shown);
      expect(r!.outcome).toBe(shown);
      expect(seen).toHaveLength(1); // never resent, whatever the class
      if (expected === 'unknown') {
        // a re-run over the same journal holds it: still one POST
        const [again] = await run(revolv3SaleMap(), [samples()[0]], { journal });
        expect(again!.outcome).toBe('needs-review');
        expect(seen).toHaveLength(1);
        expect(r!.error?.code).toBe('run/unclassified-outcome');
        expect(r!.error?.message).toMatch(/needs review and is never resent/);
        expect(r!.result).toBeUndefined();
      }
    });
  }

  it('MerchantPaid says why: Revolv3 did not collect the money', async () => {
    api(REVOLV3, []).post('/api/Payments/sale').reply(200, { ...paid(1001, 'FS-10042'), invoiceStatus: 'MerchantPaid' });
    const [r] = await run(revolv3SaleMap(), [samples()[0]]);
    expect(r!.error?.message).toMatch(/outside Revolv3/);
  });

  it('an ACH sale answered Paid is pending until confirmed, with a warning saying why', async () => {
    api(REVOLV3, []).post('/api/Payments/sale').reply(200, {
      ...paid(1001, 'FS-10042'), paymentMethodCreditCardDetails: null, paymentMethodAchDetails: { accountNumberLast4: '9992', routingNumber: '011075123', accountType: 'Checking' },
    });
    const [r] = await run(revolv3SaleMap(), [samples()[0]]);
    expect(r!.outcome).toBe('pending');
    expect(r!.steps[0]!.warnings.map((w) => w.code)).toContain('run/pending-confirmation');
    expect(r!.steps[0]!.warnings[0]!.message).toMatch(/Noncollectable 1-5 business days/);
  });
});

describe('refunds', () => {
  const cases: Array<[string | number, string]> = [
    ['Refund', 'pending'], ['PartialRefund', 'pending'], ['RefundPending', 'pending'], [7, 'pending'],
    ['RefundDeclined', 'declined'], ['RefundFailed', 'failed'], ['RefundVoid', 'failed'], ['PartialRefundVoid', 'failed'],
    ['Paid', 'unknown'], ['Refunded', 'unknown'],
  ];
  for (const [status, expected] of cases) {
    it(`a refund answered ${JSON.stringify(status)} is ${expected}`, async () => {
      const seen: Seen[] = [];
      api(REVOLV3, seen).post('/api/Invoices/1001/refund').reply(200, { invoice: { invoiceId: 2001, parentInvoiceId: 1001, invoiceStatus: status }, refunds: [] });
      const [r] = await run(inlineMap(REFUND_MAP), [{ ref: 'R-1', invoiceId: 1001 }]);
      expect(r!.outcome).toBe(expected === 'unknown' ? 'needs-review' : expected);
      expect(seen).toHaveLength(1);
    });
  }
});

describe('Invoiss payments.process', () => {
  const MAP = `
version: 1
name: pay
provider: { name: invoiss, environment: sandbox }
key: id
steps:
  - id: pay
    operation: payments.process
    request: |
      { "method": "CARD", "type": "INVOICE", "order": { "id": id, "grandTotal": 10 }, "orderId": id, "amount": 10,
        "company": { "id": "comp_1" }, "signature": "sig-1", "paymentId": "p-" & id }
`;
  it('a 2xx without a boolean success is unknown (may have been recorded), not failed, and not resent', async () => {
    const seen: Seen[] = [];
    api(INVOISS, seen).post('/public/payments/process').reply(200, { message: 'ok' });
    const [r] = await run(inlineMap(MAP), [{ id: 'ord_1' }]);
    expect(r!.outcome).toBe('needs-review');
    expect(r!.error?.code).toBe('run/unclassified-outcome');
    expect(seen).toHaveLength(1);
  });
});
