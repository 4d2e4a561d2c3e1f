/**
 * Auth sessions: the client-credentials token exchange (re-auth after a 401, refresh before
 * expiry, snake_case or camelCase token fields, one token shared by the records of a run) and
 * missing credentials, which fail before any request.
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DatamapError, loadDataMap } from '../../src/index.js';
import { api, fakeClock, INVOICE_GET_MAP, inlineMap, paid, resetNock, REVOLV3, revolv3SaleMap, REVOLV3_SALE_FILE, run, runError, samples, spaced, T0, type Loose, type Seen } from './helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(resetNock);
afterAll(() => nock.enableNetConnect());

const CC_MAP = INVOICE_GET_MAP.replace('provider: { name: revolv3 }', 'provider: { name: revolv3, auth: client-credentials }');
const CC = { REVOLV3_CLIENT_ID: 'client_abc', REVOLV3_CLIENT_SECRET: 'sec_XYZ_123456' };
const tokenCalls = (seen: Seen[]) => seen.filter((s) => s.path === '/api/Authentication/token');

/** Answers the token endpoint with acc_1, acc_2, ... */
function tokens(seen: Seen[], times: number, shape: (n: number) => Loose = (n) => ({ access_token: `acc_${n}`, token_type: 'Bearer', expires_in: 3600 })): nock.Scope {
  let n = 0;
  return api(REVOLV3, seen).post('/api/Authentication/token').times(times).reply(200, () => shape(++n));
}

