/** Shared helpers for the executor tests: a fake clock, shipped maps and samples, nock helpers. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import nock from 'nock';
import { loadDataMap, recordItems, runRecords, type CompiledMap, type RecordResult, type RunOptions } from '../../src/index.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
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

/** The shipped Data Maps. */
export const revolv3SaleMap = (): CompiledMap => loadDataMap({ file: `${ROOT}mappings/field-service-to-revolv3.yaml` });
export const invoissMap = (): CompiledMap => loadDataMap({ file: `${ROOT}mappings/field-service-to-invoiss.yaml` });
export const inlineMap = (text: string): CompiledMap => loadDataMap({ text, file: 'inline.yaml' });

/** The shipped field-service sample records (FS-10042 open, FS-10043 open, FS-10044 paid). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;
export function samples(): Loose[] {
  return JSON.parse(readFileSync(`${ROOT}examples/field-service/invoices.json`, 'utf8')) as Loose[];
}
export const openSample = (): Loose => samples()[0];

/** Runs records to the end with the test defaults (fake clock, fixed jitter, a static token). */
export async function run(map: CompiledMap, records: unknown[], options: RunOptions = {}): Promise<RecordResult[]> {
  const out: RecordResult[] = [];
  const opts: RunOptions = { credentials: { REVOLV3_TOKEN: 'tok_test', INVOISS_TOKEN: 'inv_tok_test' }, env: {}, random: () => 0.5, clock: fakeClock(), ...options };
  for await (const r of runRecords(map, recordItems(records), opts)) out.push(r);
  return out;
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
