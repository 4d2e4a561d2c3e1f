import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { call, inv, r3, saleBody, start, type ManualClock } from './helpers.js';

let sb: Sandbox;
let clock: ManualClock;
beforeEach(async () => ({ sb, clock } = await start({ tokenTtlSeconds: 60 })));
afterEach(() => sb.close());

describe('Revolv3 auth', () => {
  it('rejects a request without a token with 401 {message, errors:null}', async () => {
    const res = await call(`${sb.baseUrls.revolv3}/api/Payments/sale`, { body: saleBody('A1', 10) });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ message: 'Unauthorized', errors: null });
    expect(sb.ledger()).toHaveLength(0);
  });

  it('rejects a wrong static token', async () => {
    const res = await r3(sb, '/api/Invoices?merchantInvoiceRefId=x', undefined, { headers: { 'x-revolv3-token': 'nope' } });
    expect(res.status).toBe(401);
  });

  it('accepts the static token', async () => {
    const res = await r3(sb, '/api/Invoices?merchantInvoiceRefId=x');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('exchanges client credentials for a bearer token that expires by the injected clock', async () => {
    const tok = await call(`${sb.baseUrls.revolv3}/api/Authentication/token`, {
      body: { clientId: sb.credentials.REVOLV3_CLIENT_ID, clientSecret: sb.credentials.REVOLV3_CLIENT_SECRET },
    });
    expect(tok.status).toBe(200);
    expect(tok.body).toMatchObject({ token_type: 'Bearer', expires_in: 60, ext_expires_in: 60, isExpired: false });
    expect(tok.body.access_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(new Date(tok.body.expirationTime).getTime()).toBe(clock.now() + 60_000);

    const bearer = { authorization: `Bearer ${tok.body.access_token}` };
    const ok = await call(`${sb.baseUrls.revolv3}/api/Invoices?merchantInvoiceRefId=x`, { headers: bearer });
    expect(ok.status).toBe(200);

    clock.advance(59_999);
    expect((await call(`${sb.baseUrls.revolv3}/api/Invoices`, { headers: bearer })).status).toBe(200);
    clock.advance(1);
    const expired = await call(`${sb.baseUrls.revolv3}/api/Invoices`, { headers: bearer });
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ message: 'Unauthorized', errors: null });
  });

  it('rejects wrong client credentials with 401 and missing ones with 400', async () => {
    const wrong = await call(`${sb.baseUrls.revolv3}/api/Authentication/token`, { body: { clientId: sb.credentials.REVOLV3_CLIENT_ID, clientSecret: 'x' } });
    expect(wrong.status).toBe(401);
    const missing = await call(`${sb.baseUrls.revolv3}/api/Authentication/token`, { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual(expect.arrayContaining([expect.stringContaining('clientId')]));
  });

  it('rejects an unknown bearer token', async () => {
    const res = await call(`${sb.baseUrls.revolv3}/api/Invoices`, { headers: { authorization: 'Bearer made.up.token' } });
    expect(res.status).toBe(401);
  });
});

describe('Invoiss auth', () => {
  it('accepts the bare token and the Bearer form', async () => {
    expect((await inv(sb, '/public/clients')).status).toBe(200);
    const bearer = await call(`${sb.baseUrls.invoiss}/public/clients`, { headers: { authorization: `Bearer ${sb.credentials.INVOISS_TOKEN}` } });
    expect(bearer.status).toBe(200);
  });

  it('rejects a missing or wrong token with 401 {message}', async () => {
    const missing = await call(`${sb.baseUrls.invoiss}/public/clients`);
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ message: expect.any(String) });
    const wrong = await inv(sb, '/public/clients', undefined, { headers: { authorization: 'wrong' } });
    expect(wrong.status).toBe(401);
  });
});