describe('client-credentials', () => {
  it('401 → re-authenticates once: token fetched twice, the call succeeds', async () => {
    const seen: Seen[] = [];
    tokens(seen, 2);
    api(REVOLV3, seen)
      .get('/api/Invoices/1001').reply(401, { message: 'token expired' })
      .get('/api/Invoices/1001').reply(200, { invoiceId: 1001, invoiceStatus: 'Paid' });
    const clock = fakeClock();

    const [r] = await run(inlineMap(CC_MAP), [{ id: '1001' }], { credentials: CC, clock });

    expect(nock.isDone()).toBe(true);
    expect(seen.map((s) => `${s.method} ${s.path} ${s.headers.authorization ?? '-'}`)).toEqual([
      'POST /api/Authentication/token -',
      'GET /api/Invoices/1001 Bearer acc_1',
      'POST /api/Authentication/token -',
      'GET /api/Invoices/1001 Bearer acc_2',
    ]);
    expect(tokenCalls(seen)[0]!.body).toEqual({ clientId: 'client_abc', clientSecret: 'sec_XYZ_123456' });
    expect(seen[1]!.headers['x-revolv3-token']).toBeUndefined();
    expect(r!.outcome).toBe('succeeded');
    expect(r!.steps[0]!.attempts).toBe(1); // re-authentication is not a retry of the call
    expect(r!.steps[0]!.request!.headers.Authorization).not.toMatch(/acc_/);
    expect(clock.sleeps).toEqual([]);
  });

  it('a payment that gets a 401 is re-sent after re-auth (a 401 was not processed): two POSTs, success', async () => {
    const seen: Seen[] = [];
    tokens(seen, 2);
    api(REVOLV3, seen)
      .post('/api/Payments/sale').reply(401, { message: 'Unauthorized' })
      .post('/api/Payments/sale').reply(200, paid(1001, 'FS-10042'));
    const map = loadDataMap({ text: readFileSync(REVOLV3_SALE_FILE, 'utf8').replace(/provider:\n {2}name: revolv3\n/, 'provider:\n  name: revolv3\n  auth: client-credentials\n'), file: 'cc-sale.yaml' });
    expect(map.provider.auth).toBe('client-credentials');
    const [r] = await run(map, [samples()[0]], { credentials: CC });
    expect(nock.isDone()).toBe(true);
    expect(tokenCalls(seen)).toHaveLength(2);
    expect(r!.outcome).toBe('succeeded');
  });

  it('a second 401 after re-auth is not retried again', async () => {
    const seen: Seen[] = [];
    tokens(seen, 2);
    api(REVOLV3, seen).get('/api/Invoices/1001').times(2).reply(401, { message: 'Unauthorized' });
    const [r] = await run(inlineMap(CC_MAP), [{ id: '1001' }], { credentials: CC });
    expect(nock.isDone()).toBe(true);
    expect(tokenCalls(seen)).toHaveLength(2);
    expect(seen.filter((s) => s.method === 'GET')).toHaveLength(2);
    expect(r!.outcome).toBe('failed');
    expect(r!.error).toMatchObject({ code: 'auth/failed', status: 401 });
  });

  it('expires_in 120: reused until expiry minus skew (60 s), then fetched again', async () => {
    const seen: Seen[] = [];
    tokens(seen, 2, (n) => ({ access_token: `acc_${n}`, expires_in: 120 }));
    api(REVOLV3, seen).get(/^\/api\/Invoices\/\d+$/).times(3).reply(200, (uri: string) => ({ invoiceId: Number(uri.split('/').pop()), invoiceStatus: 'Paid' }));
    const clock = fakeClock();
    // record 2 runs 59.999 s after the token was fetched (still fresh), record 3 at 60 s (refresh)
    const records = spaced([{ id: '1' }, { id: '2' }, { id: '3' }], (i) => {
      clock.t = T0 + (i === 1 ? 59_999 : 60_000);
    });

    const results = await run(inlineMap(CC_MAP), records, { credentials: CC, clock });

    expect(nock.isDone()).toBe(true);
    expect(results.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(seen.map((s) => `${s.method} ${s.path} ${s.headers.authorization ?? '-'}`)).toEqual([
      'POST /api/Authentication/token -',
      'GET /api/Invoices/1 Bearer acc_1',
      'GET /api/Invoices/2 Bearer acc_1',
      'POST /api/Authentication/token -',
      'GET /api/Invoices/3 Bearer acc_2',
    ]);
    expect(clock.sleeps).toEqual([]);
  });

  it('camelCase accessToken / expiresIn are accepted', async () => {
    const seen: Seen[] = [];
    tokens(seen, 2, (n) => ({ accessToken: `cam_${n}`, expiresIn: 120 }));
    api(REVOLV3, seen).get(/^\/api\/Invoices\/[12]$/).times(2).reply(200, { invoiceId: 1, invoiceStatus: 'Paid' });
    const clock = fakeClock();
    // two keys: the same key twice in one input is a duplicate and is not run
    const records = spaced([{ id: '1' }, { id: '2' }], () => {
      clock.t += 61_000;
    });
    const results = await run(inlineMap(CC_MAP), records, { credentials: CC, clock });
    expect(results.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded']);
    expect(seen.map((s) => s.headers.authorization).filter(Boolean)).toEqual(['Bearer cam_1', 'Bearer cam_2']);
    expect(tokenCalls(seen)).toHaveLength(2);
  });

  it('every record of a run shares one token (one fetch for many calls)', async () => {
    const seen: Seen[] = [];
    tokens(seen, 1);
    api(REVOLV3, seen).get(/^\/api\/Invoices\/\d+$/).times(5).reply(200, { invoiceId: 1, invoiceStatus: 'Paid' });
    const results = await run(inlineMap(CC_MAP), [1, 2, 3, 4, 5].map((id) => ({ id: String(id) })), { credentials: CC });
    expect(nock.isDone()).toBe(true);
    expect(results.every((r) => r.outcome === 'succeeded')).toBe(true);
    expect(tokenCalls(seen)).toHaveLength(1);
    expect(new Set(seen.filter((s) => s.method === 'GET').map((s) => s.headers.authorization))).toEqual(new Set(['Bearer acc_1']));
  });

  it('a failed token exchange fails each record (auth/failed) without losing the others, and calls nothing else', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen).post('/api/Authentication/token').times(2).reply(401, { message: 'invalid client' });
    const results = await run(inlineMap(CC_MAP), [{ id: '1' }, { id: '2' }], { credentials: CC });
    expect(nock.isDone()).toBe(true);
    expect(seen.every((s) => s.path === '/api/Authentication/token')).toBe(true);
    expect(results.map((r) => [r.index, r.outcome, r.error?.code])).toEqual([[0, 'failed', 'auth/failed'], [1, 'failed', 'auth/failed']]);
    expect(results[0]!.error!.message).toMatch(/Token exchange failed: Revolv3 answered HTTP 401: invalid client/);
  });

  it('a token response without a token fails the record', async () => {
    api(REVOLV3, []).post('/api/Authentication/token').reply(200, { token_type: 'Bearer' });
    const [r] = await run(inlineMap(CC_MAP), [{ id: '1' }], { credentials: CC });
    expect(r!.outcome).toBe('failed');
    expect(r!.error!.message).toMatch(/no token/);
  });

  it('the token exchange is retried on 503 (it is idempotent)', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen).post('/api/Authentication/token').reply(503, {});
    tokens(seen, 1);
    api(REVOLV3, seen).get('/api/Invoices/1').reply(200, { invoiceId: 1, invoiceStatus: 'Paid' });
    const clock = fakeClock();
    const [r] = await run(inlineMap(CC_MAP), [{ id: '1' }], { credentials: CC, clock });
    expect(nock.isDone()).toBe(true);
    expect(clock.sleeps).toEqual([188]);
    expect(r!.outcome).toBe('succeeded');
  });
});

