import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAULT_AMOUNTS, type Sandbox } from '../../src/sandbox/index.js';
import { call, countCharges, inv, processBody, r3, saleBody, start } from './helpers.js';

let sb: Sandbox;
beforeEach(async () => ({ sb } = await start()));
afterEach(() => sb.close());

const found = async (ref: string): Promise<number> => (await r3(sb, `/api/Invoices?merchantInvoiceRefId=${ref}`)).body.length as number;

/** Raw request through node:http, reporting whether the socket was reset before a response. */
function rawPost(url: string, body: unknown, headers: Record<string, string>): Promise<{ reset: boolean; status?: number }> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ reset: false, status: res.statusCode ?? 0 }));
    });
    req.on('error', () => resolve({ reset: true }));
    req.end(JSON.stringify(body));
  });
}

describe('fault kinds via injectFault', () => {
  it('error-before: 500 and nothing committed', async () => {
    sb.injectFault({ kind: 'error-before', path: 'payments/sale' });
    const res = await r3(sb, '/api/Payments/sale', saleBody('F-EB', 10));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ message: expect.any(String), errors: null });
    expect(sb.ledger()).toHaveLength(0);
    expect(await found('F-EB')).toBe(0);
  });

  it('error-after: commits, then 500', async () => {
    sb.injectFault({ kind: 'error-after', provider: 'revolv3', method: 'post' });
    const res = await r3(sb, '/api/Payments/sale', saleBody('F-EA', 10));
    expect(res.status).toBe(500);
    expect(countCharges(sb.ledger(), 'F-EA')).toBe(1);
    expect(await found('F-EA')).toBe(1);
  });

  it('reset-after: commits, then destroys the socket without a response', async () => {
    sb.injectFault({ kind: 'reset-after', path: '/^\\/api\\/payments\\/sale$/' });
    const out = await rawPost(`${sb.baseUrls.revolv3}/api/Payments/sale`, saleBody('F-RA', 10), { 'x-revolv3-token': sb.credentials.REVOLV3_TOKEN });
    expect(out.reset).toBe(true);
    expect(countCharges(sb.ledger(), 'F-RA')).toBe(1);
    expect(await found('F-RA')).toBe(1);
  });

  it('reset-after also rejects a fetch', async () => {
    sb.injectFault({ kind: 'reset-after', provider: 'invoiss' });
    await expect(inv(sb, '/public/clients', { name: 'X' })).rejects.toThrow();
    expect(sb.state().invoiss.clients).toBe(1);
  });

  it('latency: delays, then answers normally', async () => {
    sb.injectFault({ kind: 'latency', latencyMs: 60 });
    const t0 = performance.now();
    const res = await r3(sb, '/api/Payments/sale', saleBody('F-L', 10));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-sandbox-fault-applied')).toBe('latency');
  });

  it('latency past a client timeout still commits (the unknown-outcome case)', async () => {
    sb.injectFault({ kind: 'latency', latencyMs: 80 });
    await expect(
      fetch(`${sb.baseUrls.revolv3}/api/Payments/sale`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-revolv3-token': sb.credentials.REVOLV3_TOKEN },
        body: JSON.stringify(saleBody('F-TO', 10)),
        signal: AbortSignal.timeout(20),
      }),
    ).rejects.toThrow();
    // The server finishes on its own time; poll instead of guessing a delay.
    for (let i = 0; i < 100 && sb.ledger().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(countCharges(sb.ledger(), 'F-TO')).toBe(1);
  });

  it('slow-body: commits and trickles the body', async () => {
    sb.injectFault({ kind: 'slow-body', latencyMs: 60 });
    const t0 = performance.now();
    const res = await r3(sb, '/api/Payments/sale', saleBody('F-SB', 10));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(40);
    expect(res.status).toBe(200);
    expect(res.body.invoiceStatus).toBe('Paid');
    expect(countCharges(sb.ledger(), 'F-SB')).toBe(1);
  });

  it('unavailable: 503 with Retry-After, nothing committed', async () => {
    sb.injectFault({ kind: 'unavailable' });
    const res = await r3(sb, '/api/Payments/sale', saleBody('F-U', 10));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(sb.ledger()).toHaveLength(0);
  });

  it('rate-limit: 429 with Retry-After, nothing committed', async () => {
    sb.injectFault({ kind: 'rate-limit', provider: 'invoiss' });
    const res = await inv(sb, '/public/clients', { name: 'X' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(sb.state().invoiss.clients).toBe(0);
  });

  it('applies a rule `times` times, only to matching requests, then removes it', async () => {
    sb.injectFault({ kind: 'unavailable', provider: 'revolv3', path: 'payments/sale', method: 'POST', times: 2 });
    expect((await inv(sb, '/public/clients')).status).toBe(200);
    expect((await r3(sb, '/api/Invoices')).status).toBe(200);
    expect((await r3(sb, '/api/Payments/sale', saleBody('T', 1))).status).toBe(503);
    expect((await r3(sb, '/api/Payments/sale', saleBody('T', 1))).status).toBe(503);
    expect((await r3(sb, '/api/Payments/sale', saleBody('T', 1))).status).toBe(200);
    expect(sb.state().faults).toEqual([]);
  });

  it('clearFaults removes pending rules; a bad rule is a TypeError', () => {
    sb.injectFault({ kind: 'latency', times: 5 });
    expect(sb.state().faults).toHaveLength(1);
    sb.clearFaults();
    expect(sb.state().faults).toHaveLength(0);
    expect(() => sb.injectFault({ kind: 'nope' as never })).toThrow(TypeError);
  });
});

