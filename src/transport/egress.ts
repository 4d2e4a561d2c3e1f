import type { CompiledMap } from '../datamap/types.js';
import { DatamapError, diagnostic, type Diagnostic } from '../errors/diagnostic.js';
import type { OperationSpec, ProviderPack } from '../providers/pack-types.js';
import { maskCredentials } from '../redact/mask.js';

/**
 * Where card data may go. The rules, checked once before the first call of a run:
 *
 * - Only `http:` and `https:` URLs are ever called; any other scheme (`file:`, `gopher:`, ...)
 *   is a usage error before anything runs.
 * - In the `production` environment every call goes over `https`, and only to a host of the
 *   provider pack or a host the Data Map (`provider.allowHosts`) or the command line
 *   (`--allow-host`) allows by name. A base URL override alone does not allow its host there.
 * - In other environments (sandbox) calls go to the pack's hosts, any base URL given explicitly
 *   (Data Map or command line), and allowed hosts. Link-local and cloud metadata addresses are
 *   refused everywhere unless allowed by name.
 */
export interface EgressPolicy {
  production: boolean;
  /** Hosts (`host` or `host:port`) calls may go to. */
  hosts: ReadonlySet<string>;
}

/** The environment whose calls move real money. */
export const PRODUCTION_ENVIRONMENT = 'production';

/** The hosts of a pack's environments. */
export function packHosts(pack: ProviderPack): Set<string> {
  const out = new Set<string>();
  for (const e of Object.values(pack.environments)) {
    try { out.add(new URL(e.baseUrl).host); } catch { /* the pack schema checks its URLs */ }
  }
  return out;
}

/** Throws usage/invalid-argument unless `url` is an absolute http(s) URL. */
export function assertHttpUrl(url: string, what: string): URL {
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch { /* below */ }
  if (!u) throw new DatamapError(diagnostic('usage/invalid-argument', `${what} "${maskCredentials(url)}" is not an absolute URL`, { hint: 'Give an absolute https:// URL (http:// only outside production).' }));
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new DatamapError(diagnostic('usage/invalid-argument', `${what} "${maskCredentials(url)}" uses ${u.protocol}, which is never called`, { hint: 'Only http:// and https:// URLs are called; nothing was sent.' }));
  }
  return u;
}

/** Checks `--allow-host` values: host names or host:port, nothing else. */
export function normalizeAllowedHost(h: string): string {
  const host = h.trim().toLowerCase();
  if (!/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(host)) {
    throw new DatamapError(diagnostic('usage/invalid-argument', `"${h}" is not a host name (host or host:port)`, { hint: 'Give --allow-host a host name such as pay.example.com or pay.example.com:8443, without a scheme or path.' }));
  }
  return host;
}

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', '169.254.169.254', '[fd00:ec2::254]', '100.100.100.200']);

