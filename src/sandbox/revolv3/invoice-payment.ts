/**
 * Revolv3 `POST /api/Invoices/payment`, the deprecated one-time payment of the seed doc:
 * a sale from line items, with raw details, a stored method, or an earlier authorization.
 */
import type { SandboxContext } from '../context.js';
import { badRequest } from '../errors.js';
import type { HandlerResult, RouteRequest } from '../router.js';
import { OUTCOMES } from '../test-cards.js';
import { Checker, isObject, roundMoney, type JsonObject } from '../validate.js';
import { assertOpen, markCaptured } from './authorization.js';
import { chargeInvoice, decideOutcome } from './charge.js';
import { checkOptionalParts, requireBody } from './common.js';
import { hasCustomerInfo, parseCustomerFields, storeCustomer } from './customers.js';
import { parsePaymentMethod, storePaymentMethod } from './payment-method.js';
import type { InvoiceLineItem } from './state.js';

const VALUE_TYPES = ['Standard', 'Discount', 'DiscountPercentage', 'PriceOverride'] as const;

type LineItemInput = Omit<InvoiceLineItem, 'invoiceLineItemId'>;

/**
 * Subtotal (Standard items) and total: a PriceOverride sets the total; otherwise Standard
 * items minus Discount amounts minus DiscountPercentage of the subtotal, never below 0.
 */
export function totalOf(items: ReadonlyArray<Pick<LineItemInput, 'value' | 'valueType'>>): { subtotal: number; total: number } {
  let standard = 0;
  let discount = 0;
  let percent = 0;
  let override: number | undefined;
  for (const li of items) {
    if (li.valueType === 'Standard') standard += li.value;
    else if (li.valueType === 'Discount') discount += li.value;
    else if (li.valueType === 'DiscountPercentage') percent += li.value;
    else if (li.valueType === 'PriceOverride') override = li.value;
  }
  const subtotal = roundMoney(standard);
  const total = override ?? Math.max(0, roundMoney(standard - discount - (standard * percent) / 100));
  return { subtotal, total: roundMoney(total) };
}

/** The total a raw body would charge (for fault amounts); undefined when not computable. */
export function invoicePaymentAmount(body: unknown): number | undefined {
  const invoice = isObject(body) ? (body.invoice ?? body.Invoice) : undefined;
  if (!isObject(invoice)) return undefined;
  const items = invoice.invoiceLineItems ?? invoice.InvoiceLineItems;
  if (!Array.isArray(items)) return undefined;
  const parsed = items.flatMap((li) =>
    isObject(li) && typeof li.value === 'number' ? [{ value: li.value, valueType: typeof li.valueType === 'string' ? li.valueType : 'Standard' }] : [],
  );
  return totalOf(parsed).total;
}

function parseLineItems(c: Checker, invoice: JsonObject | undefined): LineItemInput[] {
  const raw = c.array(invoice, 'invoiceLineItems', 'invoice.invoiceLineItems', invoice !== undefined) ?? [];
  if (invoice && raw.length === 0) c.add('invoice.invoiceLineItems: at least one line item is required.');
  if (raw.length > 50) c.add('invoice.invoiceLineItems: at most 50 line items are allowed.');
  return raw.flatMap((item, i) => {
    const path = `invoice.invoiceLineItems[${i}]`;
    if (!isObject(item)) {
      c.add(`${path}: must be an object.`);
      return [];
    }
    const name = c.string(item, 'name', `${path}.name`, { required: true, max: 100 });
    const description = c.string(item, 'description', `${path}.description`, { max: 500 }) ?? null;
    const valueType = c.string(item, 'valueType', `${path}.valueType`, { required: true });
    const value = c.money(item, 'value', `${path}.value`, { required: true, allowZero: true });
    const vt = VALUE_TYPES.find((v) => v.toLowerCase() === valueType?.toLowerCase());
    if (valueType !== undefined && !vt) c.add(`${path}.valueType: must be one of ${VALUE_TYPES.join(', ')}.`);
    if (vt === 'DiscountPercentage' && value !== undefined && value > 100) c.add(`${path}.value: a percentage must be 0 to 100.`);
    return name !== undefined && value !== undefined && vt ? [{ name, description, value, valueType: vt }] : [];
  });
}

