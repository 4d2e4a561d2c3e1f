/**
 * Input and network safety: a record that cannot be planned makes no call while the others run;
 * requests go only to the pack's hosts (or a base URL set explicitly); redirects are not
 * followed; path values are percent-encoded; and the transport can be injected.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readRecords, runRecords, type HttpRequest, type HttpResponse, type RecordResult } from '../../src/index.js';
import {
  api, fakeClock, INVOICE_GET_MAP, INVOISS, inlineMap, invoissMap, paid, resetNock, REVOLV3, revolv3SaleMap, run, samples, type Seen,
} from './helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(resetNock);
afterAll(() => nock.enableNetConnect());

describe('records that cannot run make no call; the others still run', () => {
  it('an invalid record (payload invalid, or input invalid) is failed without a request', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen)
      .post('/api/Payments/sale').reply(200, paid(1001, 'FS-10042'))
      .post('/api/Payments/sale').reply(200, paid(1002, 'FS-10043'));
    const [first, second] = samples();
    // the input schema accepts it, the provider's request schema does not (state must be 2 letters)
    const badState = structuredClone(first);
    badState.invoiceNumber = 'BAD-STATE';
    badState.customer.address.state = 'California';
    // the Data Map's input schema rejects it
    const badMonth = structuredClone(second);
    badMonth.invoiceNumber = 'BAD-MONTH';
    badMonth.payment.card.expMonth = 13;

    const results = await run(revolv3SaleMap(), [first, badState, badMonth, second]);

    expect(nock.isDone()).toBe(true);
    expect(seen.map((s) => s.body.invoice.merchantInvoiceRefId)).toEqual(['FS-10042', 'FS-10043']);
    expect(results.map((r) => r.outcome)).toEqual(['succeeded', 'failed', 'failed', 'succeeded']);
    const [, bad, worse] = results;
    expect(bad!.key).toBe('BAD-STATE');
    expect(bad!.steps).toEqual([]);
    expect(bad!.error).toMatchObject({ code: 'run/not-planned', retryable: false });
    expect(bad!.diagnostics.map((d) => d.code)).toEqual(['schema/payload-invalid']);
    expect(bad!.diagnostics[0]!.message).toMatch(/billingAddress\.state/);
    expect(worse!.diagnostics.map((d) => d.code)).toEqual(['record/invalid']);
    expect(worse!.diagnostics[0]!.message).toMatch(/expMonth/);
    for (const r of [bad, worse]) {
      expect(JSON.stringify(r)).not.toMatch(/4111111111111111|4000000000000002/);
      expect(r!.steps.every((s) => s.attempts === 0)).toBe(true);
    }
  });

  it('a line that is not JSON is reported for that record; the next lines still run', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen).get(/^\/api\/Invoices\/\d+$/).times(2).reply(200, { invoiceId: 1, invoiceStatus: 'Paid' });
    const ndjson = '{"id":"1"}\n{"id": oops}\n{"id":"2"}\n';
    const out: RecordResult[] = [];
    for await (const r of runRecords(inlineMap(INVOICE_GET_MAP), readRecords([ndjson], { source: 'in.ndjson' }), { credentials: { REVOLV3_TOKEN: 'tok_test' }, env: {}, clock: fakeClock() })) out.push(r);
    expect(out.map((r) => r.outcome)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(out[1]!.diagnostics[0]!.code).toBe('source/json-syntax');
    expect(out[1]!.line).toBe(2);
    expect(seen.map((s) => s.path)).toEqual(['/api/Invoices/1', '/api/Invoices/2']);
  });

  it('a payload made invalid by a real step output stops the record before that call', async () => {
    const seen: Seen[] = [];
    api(INVOISS, seen)
      .get('/public/clients').query({ externalId: 'C-881' }).reply(200, [{ id: 'cl_1', name: 'Dana Reyes' }])
      .post('/public/orders').reply(201, { id: 'ord_1', grandTotal: -5, number: 'FS-10042' });
    const [r] = await run(invoissMap(), [samples()[0]]);
    expect(nock.isDone()).toBe(true);
    expect(seen.some((s) => s.path === '/public/payments/process')).toBe(false);
    expect(r!.outcome).toBe('failed');
    expect(r!.error!.code).toBe('schema/payload-invalid');
    expect(r!.steps.at(-1)).toMatchObject({ id: 'payment', attempts: 0 });
  });
});

describe('hosts', () => {
  it('an operation base URL set in the Data Map is allowed (and only that operation goes there)', async () => {
    const seen: Seen[] = [];
    const map = inlineMap(INVOICE_GET_MAP.replace('provider: { name: revolv3 }', 'provider: { name: revolv3, operations: { invoices.get: { baseUrl: "https://r3-proxy.example.test/v1" } } }'));
    api('https://r3-proxy.example.test', seen).get('/v1/api/Invoices/1001').reply(200, { invoiceId: 1001, invoiceStatus: 'Paid' });
    const [r] = await run(map, [{ id: '1001' }]);
    expect(nock.isDone()).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers['x-revolv3-token']).toBe('tok_test');
    expect(r!.outcome).toBe('succeeded');
    expect(r!.steps[0]!.request!.url).toBe('https://r3-proxy.example.test/v1/api/Invoices/1001');
  });

  it('an explicit baseUrl option and another environment of the pack are allowed', async () => {
    const seen: Seen[] = [];
    api('http://localhost:4010', seen).get('/api/Invoices/1').reply(200, { invoiceId: 1 });
    api('https://api.revolv3.com', seen).get('/api/Invoices/2').reply(200, { invoiceId: 2 });
    const map = inlineMap(INVOICE_GET_MAP);
    const [a] = await run(map, [{ id: '1' }], { baseUrl: 'http://localhost:4010' });
    const [b] = await run(map, [{ id: '2' }], { environment: 'production' });
    expect(nock.isDone()).toBe(true);
    expect([a!.outcome, b!.outcome]).toEqual(['succeeded', 'succeeded']);
  });

  it('a 302 redirect is not followed: the payment fails and the other host sees nothing', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen).post('/api/Payments/sale').reply(302, '', { Location: 'https://evil.example.com/api/Payments/sale' });
    const evilSeen: Seen[] = [];
    const evil = api('https://evil.example.com', evilSeen).post('/api/Payments/sale').reply(200, paid(1, 'FS-10042')).get('/api/Payments/sale').reply(200, {});
    const clock = fakeClock();

    const [r] = await run(revolv3SaleMap(), [samples()[0]], { clock });

    expect(evil.isDone()).toBe(false);
    expect(evilSeen).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(r!.outcome).toBe('failed');
    expect(r!.steps[0]).toMatchObject({ status: 302, classification: 'failed', attempts: 1 });
    expect(r!.steps[0]!.reconciliation).toBeUndefined();
    expect(r!.error).toMatchObject({ code: 'provider/rejected', status: 302, retryable: false });
    expect(clock.sleeps).toEqual([]);
  });

  it('a 301 on a lookup is not followed either', async () => {
    const evil = nock('https://evil.example.com').get(() => true).reply(200, { invoiceId: 1 });
    api(REVOLV3, []).get('/api/Invoices/1').reply(301, '', { Location: 'https://evil.example.com/api/Invoices/1' });
    const [r] = await run(inlineMap(INVOICE_GET_MAP), [{ id: '1' }]);
    expect(evil.isDone()).toBe(false);
    expect(r!.outcome).toBe('failed');
    expect(r!.steps[0]!.status).toBe(301);
  });
});

describe('path parameters are percent-encoded', () => {
  it('an invoice id with a slash, spaces, ? and # stays one path segment', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen).get(() => true).reply(200, { invoiceId: 7 });
    const [r] = await run(inlineMap(INVOICE_GET_MAP), [{ id: 'INV 1/2?x=1#y' }]);
    expect(seen.map((s) => s.path)).toEqual(['/api/Invoices/INV%201%2F2%3Fx%3D1%23y']);
    expect(r!.outcome).toBe('succeeded');
    expect(r!.steps[0]!.request!.url).toBe('https://api-sandbox.revolv3.com/api/Invoices/INV%201%2F2%3Fx%3D1%23y');
  });

  it('an Invoiss client id cannot climb out of its segment', async () => {
    const seen: Seen[] = [];
    api(INVOISS, seen).get(() => true).reply(200, { id: 'x', name: 'X' });
    const map = inlineMap(`
version: 1
provider: { name: invoiss, environment: sandbox }
key: id
steps:
  - id: client
    operation: clients.get
    params: { clientId: id }
`);
    const [r] = await run(map, [{ id: '../../admin/users' }]);
    expect(seen.map((s) => s.path)).toEqual(['/public/clients/..%2F..%2Fadmin%2Fusers']);
    expect(r!.outcome).toBe('succeeded');
  });

  it('a dot segment ("." or "..") that would move the request to another path is refused before any call', async () => {
    const seen: Seen[] = [];
    api(REVOLV3, seen).get(() => true).times(3).reply(200, { invoiceId: 1 });
    const results = await run(inlineMap(INVOICE_GET_MAP), [{ id: '..' }, { id: '.' }, { id: '...' }, { id: '%2e%2e' }]);
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'failed', 'succeeded', 'succeeded']);
    // caught by the plan, so the dry run shows it too and no step is attempted
    expect(results[0]!.error).toMatchObject({ code: 'run/not-planned', retryable: false });
    expect(results[0]!.diagnostics).toMatchObject([{ code: 'schema/payload-invalid' }]);
    expect(results[0]!.diagnostics[0]!.message).toMatch(/path parameter invoiceId is "\.\."/);
    expect(results[0]!.steps).toEqual([]);
    // '...' is an ordinary segment, and a literal %2e%2e is encoded so it cannot be decoded to '..'
    expect(seen.map((s) => s.path)).toEqual(['/api/Invoices/...', '/api/Invoices/%252e%252e']);
  });

  it('a query value (the reconcile lookup reference) is encoded as well', async () => {
    const seen: Seen[] = [];
    const rec = { ...samples()[0], invoiceNumber: 'FS 10042&x=1' };
    api(REVOLV3, seen)
      .post('/api/Payments/sale').reply(500, {})
      .get('/api/Invoices').query({ merchantInvoiceRefId: 'FS 10042&x=1' }).reply(200, [{ invoiceId: 1, merchantInvoiceRefId: 'FS 10042&x=1', invoiceStatus: 'Paid' }]);
    const [r] = await run(revolv3SaleMap(), [rec]);
    expect(nock.isDone()).toBe(true);
    expect(seen[1]!.path).toBe('/api/Invoices?merchantInvoiceRefId=FS+10042%26x%3D1');
    expect(r!.steps[0]!.reconciliation).toBe('adopted');
  });
});

describe('the transport is injectable', () => {
  it('a custom transport receives every request (with the real auth header) and nock sees nothing', async () => {
    const sent: HttpRequest[] = [];
    const transport = async (req: HttpRequest): Promise<HttpResponse> => {
      sent.push(req);
      return { status: 200, headers: { 'content-type': 'application/json' }, body: paid(5150, 'FS-10042') };
    };
    const scope = nock(REVOLV3).post(() => true).reply(500);
    const [r] = await run(revolv3SaleMap(), [samples()[0]], { transport, timeoutMs: 1234 });
    expect(scope.isDone()).toBe(false);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'POST', url: 'https://api-sandbox.revolv3.com/api/Payments/sale', timeoutMs: 1234 });
    expect(sent[0]!.headers).toMatchObject({ 'x-revolv3-token': 'tok_test', 'Content-Type': 'application/json', Accept: 'application/json' });
    expect(JSON.parse(sent[0]!.body!).invoice.merchantInvoiceRefId).toBe('FS-10042');
    expect(r!.outcome).toBe('succeeded');
    expect(r!.ids['sale.invoiceId']).toBe(5150);
  });
});