describe('missing credentials fail before any request', () => {
  it('static token: runRecords throws auth/missing-credential naming REVOLV3_TOKEN; nock saw nothing', async () => {
    const seen: Seen[] = [];
    const scope = api(REVOLV3, seen).post('/api/Payments/sale').reply(200, paid(1001, 'FS-10042'));

    const err = await runError(revolv3SaleMap(), samples(), { credentials: {}, env: {}, clock: fakeClock() });

    expect(err).toBeInstanceOf(DatamapError);
    const e = err as DatamapError;
    expect(e.code).toBe('auth/missing-credential');
    expect(e.message).toContain('REVOLV3_TOKEN');
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0]!.data).toEqual({ variable: 'REVOLV3_TOKEN' });
    expect(seen).toEqual([]);
    expect(scope.isDone()).toBe(false);
  });

  it('an empty value counts as missing; process.env is not read when env is given', async () => {
    const before = process.env.REVOLV3_TOKEN;
    process.env.REVOLV3_TOKEN = 'from_process_env';
    try {
      const err = await runError(revolv3SaleMap(), samples(), { credentials: { REVOLV3_TOKEN: '' }, env: {} });
      expect((err as DatamapError).code).toBe('auth/missing-credential');
    } finally {
      if (before === undefined) delete process.env.REVOLV3_TOKEN;
      else process.env.REVOLV3_TOKEN = before;
    }
  });

  it('client-credentials: both missing variables are named', async () => {
    const err = (await runError(inlineMap(CC_MAP), [{ id: '1' }], { credentials: {}, env: {} })) as DatamapError;
    expect(err.code).toBe('auth/missing-credential');
    expect(err.diagnostics.map((d) => d.data?.variable)).toEqual(['REVOLV3_CLIENT_ID', 'REVOLV3_CLIENT_SECRET']);
  });

  it('credentials come from env when not passed, and options win over env', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen).get('/api/Invoices/1').times(2).reply(200, { invoiceId: 1, invoiceStatus: 'Paid' });
    await run(inlineMap(INVOICE_GET_MAP), [{ id: '1' }], { credentials: {}, env: { REVOLV3_TOKEN: 'from_env' } });
    await run(inlineMap(INVOICE_GET_MAP), [{ id: '1' }], { credentials: { REVOLV3_TOKEN: 'from_options' }, env: { REVOLV3_TOKEN: 'from_env' } });
    expect(seen.map((s) => s.headers['x-revolv3-token'])).toEqual(['from_env', 'from_options']);
  });

  it('a map can read a credential from another variable (${NAME})', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen).get('/api/Invoices/1').reply(200, { invoiceId: 1, invoiceStatus: 'Paid' });
    const map = inlineMap(INVOICE_GET_MAP.replace('provider: { name: revolv3 }', 'provider: { name: revolv3, credentials: { token: "${ACME_R3_TOKEN}" } }'));
    const err = (await runError(map, [{ id: '1' }], { credentials: { REVOLV3_TOKEN: 'tok_test' }, env: {} })) as DatamapError;
    expect(err.message).toContain('ACME_R3_TOKEN');
    expect(seen).toEqual([]);
    await run(map, [{ id: '1' }], { credentials: { ACME_R3_TOKEN: 'acme_tok' } });
    expect(seen.map((s) => s.headers['x-revolv3-token'])).toEqual(['acme_tok']);
  });
});
