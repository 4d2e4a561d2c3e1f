import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { luhnValid, TEST_CARDS, type Sandbox } from '../../src/sandbox/index.js';
import { call, card, r3, saleBody, SEED_INVOICE_PAYMENT, start } from './helpers.js';

let sb: Sandbox;
beforeEach(async () => ({ sb } = await start()));
afterEach(() => sb.close());

describe('card data never kept', () => {
  it('ledger and state hold no PAN, CVV or token after every kind of operation', async () => {
    const cvv = '9876';
    for (const [i, tc] of TEST_CARDS.entries()) {
      await r3(sb, '/api/Payments/sale', { ...saleBody(`SEC-${i}`, 10), paymentMethod: card(tc.number, { creditCard: { paymentAccountNumber: tc.number, expirationDate: '1230', securityCode: cvv } }) });
    }
    await r3(sb, '/api/Invoices/payment', SEED_INVOICE_PAYMENT);
    await r3(sb, '/api/PaymentMethod', card('2222400010000008'));
    const auth = await r3(sb, '/api/Payments/authorization', { paymentMethod: card('4111111111111111'), amount: { value: 50 } });
    const cap = await r3(sb, `/api/Payments/capture/${auth.body.paymentMethodAuthorizationId}`, { invoice: { merchantInvoiceRefId: 'SEC-CAP', amount: { value: 50 } } });
    await r3(sb, `/api/Invoices/${cap.body.invoiceId}/refund`, { amount: 5 });
    await call(`${sb.baseUrls.revolv3}/api/Authentication/token`, { body: { clientId: sb.credentials.REVOLV3_CLIENT_ID, clientSecret: sb.credentials.REVOLV3_CLIENT_SECRET } });

    const dumps = [
      JSON.stringify(sb.ledger()),
      JSON.stringify(sb.state(true)),
      JSON.stringify((await call(`${sb.url}/_admin/ledger`)).body),
      JSON.stringify((await call(`${sb.url}/_admin/state?full=1`)).body),
    ];
    expect(sb.state(true).data?.revolv3.invoices?.length).toBeGreaterThan(5);
    for (const dump of dumps) {
      for (const tc of TEST_CARDS) expect(dump).not.toContain(tc.number);
      // A security code is 3-4 digits, so look for where one could be kept rather than for the digits.
      expect(dump).not.toMatch(/securityCode|cvv|paymentAccountNumber/i);
      expect(dump).not.toContain(sb.credentials.REVOLV3_CLIENT_SECRET);
      expect(dump).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // no bearer token
      // Luhn-aware scan: no run of 12-19 digits that passes the card checksum.
      const runs = dump.match(/\d{12,19}/g) ?? [];
      expect(runs.filter((r) => luhnValid(r))).toEqual([]);
    }
    const withCards = sb.ledger().filter((e) => e.cardBin !== undefined);
    expect(withCards.length).toBeGreaterThan(0);
    for (const e of withCards) {
      expect(e.cardBin).toMatch(/^\d{6}$/);
      expect(e.cardLast4).toMatch(/^\d{4}$/);
    }
  });
});
