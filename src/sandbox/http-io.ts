/** Low-level HTTP reading and writing on node:http objects. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './errors.js';

/** Largest request body accepted. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the whole request body; 413 when too large. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'Payload Too Large'));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A header value as one string (first value when repeated). */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** `application/json`, `application/json-patch+json`, `application/*+json`, with any parameters. */
export function isJsonContentType(headers: IncomingHttpHeaders): boolean {
  const ct = header(headers, 'content-type');
  if (ct === undefined) return false;
  const type = ct.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[a-z0-9.+-]*\+json$/.test(type);
}

/** Parses a JSON body: empty → undefined; 415 without a JSON content type; 400 when malformed. */
export function parseJsonBody(raw: Buffer, headers: IncomingHttpHeaders): unknown {
  if (raw.length === 0) return undefined;
  if (!isJsonContentType(headers)) {
    throw new ApiError(415, 'Unsupported Media Type', ['Content-Type must be application/json']);
  }
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (e) {
    throw new ApiError(400, 'Malformed JSON', [`body: ${(e as Error).message}`]);
  }
}

/** Serialises a response body: JSON for everything, including a bare `true`. */
export function encodeBody(body: unknown): Buffer {
  return Buffer.from(body === undefined ? '' : JSON.stringify(body), 'utf8');
}

/** Writes a complete JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = encodeBody(body);
  res.writeHead(status, {
    ...(payload.length > 0 ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    'content-length': String(payload.length),
    ...headers,
  });
  res.end(payload);
}

/**
 * Writes a JSON response whose body trickles out in chunks over `totalMs` (with a correct
 * Content-Length, so the client waits for all of it).
 */
export async function sendSlowJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>,
  totalMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  const payload = encodeBody(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(payload.length),
    ...headers,
  });
  const chunks = Math.max(1, Math.min(5, payload.length));
  const size = Math.ceil(payload.length / chunks);
  for (let i = 0; i < chunks; i++) {
    if (res.destroyed) return;
    res.write(payload.subarray(i * size, (i + 1) * size));
    await sleep(Math.floor(totalMs / chunks));
  }
  res.end();
}
