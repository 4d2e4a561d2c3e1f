/** Shared helpers for the sandbox tests. */
import { countChargesByReference, startSandbox, type LedgerEntry, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

/** A clock the test moves by hand. */
export interface ManualClock {
  now: () => number;
  advance(ms: number): void;
}

export function manualClock(start = Date.UTC(2030, 0, 15, 12, 0, 0)): ManualClock {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** Starts a sandbox with a manual clock and the rate limit off unless asked for. */
export async function start(options: SandboxOptions = {}): Promise<{ sb: Sandbox; clock: ManualClock }> {
  const clock = manualClock();
  const sb = await startSandbox({ now: clock.now, rateLimitPerSecond: 0, seed: 'test', ...options });
  return { sb, clock };
}

/** Response bodies are read loosely in tests; the assertions are the type checks. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface JsonResponse<T = Loose> {
  status: number;
  headers: Headers;
  body: T;
}

/** Sends a request and parses the JSON body (undefined when empty). */
export async function call<T = Loose>(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers };
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

/** A Revolv3 call with the static token. */
export function r3<T = Loose>(sb: Sandbox, path: string, body?: unknown, extra: { method?: string; headers?: Record<string, string> } = {}): Promise<JsonResponse<T>> {
  return call<T>(`${sb.baseUrls.revolv3}${path}`, {
    ...(extra.method ? { method: extra.method } : {}),
    body,
    headers: { 'x-revolv3-token': sb.credentials.REVOLV3_TOKEN, ...extra.headers },
  });
}

/** An Invoiss call with the bare token, as documented. */
export function inv<T = Loose>(sb: Sandbox, path: string, body?: unknown, extra: { method?: string; headers?: Record<string, string> } = {}): Promise<JsonResponse<T>> {
  return call<T>(`${sb.baseUrls.invoiss}${path}`, {
    ...(extra.method ? { method: extra.method } : {}),
    body,
    headers: { authorization: sb.credentials.INVOISS_TOKEN, ...extra.headers },
  });
}

/** A Revolv3 card payment method. */
export function card(pan: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    billingFirstName: 'Ada',
    billingLastName: 'Lovelace',
    billingAddress: { addressLine1: '1 Main St', city: 'Santa Ana', state: 'CA', postalCode: '92701', country: 'US' },
    creditCard: { paymentAccountNumber: pan, expirationDate: '1230', securityCode: '737' },
    ...extra,
  };
}

/** A sale body for `POST /api/Payments/sale`. */
export function saleBody(ref: string, value: number, pan = '4111111111111111'): Record<string, unknown> {
  return { paymentMethod: card(pan), invoice: { merchantInvoiceRefId: ref, amount: { currency: 'USD', value } } };
}

/** How many approved charges the ledger holds for a merchant reference. */
export function countCharges(ledger: readonly LedgerEntry[], merchantReference: string): number {
  return countChargesByReference(ledger)[merchantReference] ?? 0;
}

export { SEED_INVOICE_PAYMENT } from '../fixtures/seeds.js';

/**
 * An Invoiss payments.process body with every attribute the docs list as required (I1), with
 * the company and gateway the sandbox knows; `extra` overrides or adds fields.
 */
export function processBody(orderId: string, grandTotal: number, amount: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    method: 'CARD',
    order: { id: orderId, grandTotal },
    company: { id: 'comp_sandbox', metadata: {} },
    signature: 'sig',
    type: 'INVOICE',
    amount,
    paymentId: `pay-${orderId}-${amount}`,
    orderId,
    ...extra,
  };
}
