/** Revolv3 `POST /api/Invoices/{invoiceId}/refund` and `POST /api/Payments/void/{invoiceId}`. */
import type { SandboxContext } from '../context.js';
import { ApiError, badRequest } from '../errors.js';
import type { HandlerResult, RouteRequest } from '../router.js';
import { OUTCOMES } from '../test-cards.js';
import { Checker, isObject, roundMoney } from '../validate.js';
import { cardFields, newAttempt } from './charge.js';
import { presentInvoiceDetail } from './invoice-view.js';
import { invoiceFromParam } from './invoices.js';
import type { Invoice } from './state.js';

function assertRefundable(invoice: Invoice): number {
  if (invoice.kind === 'refund') throw badRequest(['invoiceId: a refund invoice cannot be refunded.'], 'Invoice cannot be refunded');
  if (invoice.invoiceStatus !== 'Paid') {
    throw badRequest([`invoiceId: invoice status is ${invoice.invoiceStatus}; only Paid invoices can be refunded.`], 'Invoice cannot be refunded');
  }
  const remaining = roundMoney(invoice.total - invoice.refundedTotal);
  if (remaining <= 0) throw badRequest(['invoiceId: the invoice has already been fully refunded.'], 'Invoice has already been fully refunded');
  return remaining;
}

/** Full (no amount) or partial refund; several partials up to the original total. */
export function refund(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  const original = invoiceFromParam(ctx, req);
  const c = new Checker();
  if (req.body !== undefined && !isObject(req.body)) c.add('body: must be a JSON object.');
  const requested = c.money(isObject(req.body) ? req.body : undefined, 'amount', 'amount');
  c.done();
  const remaining = assertRefundable(original);
  const amount = requested ?? remaining;
  if (roundMoney(amount) > remaining) {
    throw badRequest([`amount: ${amount} exceeds the refundable amount ${remaining}.`], 'Refund amount exceeds the refundable amount');
  }
  // Commit.
  original.refundedTotal = roundMoney(original.refundedTotal + amount);
  // the refund invoice is RefundPending until it is confirmed (then Refund or PartialRefund)
  const confirmed = original.refundedTotal >= original.total ? 'Refund' : 'PartialRefund';
  const status = 'RefundPending';
  const attempt = { ...newAttempt(ctx, -amount, OUTCOMES.approve), responseMessage: 'Refunded', revolv3ResponseMessage: 'Refunded' };
  const refundInvoice: Invoice = {
    ...original,
    invoiceId: ctx.ids.numeric('invoice'),
    parentInvoiceId: original.invoiceId,
    kind: 'refund',
    invoiceStatus: status,
    subtotal: -amount,
    tax: 0,
    total: -amount,
    billingDate: ctx.iso().slice(0, 10),
    lineItems: [],
    attempts: [attempt],
    refundedTotal: 0,
  };
  ctx.revolv3.invoices.set(refundInvoice.invoiceId, refundInvoice);
  ctx.settlements.schedule(refundInvoice, confirmed, 'refund-confirmed');
  const pm = original.paymentMethodId === null ? undefined : ctx.revolv3.paymentMethods.get(original.paymentMethodId);
  ctx.ledger.append({
    provider: 'revolv3',
    kind: 'refund',
    operation: 'refund',
    merchantReference: original.merchantInvoiceRefId,
    amount,
    currency: original.currency,
    status,
    approved: true,
    invoiceId: refundInvoice.invoiceId,
    ...(pm ? { paymentMethodId: pm.paymentMethodId } : {}),
    ...cardFields(pm),
  });
  return {
    status: 200,
    body: {
      invoice: presentInvoiceDetail(ctx, refundInvoice),
      refunds: [
        {
          invoiceAttemptId: attempt.invoiceAttemptId,
          amount: attempt.amount,
          invoiceAttemptStatus: attempt.invoiceAttemptStatus,
          invoiceAttemptDate: attempt.invoiceAttemptDate,
          paymentProcessor: attempt.paymentProcessor,
          processorTransactionId: attempt.processorTransactionId,
          responseCode: attempt.responseCode,
          responseMessage: attempt.responseMessage,
          processorRawResponse: null,
          paymentMethod: null,
          descriptor: null,
        },
      ],
    },
  };
}

/** Voids a Paid, never refunded, payment invoice (no body). */
export function voidInvoice(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  const invoice = invoiceFromParam(ctx, req);
  if (invoice.kind === 'refund' || invoice.invoiceStatus !== 'Paid') {
    throw new ApiError(400, 'Invoice cannot be voided', [`invoiceId: invoice status is ${invoice.invoiceStatus}; only Paid invoices can be voided.`]);
  }
  if (invoice.refundedTotal > 0) throw new ApiError(400, 'Invoice cannot be voided', ['invoiceId: the invoice has refunds.']);
  invoice.invoiceStatus = 'Void';
  invoice.attempts.push({ ...newAttempt(ctx, invoice.total, OUTCOMES.approve), invoiceAttemptStatus: 'Void', responseMessage: 'Voided', revolv3ResponseMessage: 'Voided' });
  const pm = invoice.paymentMethodId === null ? undefined : ctx.revolv3.paymentMethods.get(invoice.paymentMethodId);
  ctx.ledger.append({
    provider: 'revolv3',
    kind: 'void',
    operation: 'void',
    merchantReference: invoice.merchantInvoiceRefId,
    amount: invoice.total,
    currency: invoice.currency,
    status: 'Void',
    approved: true,
    invoiceId: invoice.invoiceId,
    ...(pm ? { paymentMethodId: pm.paymentMethodId } : {}),
    ...cardFields(pm),
  });
  return { status: 200, body: { invoice: presentInvoiceDetail(ctx, invoice) } };
}
