/** Invoiss orders: `POST /public/orders`, `GET /public/orders/{id}`, `GET /public/orders?externalId=`. */
import type { SandboxContext } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import type { HandlerResult, RouteRequest } from '../router.js';
import { Checker, isObject, roundMoney, type JsonObject } from '../validate.js';
import type { Order, OrderLineItem } from './state.js';

const ORDER_TYPES = ['INVOICE', 'ORDER', 'ESTIMATE'] as const;

/** A client reference given as an id string or as `{id}`. */
export function clientRef(c: Checker, parent: JsonObject | undefined, key: string, path: string): string | undefined {
  const v = parent?.[key];
  if (isObject(v)) return c.string(v, 'id', `${path}.id`, { required: true });
  return c.string(parent, key, path, { required: true });
}

function parseLineItems(c: Checker, body: JsonObject): Array<Omit<OrderLineItem, 'id'>> {
  const raw = c.array(body, 'lineItems', 'lineItems', true) ?? [];
  if (Array.isArray(body.lineItems) && raw.length === 0) c.add('lineItems: at least one line item is required.');
  return raw.flatMap((item, i) => {
    const path = `lineItems[${i}]`;
    if (!isObject(item)) {
      c.add(`${path}: must be an object.`);
      return [];
    }
    const name = c.string(item, 'name', `${path}.name`, { required: true, max: 200 });
    const description = c.string(item, 'description', `${path}.description`, { max: 1000 }) ?? null;
    const externalId = c.string(item, 'externalId', `${path}.externalId`, { max: 200 }) ?? null;
    const price = c.money(item, 'price', `${path}.price`, { required: true, allowZero: true });
    const quantity = c.number(item, 'quantity', `${path}.quantity`) ?? 1;
    if (quantity <= 0) c.add(`${path}.quantity: must be greater than 0.`);
    if (name === undefined || price === undefined || quantity <= 0) return [];
    return [{ name, description, externalId, quantity, price, total: roundMoney(quantity * price) }];
  });
}

/** `POST /public/orders` → 201 OPEN order; the client must exist (404 otherwise). */
export function createOrder(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  if (!isObject(req.body)) throw badRequest(['body: A JSON object is required.'], 'Invalid request');
  const body = req.body;
  const c = new Checker();
  const client = clientRef(c, body, 'client', 'client');
  const typeRaw = c.string(body, 'type', 'type') ?? 'INVOICE';
  const type = ORDER_TYPES.find((t) => t === typeRaw.toUpperCase());
  if (!type) c.add(`type: must be one of ${ORDER_TYPES.join(', ')}.`);
  const numberRaw = body.number;
  const number = typeof numberRaw === 'string' || typeof numberRaw === 'number' ? String(numberRaw) : undefined;
  if (numberRaw !== undefined && numberRaw !== null && number === undefined) c.add('number: must be a string or a number.');
  const externalId = c.string(body, 'externalId', 'externalId', { max: 200 }) ?? null;
  const metadata = c.object(body, 'metadata', 'metadata') ?? {};
  const items = parseLineItems(c, body);
  c.done('Invalid request');
  if (client === undefined || !type) throw new Error('unreachable: order validated');
  if (!ctx.invoiss.clients.has(client)) throw notFound(`Client ${client} not found`);
  const subTotal = roundMoney(items.reduce((sum, li) => sum + li.total, 0));
  const order: Order = {
    id: ctx.ids.prefixed('ord'),
    number: number ?? String(1000 + ctx.ids.count('orderNumber')),
    client,
    type,
    externalId,
    lineItems: items.map((li) => ({ id: ctx.ids.prefixed('li'), ...li })),
    metadata,
    subTotal,
    taxTotal: 0,
    grandTotal: subTotal,
    paidTotal: 0,
    status: 'OPEN',
    payments: [],
    createdAt: ctx.iso(),
  };
  ctx.invoiss.orders.set(order.id, order);
  return { status: 201, body: order };
}

/** `GET /public/orders/{orderId}`. */
export function getOrder(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  const order = ctx.invoiss.orders.get(req.params.orderId ?? '');
  if (!order) throw notFound('Order not found');
  return { status: 200, body: order };
}

/** `GET /public/orders?externalId=&client=` → matching orders; `[]` when none. */
export function listOrders(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  const externalId = req.query.get('externalId');
  const client = req.query.get('client');
  const rows = [...ctx.invoiss.orders.values()].filter(
    (o) => (externalId === null || o.externalId === externalId) && (client === null || o.client === client),
  );
  return { status: 200, body: rows };
}
