import type { ResolvedProvider } from '../datamap/types.js';
import type { ProviderPack } from './pack-types.js';

/** Headers the pack sends on every call. */
export function staticHeaders(pack: ProviderPack): Record<string, string> {
  return { ...(pack.headers ?? {}) };
}

/** The auth header as a dry run shows it: its name, and where the secret would come from. */
export function authHeaderPreview(provider: ResolvedProvider): Record<string, string> {
  const scheme = provider.pack.auth.schemes[provider.auth];
  if (!scheme) return {};
  if (scheme.type === 'header') {
    const env = provider.credentialEnv[scheme.credential] ?? scheme.credential;
    return { [scheme.header]: `${scheme.prefix ?? ''}[redacted: $${env}]` };
  }
  const envs = Object.values(scheme.body).map((c) => '$' + (provider.credentialEnv[c] ?? c)).join(', ');
  return { [scheme.header]: `${scheme.prefix ?? ''}[redacted: token from ${scheme.operation} with ${envs}]` };
}
