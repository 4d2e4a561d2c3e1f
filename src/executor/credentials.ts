import type { ResolvedProvider } from '../datamap/types.js';
import { DatamapError, diagnostic } from '../errors/diagnostic.js';

/**
 * Reads the credentials the chosen auth scheme needs, from options (keyed by variable name)
 * first, then the environment. Every missing one is reported, naming its variable, before
 * any call is made.
 */
export function resolveCredentials(
  provider: ResolvedProvider,
  options: Record<string, string | undefined> | undefined,
  env: Record<string, string | undefined>,
): Record<string, string> {
  const scheme = provider.pack.auth.schemes[provider.auth];
  if (!scheme) return {};
  const needed = scheme.type === 'header' ? [scheme.credential] : Object.values(scheme.body);
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of needed) {
    const variable = provider.credentialEnv[name] ?? name;
    const value = options?.[variable] ?? options?.[name] ?? env[variable];
    if (value === undefined || value === '') missing.push(variable);
    else out[name] = value;
  }
  if (missing.length > 0) {
    throw new DatamapError(missing.map((v) => diagnostic('auth/missing-credential', `${provider.pack.title} (${provider.auth}) needs ${v}, which is not set`, {
      hint: `Set the environment variable ${v}, or pass it in the credentials option; no call was made.`,
      data: { variable: v },
    })));
  }
  return out;
}
