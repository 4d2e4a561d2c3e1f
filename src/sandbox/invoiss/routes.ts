/** The Invoiss simulator: its routes (case-sensitive) and how it authenticates. */
import type { ProviderDef } from '../provider.js';
import { Router, type RouteDef } from '../router.js';
import { authenticateInvoiss } from './auth.js';
import { createClient, getClient, listClients } from './clients.js';
import { createOrder, getOrder, listOrders } from './orders.js';
import { processAmount, processPayment, requestPayment } from './payments.js';

/** Every Invoiss route the sandbox serves. */
export const INVOISS_ROUTES: readonly RouteDef[] = [
  { method: 'GET', pattern: '/public/clients', handler: listClients },
  { method: 'POST', pattern: '/public/clients', handler: createClient },
  { method: 'GET', pattern: '/public/clients/:clientId', handler: getClient },
  { method: 'GET', pattern: '/public/orders', handler: listOrders },
  { method: 'POST', pattern: '/public/orders', handler: createOrder },
  { method: 'GET', pattern: '/public/orders/:orderId', handler: getOrder },
  { method: 'POST', pattern: '/public/payments/process', handler: processPayment, amountOf: processAmount },
  { method: 'POST', pattern: '/public/payments/request', handler: requestPayment },
];

/** The Invoiss provider definition. */
export function invoissProvider(): ProviderDef {
  return {
    name: 'invoiss',
    router: new Router(INVOISS_ROUTES, false),
    authenticate: authenticateInvoiss,
    errorBody: (message, errors) => (errors === null ? { message } : { message, errors }),
  };
}
