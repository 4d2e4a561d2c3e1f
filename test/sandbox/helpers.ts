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

/** The seed document's `POST /api/Invoices/payment` body, verbatim. */
export const SEED_INVOICE_PAYMENT = {
  customerId: 1,
  firstName: null,
  lastName: null,
  merchantCustomerRefId: null,
  email: null,
  invoice: {
    merchantInvoiceRefId: '123456789',
    invoiceLineItems: [
      { name: 'LineItem1', description: 'Line Item 1 Description', value: 10, valueType: 'Standard' },
      { name: 'LineItem2', description: 'Line Item 2 Description', value: 20, valueType: 'Standard' },
      { name: 'LineItem3', description: 'Line Item 3 Description', value: 30, valueType: 'Standard' },
    ],
  },
  dynamicDescriptor: { subMerchantId: null, subMerchantName: 'REV*revolv3', subMerchantPhone: '00442030513031', countryCode: null, city: null },
  paymentMethod: {
    paymentMethodTypes: [1],
    billingAddress: {
      addressId: null,
      addressLine1: '100 Main',
      addressLine2: null,
      city: 'Santa Ana',
      state: 'CA',
      postalCode: '91111',
      phoneNumber: null,
      email: null,
      country: 'US',
    },
    creditCard: { paymentAccountNumber: '4111111111111111', expirationDate: '1025', securityCode: null, networkToken: null, processingMethodType: 5 },
    ach: null,
    googlePay: null,
    applePay: null,
    merchantPaymentMethodRefId: 'payment-method-ref-id_hgays-213-4rf4',
    billingFirstName: 'Joe',
    billingLastName: 'Doe',
    billingFullName: null,
  },
  paymentMethodAuthorizationId: null,
  paymentMethodId: null,
};
