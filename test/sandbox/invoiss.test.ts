import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DECLINE_AMOUNT, type Sandbox } from '../../src/sandbox/index.js';
import { countCharges, inv, processBody, start } from './helpers.js';

let sb: Sandbox;
beforeEach(async () => ({ sb } = await start()));
afterEach(() => sb.close());

async function findOrCreateClient(externalId: string): Promise<string> {
  const found = await inv(sb, `/public/clients?externalId=${encodeURIComponent(externalId)}`);
  expect(found.status).toBe(200);
  if (found.body.length > 0) return found.body[0].id as string;
  const created = await inv(sb, '/public/clients', { name: 'Acme Corp', email: 'ap@acme.test', externalId });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

async function createOrder(client: string, externalId = 'HOST-ORD-1') {
  return inv(sb, '/public/orders', {
    client,
    type: 'INVOICE',
    externalId,
    lineItems: [
      { name: 'Widget', description: 'Blue', externalId: 'SKU-1', quantity: 2, price: 12.5 },
      { name: 'Gadget', externalId: 'SKU-2', quantity: 1, price: 75 },
    ],
    metadata: { source: 'test' },
  });
}

describe('Invoiss flow', () => {
  it('find-or-create client → order → process → order PAID', async () => {
    const clientId = await findOrCreateClient('HOST-CUST-1');
    expect(clientId).toMatch(/^cli_/);
    expect(await findOrCreateClient('HOST-CUST-1')).toBe(clientId);

    const order = await createOrder(clientId);
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({
      id: expect.stringMatching(/^ord_/),
      client: clientId,
      type: 'INVOICE',
      subTotal: 100,
      taxTotal: 0,
      grandTotal: 100,
      paidTotal: 0,
      status: 'OPEN',
      payments: [],
    });
    const orderId = order.body.id as string;

    const part = await inv(sb, '/public/payments/process', {
      method: 'CARD',
      order: { id: orderId, grandTotal: 100 },
      company: { id: 'comp_sandbox', metadata: {} },
      signature: 'sig',
      type: 'INVOICE',
      amount: 40,
      status: 'COMPLETED',
      gateway: { id: 'gw_sandbox' },
      paymentId: 'pay_host_1',
      orderId,
    });
    expect(part.status).toBe(200);
    expect(part.body).toEqual({ success: true, message: 'Payment processed successfully', paymentId: 'pay_host_1' });
    expect((await inv(sb, `/public/orders/${orderId}`)).body).toMatchObject({ paidTotal: 40, status: 'PARTIAL' });

    const over = await inv(sb, '/public/payments/process', processBody(orderId, 100, 60.01));
    expect(over.status).toBe(400);
    expect(over.body).toEqual({ message: expect.any(String), errors: [expect.stringContaining('remaining balance')] });

    const rest = await inv(sb, '/public/payments/process', processBody(orderId, 100, 60));
    expect(rest.body.success).toBe(true);
    expect(rest.body.paymentId).toBe(`pay-${orderId}-60`);
    const paid = await inv(sb, `/public/orders/${orderId}`);
    expect(paid.body).toMatchObject({ paidTotal: 100, status: 'PAID' });
    expect(paid.body.payments).toHaveLength(2);
    expect(countCharges(sb.ledger(), 'HOST-ORD-1')).toBe(2);
    expect(sb.ledger()[0]).toMatchObject({ provider: 'invoiss', kind: 'charge', operation: 'process', paymentId: 'pay_host_1', orderId });
  });

  it('409 on a second client with the same externalId', async () => {
    await inv(sb, '/public/clients', { name: 'A', externalId: 'DUP' });
    const dup = await inv(sb, '/public/clients', { name: 'B', externalId: 'DUP' });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toContain('DUP');
  });

  it('400 {message, errors[]} when name is missing; GET by id and 404', async () => {
    const bad = await inv(sb, '/public/clients', { email: 'x@y.z' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.stringContaining('name')]);
    const created = await inv(sb, '/public/clients', { name: 'N', email: 'N@Example.com' });
    expect((await inv(sb, `/public/clients/${created.body.id}`)).body.name).toBe('N');
    expect((await inv(sb, '/public/clients?email=n@example.com')).body).toHaveLength(1);
    expect((await inv(sb, '/public/clients/cli_nope')).status).toBe(404);
  });

  it('orders need an existing client', async () => {
    const res = await createOrder('cli_missing');
    expect(res.status).toBe(404);
  });

  it('unknown order → 404; decline amount → 200 success:false; reused paymentId → 409', async () => {
    expect((await inv(sb, '/public/payments/process', processBody('ord_x', 1, 1))).status).toBe(404);
    const clientId = await findOrCreateClient('C2');
    const order = await createOrder(clientId, 'HOST-ORD-2');
    const declined = await inv(sb, '/public/payments/process', processBody(order.body.id, 100, DECLINE_AMOUNT));
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({ success: false, message: 'Payment declined' });
    expect((await inv(sb, `/public/orders/${order.body.id}`)).body).toMatchObject({ paidTotal: 0, status: 'OPEN' });
    expect(countCharges(sb.ledger(), 'HOST-ORD-2')).toBe(0);
    await inv(sb, '/public/payments/process', processBody(order.body.id, 100, 1, { paymentId: 'P1' }));
    expect((await inv(sb, '/public/payments/process', processBody(order.body.id, 100, 1, { paymentId: 'P1' }))).status).toBe(409);
  });

  it('payments/request answers true', async () => {
    const clientId = await findOrCreateClient('C3');
    const res = await inv(sb, '/public/payments/request', {
      order: { client: clientId },
      orderRemove: false,
      lineItems: [{ description: 'd', externalId: 'e', quantity: 1, price: 5, name: 'n' }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe(true);
  });
});
