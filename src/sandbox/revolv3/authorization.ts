/**
 * Revolv3 authorize → capture / reverse: `POST /api/Payments/authorization[/{paymentMethodId}]`,
 * `POST /api/Payments/capture/{paymentMethodAuthorizationId}`, `POST /api/PaymentMethod/reverse-auth`.
 */
import type { SandboxContext } from '../context.js';
import { ApiError, badRequest, notFound } from '../errors.js';
import type { HandlerResult, RouteRequest } from '../router.js';
import { OUTCOMES } from '../test-cards.js';
import { Checker, parseIdParam, roundMoney } from '../validate.js';
import { PROCESSOR, cardFields, chargeInvoice, decideOutcome, presentSale } from './charge.js';
import { checkOptionalParts, optionalCustomerId, parseAmount, paymentMethodFromParam, requireBody } from './common.js';
import { parsePaymentMethod, presentPaymentMethod, storePaymentMethod } from './payment-method.js';
import type { Authorization } from './state.js';

/** Authorize an amount on raw details or a stored method. A decline is HTTP 200 without an authorization id. */
export function authorize(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  const stored = req.params.paymentMethodId === undefined ? undefined : paymentMethodFromParam(ctx, req);
  const body = requireBody(req);
  const c = new Checker();
  const amount = parseAmount(c, body, 'amount', 'amount', true);
  checkOptionalParts(c, body);
  const pmInput = stored ? undefined : parsePaymentMethod(c, c.object(body, 'paymentMethod', 'paymentMethod', true), 'paymentMethod');
  if (stored?.type === 'Ach' || pmInput?.ach) c.add('paymentMethod: authorizations are supported for cards only.');
  c.done();
  if (!amount) throw new Error('unreachable: amount validated');
  const pm = stored ?? (pmInput ? storePaymentMethod(ctx, pmInput, null) : undefined);
  if (!pm) throw new Error('unreachable: payment method validated');
  const outcome = decideOutcome(pm, amount.value);
  const networkTransactionId = ctx.ids.digits('networkTransaction', 15);
  let auth: Authorization | undefined;
  if (outcome.approved) {
    auth = {
      paymentMethodAuthorizationId: ctx.ids.numeric('authorization'),
      paymentMethodId: pm.paymentMethodId,
      amount: amount.value,
      currency: amount.currency,
      status: 'Authorized',
      capturedAmount: 0,
      networkTransactionId,
      capturedInvoiceId: null,
      createdAt: ctx.iso(),
    };
    ctx.revolv3.authorizations.set(auth.paymentMethodAuthorizationId, auth);
  }
  ctx.ledger.append({
    provider: 'revolv3',
    kind: 'authorization',
    operation: 'authorization',
    merchantReference: pm.merchantPaymentMethodRefId,
    amount: amount.value,
    currency: amount.currency,
    status: outcome.approved ? 'Approved' : 'Declined',
    approved: outcome.approved,
    paymentMethodId: pm.paymentMethodId,
    ...(auth ? { paymentMethodAuthorizationId: auth.paymentMethodAuthorizationId } : {}),
    ...cardFields(pm),
  });
  return {
    status: 200,
    body: {
      paymentMethodAuthorizationId: auth?.paymentMethodAuthorizationId ?? null,
      networkTransactionId: auth ? networkTransactionId : null,
      paymentMethod: presentPaymentMethod(pm),
      paymentProcessor: PROCESSOR,
      processorMerchantId: 'sandbox-merchant',
      responseMessage: outcome.message,
      responseCode: outcome.responseCode,
      rawResponse: null,
      message: outcome.approved ? 'Authorization approved' : outcome.message,
    },
  };
}

function findAuthorization(ctx: SandboxContext, id: number | undefined): Authorization {
  const auth = id === undefined ? undefined : ctx.revolv3.authorizations.get(id);
  if (!auth) throw notFound('Payment method authorization not found');
  return auth;
}

