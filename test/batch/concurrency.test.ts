/**
 * Batch runs through the public API: concurrency never runs two steps of one record at once nor
 * one record twice; results stream as records end, each with its input index; the client-side
 * rate limiter holds its rate under concurrency (virtual clock); 429s are still honoured.
 */
import { describe, expect, it } from 'vitest';
import { SANDBOX_SETTINGS, loadDataMap, openMemoryJournal, recordItems, runRecords, type HttpRequest, type HttpResponse, type RecordResult } from '../../src/index.js';
import { virtualClock } from './virtual-clock.js';
import { readFileSync } from 'node:fs';

const SAMPLE = JSON.parse(readFileSync(new URL('../../examples/field-service/invoices.json', import.meta.url), 'utf8')) as Array<Record<string, unknown>>;
const records = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ ...SAMPLE[0]!, invoiceNumber: `${prefix}-${i}`, customer: { ...(SAMPLE[0]!.customer as object), id: `C-${prefix}-${i}` } }));
const revolv3 = () => loadDataMap({ file: 'mappings/field-service-to-revolv3.yaml' });
const invoiss = () => loadDataMap({ file: 'mappings/field-service-to-invoiss.yaml' });
const creds = { REVOLV3_TOKEN: 'tok_test_123', INVOISS_TOKEN: 'inv_test_123' };

function body(req: HttpRequest): Record<string, unknown> {
  return req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {};
}

/** A provider in memory that answers after `delayMs` of the clock, and records who was in flight. */
function fakeProvider(clock: { now(): number; sleep(ms: number): Promise<void> }, delayMs: number) {
  const inFlight = new Map<string, number>();
  const sends: Array<{ at: number; ref: string; path: string }> = [];
  let maxRecords = 0;
  let overlapInRecord = false;
  let n = 0;
  const owners = new Map<string, string>();
  const transport = async (req: HttpRequest): Promise<HttpResponse> => {
    const url = new URL(req.url);
    const b = body(req) as { invoice?: { merchantInvoiceRefId?: string }; externalId?: string; orderId?: string; paymentId?: string; client?: string };
    const orderId = /\/public\/orders\/([^/]+)$/.exec(url.pathname)?.[1];
    const ref = b.invoice?.merchantInvoiceRefId ?? (b.paymentId?.replace(/^pay-/, '')) ?? b.externalId ?? url.searchParams.get('externalId') ?? (orderId ? owners.get(orderId) : undefined) ?? 'other';
    const key = ref.startsWith('C-') ? ref.replace(/^C-/, '') : ref;
    sends.push({ at: clock.now(), ref: key, path: `${req.method} ${url.pathname}` });
    if ((inFlight.get(key) ?? 0) > 0) overlapInRecord = true;
    inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
    maxRecords = Math.max(maxRecords, [...inFlight.values()].filter((v) => v > 0).length);
    await clock.sleep(delayMs);
    inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
    n++;
    const json = (status: number, v: unknown): HttpResponse => ({ status, headers: { 'content-type': 'application/json' }, body: v });
    if (url.pathname.endsWith('/Payments/sale')) return json(200, { invoiceId: n, invoiceStatus: 'Paid', paymentMethodId: n, merchantInvoiceRefId: ref, paymentMethodCreditCardDetails: { binNumber: '411111', paymentLast4Digit: '1111' } });
    if (url.pathname.endsWith('/api/Invoices')) return json(200, []);
    if (url.pathname.endsWith('/public/clients') && req.method === 'GET') return json(200, []);
    if (url.pathname.endsWith('/public/clients')) return json(201, { id: `cl_${n}`, name: 'x' });
    if (url.pathname.endsWith('/public/orders') && req.method === 'GET') return json(200, []);
    if (/\/public\/orders\/[^/]+$/.test(url.pathname)) return json(200, { id: url.pathname.split('/').pop(), grandTotal: 159.99, paidTotal: 0, payments: [] });
    if (url.pathname.endsWith('/public/orders')) {
      owners.set(`ord_${n}`, ref);
      return json(201, { id: `ord_${n}`, grandTotal: 159.99, number: 'x' });
    }
    if (url.pathname.endsWith('/public/payments/process')) return json(200, { success: true, message: 'ok' });
    return json(404, { message: 'no route' });
  };
  return { transport, sends, stats: () => ({ maxRecords, overlapInRecord }) };
}

