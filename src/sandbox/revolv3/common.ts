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
  } else if (cur !== undefined && cur !== null && typeof cur !== 'number') {
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
