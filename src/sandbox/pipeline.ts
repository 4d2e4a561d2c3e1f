/**
 * The request pipeline: route → authenticate → rate limit → parse → choose fault → handle.
 * Faults wrap the handler: some answer instead of it (nothing committed), some after it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleAdmin } from './admin.js';
import { ApiError } from './errors.js';
import { chooseFault, FAULT_HEADER, type ActiveFault } from './faults.js';
import { header, parseJsonBody, readBody, sendJson, sendSlowJson } from './http-io.js';
import type { ProviderDef } from './provider.js';
import type { Handler, HandlerResult, RouteRequest } from './router.js';
import type { Runtime } from './runtime.js';

function errorResult(provider: ProviderDef | undefined, e: unknown): HandlerResult {
  if (e instanceof ApiError) {
    const body = provider ? provider.errorBody(e.message, e.errors) : { message: e.message, errors: e.errors };
    return { status: e.status, body, headers: e.headers };
  }
  const message = `Internal sandbox error: ${e instanceof Error ? e.message : String(e)}`;
  return { status: 500, body: provider ? provider.errorBody(message, null) : { message, errors: null } };
}

/** Runs a handler, turning an ApiError into its response. */
function run(provider: ProviderDef, handler: Handler, rt: Runtime, req: RouteRequest): HandlerResult {
  try {
    return handler(rt.ctx, req);
  } catch (e) {
    return errorResult(provider, e);
  }
}

function send(res: ServerResponse, result: HandlerResult): void {
  sendJson(res, result.status, result.body, result.headers);
}

async function runWithFault(
  rt: Runtime,
  provider: ProviderDef,
  handler: Handler,
  req: RouteRequest,
  fault: ActiveFault | undefined,
  incoming: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const faultHeaders: Record<string, string> = fault ? { 'x-sandbox-fault-applied': fault.kind } : {};
  switch (fault?.kind) {
    case undefined:
      return send(res, run(provider, handler, rt, req));
    case 'unavailable':
      return send(res, { status: 503, body: provider.errorBody('Service Unavailable', null), headers: { 'retry-after': '1', ...faultHeaders } });
    case 'rate-limit':
      return send(res, { status: 429, body: provider.errorBody('Too Many Requests', null), headers: { 'retry-after': '1', ...faultHeaders } });
    case 'error-before':
      return send(res, { status: 500, body: provider.errorBody('Internal Server Error', null), headers: faultHeaders });
    case 'latency': {
      await rt.sleep(fault.latencyMs);
      const result = run(provider, handler, rt, req);
      return send(res, { ...result, headers: { ...result.headers, ...faultHeaders } });
    }
    case 'error-after':
      run(provider, handler, rt, req);
      return send(res, { status: 500, body: provider.errorBody('Internal Server Error', null), headers: faultHeaders });
    case 'reset-after':
      run(provider, handler, rt, req);
      incoming.socket.destroy();
      return;
    case 'slow-body': {
      const result = run(provider, handler, rt, req);
      await sendSlowJson(res, result.status, result.body, { ...result.headers, ...faultHeaders }, fault.latencyMs, (ms) => rt.sleep(ms));
      return;
    }
  }
}

/** Handles one HTTP request end to end. Never rejects. */
export async function handleRequest(rt: Runtime, incoming: IncomingMessage, res: ServerResponse): Promise<void> {
  let provider: ProviderDef | undefined;
  try {
    const url = new URL(incoming.url ?? '/', 'http://sandbox.invalid');
    const method = (incoming.method ?? 'GET').toUpperCase();
    const raw = await readBody(incoming);
    if (url.pathname === '/_admin' || url.pathname.startsWith('/_admin/')) {
      return send(res, handleAdmin(rt, method, url, raw, incoming.headers));
    }
    const [, prefix = '', ...rest] = url.pathname.split('/');
    provider = rt.providers.get(prefix);
    if (!provider) throw new ApiError(404, 'Not Found');
    const path = `/${rest.join('/')}`;
    const match = provider.router.match(method, path);
    if (!match) throw new ApiError(404, 'Not Found');
    const credential = match.route.anonymous ? `${provider.name}:anonymous` : provider.authenticate(rt.ctx, incoming.headers);
    const rate = rt.limiter.check(credential);
    if (!rate.allowed) throw new ApiError(429, 'Too Many Requests', null, { 'retry-after': String(rate.retryAfterSeconds) });
    const parsed = parseJsonBody(raw, incoming.headers);
    const body = provider.normalizeBody ? provider.normalizeBody(parsed) : parsed;
    const req: RouteRequest = { method, path, query: url.searchParams, params: match.params, body, headers: incoming.headers, credential };
    const fault = chooseFault(
      header(incoming.headers, FAULT_HEADER),
      rt.faults,
      { provider: provider.name, method, path, fullPath: url.pathname },
      match.route.amountOf?.(body, match.params),
    );
    await runWithFault(rt, provider, match.route.handler, req, fault, incoming, res);
  } catch (e) {
    if (!res.headersSent && !res.destroyed) send(res, errorResult(provider, e));
    else res.destroy();
  }
}
