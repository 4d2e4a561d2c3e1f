/** Revolv3 `POST /api/Customers`, `GET /api/Customers/{id}` and `POST /api/PaymentMethod`. */
import type { SandboxContext } from '../context.js';
import { notFound } from '../errors.js';
import type { HandlerResult, RouteRequest } from '../router.js';
import { Checker, isObject, parseIdParam, type JsonObject } from '../validate.js';
import { optionalCustomerId, requireBody } from './common.js';
import { parseAddress, parsePaymentMethod, presentPaymentMethod, storePaymentMethod } from './payment-method.js';
import type { Address, Customer } from './state.js';

/** Customer fields accepted on `POST /api/Customers` and inline on one-time payments. */
export interface CustomerFields {
  merchantCustomerRefId: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  billingAddresses: Array<Omit<Address, 'addressId'>>;
  shippingAddresses: Array<Omit<Address, 'addressId'>>;
}

/** Validates the customer fields of a body. */
export function parseCustomerFields(c: Checker, body: JsonObject): CustomerFields {
  const addresses = (key: string): Array<Omit<Address, 'addressId'>> =>
    (c.array(body, key, key) ?? []).flatMap((raw, i) => {
      if (!isObject(raw)) {
        c.add(`${key}[${i}]: must be an object.`);
        return [];
      }
      const a = parseAddress(c, raw, `${key}[${i}]`);
      return a ? [a] : [];
    });
  return {
    merchantCustomerRefId: c.string(body, 'merchantCustomerRefId', 'merchantCustomerRefId', { max: 100 }) ?? null,
    firstName: c.string(body, 'firstName', 'firstName', { max: 150 }) ?? null,
    lastName: c.string(body, 'lastName', 'lastName', { max: 150 }) ?? null,
    email: c.string(body, 'email', 'email', { max: 150, pattern: /^[^@\s]+@[^@\s]+$/, hint: 'must be an email address.' }) ?? null,
    billingAddresses: addresses('billingAddresses'),
    shippingAddresses: addresses('shippingAddresses'),
  };
}

/** True when any identifying customer field is present. */
export function hasCustomerInfo(f: CustomerFields): boolean {
  return f.firstName !== null || f.lastName !== null || f.merchantCustomerRefId !== null || f.email !== null;
}

/** Stores a customer. */
export function storeCustomer(ctx: SandboxContext, f: CustomerFields): Customer {
  const withId = (a: Omit<Address, 'addressId'>): Address => ({ addressId: ctx.ids.numeric('address'), ...a });
  const customer: Customer = {
    customerId: ctx.ids.numeric('customer'),
    merchantCustomerRefId: f.merchantCustomerRefId,
    firstName: f.firstName,
    lastName: f.lastName,
    email: f.email,
    billingAddresses: f.billingAddresses.map(withId),
    shippingAddresses: f.shippingAddresses.map(withId),
    createdAt: ctx.iso(),
  };
  ctx.revolv3.customers.set(customer.customerId, customer);
  return customer;
}

function presentCustomer(c: Customer): JsonObject {
  return {
    customerId: c.customerId,
    merchantCustomerRefId: c.merchantCustomerRefId,
    firstName: c.firstName,
    lastName: c.lastName,
    email: c.email,
    billingAddresses: c.billingAddresses,
    shippingAddresses: c.shippingAddresses,
    taxAddresses: [],
    subscriptions: [],
  };
}

/** `POST /api/Customers` → 201. */
export function createCustomer(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  const body = requireBody(req);
  const c = new Checker();
  const fields = parseCustomerFields(c, body);
  if (!hasCustomerInfo(fields)) c.add('body: at least one of firstName, lastName, merchantCustomerRefId or email is required.');
  c.done();
  return { status: 201, body: presentCustomer(storeCustomer(ctx, fields)) };
}

/** `GET /api/Customers/{customerId}`. */
export function getCustomer(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  const id = parseIdParam(req.params.customerId);
  const customer = id === undefined ? undefined : ctx.revolv3.customers.get(id);
  if (!customer) throw notFound('Customer not found');
  return { status: 200, body: presentCustomer(customer) };
}

/** `POST /api/PaymentMethod`: tokenises a card or account; keeps only BIN and last 4. */
export function createPaymentMethod(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  const body = requireBody(req);
  const c = new Checker();
  const customerId = optionalCustomerId(c, ctx, body);
  const input = parsePaymentMethod(c, body, 'paymentMethod');
  c.done();
  if (!input) throw new Error('unreachable: payment method validated');
  return { status: 200, body: presentPaymentMethod(storePaymentMethod(ctx, input, customerId)) };
}
