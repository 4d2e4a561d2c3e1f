import type { Agent } from 'node:http';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { quietAgent } from './quiet-agent.js';

/**
 * Proxy settings from the environment, as curl and most tools read them: `HTTPS_PROXY` for
 * https URLs, `HTTP_PROXY` for http URLs (`ALL_PROXY` for both), lower-case names too, and
 * `NO_PROXY`: a comma- or space-separated list of hosts that go direct — `*` for all, a
 * domain (`example.com` also covers its subdomains, as does `.example.com`), an optional
 * `:port`, or an IP address.
 */
export interface ProxySettings {
  http?: string;
  https?: string;
  noProxy: string[];
}

/** Reads proxy settings from an environment (upper-case names win). */
export function proxySettingsFrom(env: Record<string, string | undefined>): ProxySettings {
  const get = (name: string) => (env[name.toUpperCase()] ?? env[name.toLowerCase()] ?? '').trim() || undefined;
  const all = get('all_proxy');
  const settings: ProxySettings = { noProxy: (get('no_proxy') ?? '').split(/[\s,]+/).map((s) => s.trim().toLowerCase()).filter(Boolean) };
  const http = get('http_proxy') ?? all;
  const https = get('https_proxy') ?? all;
  if (http) settings.http = http;
  if (https) settings.https = https;
  return settings;
}

/** The proxy URL for a request URL, or undefined when it goes direct. */
export function proxyFor(url: URL, settings: ProxySettings): string | undefined {
  const proxy = url.protocol === 'https:' ? settings.https : url.protocol === 'http:' ? settings.http : undefined;
  if (!proxy) return undefined;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const entry of settings.noProxy) {
    if (entry === '*') return undefined;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[|\]$/g, ''))!;
    const name = m[1]!.replace(/^\*?\./, '');
    if (m[2] && m[2] !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return undefined;
  }
  return proxy;
}

/**
 * Keep-alive agents per proxy URL: an https target goes through a CONNECT tunnel, an http
 * target as an absolute-URL request to the proxy. Created on first use.
 */
export function proxyAgents(settings: ProxySettings): ((url: URL) => Agent | undefined) & { destroy(): void } {
  const agents = new Map<string, Agent>();
  const agentFor = (url: URL): Agent | undefined => {
    const proxy = proxyFor(url, settings);
    if (!proxy) return undefined;
    const key = `${url.protocol}${proxy}`;
    let agent = agents.get(key);
    if (!agent) {
      // quiet: NODE_DEBUG=http must not print the request headers (src/transport/quiet-agent.ts)
      agent = quietAgent(url.protocol === 'https:' ? new HttpsProxyAgent(proxy, { keepAlive: true, maxSockets: 32 }) : new HttpProxyAgent(proxy, { keepAlive: true, maxSockets: 32 }));
      agents.set(key, agent);
    }
    return agent;
  };
  return Object.assign(agentFor, { destroy: () => { for (const a of agents.values()) a.destroy(); agents.clear(); } });
}
