/**
 * The sandbox takes each documented request case as the real API would (cases.ts): its checks
 * are written from the docs, not from the packs' schemas. A rejection is a 400 in Revolv3's
 * {message, errors[]} shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/index.js';
import { inv, r3, start } from '../sandbox/helpers.js';
import { INVOISS_CASES, OTHER_REVOLV3_CASES, SALE_CASES, processBody, type FidelityCase } from './cases.js';

let sb: Sandbox;
beforeAll(async () => ({ sb } = await start()));
afterAll(() => sb.close());

async function expectTaken(c: FidelityCase, res: { status: number; body: { message?: unknown; errors?: unknown } }): Promise<void> {
  if (c.valid) {
    expect(res.status, `${c.name}: ${JSON.stringify(res.body)}`).not.toBe(400);
  } else {
    expect(res.status, `${c.name}: ${JSON.stringify(res.body)}`).toBe(400);
    expect(res.body).toEqual({ message: expect.any(String), errors: expect.arrayContaining([expect.any(String)]) });
  }
}

describe('Revolv3 simulator', () => {
  for (const c of SALE_CASES) {
    it(`${c.valid ? 'accepts' : 'rejects'} ${c.name} (${c.rule})`, async () => {
      const body = structuredClone(c.body);
      body.invoice.merchantInvoiceRefId = `FID-${c.name.replace(/\W+/g, '-')}`.slice(0, 100);
      const res = await r3(sb, '/api/Payments/sale', body);
      await expectTaken(c, res);
      if (c.valid) expect(res.body.invoiceStatus).toBe('Paid');
    });
  }
  for (const c of OTHER_REVOLV3_CASES) {
    it(`${c.valid ? 'accepts' : 'rejects'} ${c.name} (${c.rule})`, async () => {
      let path = '';
      if (c.operation === 'payments.saleWithMethod') {
        const pm = await r3(sb, '/api/PaymentMethod', { billingFullName: 'Ada Lovelace', billingAddress: { addressLine1: '1 Main St', postalCode: '92701' }, creditCard: { paymentAccountNumber: '4111111111111111', expirationDate: '1230' } });
        expect(pm.status).toBeLessThan(300);
        path = `/api/Payments/sale/${pm.body.paymentMethodId}`;
      } else if (c.operation === 'paymentMethods.reverseAuth') path = '/api/PaymentMethod/reverse-auth';
      else if (c.operation === 'payments.authorize') path = '/api/Payments/authorization';
      await expectTaken(c, await r3(sb, path, c.body));
    });
  }
  it('rejects details in paymentMethod on sale/{id}: the stored method is charged', async () => {
    const pm = await r3(sb, '/api/PaymentMethod', { billingFullName: 'Ada Lovelace', billingAddress: { state: 'CA', postalCode: '92701' }, creditCard: { paymentAccountNumber: '4111111111111111', expirationDate: '1230' } });
    const res = await r3(sb, `/api/Payments/sale/${pm.body.paymentMethodId}`, { invoice: { merchantInvoiceRefId: 'FID-X', amount: { value: 5 } }, paymentMethod: { creditCard: {} } });
    expect(res.status).toBe(400);
  });
});

describe('Invoiss simulator', () => {
  for (const c of INVOISS_CASES) {
    it(`${c.valid ? 'accepts' : 'rejects'} ${c.name} (${c.rule})`, async () => {
      const client = await inv(sb, '/public/clients', { name: 'Acme', externalId: `C-${c.name}` });
      const order = await inv(sb, '/public/orders', { client: client.body.id, type: 'INVOICE', lineItems: [{ name: 'x', quantity: 1, price: 100 }] });
      const body = structuredClone(c.body);
      const fresh = processBody(order.body.id);
      for (const k of ['order', 'orderId', 'paymentId'] as const) if (k in body) body[k] = fresh[k];
      const res = await inv(sb, '/public/payments/process', body);
      await expectTaken(c, res);
      if (c.valid) expect(res.body.success).toBe(true);
    });
  }
  it('a company or gateway the account does not have is 404, not a silent success', async () => {
    const client = await inv(sb, '/public/clients', { name: 'Acme', externalId: 'C-404' });
    const order = await inv(sb, '/public/orders', { client: client.body.id, type: 'INVOICE', lineItems: [{ name: 'x', quantity: 1, price: 100 }] });
    expect((await inv(sb, '/public/payments/process', processBody(order.body.id, (b) => { b.company.id = 'comp_other'; }))).status).toBe(404);
    expect((await inv(sb, '/public/payments/process', processBody(order.body.id, (b) => { b.gateway.id = 'gw_other'; }))).status).toBe(404);
  });
});
