/** Shared helpers for the executor tests: a fake clock, the field-service maps and samples, nock helpers. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import nock from 'nock';
import { loadDataMap, recordItems, runRecords, type CompiledMap, type RecordItem, type RecordResult, type RunOptions } from '../../src/index.js';
import { seedInvoicePaymentWith } from '../fixtures/seeds.js';

export const REVOLV3 = 'https://api-sandbox.revolv3.com';
export const INVOISS = 'https://api-dev.invoiss.com';
export const T0 = Date.parse('2026-11-21T00:00:00Z');

/** A clock the executor sleeps on: sleeping only moves time and records the delay. */
export interface FakeClock {
  t: number;
  sleeps: number[];
  now(): number;
  sleep(ms: number): Promise<void>;
}

export function fakeClock(start = T0): FakeClock {
  const sleeps: number[] = [];
  return {
    t: start,
    sleeps,
    now() {
      return this.t;
    },
    async sleep(ms: number) {
      this.t += ms;
      sleeps.push(ms);
    },
  };
}

/**
 * The shipped field-service Data Maps, as frozen copies in fixtures/ (the shipped files are
 * edited independently of these tests).
 */
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const REVOLV3_SALE_FILE = `${FIXTURES}field-service-to-revolv3.yaml`;
export const INVOISS_FILE = `${FIXTURES}field-service-to-invoiss.yaml`;
export const SAMPLES_FILE = `${FIXTURES}field-service-invoices.json`;
export const revolv3SaleMap = (): CompiledMap => loadDataMap({ file: REVOLV3_SALE_FILE });
export const invoissMap = (): CompiledMap => loadDataMap({ file: INVOISS_FILE });
export const inlineMap = (text: string): CompiledMap => loadDataMap({ text, file: 'inline.yaml' });

/** Request and response bodies are read loosely in tests; the assertions are the type checks. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

/** The field-service sample records (FS-10042 open, FS-10043 open, FS-10044 paid), a fresh copy each call. */
export function samples(): Loose[] {
  return JSON.parse(readFileSync(SAMPLES_FILE, 'utf8')) as Loose[];
}

export const TOKEN = 'tok_test';
export const INVOISS_TOKEN = 'inv_tok_test';

/** Runs records to the end with the test defaults (fake clock, fixed jitter, static tokens, no environment). */
export async function run(map: CompiledMap, records: unknown[] | AsyncIterable<RecordItem>, options: RunOptions = {}): Promise<RecordResult[]> {
  const out: RecordResult[] = [];
  // preflight off and no settle window: these suites count every call (test/journal covers both)
  const opts: RunOptions = { credentials: { REVOLV3_TOKEN: TOKEN, INVOISS_TOKEN }, env: {}, random: () => 0.5, clock: fakeClock(), preflight: false, settleMs: 0, ...options };
  const items = Array.isArray(records) ? recordItems(records) : records;
  for await (const r of runRecords(map, items, opts)) out.push(r);
  return out;
}

/** A Data Map with one invoices.get step (the id comes from the record's `id`). */
export const INVOICE_GET_MAP = `
version: 1
name: look an invoice up
provider: { name: revolv3 }
key: id
steps:
  - id: get
    operation: invoices.get
    params: { invoiceId: id }
    output: '{ "invoiceId": invoiceId, "status": invoiceStatus }'
`;

/** The seed document's one-time invoice payment, sent as the record says (invoices.payment). */
export const SEED_MAP = `
version: 1
name: seed invoice payment
provider: { name: revolv3, environment: sandbox }
key: invoice.merchantInvoiceRefId
steps:
  - id: pay
    operation: invoices.payment
    request: $
    output: '{ "invoiceId": invoiceId, "status": invoiceStatus, "customerId": customerId }'
result: '{ "ref": $key, "invoiceId": $steps.pay.invoiceId, "status": $steps.pay.status }'
`;

/** The Revolv3 seed request body (docs R5), with a later expiry and a security code added. */
export function seedInvoicePayment(ref = '123456789'): Loose {
  return seedInvoicePaymentWith(ref, { expirationDate: '1028', securityCode: '8462' }) as Loose;
}

/** Yields records one by one, calling `between(i)` before record i (i ≥ 1): e.g. to move the clock. */
export async function* spaced(records: unknown[], between: (i: number) => void): AsyncGenerator<RecordItem> {
  for (const [i, value] of records.entries()) {
    if (i > 0) between(i);
    yield { index: i, line: 0, value };
  }
}

/** Drains a run that is expected to throw, returning the error. */
export async function runError(map: CompiledMap, records: unknown[], options: RunOptions): Promise<unknown> {
  try {
    for await (const r of runRecords(map, recordItems(records), options)) void r;
  } catch (err) {
    return err;
  }
  throw new Error('the run did not throw');
}

/** A request nock saw. */
export interface Seen {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Loose;
}

/** A nock scope for `base` whose answered requests are pushed to `seen` (method, path, headers, parsed body). */
export function api(base: string, seen: Seen[], options?: nock.Options): nock.Scope {
  const scope = options ? nock(base, options) : nock(base);
  scope.on('request', (req: { method: string; path: string; headers: Record<string, string | string[] | undefined> }, _i: unknown, body: string) => {
    let parsed: unknown = body;
    try {
      parsed = body ? JSON.parse(body) : undefined;
    } catch { /* keep the text */ }
    seen.push({ method: req.method, path: req.path, headers: req.headers, body: parsed });
  });
  return scope;
}

/** Resets nock between tests; call in afterEach. */
export function resetNock(): void {
  nock.abortPendingRequests();
  nock.cleanAll();
}

/** A Revolv3 sale/payment response. */
export function paid(invoiceId: number, ref: string, status = 'Paid'): Loose {
  return {
    customerId: 501,
    invoiceId,
    merchantInvoiceRefId: ref,
    invoiceStatus: status,
    invoiceAttemptStatus: status === 'Paid' ? 'Success' : 'Fail',
    message: status === 'Paid' ? 'Approve' : 'Do Not Honor',
    paymentMethodId: 9001,
    amount: { currency: 'USD', value: 159.99 },
    paymentMethodCreditCardDetails: { binNumber: '411111', paymentLast4Digit: '1111' },
  };
}

/**
 * A socket-level error for nock's replyWithError. It must be an Error instance: nock 14 crashes
 * inside @mswjs/interceptors on a plain `{ code, message }` object.
 */
export function netError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}
