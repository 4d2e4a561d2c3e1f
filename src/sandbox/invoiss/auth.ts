/** Invoiss authentication: `Authorization: <token>` (as documented) or `Authorization: Bearer <token>`. */
import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxContext } from '../context.js';
import { ApiError } from '../errors.js';
import { header } from '../http-io.js';

/** The credential identity of a request; throws 401. */
export function authenticateInvoiss(ctx: SandboxContext, headers: IncomingHttpHeaders): string {
  const raw = header(headers, 'authorization')?.trim();
  if (!raw) throw new ApiError(401, 'Missing Authorization header');
  const token = raw.replace(/^Bearer\s+/i, '');
  if (token !== ctx.credentials.INVOISS_TOKEN) throw new ApiError(401, 'Invalid token');
  return `invoiss:${token}`;
}
