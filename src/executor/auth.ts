import type { ResolvedProvider } from '../datamap/types.js';
import type { TokenExchangeAuthScheme } from '../providers/pack-types.js';
import type { Clock } from './clock.js';

/** Supplies the auth header for each call; token schemes cache and refresh. */
export interface AuthSession {
  headers(): Promise<Record<string, string>>;
  /** Called after a 401: drop a cached token so the next call authenticates again. Returns true when that can help. */
  invalidate(): boolean;
}

/** Exchanges client credentials for a token: one call, returning the raw response body. */
export type TokenExchange = (operationId: string, body: Record<string, string>) => Promise<unknown>;

/** Builds the auth session of a provider from its pack's scheme and the resolved credentials. */
export function createAuthSession(provider: ResolvedProvider, credentials: Record<string, string>, clock: Clock, exchange: TokenExchange): AuthSession {
  const scheme = provider.pack.auth.schemes[provider.auth];
  if (!scheme) return { headers: async () => ({}), invalidate: () => false };
  if (scheme.type === 'header') {
    // the same header on every call: built once (callers copy it into each request's headers)
    const header = { [scheme.header]: `${scheme.prefix ?? ''}${credentials[scheme.credential] ?? ''}` };
    return { headers: async () => header, invalidate: () => false };
  }
  return tokenSession(scheme, credentials, clock, exchange);
}

function tokenSession(scheme: TokenExchangeAuthScheme, credentials: Record<string, string>, clock: Clock, exchange: TokenExchange): AuthSession {
  let cached: { token: string; refreshAt: number } | undefined;
  // One exchange in flight, shared by every concurrent call that needs a token.
  let inflight: Promise<string> | undefined;
  const skewMs = (scheme.refreshSkewSeconds ?? 60) * 1000;

  const fetchToken = async (): Promise<string> => {
    const body: Record<string, string> = {};
    for (const [field, cred] of Object.entries(scheme.body)) body[field] = credentials[cred] ?? '';
    const res = (await exchange(scheme.operation, body)) as Record<string, unknown> | undefined;
    const token = pick(res, scheme.tokenFields);
    if (typeof token !== 'string' || token === '') throw new Error('The token response has no token');
    const expiresIn = Number(pick(res, scheme.expiresInFields) ?? 3600);
    const lifetimeMs = (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600) * 1000;
    cached = { token, refreshAt: clock.now() + Math.max(lifetimeMs - skewMs, lifetimeMs / 2) };
    return token;
  };

  return {
    async headers() {
      if (!cached || clock.now() >= cached.refreshAt) {
        cached = undefined;
        inflight ??= fetchToken().finally(() => { inflight = undefined; });
        await inflight;
      }
      return { [scheme.header]: `${scheme.prefix ?? ''}${cached!.token}` };
    },
    invalidate() {
      cached = undefined;
      return true;
    },
  };
}

function pick(obj: Record<string, unknown> | undefined, fields: string[]): unknown {
  if (!obj || typeof obj !== 'object') return undefined;
  for (const f of fields) if (obj[f] !== undefined && obj[f] !== null) return obj[f];
  return undefined;
}
