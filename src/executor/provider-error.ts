import type Jsonata from 'jsonata';
import jsonata from '../jsonata.js';
import type { ErrorCode } from '../errors/catalogue.js';
import type { ProviderPack } from '../providers/pack-types.js';
import { scrubText } from '../redact/index.js';

/** A provider or transport failure in one shape, whatever the provider's error body looks like. */
export interface NormalizedError {
  code: ErrorCode;
  message: string;
  status?: number;
  providerMessage?: string;
  details?: string[];
  retryable: boolean;
}

const compiled = new WeakMap<ProviderPack, { message?: Jsonata.Expression; details?: Jsonata.Expression }>();

/** Normalizes a non-2xx response using the pack's error expressions (compiled once per pack). */
export async function normalizeHttpError(pack: ProviderPack, status: number, body: unknown): Promise<NormalizedError> {
  let exprs = compiled.get(pack);
  if (!exprs) {
    exprs = {};
    if (pack.errors.message) exprs.message = jsonata(pack.errors.message);
    if (pack.errors.details) exprs.details = jsonata(pack.errors.details);
    compiled.set(pack, exprs);
  }
  let providerMessage: string | undefined;
  let details: string[] | undefined;
  if (body && typeof body === 'object') {
    try {
      const m = exprs.message ? await exprs.message.evaluate(body) : undefined;
      if (typeof m === 'string') providerMessage = scrubText(m);
      const d = exprs.details ? await exprs.details.evaluate(body) : undefined;
      if (d !== undefined && d !== null) details = (Array.isArray(d) ? d : [d]).map((x) => scrubText(typeof x === 'string' ? x : JSON.stringify(x)));
    } catch { /* an odd error body still gives the status */ }
  } else if (typeof body === 'string' && body.trim() !== '') {
    providerMessage = scrubText(body.slice(0, 500));
  }
  const retryable = pack.errors.retryableStatuses.includes(status);
  const code: ErrorCode = status === 401 || status === 403 ? 'auth/failed' : status === 429 ? 'provider/rate-limited' : status >= 500 ? 'provider/server-error' : 'provider/rejected';
  const err: NormalizedError = { code, message: `${pack.title} answered HTTP ${status}${providerMessage ? `: ${providerMessage}` : ''}`, status, retryable };
  if (providerMessage) err.providerMessage = providerMessage;
  if (details && details.length) err.details = details;
  return err;
}