async function drain(it: AsyncIterable<RecordResult>): Promise<RecordResult[]> {
  const out: RecordResult[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('--concurrency', () => {
  it('a four-step map at concurrency 8: records overlap, the steps of one record never do, each record once', async () => {
    const clock = virtualClock();
    const p = fakeProvider(clock, 50);
    const input = records(40, 'CC');
    const results = await drain(runRecords(invoiss(), recordItems(input), { credentials: creds, env: { ...SANDBOX_SETTINGS }, transport: p.transport, clock, concurrency: 8, journal: openMemoryJournal() }));
    expect(results).toHaveLength(40);
    expect(results.filter((r) => r.outcome !== 'succeeded').map((r) => JSON.stringify([r.outcome, r.error, r.diagnostics[0]?.message]))).toEqual([]);
    expect(new Set(results.map((r) => r.index)).size).toBe(40);
    expect(new Set(results.map((r) => r.key)).size).toBe(40);
    const { maxRecords, overlapInRecord } = p.stats();
    expect(maxRecords).toBeGreaterThan(1);
    expect(maxRecords).toBeLessThanOrEqual(8);
    expect(overlapInRecord).toBe(false);
    // within each record, the calls follow the map's step order
    for (const key of input.map((r) => r.invoiceNumber)) {
      const paths = p.sends.filter((s) => s.ref === key && s.path.startsWith('POST')).map((s) => s.path);
      expect(paths, key).toEqual(['POST /public/clients', 'POST /public/orders', 'POST /public/payments/process']);
    }
  });

  it('results are yielded as records end (out of input order), each carrying its input index', async () => {
    const clock = virtualClock();
    const slowFirst = fakeProvider(clock, 10);
    const transport = async (req: HttpRequest) => {
      if (req.body && (JSON.parse(req.body) as { invoice: { merchantInvoiceRefId: string } }).invoice.merchantInvoiceRefId === 'ORD-0') await clock.sleep(500);
      return slowFirst.transport(req);
    };
    const results = await drain(runRecords(revolv3(), recordItems(records(5, 'ORD')), { credentials: creds, env: {}, transport, clock, concurrency: 5, preflight: false }));
    expect(results.map((r) => r.index).at(-1)).toBe(0);
    expect(results.map((r) => r.index).sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('client-side rate limit', () => {
  it('holds 20 requests per second in every sliding second under concurrency 16 (pre-flight lookups included)', async () => {
    const clock = virtualClock();
    const p = fakeProvider(clock, 5);
    await drain(runRecords(revolv3(), recordItems(records(100, 'RL')), { credentials: creds, env: {}, transport: p.transport, clock, concurrency: 16 }));
    const times = p.sends.map((s) => s.at).sort((a, b) => a - b);
    expect(times).toHaveLength(200); // a lookup and a sale per record
    for (let i = 0; i + 20 < times.length; i++) expect(times[i + 20]! - times[i]!, `sends ${i}..${i + 20}`).toBeGreaterThanOrEqual(1000);
    // and it is not much slower than the limit: 200 calls in about 10 s
    expect(times.at(-1)! - times[0]!).toBeLessThan(11_500);
  });

  it('rateLimit 0 turns it off; a lower rate is held too', async () => {
    const clock = virtualClock();
    const p = fakeProvider(clock, 1);
    await drain(runRecords(revolv3(), recordItems(records(20, 'OFF')), { credentials: creds, env: {}, transport: p.transport, clock, concurrency: 4, rateLimit: 0, preflight: false }));
    expect(p.sends.at(-1)!.at - p.sends[0]!.at).toBeLessThan(100);
    const clock2 = virtualClock();
    const q = fakeProvider(clock2, 1);
    await drain(runRecords(revolv3(), recordItems(records(12, 'LOW')), { credentials: creds, env: {}, transport: q.transport, clock: clock2, concurrency: 4, rateLimit: 5, preflight: false }));
    const t = q.sends.map((s) => s.at);
    for (let i = 0; i + 5 < t.length; i++) expect(t[i + 5]! - t[i]!).toBeGreaterThanOrEqual(1000);
  });

  it('a 429 is still honoured (Retry-After) and counted on the step', async () => {
    const clock = virtualClock();
    const p = fakeProvider(clock, 1);
    let first = true;
    const transport = async (req: HttpRequest): Promise<HttpResponse> => {
      if (first && req.method === 'POST') {
        first = false;
        return { status: 429, headers: { 'retry-after': '2' }, body: { message: 'Too Many Requests' } };
      }
      return p.transport(req);
    };
    const [r] = await drain(runRecords(revolv3(), recordItems(records(1, 'R429')), { credentials: creds, env: {}, transport, clock, preflight: false }));
    expect(r!.outcome).toBe('succeeded');
    expect(r!.steps[0]).toMatchObject({ attempts: 2, rateLimited: 1 });
  });

  it('a 429 holds every call of the run until its Retry-After, not only the refused one', async () => {
    const clock = virtualClock();
    const p = fakeProvider(clock, 5);
    let refusedAt: number | undefined;
    let posts = 0;
    const transport = async (req: HttpRequest): Promise<HttpResponse> => {
      if (req.method === 'POST' && ++posts === 5) {
        refusedAt = clock.now();
        return { status: 429, headers: { 'retry-after': '2' }, body: { message: 'Too Many Requests' } };
      }
      return p.transport(req);
    };
    const results = await drain(runRecords(revolv3(), recordItems(records(30, 'HOLD')), { credentials: creds, env: {}, transport, clock, concurrency: 8, preflight: false }));
    expect(results.filter((r) => r.outcome === 'succeeded')).toHaveLength(30);
    expect(refusedAt).toBeDefined();
    // nothing left between the 429 and its Retry-After (calls already on the wire may finish)
    const during = p.sends.filter((s) => s.at > refusedAt! && s.at < refusedAt! + 2000);
    expect(during).toEqual([]);
    expect(p.sends.filter((s) => s.at >= refusedAt! + 2000).length).toBeGreaterThan(0);
  });

  it('a hostile Retry-After holds the run at most a minute', async () => {
    const clock = virtualClock();
    const p = fakeProvider(clock, 1);
    let first = true;
    const transport = async (req: HttpRequest): Promise<HttpResponse> => {
      if (first && req.method === 'POST') {
        first = false;
        return { status: 429, headers: { 'retry-after': '86400' }, body: { message: 'Too Many Requests' } };
      }
      return p.transport(req);
    };
    const start = clock.now();
    const results = await drain(runRecords(revolv3(), recordItems(records(3, 'HOST')), { credentials: creds, env: {}, transport, clock, concurrency: 2, preflight: false }));
    expect(results).toHaveLength(3);
    expect(p.sends.length).toBeGreaterThan(0);
    expect(Math.min(...p.sends.map((s) => s.at)) - start).toBeLessThanOrEqual(60_000 + 10);
  });
});
