/**
 * Revolv3 authentication: the static `x-revolv3-token` header, and legacy bearer tokens from
 * `POST /api/Authentication/token` that expire by the injected clock.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxContext } from '../context.js';
import { ApiError } from '../errors.js';
import { header } from '../http-io.js';
import type { HandlerResult, RouteRequest } from '../router.js';
import { Checker, isObject } from '../validate.js';

function unauthorized(description?: string): ApiError {
  return new ApiError(401, 'Unauthorized', null, description ? { 'www-authenticate': `Bearer error="invalid_token", error_description="${description}"` } : {});
}

/** The credential identity of a request (for the rate limiter); throws 401. */
export function authenticateRevolv3(ctx: SandboxContext, headers: IncomingHttpHeaders): string {
  const staticToken = header(headers, 'x-revolv3-token');
  if (staticToken !== undefined) {
    if (staticToken === ctx.credentials.REVOLV3_TOKEN) return 'revolv3:static';
    throw unauthorized();
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header(headers, 'authorization') ?? '');
  if (!m?.[1]) throw unauthorized();
  const issued = ctx.revolv3.tokens.get(m[1]);
  if (!issued) throw unauthorized('The token is invalid');
  if (ctx.now() >= issued.expiresAt) throw unauthorized('The token expired');
  return `revolv3:client:${issued.clientId}`;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** `POST /api/Authentication/token`: client credentials → legacy bearer token. */
export function exchangeToken(ctx: SandboxContext, req: RouteRequest): HandlerResult {
  const body = isObject(req.body) ? req.body : undefined;
  const c = new Checker();
  if (!body) c.add('body: The request body is required.');
  const clientId = c.string(body, 'clientId', 'clientId', { required: true });
  const clientSecret = c.string(body, 'clientSecret', 'clientSecret', { required: true });
  c.done();
  if (clientId !== ctx.credentials.REVOLV3_CLIENT_ID || clientSecret !== ctx.credentials.REVOLV3_CLIENT_SECRET) {
    throw unauthorized();
  }
  const issuedAt = ctx.now();
  const expiresAt = issuedAt + ctx.tokenTtlSeconds * 1000;
  const n = ctx.ids.count('token');
  const token = [
    base64url({ alg: 'HS256', typ: 'JWT' }),
    base64url({ sub: clientId, jti: n, iat: Math.floor(issuedAt / 1000), exp: Math.floor(expiresAt / 1000) }),
    ctx.ids.hex('tokenSignature', 43),
  ].join('.');
  ctx.revolv3.tokens.set(token, { clientId, expiresAt });
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      expires_in: ctx.tokenTtlSeconds,
      ext_expires_in: ctx.tokenTtlSeconds,
      access_token: token,
      isExpired: false,
      expirationTime: new Date(expiresAt).toISOString(),
    },
  };
}
