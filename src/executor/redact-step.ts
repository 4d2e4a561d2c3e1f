import type { OperationSpec } from '../providers/pack-types.js';
import { operationPaths, redactValue, REDACTED, scrubText } from '../redact/index.js';
import type { StepResult } from './types.js';

const AUTH_HEADERS = new Set(['authorization', 'x-revolv3-token', 'proxy-authorization', 'cookie']);

/** The request as a result shows it: auth headers and card data masked. */
export function redactRequest(op: OperationSpec, req: { method: string; url: string; body?: unknown }, headers: Record<string, string>): NonNullable<StepResult['request']> {
  const out: NonNullable<StepResult['request']> = { method: req.method, url: scrubText(req.url), headers: { ...redactHeaders(headers) } };
  if (req.body !== undefined) out.body = redactValue(req.body, operationPaths(op));
  return out;
}

// the same headers object (the executor builds one per provider) is redacted once
const redacted = new WeakMap<Record<string, string>, Record<string, string>>();
function redactHeaders(headers: Record<string, string>): Record<string, string> {
  let h = redacted.get(headers);
  if (!h) {
    h = {};
    for (const [k, v] of Object.entries(headers)) h[k] = AUTH_HEADERS.has(k.toLowerCase()) || /token|secret|key/i.test(k) ? REDACTED : scrubText(v);
    redacted.set(headers, h);
  }
  return h;
}

/** A response body as a result shows it. */
export function redactResponse(op: OperationSpec, body: unknown): unknown {
  return redactValue(body, operationPaths(op));
}

/** The first masked card number found in a redacted value. */
export function findMaskedCard(value: unknown): string | undefined {
  if (typeof value === 'string') return /^\d{6}\*+\d{4}$/.test(value) ? value : undefined;
  if (Array.isArray(value)) {
    for (const v of value) {
      const f = findMaskedCard(v);
      if (f) return f;
    }
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) {
      const f = findMaskedCard(v);
      if (f) return f;
    }
  }
  return undefined;
}