describe('fault header and fault amounts', () => {
  it('x-sandbox-fault: error-after;latencyMs=N', async () => {
    const t0 = performance.now();
    const res = await r3(sb, '/api/Payments/sale', saleBody('H-EA', 10), { headers: { 'x-sandbox-fault': 'error-after;latencyMs=5' } });
    expect(res.status).toBe(500);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(countCharges(sb.ledger(), 'H-EA')).toBe(1);
    const bad = await r3(sb, '/api/Payments/sale', saleBody('H-X', 10), { headers: { 'x-sandbox-fault': 'explode' } });
    expect(bad.status).toBe(400);
    expect(sb.ledger()).toHaveLength(1);
  });

  it('x-sandbox-fault: latency on Invoiss', async () => {
    const t0 = performance.now();
    const res = await inv(sb, '/public/clients', undefined, { headers: { 'x-sandbox-fault': 'latency;latencyMs=40' } });
    expect(res.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
  });

  it('amount 9002 = error-before, 9003 = error-after', async () => {
    expect((await r3(sb, '/api/Payments/sale', saleBody('A-EB', FAULT_AMOUNTS['error-before']))).status).toBe(500);
    expect(await found('A-EB')).toBe(0);
    expect((await r3(sb, '/api/Payments/sale', saleBody('A-EA', FAULT_AMOUNTS['error-after']))).status).toBe(500);
    expect(await found('A-EA')).toBe(1);
    expect(sb.ledger().map((e) => e.merchantReference)).toEqual(['A-EA']);
  });

  it('amount 9004 resets after commit; 9006 is unavailable; 9007 is rate-limited', async () => {
    const out = await rawPost(`${sb.baseUrls.revolv3}/api/Payments/sale`, saleBody('A-RA', FAULT_AMOUNTS['reset-after']), { 'x-revolv3-token': sb.credentials.REVOLV3_TOKEN });
    expect(out.reset).toBe(true);
    expect(await found('A-RA')).toBe(1);
    expect((await r3(sb, '/api/Payments/sale', saleBody('A-U', FAULT_AMOUNTS.unavailable))).status).toBe(503);
    expect((await r3(sb, '/api/Payments/sale', saleBody('A-R', FAULT_AMOUNTS['rate-limit']))).status).toBe(429);
    expect(await found('A-U')).toBe(0);
  });

  it('amount faults apply to Invoiss payments and one-time invoice payments', async () => {
    const client = await inv(sb, '/public/clients', { name: 'C' });
    const order = await inv(sb, '/public/orders', { client: client.body.id, type: 'INVOICE', lineItems: [{ name: 'x', quantity: 1, price: 9003 }] });
    const res = await inv(sb, '/public/payments/process', processBody(order.body.id, 9003, FAULT_AMOUNTS['error-after']));
    expect(res.status).toBe(500);
    expect((await inv(sb, `/public/orders/${order.body.id}`)).body.status).toBe('PAID');

    const ip = await r3(sb, '/api/Invoices/payment', {
      customerId: 1,
      invoice: { merchantInvoiceRefId: 'IP-EB', invoiceLineItems: [{ name: 'a', value: 9002, valueType: 'Standard' }] },
      paymentMethod: { creditCard: { paymentAccountNumber: '4111111111111111', expirationDate: '1230' } },
    });
    expect(ip.status).toBe(500);
    expect(await found('IP-EB')).toBe(0);
  });
});

describe('admin API', () => {
  it('adds, lists and clears faults; returns the ledger; resets', async () => {
    const add = await call(`${sb.url}/_admin/faults`, { body: { kind: 'error-before', provider: 'revolv3', path: 'sale' } });
    expect(add.status).toBe(201);
    expect((await call(`${sb.url}/_admin/faults`)).body).toHaveLength(1);
    expect((await call(`${sb.url}/_admin/faults`, { body: { kind: 'bogus' } })).status).toBe(400);
    expect((await call(`${sb.url}/_admin/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await r3(sb, '/api/Payments/sale', saleBody('ADM', 10))).status).toBe(200);

    const ledger = await call(`${sb.url}/_admin/ledger`);
    expect(ledger.body).toHaveLength(1);
    expect(ledger.body[0]).toMatchObject({ seq: 1, provider: 'revolv3', kind: 'charge', operation: 'sale', merchantReference: 'ADM', amount: 10, status: 'Paid', at: '2030-01-15T12:00:00.000Z' });

    const state = await call(`${sb.url}/_admin/state`);
    expect(state.body).toMatchObject({ revolv3: { invoices: 1, paymentMethods: 1, customers: 1 }, ledgerEntries: 1 });
    expect(state.body.data).toBeUndefined();

    expect((await call(`${sb.url}/_admin/reset`, { method: 'POST' })).status).toBe(204);
    expect(sb.ledger()).toEqual([]);
    expect(sb.state().revolv3.invoices).toBe(0);
    const cat = await call(`${sb.url}/_admin/catalogue`);
    expect(cat.body.faultAmounts['error-before']).toBe(9002);
    expect((await call(`${sb.url}/_admin/nope`)).status).toBe(404);
  });
});
