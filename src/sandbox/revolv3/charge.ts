/**
 * Creating Revolv3 invoices from charges (sale, one-time invoice payment, capture): the
 * outcome decision, the attempt, the ledger entry, and the sale-shaped response.
 */
import type { SandboxContext } from '../context.js';
import { ACH_PENDING, OUTCOMES, isDeclineAmount, type OutcomeSpec } from '../test-cards.js';
import type { LedgerOperation } from '../types.js';
import type { JsonObject } from '../validate.js';
import { presentAchDetails, presentCardDetails } from './payment-method.js';
import type { Invoice, InvoiceAttempt, InvoiceLineItem, StoredPaymentMethod } from './state.js';

/** The processor name the sandbox reports. */
export const PROCESSOR = 'Sandbox';

/** The outcome of charging `amount` to a stored method: 6.66 declines, ACH is Pending, else the card's outcome. */
export function decideOutcome(pm: StoredPaymentMethod, amount: number): OutcomeSpec {
  if (isDeclineAmount(amount)) return OUTCOMES.decline;
  if (pm.type === 'Ach') return ACH_PENDING;
  return OUTCOMES[pm.outcome];
}

/** A new attempt record for an outcome. */
export function newAttempt(ctx: SandboxContext, amount: number, outcome: OutcomeSpec): InvoiceAttempt {
  const approved = outcome.invoiceAttemptStatus === 'Success';
  return {
    invoiceAttemptId: ctx.ids.numeric('invoiceAttempt'),
    amount,
    invoiceAttemptStatus: outcome.invoiceAttemptStatus,
    invoiceAttemptDate: ctx.iso(),
    paymentProcessor: PROCESSOR,
    processorTransactionId: ctx.ids.hex('processorTransaction', 16),
    responseCode: outcome.responseCode,
    responseMessage: outcome.message,
    authCode: approved ? ctx.ids.code('authCode', 6) : null,
    revolv3ResponseCode: outcome.responseCode,
    revolv3ResponseMessage: outcome.message,
    processorResponseDateTime: ctx.iso(),
  };
}

/** Everything needed to create a charged invoice. */
export interface ChargeArgs {
  operation: Extract<LedgerOperation, 'sale' | 'invoice-payment' | 'capture'>;
  pm: StoredPaymentMethod;
  amount: number;
  currency: string;
  merchantInvoiceRefId: string | null;
  customerId: number | null;
  outcome: OutcomeSpec;
  subtotal?: number;
  lineItems?: Array<Omit<InvoiceLineItem, 'invoiceLineItemId'>>;
  networkTransactionId?: string;
}

/** Creates the invoice with one attempt, stores it and writes the ledger entry. */
export function chargeInvoice(ctx: SandboxContext, args: ChargeArgs): Invoice {
  const attempt = newAttempt(ctx, args.amount, args.outcome);
  const invoice: Invoice = {
    invoiceId: ctx.ids.numeric('invoice'),
    parentInvoiceId: null,
    kind: 'payment',
    customerId: args.customerId,
    merchantInvoiceRefId: args.merchantInvoiceRefId,
    paymentMethodId: args.pm.paymentMethodId,
    invoiceStatus: args.outcome.invoiceStatus,
    subtotal: args.subtotal ?? args.amount,
    tax: 0,
    total: args.amount,
    currency: args.currency,
    billingDate: ctx.iso().slice(0, 10),
    networkTransactionId: args.networkTransactionId ?? ctx.ids.digits('networkTransaction', 15),
    lineItems: (args.lineItems ?? []).map((li) => ({ invoiceLineItemId: ctx.ids.numeric('invoiceLineItem'), ...li })),
    attempts: [attempt],
    refundedTotal: 0,
  };
  ctx.revolv3.invoices.set(invoice.invoiceId, invoice);
  // ACH: answered Pending now; settles (Paid) or is returned (Noncollectable) later (R17, R20)
  if (args.pm.type === 'Ach' && invoice.invoiceStatus === 'Pending') {
    const returned = args.pm.outcome !== 'approve';
    ctx.settlements.schedule(invoice, returned ? 'Noncollectable' : 'Paid', returned ? 'ach-returned' : 'ach-settled');
  }
  ctx.ledger.append({
    provider: 'revolv3',
    kind: 'charge',
    operation: args.operation,
    merchantReference: args.merchantInvoiceRefId,
    amount: args.amount,
    currency: args.currency,
    status: invoice.invoiceStatus,
    approved: args.outcome.approved,
    invoiceId: invoice.invoiceId,
    paymentMethodId: args.pm.paymentMethodId,
    ...cardFields(args.pm),
  });
  return invoice;
}

/** BIN and last 4 for ledger entries (nothing for ACH). */
export function cardFields(pm: StoredPaymentMethod | undefined): { cardBin?: string; cardLast4?: string } {
  return pm?.card ? { cardBin: pm.card.binNumber, cardLast4: pm.card.paymentLast4Digit } : {};
}

/** The latest attempt of an invoice. */
export function lastAttempt(invoice: Invoice): InvoiceAttempt | undefined {
  return invoice.attempts[invoice.attempts.length - 1];
}

/** The sale response (also returned by capture). */
export function presentSale(invoice: Invoice, pm: StoredPaymentMethod): JsonObject {
  const attempt = lastAttempt(invoice);
  return {
    customerId: invoice.customerId,
    invoiceId: invoice.invoiceId,
    merchantInvoiceRefId: invoice.merchantInvoiceRefId,
    merchantPaymentMethodRefId: pm.merchantPaymentMethodRefId,
    networkTransactionId: invoice.networkTransactionId,
    paymentMethodId: pm.paymentMethodId,
    invoiceStatus: invoice.invoiceStatus,
    invoiceAttemptStatus: attempt?.invoiceAttemptStatus ?? null,
    message: attempt?.responseMessage ?? null,
    amount: { currency: invoice.currency, value: invoice.total },
    paymentMethodTypeId: pm.type === 'CreditCard' ? 1 : 2,
    paymentProcessor: PROCESSOR,
    processorMerchantId: 'sandbox-merchant',
    rawResponse: null,
    paymentMethodCreditCardDetails: presentCardDetails(pm),
    paymentMethodAchDetails: presentAchDetails(pm),
    responseMessage: attempt?.responseMessage ?? null,
    responseCode: attempt?.responseCode ?? null,
    processorResponseDateTime: attempt?.processorResponseDateTime ?? null,
    authCode: attempt?.authCode ?? null,
    processorTransactionId: attempt?.processorTransactionId ?? null,
    revolv3ResponseCode: attempt?.revolv3ResponseCode ?? null,
    revolv3ResponseMessage: attempt?.revolv3ResponseMessage ?? null,
  };
}
