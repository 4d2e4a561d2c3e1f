/** Request pieces shared by several Revolv3 handlers. */
import type { SandboxContext } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import type { RouteRequest } from '../router.js';
import { Checker, isObject, parseIdParam, type JsonObject } from '../validate.js';
import type { StoredPaymentMethod } from './state.js';

/** The request body as an object; 400 when absent or not an object. */
export function requireBody(req: RouteRequest): JsonObject {
  if (!isObject(req.body)) throw badRequest(['body: A non-empty JSON object is required.']);
  return req.body;
}

/** A validated `{currency, value}`. */
export interface Money {
  currency: string;
  value: number;
}

/** Validates an Amount object. Currency defaults to USD, the only one supported (integer enums accepted). */
export function parseAmount(c: Checker, parent: JsonObject | undefined, key: string, path: string, allowZero = false): Money | undefined {
  const raw = c.object(parent, key, path, true);
  if (!raw) return undefined;
  const cur = raw.currency;
  if (typeof cur === 'string') {
    if (cur.toUpperCase() !== 'USD') c.add(`${path}.currency: only USD is supported.`);
  } else if (typeof cur === 'number') {
    // some documented examples send the integer form: 1 is USD
    if (cur !== 1) c.add(`${path}.currency: only USD (or its integer form 1) is supported.`);
  } else if (cur !== undefined && cur !== null) {
    c.add(`${path}.currency: must be a 3-letter currency code.`);
  }
  const value = c.money(raw, 'value', `${path}.value`, { required: true, allowZero });
  return value === undefined ? undefined : { currency: 'USD', value };
}

/** The stored method named by the `paymentMethodId` path parameter; 404 when unknown. */
export function paymentMethodFromParam(ctx: SandboxContext, req: RouteRequest): StoredPaymentMethod {
  const id = parseIdParam(req.params.paymentMethodId);
  const pm = id === undefined ? undefined : ctx.revolv3.paymentMethods.get(id);
  if (!pm) throw notFound('Payment method not found');
  return pm;
}

/** An optional `customerId` that must name an existing customer. */
export function optionalCustomerId(c: Checker, ctx: SandboxContext, body: JsonObject): number | null {
  const id = c.id(body, 'customerId', 'customerId');
  if (id === undefined) return null;
  if (id < 1 || id > 1_000_000_000) {
    c.add('customerId: must be between 1 and 1000000000.');
    return null;
  }
  if (!ctx.revolv3.customers.has(id)) c.add(`customerId: customer ${id} does not exist.`);
  return id;
}

/** Amount extractor for fault amounts: `<key>.amount.value` or `<key>.value`; never throws. */
export function amountAt(body: unknown, ...keys: string[]): number | undefined {
  let cur: unknown = body;
  for (const k of keys) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return typeof cur === 'number' ? cur : undefined;
}

/** The documented order channels (R7; RC2). */
const CHANNELS = ['Ecommerce', 'Moto'];
/** The documented network processing types, by name (camelCase and PascalCase, older COF names) and number (R19). */
const PROCESSING_TYPES: ReadonlyArray<string | number> = [
  'initialRecurring', 'recurring', 'initialInstallment', 'installment', 'initialCOF', 'merchantInitiatedCOF', 'cardholderInitiatedCOF', 1, 2, 3, 4,
];

/**
 * Checks the optional request parts the docs constrain: invoice.orderProcessingChannel (or the
 * top-level one of an authorization), networkProcessing.processingType, and the dynamic
 * descriptor's name (at most 22 characters, R5/R8).
 */
export function checkOptionalParts(c: Checker, body: JsonObject, invoice?: JsonObject): void {
  for (const [parent, path] of [[invoice, 'invoice.orderProcessingChannel'], [body, 'orderProcessingChannel']] as const) {
    const ch = parent?.orderProcessingChannel;
    if (ch !== undefined && ch !== null && !CHANNELS.includes(ch as string)) c.add(`${path}: ${JSON.stringify(ch)} is not an order processing channel (${CHANNELS.join(', ')}).`);
  }
  const np = c.object(body, 'networkProcessing', 'networkProcessing');
  const pt = np?.processingType;
  if (pt !== undefined && pt !== null) {
    const known = PROCESSING_TYPES.some((t) => (typeof t === 'string' && typeof pt === 'string' ? t.toLowerCase() === pt.toLowerCase() : t === pt));
    if (!known) c.add(`networkProcessing.processingType: ${JSON.stringify(pt)} is not a processing type.`);
  }
  if (np) c.string(np, 'originalNetworkTransactionId', 'networkProcessing.originalNetworkTransactionId', { max: 100 });
  const dd = c.object(body, 'dynamicDescriptor', 'dynamicDescriptor');
  if (dd) c.string(dd, 'subMerchantName', 'dynamicDescriptor.subMerchantName', { max: 22 });
}
