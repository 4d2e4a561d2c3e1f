import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { inv, r3, saleBody, start } from './helpers.js';

const open: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function script(sb: Sandbox): Promise<unknown[]> {
  const sale = await r3(sb, '/api/Payments/sale', saleBody('DET', 10));
  const client = await inv(sb, '/public/clients', { name: 'X', externalId: 'E1' });
  const order = await inv(sb, '/public/orders', { client: client.body.id, type: 'ORDER', lineItems: [{ name: 'a', quantity: 1, price: 3 }] });
  return [sale.body.invoiceId, sale.body.paymentMethodId, sale.body.networkTransactionId, sale.body.authCode, client.body.id, order.body.id, order.body.number];
}

describe('determinism and isolation', () => {
  it('the same seed gives the same ids; another seed different ones', async () => {
    const a = (await start({ seed: 'alpha' })).sb;
    const b = (await start({ seed: 'alpha' })).sb;
    const c = (await start({ seed: 42 })).sb;
    open.push(a, b, c);
    const [ia, ib, ic] = await Promise.all([script(a), script(b), script(c)]);
    expect(ia).toEqual(ib);
    expect(ic).not.toEqual(ia);
    expect(a.port).not.toBe(b.port);
  });

  it('sandboxes keep separate state, and reset restarts ids', async () => {
    const a = (await start({ seed: 's' })).sb;
    const b = (await start({ seed: 's' })).sb;
    open.push(a, b);
    const first = await script(a);
    expect(a.ledger()).toHaveLength(1);
    expect(b.ledger()).toHaveLength(0);
    expect((await r3(b, '/api/Invoices?merchantInvoiceRefId=DET')).body).toEqual([]);
    a.reset();
    expect(a.ledger()).toHaveLength(0);
    expect(await script(a)).toEqual(first);
  });

  it('starts with defaults and exposes base URLs and credentials', async () => {
    const sb = await startSandbox();
    open.push(sb);
    expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sb.baseUrls).toEqual({ revolv3: `${sb.url}/revolv3`, invoiss: `${sb.url}/invoiss` });
    expect(sb.credentials).toEqual({
      REVOLV3_TOKEN: 'sandbox-revolv3-token',
      REVOLV3_CLIENT_ID: 'sandbox-revolv3-client-id',
      REVOLV3_CLIENT_SECRET: 'sandbox-revolv3-client-secret',
      INVOISS_TOKEN: 'sandbox-invoiss-token',
    });
    const res = await r3(sb, '/api/Payments/sale', saleBody('REAL-CLOCK', 1));
    expect(res.status).toBe(200);
    await expect(startSandbox({ port: -1 })).rejects.toThrow(RangeError);
  });

  it('close() is idempotent and drops keep-alive connections', async () => {
    const sb = (await start()).sb;
    await r3(sb, '/api/Invoices');
    await sb.close();
    await sb.close();
    await expect(fetch(`${sb.baseUrls.revolv3}/api/Invoices`)).rejects.toThrow();
  });
});
