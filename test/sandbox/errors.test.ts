import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { call, card, r3, saleBody, start } from './helpers.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

describe('Revolv3 400 error shape', () => {
  it.each([
    ['missing invoice', { paymentMethod: card('4111111111111111') }, 'invoice'],
    ['negative amount', saleBody('E', -1), 'invoice.amount.value'],
    ['more than 2 decimals', saleBody('E', 1.005), 'invoice.amount.value'],
    ['bad expiry', { ...saleBody('E', 1), paymentMethod: card('4111111111111111', { creditCard: { paymentAccountNumber: '4111111111111111', expirationDate: '1399' } }) }, 'expirationDate'],
    ['state not 2 letters', { ...saleBody('E', 1), paymentMethod: card('4111111111111111', { billingAddress: { state: 'Calif' } }) }, 'state'],
    ['Luhn-invalid card', saleBody('E', 1, '4111111111111112'), 'paymentAccountNumber'],
    ['non-USD currency', { ...saleBody('E', 1), invoice: { amount: { currency: 'EUR', value: 1 } } }, 'currency'],
  ])('%s → 400 {message, errors[]}', async (_name, body, fragment) => {
    ({ sb } = await start());
    const res = await r3(sb, '/api/Payments/sale', body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: expect.any(String), errors: expect.arrayContaining([expect.stringContaining(fragment)]) });
    expect(sb.ledger()).toHaveLength(0);
    expect(sb.state().revolv3.invoices).toBe(0);
  });

  it('malformed JSON → 400', async () => {
    ({ sb } = await start());
    const res = await r3(sb, '/api/Payments/sale', '{"invoice":');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ message: 'Malformed JSON', errors: [expect.any(String)] });
  });

  it('a body without a JSON content type → 415', async () => {
    ({ sb } = await start());
    const res = await call(`${sb.baseUrls.revolv3}/api/Payments/sale`, {
      method: 'POST',
      body: JSON.stringify(saleBody('E', 1)),
      headers: { 'x-revolv3-token': sb.credentials.REVOLV3_TOKEN, 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expect(res.body.message).toBe('Unsupported Media Type');
  });

  it('accepts application/json-patch+json', async () => {
    ({ sb } = await start());
    const res = await r3(sb, '/api/Payments/sale', saleBody('E', 1), { headers: { 'content-type': 'application/json-patch+json' } });
    expect(res.status).toBe(200);
  });

  it('unknown routes → 404, wrong method → 405', async () => {
    ({ sb } = await start());
    expect((await r3(sb, '/api/Nope')).status).toBe(404);
    expect((await call(`${sb.url}/elsewhere/x`)).status).toBe(404);
    expect((await r3(sb, '/api/Payments/sale')).status).toBe(405);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After after rateLimitPerSecond requests within one second per credential', async () => {
    let clock: { advance(ms: number): void };
    ({ sb, clock } = await start({ rateLimitPerSecond: 3 }));
    const s = sb;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await r3(s, '/api/Invoices')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await r3(s, '/api/Invoices');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body).toEqual({ message: 'Too Many Requests', errors: null });

    // Another credential has its own budget.
    const invoiss = await call(`${s.baseUrls.invoiss}/public/clients`, { headers: { authorization: s.credentials.INVOISS_TOKEN } });
    expect(invoiss.status).toBe(200);

    clock.advance(1000);
    expect((await r3(s, '/api/Invoices')).status).toBe(200);
  });

  it('defaults to 20 per second', async () => {
    sb = (await start({ rateLimitPerSecond: undefined })).sb;
    const s = sb;
    const statuses = await Promise.all(Array.from({ length: 21 }, () => r3(s, '/api/Invoices').then((r) => r.status)));
    expect(statuses.filter((x) => x === 429)).toHaveLength(1);
  });
});
