/** How Revolv3 invoices look in responses: the detail and the search summary. */
import type { SandboxContext } from '../context.js';
import type { JsonObject } from '../validate.js';
import { presentPaymentMethod } from './payment-method.js';
import type { Invoice } from './state.js';

/** `GET /api/Invoices/{invoiceId}` and the `invoice` of void/refund responses. */
export function presentInvoiceDetail(ctx: SandboxContext, invoice: Invoice): JsonObject {
  const pm = invoice.paymentMethodId === null ? undefined : ctx.revolv3.paymentMethods.get(invoice.paymentMethodId);
  const customer = invoice.customerId === null ? undefined : ctx.revolv3.customers.get(invoice.customerId);
  return {
    invoiceId: invoice.invoiceId,
    parentInvoiceId: invoice.parentInvoiceId,
    customerId: invoice.customerId,
    merchantInvoiceRefId: invoice.merchantInvoiceRefId,
    paymentMethod: pm ? presentPaymentMethod(pm) : null,
    invoiceStatus: invoice.invoiceStatus,
    subtotal: invoice.subtotal,
    tax: invoice.tax,
    total: invoice.total,
    billingDate: invoice.billingDate,
    merchantLegalName: 'Sandbox Merchant',
    merchantCustomerRefId: customer?.merchantCustomerRefId ?? null,
    customerFirstName: customer?.firstName ?? null,
    customerLastName: customer?.lastName ?? null,
    networkTransactionId: invoice.networkTransactionId,
    currency: invoice.currency,
    invoiceLineItems: invoice.lineItems.map((li) => ({ invoiceId: invoice.invoiceId, ...li })),
    invoiceAttempts: invoice.attempts.map((a) => ({ ...a, processorRawResponse: null })),
  };
}

/** One row of `GET /api/Invoices` (plus `parentInvoiceId`, so refund invoices can be told apart). */
export function presentInvoiceSummary(ctx: SandboxContext, invoice: Invoice): JsonObject {
  const pm = invoice.paymentMethodId === null ? undefined : ctx.revolv3.paymentMethods.get(invoice.paymentMethodId);
  const customer = invoice.customerId === null ? undefined : ctx.revolv3.customers.get(invoice.customerId);
  return {
    invoiceId: invoice.invoiceId,
    parentInvoiceId: invoice.parentInvoiceId,
    customerId: invoice.customerId,
    merchantInvoiceRefId: invoice.merchantInvoiceRefId,
    binNumber: pm?.card?.binNumber ?? null,
    last4Digit: pm?.card?.paymentLast4Digit ?? null,
    invoiceStatus: invoice.invoiceStatus,
    subtotal: invoice.subtotal,
    tax: invoice.tax,
    total: invoice.total,
    billingDate: invoice.billingDate,
    merchantLegalName: 'Sandbox Merchant',
    merchantCustomerRefId: customer?.merchantCustomerRefId ?? null,
    customerFirstName: customer?.firstName ?? null,
    customerLastName: customer?.lastName ?? null,
  };
}
