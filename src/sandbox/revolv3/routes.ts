/** The Revolv3 simulator: its routes (matched case-insensitively) and how it authenticates. */
import type { ProviderDef } from '../provider.js';
import { Router, type RouteDef } from '../router.js';
import { authenticateRevolv3, exchangeToken } from './auth.js';
import { authorize, capture, reverseAuth } from './authorization.js';
import { amountAt } from './common.js';
import { createCustomer, createPaymentMethod, getCustomer } from './customers.js';
import { invoicePayment, invoicePaymentAmount } from './invoice-payment.js';
import { getInvoice, listCustomerInvoices, listInvoices } from './invoices.js';
import { camelize } from './normalize.js';
import { refund, voidInvoice } from './refund-void.js';
import { sale } from './sale.js';

const saleAmount = (body: unknown): number | undefined => amountAt(body, 'invoice', 'amount', 'value');
const authAmount = (body: unknown): number | undefined => amountAt(body, 'amount', 'value');
const refundAmount = (body: unknown): number | undefined => amountAt(body, 'amount');

/** Every Revolv3 route the sandbox serves. */
export const REVOLV3_ROUTES: readonly RouteDef[] = [
  { method: 'POST', pattern: '/api/Authentication/token', handler: exchangeToken, anonymous: true },
  { method: 'POST', pattern: '/api/Customers', handler: createCustomer },
  { method: 'GET', pattern: '/api/Customers/:customerId', handler: getCustomer },
  { method: 'GET', pattern: '/api/Customers/:customerId/invoices', handler: listCustomerInvoices },
  { method: 'POST', pattern: '/api/PaymentMethod', handler: createPaymentMethod },
  { method: 'POST', pattern: '/api/PaymentMethod/reverse-auth', handler: reverseAuth },
  { method: 'POST', pattern: '/api/Payments/sale', handler: sale, amountOf: saleAmount },
  { method: 'POST', pattern: '/api/Payments/sale/:paymentMethodId', handler: sale, amountOf: saleAmount },
  { method: 'POST', pattern: '/api/Payments/authorization', handler: authorize, amountOf: authAmount },
  { method: 'POST', pattern: '/api/Payments/authorization/:paymentMethodId', handler: authorize, amountOf: authAmount },
  { method: 'POST', pattern: '/api/Payments/capture/:paymentMethodAuthorizationId', handler: capture, amountOf: saleAmount },
  { method: 'POST', pattern: '/api/Payments/void/:invoiceId', handler: voidInvoice },
  { method: 'POST', pattern: '/api/Invoices/payment', handler: invoicePayment, amountOf: invoicePaymentAmount },
  { method: 'GET', pattern: '/api/Invoices', handler: listInvoices },
  { method: 'GET', pattern: '/api/Invoices/:invoiceId', handler: getInvoice },
  { method: 'POST', pattern: '/api/Invoices/:invoiceId/refund', handler: refund, amountOf: refundAmount },
];

/** The Revolv3 provider definition. */
export function revolv3Provider(): ProviderDef {
  return {
    name: 'revolv3',
    router: new Router(REVOLV3_ROUTES, true),
    authenticate: authenticateRevolv3,
    normalizeBody: camelize,
    errorBody: (message, errors) => ({ message, errors }),
  };
}
