/** Revolv3 `POST /api/Payments/sale` and `POST /api/Payments/sale/{paymentMethodId}`. */
import type { SandboxContext } from '../context.js';
import type { HandlerResult, RouteRequest } from '../router.js';
import { Checker } from '../validate.js';
import { chargeInvoice, decideOutcome, presentSale } from './charge.js';
import { checkOptionalParts, optionalCustomerId, parseAmount, paymentMethodFromParam, requireBody } from './common.js';
import { parsePaymentMethod, storePaymentMethod } from './payment-method.js';

/** Sale with raw payment details, or with a stored method when the path names one. */
export function sale(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  const stored = req.params.paymentMethodId === undefined ? undefined : paymentMethodFromParam(ctx, req);
  const body = requireBody(req);
  const c = new Checker();
  const invoice = c.object(body, 'invoice', 'invoice', true);
  const merchantInvoiceRefId = c.string(invoice, 'merchantInvoiceRefId', 'invoice.merchantInvoiceRefId', { max: 100 }) ?? null;
  const amount = invoice ? parseAmount(c, invoice, 'amount', 'invoice.amount') : undefined;
  const customerId = optionalCustomerId(c, ctx, body);
  checkOptionalParts(c, body, invoice);
  // with a stored method the docs send paymentMethod: null; details there would be ambiguous
  if (stored && body.paymentMethod !== undefined && body.paymentMethod !== null) c.add('paymentMethod: must be null when the path names a stored payment method.');
  const pmInput = stored ? undefined : parsePaymentMethod(c, c.object(body, 'paymentMethod', 'paymentMethod', true), 'paymentMethod');
  c.done();
  if (!amount) throw new Error('unreachable: amount validated');
  // Validation is complete: commit.
  const pm = stored ?? (pmInput ? storePaymentMethod(ctx, pmInput, customerId) : undefined);
  if (!pm) throw new Error('unreachable: payment method validated');
  const created = chargeInvoice(ctx, {
    operation: 'sale',
    pm,
    amount: amount.value,
    currency: amount.currency,
    merchantInvoiceRefId,
    customerId: customerId ?? pm.customerId,
    outcome: decideOutcome(pm, amount.value),
  });
  return { status: 200, body: presentSale(created, pm) };
}
