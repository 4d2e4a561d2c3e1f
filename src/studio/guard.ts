/**
 * What every studio request must pass before any handler runs: the Host header names this
 * server (DNS rebinding), the Origin — when a browser sends one — is this server (other local
 * pages), the fetch is not cross-site, and the request carries the URL token. Request bodies are
 * read with a byte limit.
 */
import { timingSafeEqual, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { diagnostic, DatamapError } from '../errors/diagnostic.js';

/** Header the page sends the token in (EventSource and the page itself use `?token=`). */
export const TOKEN_HEADER = 'x-datamap-studio';

/** A fresh random token: 32 bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The origins a request may come from: this server under 127.0.0.1 and localhost. */
export function ownOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

function refuse(message: string): DatamapError {
  return new DatamapError(diagnostic('studio/forbidden', message));
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Throws `studio/forbidden` unless the request is this server's own page or a caller holding the token. */
export function checkRequest(req: IncomingMessage, url: URL, port: number, token: string): void {
  checkOrigin(req, port);
  checkToken(req, url, token);
}

/** Throws `studio/forbidden` unless Host names this server and any Origin / fetch site is this server. */
export function checkOrigin(req: IncomingMessage, port: number): void {
  const host = req.headers.host ?? '';
  if (!ownOrigins(port).some((o) => o === `http://${host}`)) {
    throw refuse(`Host "${host.slice(0, 100)}" is not this studio (127.0.0.1:${port})`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !ownOrigins(port).includes(origin)) {
    throw refuse(`Origin "${origin.slice(0, 100)}" is not this studio`);
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw refuse(`A ${String(site)} request is not accepted; use the studio page itself`);
  }
}

/** Throws `studio/forbidden` unless the request carries the token (header, or `?token=`). */
export function checkToken(req: IncomingMessage, url: URL, token: string): void {
  const given = headerValue(req.headers[TOKEN_HEADER]) ?? url.searchParams.get('token') ?? '';
  if (!sameText(given, token)) throw refuse(given ? 'Wrong studio token' : 'Missing studio token');
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Reads a JSON request body of at most `maxBytes` bytes. Throws `studio/too-large` past the
 * limit (without reading the rest), `studio/bad-request` for a body that is not a JSON object
 * sent as application/json.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  // a plain form or text post from another page cannot set this type without a CORS preflight
  if (type !== 'application/json') throw new DatamapError(diagnostic('studio/bad-request', 'Send the body as application/json'));
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(b);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new DatamapError(diagnostic('studio/bad-request', 'The request body is not valid JSON'));
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DatamapError(diagnostic('studio/bad-request', 'The request body must be a JSON object'));
  return value as Record<string, unknown>;
}

function tooLarge(maxBytes: number): DatamapError {
  return new DatamapError(diagnostic('studio/too-large', `The request body is larger than ${maxBytes} bytes`));
}