function linkLocalOrMetadata(u: URL): boolean {
  const h = u.hostname.toLowerCase();
  return METADATA_HOSTS.has(h) || /^169\.254\./.test(h) || /^\[fe[89ab][0-9a-f]?:/i.test(h);
}

/**
 * Builds the run's egress policy from the map, the environment and the explicit choices, and
 * refuses (DatamapError, nothing sent) any target that breaks it.
 */
export function egressPolicy(map: CompiledMap, opts: { environment: string; baseUrl: string; cliBaseUrl?: string; allowHosts?: readonly string[] }): EgressPolicy {
  const pack = map.provider.pack;
  const production = opts.environment === PRODUCTION_ENVIRONMENT;
  const allowed = new Set<string>([...(map.spec && typeof map.spec.provider === 'object' ? map.spec.provider.allowHosts ?? [] : []), ...(opts.allowHosts ?? [])].map(normalizeAllowedHost));
  const hosts = new Set<string>([...packHosts(pack), ...allowed]);
  const targets: Array<{ url: string; what: string; explicit: boolean }> = [{ url: opts.baseUrl, what: opts.cliBaseUrl ? '--base-url' : 'The base URL', explicit: opts.cliBaseUrl !== undefined || map.provider.baseUrlOverridden }];
  for (const s of map.steps) if (s.operation.baseUrl) targets.push({ url: s.operation.baseUrl, what: `The base URL of ${s.operation.id}`, explicit: true });
  for (const t of targets) {
    const u = assertHttpUrl(t.url, t.what);
    const host = u.host.toLowerCase();
    const named = allowed.has(host) || allowed.has(u.hostname.toLowerCase());
    if (named) hosts.add(host);
    if (production) {
      if (u.protocol !== 'https:') throw refused(`${t.what} ${maskCredentials(t.url)} is plain http; in production every call goes over https`);
      if (!hosts.has(host)) throw refused(`${t.what} sends calls to ${host}, which is not a host of ${pack.title}; in production only the pack's hosts and hosts allowed by name are called`);
    } else if (!hosts.has(host)) {
      if (linkLocalOrMetadata(u)) throw refused(`${t.what} sends calls to ${host}, a link-local or cloud metadata address`);
      if (t.explicit) hosts.add(host);
    }
  }
  return { production, hosts };
}

function refused(message: string): DatamapError {
  return new DatamapError(diagnostic('transport/egress-denied', message, { hint: 'Allow the host by name with --allow-host <host> or provider.allowHosts in the Data Map if it really is the provider; nothing was sent.' }));
}

function carriesCardData(op: OperationSpec): boolean {
  const s = op.sensitive;
  return !!s && ((s.cardNumber?.length ?? 0) + (s.securityCode?.length ?? 0) + (s.secret?.length ?? 0)) > 0;
}

/**
 * `validate` findings: every base URL override that would send card data (card numbers,
 * security codes, account numbers, wallet tokens) to a host that is not the provider pack's,
 * or over plain http, unless the Data Map allows that host by name.
 */
export function egressFindings(map: CompiledMap): Diagnostic[] {
  const pack = map.provider.pack;
  const own = packHosts(pack);
  const allowed = new Set((typeof map.spec.provider === 'object' ? map.spec.provider.allowHosts ?? [] : []).map((h) => h.trim().toLowerCase()));
  const out: Diagnostic[] = [];
  const check = (url: string, path: Array<string | number>, ops: OperationSpec[], opIds: string[]): void => {
    if (!ops.some(carriesCardData)) return;
    let u: URL;
    try { u = new URL(url); } catch { return; }
    const host = u.host.toLowerCase();
    const what = opIds.length === 1 ? opIds[0] : `${opIds.length} operations (${opIds.join(', ')})`;
    if (!own.has(host) && !allowed.has(host) && !allowed.has(u.hostname.toLowerCase())) {
      out.push(diagnostic('check/egress-override', `This base URL sends card data of ${what} to ${host}, which is not a host of ${pack.title}`, {
        severity: 'warning', location: map.source.locate(path),
        hint: `In production such a call is refused; if ${host} really is the provider, list it under provider.allowHosts.`,
      }));
    } else if (u.protocol !== 'https:') {
      out.push(diagnostic('check/egress-override', `This base URL sends card data of ${what} over plain http`, {
        severity: 'warning', location: map.source.locate(path), hint: 'Use https; in production plain http is refused.',
      }));
    }
  };
  if (map.provider.baseUrlOverridden) {
    const steps = map.steps.filter((s) => !s.operation.baseUrl);
    check(map.provider.baseUrl, ['provider', 'baseUrl'], steps.map((s) => s.operation.spec), [...new Set(steps.map((s) => s.operation.id))]);
  }
  const seen = new Set<string>();
  for (const s of map.steps) {
    if (!s.operation.baseUrl || seen.has(s.operation.id)) continue;
    seen.add(s.operation.id);
    check(s.operation.baseUrl, ['provider', 'operations', s.operation.id, 'baseUrl'], [s.operation.spec], [s.operation.id]);
  }
  return out;
}