/** Rejects an authorization that can no longer be captured or reversed. */
export function assertOpen(auth: Authorization): void {
  if (auth.status === 'Captured') throw new ApiError(400, 'The authorization has already been captured', ['paymentMethodAuthorizationId: already captured.']);
  if (auth.status === 'Reversed') throw new ApiError(400, 'The authorization has been reversed', ['paymentMethodAuthorizationId: already reversed.']);
}

/** Marks an authorization captured for `amount` (≤ authorized; checked by callers). */
export function markCaptured(auth: Authorization, amount: number, invoiceId: number): void {
  auth.status = 'Captured';
  auth.capturedAmount = amount;
  auth.capturedInvoiceId = invoiceId;
}

/** Full or partial capture; capturing twice or more than authorized is a 400. */
export function capture(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  const auth = findAuthorization(ctx, parseIdParam(req.params.paymentMethodAuthorizationId));
  const body = requireBody(req);
  const c = new Checker();
  const invoice = c.object(body, 'invoice', 'invoice', true);
  const merchantInvoiceRefId = c.string(invoice, 'merchantInvoiceRefId', 'invoice.merchantInvoiceRefId', { max: 100 }) ?? null;
  const amount = invoice ? parseAmount(c, invoice, 'amount', 'invoice.amount') : undefined;
  const customerId = optionalCustomerId(c, ctx, body);
  checkOptionalParts(c, body, invoice);
  c.done();
  if (!amount) throw new Error('unreachable: amount validated');
  assertOpen(auth);
  if (roundMoney(amount.value) > roundMoney(auth.amount)) {
    throw badRequest([`invoice.amount.value: ${amount.value} exceeds the authorized amount ${auth.amount}.`], 'Capture amount exceeds the authorized amount');
  }
  const pm = ctx.revolv3.paymentMethods.get(auth.paymentMethodId);
  if (!pm) throw new Error('sandbox invariant: authorization without payment method');
  const created = chargeInvoice(ctx, {
    operation: 'capture',
    pm,
    amount: amount.value,
    currency: amount.currency,
    merchantInvoiceRefId,
    customerId: customerId ?? pm.customerId,
    outcome: OUTCOMES.approve,
    networkTransactionId: auth.networkTransactionId,
  });
  markCaptured(auth, amount.value, created.invoiceId);
  return { status: 200, body: presentSale(created, pm) };
}

/** Releases an uncaptured authorization. */
export function reverseAuth(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  const body = requireBody(req);
  const c = new Checker();
  const id = c.id(body, 'paymentMethodAuthorizationId', 'paymentMethodAuthorizationId', true);
  c.string(body, 'reason', 'reason', { max: 255 });
  const amount = c.money(body, 'amount', 'amount', { allowZero: true });
  c.done();
  const auth = findAuthorization(ctx, id);
  assertOpen(auth);
  if (amount !== undefined && roundMoney(amount) > roundMoney(auth.amount)) {
    throw badRequest([`amount: ${amount} exceeds the authorized amount ${auth.amount}.`]);
  }
  auth.status = 'Reversed';
  const pm = ctx.revolv3.paymentMethods.get(auth.paymentMethodId);
  ctx.ledger.append({
    provider: 'revolv3',
    kind: 'reverse-auth',
    operation: 'reverse-auth',
    merchantReference: pm?.merchantPaymentMethodRefId ?? null,
    amount: amount ?? auth.amount,
    currency: auth.currency,
    status: 'Reversed',
    approved: true,
    paymentMethodId: auth.paymentMethodId,
    paymentMethodAuthorizationId: auth.paymentMethodAuthorizationId,
    ...cardFields(pm),
  });
  return {
    status: 200,
    body: { paymentProcessor: 0, referenceNumber: ctx.ids.digits('referenceNumber', 12), message: 'Authorization reversed successfully' },
  };
}
