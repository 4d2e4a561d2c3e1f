/** Revolv3 invoice lookups: `GET /api/Invoices/{id}`, `GET /api/Invoices`, `GET /api/Customers/{id}/invoices`. */
import type { SandboxContext } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import type { HandlerResult, RouteRequest } from '../router.js';
import { parseIdParam } from '../validate.js';
import { presentInvoiceDetail, presentInvoiceSummary } from './invoice-view.js';
import type { Invoice } from './state.js';

/** The invoice named by the `invoiceId` path parameter; 404 when unknown. */
export function invoiceFromParam(ctx: SandboxContext, req: RouteRequest): Invoice {
  const id = parseIdParam(req.params.invoiceId);
  const invoice = id === undefined ? undefined : ctx.revolv3.invoices.get(id);
  if (!invoice) throw notFound('Invoice not found');
  return invoice;
}

/** `GET /api/Invoices/{invoiceId}`. */
export function getInvoice(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  return { status: 200, body: presentInvoiceDetail(ctx, invoiceFromParam(ctx, req)) };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function searchInvoices(ctx: SandboxContext, q: URLSearchParams, customerId?: number): HandlerResult {
  const errors: string[] = [];
  const ref = q.get('merchantInvoiceRefId');
  const customerRef = q.get('merchantCustomerRefId');
  const start = q.get('startDate');
  const end = q.get('endDate');
  const page = Number(q.get('page') ?? '1');
  const pageSize = Number(q.get('pageSize') ?? '100');
  if (ref !== null && ref.length > 100) errors.push('merchantInvoiceRefId: must be at most 100 characters.');
  if (start !== null && !DATE.test(start)) errors.push('startDate: must be YYYY-MM-DD.');
  if (end !== null && !DATE.test(end)) errors.push('endDate: must be YYYY-MM-DD.');
  if (!Number.isInteger(page) || page < 1) errors.push('page: must be a positive integer.');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) errors.push('pageSize: must be 1 to 100.');
  if (errors.length > 0) throw badRequest(errors);
  const rows = [...ctx.revolv3.invoices.values()].filter((inv) => {
    if (customerId !== undefined && inv.customerId !== customerId) return false;
    if (ref !== null && inv.merchantInvoiceRefId !== ref) return false;
    if (customerRef !== null) {
      const c = inv.customerId === null ? undefined : ctx.revolv3.customers.get(inv.customerId);
      if (c?.merchantCustomerRefId !== customerRef) return false;
    }
    if (start !== null && inv.billingDate < start) return false;
    if (end !== null && inv.billingDate > end) return false;
    return true;
  });
  const slice = rows.slice((page - 1) * pageSize, page * pageSize);
  return { status: 200, body: slice.map((inv) => presentInvoiceSummary(ctx, inv)) };
}

/** `GET /api/Invoices?merchantInvoiceRefId=…` → summaries, oldest first; `[]` when none. */
export function listInvoices(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  return searchInvoices(ctx, req.query);
}

/** `GET /api/Customers/{customerId}/invoices`; 404 for an unknown customer. */
export function listCustomerInvoices(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  const id = parseIdParam(req.params.customerId);
  if (id === undefined || !ctx.revolv3.customers.has(id)) throw notFound('Customer not found');
  return searchInvoices(ctx, req.query, id);
}
