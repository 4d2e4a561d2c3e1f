/** Invoiss `POST /public/payments/process` and `POST /public/payments/request`. */
import type { SandboxContext } from '../context.js';
import { ApiError, badRequest, notFound } from '../errors.js';
import type { HandlerResult, RouteRequest } from '../router.js';
import { isDeclineAmount } from '../test-cards.js';
import { Checker, isObject, roundMoney } from '../validate.js';
import { clientRef } from './orders.js';
import { SANDBOX_SETTINGS } from '../context.js';

/** The payment methods I1 names (CARD, ACH). */
const DOCUMENTED_METHODS = ['CARD', 'ACH'];

/** The amount a raw process body carries (for fault amounts). */
export function processAmount(body: unknown): number | undefined {
  return isObject(body) && typeof body.amount === 'number' ? body.amount : undefined;
}

/**
 * Records a payment against an order. 400 over the remaining balance, 404 unknown order,
 * 409 a reused paymentId, 200 `{success:false}` for the decline amount.
 */
export function processPayment(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  if (!isObject(req.body)) throw badRequest(['body: A JSON object is required.'], 'Invalid request');
  const body = req.body;
  const c = new Checker();
  // I1 lists every attribute below as required; status and gateway only "for certain types"
  // (which ones is not documented), so the sandbox checks them when they are sent.
  const method = c.string(body, 'method', 'method', { required: true, max: 50 });
  if (method !== undefined && !DOCUMENTED_METHODS.includes(method)) c.add(`method: "${method}" is not a payment method (${DOCUMENTED_METHODS.join(', ')}).`);
  const amount = c.money(body, 'amount', 'amount', { required: true });
  const order = c.object(body, 'order', 'order', true);
  const idFromOrder = c.string(order, 'id', 'order.id', { required: order !== undefined });
  const grandTotal = c.money(order, 'grandTotal', 'order.grandTotal', { required: order !== undefined, allowZero: true });
  const orderIdField = c.string(body, 'orderId', 'orderId', { required: true });
  if (idFromOrder !== undefined && orderIdField !== undefined && idFromOrder !== orderIdField) c.add('orderId: does not match order.id.');
  const type = c.string(body, 'type', 'type', { required: true, max: 50 }) ?? null;
  const status = c.string(body, 'status', 'status', { max: 50, pattern: /^[A-Z_]+$/, hint: 'must be an upper-case status such as COMPLETED.' });
  c.string(body, 'signature', 'signature', { required: true, max: 10_000 });
  const company = c.object(body, 'company', 'company', true);
  const companyId = c.string(company, 'id', 'company.id', { required: company !== undefined });
  const gateway = c.object(body, 'gateway', 'gateway');
  const gatewayId = c.string(gateway, 'id', 'gateway.id', { required: gateway !== undefined });
  const paymentIdGiven = c.string(body, 'paymentId', 'paymentId', { required: true, max: 200 });
  c.done('Invalid request');
  if (companyId !== undefined && companyId !== SANDBOX_SETTINGS.INVOISS_COMPANY_ID) throw notFound(`Company ${companyId} not found`);
  if (gatewayId !== undefined && gatewayId !== SANDBOX_SETTINGS.INVOISS_GATEWAY_ID) throw notFound(`Gateway ${gatewayId} not found`);
  if (method === undefined || amount === undefined) throw new Error('unreachable: payment validated');
  const orderId = idFromOrder ?? orderIdField ?? '';
  const target = ctx.invoiss.orders.get(orderId);
  if (!target) throw notFound('Order not found');
  if (grandTotal !== undefined && roundMoney(grandTotal) !== target.grandTotal) {
    throw badRequest([`order.grandTotal: ${grandTotal} does not match the order's grandTotal ${target.grandTotal}.`], 'Invalid request');
  }
  if (paymentIdGiven !== undefined && ctx.invoiss.payments.has(paymentIdGiven)) {
    throw new ApiError(409, `Payment ${paymentIdGiven} has already been processed`);
  }
  const remaining = roundMoney(target.grandTotal - target.paidTotal);
  if (roundMoney(amount) > remaining) {
    throw badRequest([`amount: ${amount} exceeds the remaining balance ${remaining}.`], 'Amount exceeds the order balance');
  }
  // Commit.
  const paymentId = paymentIdGiven ?? ctx.ids.prefixed('pay');
  const declined = isDeclineAmount(amount);
  ctx.ledger.append({
    provider: 'invoiss',
    kind: 'charge',
    operation: 'process',
    merchantReference: target.externalId ?? target.id,
    amount,
    currency: 'USD',
    status: declined ? 'DECLINED' : 'PAID',
    approved: !declined,
    paymentId,
    orderId: target.id,
  });
  if (declined) return { status: 200, body: { success: false, message: 'Payment declined', paymentId } };
  ctx.invoiss.payments.set(paymentId, target.id);
  target.payments.push({ id: paymentId, paymentId, method, type, amount, status: status ?? 'COMPLETED', createdAt: ctx.iso() });
  target.paidTotal = roundMoney(target.paidTotal + amount);
  target.status = target.paidTotal >= target.grandTotal ? 'PAID' : 'PARTIAL';
  return { status: 200, body: { success: true, message: 'Payment processed successfully', paymentId } };
}

/** Sends a payment request to a client: validates and answers `true`. */
export function requestPayment(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  if (!isObject(req.body)) throw badRequest(['body: A JSON object is required.'], 'Invalid request');
  const body = req.body;
  const c = new Checker();
  const order = c.object(body, 'order', 'order', true);
  const client = order ? clientRef(c, order, 'client', 'order.client') : undefined;
  const lineItems = c.array(body, 'lineItems', 'lineItems', true);
  const orderRemove = body.orderRemove;
  if (orderRemove !== undefined && orderRemove !== null && typeof orderRemove !== 'boolean') c.add('orderRemove: must be a boolean.');
  c.done('Invalid request');
  if (client === undefined || !lineItems) throw new Error('unreachable: request validated');
  if (!ctx.invoiss.clients.has(client)) throw notFound(`Client ${client} not found`);
  ctx.invoiss.paymentRequests.push({ client, lineItems: lineItems.length, orderRemove: orderRemove === true, at: ctx.iso() });
  return { status: 200, body: true };
}