/** One-time payment. */
export function invoicePayment(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  const body = requireBody(req);
  const c = new Checker();
  const customerId = c.id(body, 'customerId', 'customerId');
  if (customerId !== undefined && !ctx.revolv3.customers.has(customerId)) c.add(`customerId: customer ${customerId} does not exist.`);
  const fields = parseCustomerFields(c, body);
  if (customerId === undefined && !hasCustomerInfo(fields)) c.add('customerId: customerId or customer information (firstName, lastName, merchantCustomerRefId, email) is required.');
  const invoice = c.object(body, 'invoice', 'invoice', true);
  const merchantInvoiceRefId = c.string(invoice, 'merchantInvoiceRefId', 'invoice.merchantInvoiceRefId', { max: 100 }) ?? null;
  const items = parseLineItems(c, invoice);
  const authId = c.id(body, 'paymentMethodAuthorizationId', 'paymentMethodAuthorizationId');
  const pmId = c.id(body, 'paymentMethodId', 'paymentMethodId');
  const rawPm = c.object(body, 'paymentMethod', 'paymentMethod');
  const sources = [authId, pmId, rawPm].filter((v) => v !== undefined).length;
  if (sources === 0) c.add('paymentMethod: paymentMethod, paymentMethodId or paymentMethodAuthorizationId is required.');
  if (sources > 1) c.add('paymentMethod: send only one of paymentMethod, paymentMethodId, paymentMethodAuthorizationId.');
  const pmInput = rawPm ? parsePaymentMethod(c, rawPm, 'paymentMethod') : undefined;
  const auth = authId === undefined ? undefined : ctx.revolv3.authorizations.get(authId);
  if (authId !== undefined && !auth) c.add(`paymentMethodAuthorizationId: authorization ${authId} does not exist.`);
  const storedPm = pmId === undefined ? undefined : ctx.revolv3.paymentMethods.get(pmId);
  if (pmId !== undefined && !storedPm) c.add(`paymentMethodId: payment method ${pmId} does not exist.`);
  checkOptionalParts(c, body);
  const { subtotal, total } = totalOf(items);
  if (items.length > 0 && c.errors.length === 0 && total <= 0) c.add('invoice.invoiceLineItems: the invoice total must be greater than 0.');
  c.done();
  if (auth) {
    assertOpen(auth);
    if (total > roundMoney(auth.amount)) throw badRequest([`invoice: total ${total} exceeds the authorized amount ${auth.amount}.`]);
  }
  // Validation is complete: commit.
  const customer = customerId === undefined ? storeCustomer(ctx, fields) : undefined;
  const pm = storedPm ?? (auth ? ctx.revolv3.paymentMethods.get(auth.paymentMethodId) : pmInput ? storePaymentMethod(ctx, pmInput, customerId ?? customer?.customerId ?? null) : undefined);
  if (!pm) throw new Error('sandbox invariant: no payment method');
  const created = chargeInvoice(ctx, {
    operation: 'invoice-payment',
    pm,
    amount: total,
    currency: 'USD',
    merchantInvoiceRefId,
    customerId: customerId ?? customer?.customerId ?? null,
    outcome: auth ? OUTCOMES.approve : decideOutcome(pm, total),
    subtotal,
    lineItems: items,
    ...(auth ? { networkTransactionId: auth.networkTransactionId } : {}),
  });
  if (auth) markCaptured(auth, total, created.invoiceId);
  const attempt = created.attempts[0];
  return {
    status: 200,
    body: {
      customerId: created.customerId,
      invoiceId: created.invoiceId,
      merchantInvoiceRefId: created.merchantInvoiceRefId,
      invoiceStatus: created.invoiceStatus,
      invoiceAttemptStatus: attempt?.invoiceAttemptStatus ?? null,
      message: attempt?.responseMessage ?? null,
      subtotal: created.subtotal,
      taxAmount: 0,
      total: created.total,
      paymentMethodId: pm.paymentMethodId,
    },
  };
}
