/** Invoiss clients: `GET /public/clients`, `GET /public/clients/{id}`, `POST /public/clients`. */
import type { SandboxContext } from '../context.js';
import { ApiError, badRequest, notFound } from '../errors.js';
import type { HandlerResult, RouteRequest } from '../router.js';
import { Checker, isObject } from '../validate.js';
import { SANDBOX_COMPANY, type Client } from './state.js';

/** `GET /public/clients?externalId=&email=` → matching clients (all filters must match); `[]` when none. */
export function listClients(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  const externalId = req.query.get('externalId');
  const email = req.query.get('email')?.toLowerCase() ?? null;
  const rows = [...ctx.invoiss.clients.values()].filter(
    (cl) => (externalId === null || cl.externalId === externalId) && (email === null || cl.email?.toLowerCase() === email),
  );
  return { status: 200, body: rows };
}

/** `GET /public/clients/{clientId}`. */
export function getClient(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  const client = ctx.invoiss.clients.get(req.params.clientId ?? '');
  if (!client) throw notFound('Client not found');
  return { status: 200, body: client };
}

/** `POST /public/clients` → 201; a second client with the same externalId → 409. */
export function createClient(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  if (!isObject(req.body)) throw badRequest(['body: A JSON object is required.'], 'Invalid request');
  const body = req.body;
  const c = new Checker();
  const name = c.string(body, 'name', 'name', { required: true, max: 200 });
  const opt = (key: string): string | null => c.string(body, key, key, { max: 200 }) ?? null;
  const email = c.string(body, 'email', 'email', { max: 200, pattern: /^[^@\s]+@[^@\s]+$/, hint: 'must be an email address.' }) ?? null;
  const fields = { phone: opt('phone'), contact: opt('contact'), code: opt('code'), cell: opt('cell'), po: opt('po'), externalId: opt('externalId') };
  const metadata = c.object(body, 'metadata', 'metadata') ?? {};
  c.done('Invalid request');
  if (name === undefined) throw new Error('unreachable: name validated');
  const { externalId } = fields;
  if (externalId !== null && [...ctx.invoiss.clients.values()].some((cl) => cl.externalId === externalId)) {
    throw new ApiError(409, `A client with externalId "${externalId}" already exists`);
  }
  const client: Client = {
    id: ctx.ids.prefixed('cli'),
    name,
    email,
    ...fields,
    logo: null,
    isHidden: false,
    statement: null,
    metadata,
    accountingEmails: [],
    houseAccounts: [],
    staff: [],
    company: { ...SANDBOX_COMPANY },
    gateway: null,
    createdAt: ctx.iso(),
  };
  ctx.invoiss.clients.set(client.id, client);
  return { status: 201, body: client };
}
