/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY for provider calls: the default transport sends an http
 * call as an absolute-URL request to the proxy, tunnels an https call with CONNECT, and goes
 * direct for hosts NO_PROXY lists. A local proxy and a local target on OS-chosen ports; no
 * network.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAxiosTransport } from '../../src/index.js';
import { proxyFor, proxySettingsFrom } from '../../src/transport/proxy.js';

let target: Server;
let proxy: Server;
let targetUrl: string;
let proxyUrl: string;
const seen: string[] = [];

beforeAll(async () => {
  target = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, via: req.headers['x-via'] ?? 'direct' }));
  });
  proxy = createServer((req, res) => {
    // a forwarding proxy: the request line holds the absolute URL
    seen.push(`${req.method} ${req.url}`);
    const url = new URL(req.url!);
    const out = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method, headers: { ...req.headers, 'x-via': 'proxy' } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(out);
  });
  proxy.on('connect', (req, socket) => {
    seen.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => target.close(r));
  await new Promise((r) => proxy.close(r));
});

describe('proxy from the environment', () => {
  it('sends an http call through HTTP_PROXY as an absolute-URL request', async () => {
    seen.length = 0;
    const t = createAxiosTransport({ env: { HTTP_PROXY: proxyUrl } });
    try {
      const res = await t({ method: 'GET', url: `${targetUrl}/api/Invoices?x=1`, headers: {}, timeoutMs: 5000 });
      expect(res.body).toEqual({ path: '/api/Invoices?x=1', via: 'proxy' });
      expect(seen).toEqual([`GET ${targetUrl}/api/Invoices?x=1`]);
    } finally {
      t.close();
    }
  });

  it('tunnels an https call through HTTPS_PROXY with CONNECT host:port', async () => {
    seen.length = 0;
    const t = createAxiosTransport({ env: { https_proxy: proxyUrl } });
    try {
      // the proxy refuses the tunnel: the call never reaches the provider (https-proxy-agent hands back the proxy's 403)
      const res = await t({ method: 'GET', url: 'https://api-sandbox.revolv3.com/api/Invoices', headers: {}, timeoutMs: 5000 }).catch((e: Error) => e);
      expect(res instanceof Error ? 'error' : String(res.status)).toMatch(/error|403/);
      expect(seen).toEqual(['CONNECT api-sandbox.revolv3.com:443']);
    } finally {
      t.close();
    }
  });

  it('goes direct for a host NO_PROXY lists, and without any proxy variable', async () => {
    seen.length = 0;
    for (const env of [{ HTTP_PROXY: proxyUrl, NO_PROXY: 'example.com, 127.0.0.1' }, {}]) {
      const t = createAxiosTransport({ env });
      try {
        const res = await t({ method: 'GET', url: `${targetUrl}/x`, headers: {}, timeoutMs: 5000 });
        expect(res.body).toEqual({ path: '/x', via: 'direct' });
      } finally {
        t.close();
      }
    }
    expect(seen).toEqual([]);
  });

  it('matches NO_PROXY like curl: *, domains with their subdomains, leading dots, ports', () => {
    const s = (no: string) => proxySettingsFrom({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: no });
    const u = new URL('https://api.revolv3.com/x');
    expect(proxyFor(u, s(''))).toBe('http://proxy:3128');
    expect(proxyFor(u, s('*'))).toBeUndefined();
    expect(proxyFor(u, s('revolv3.com'))).toBeUndefined();
    expect(proxyFor(u, s('.revolv3.com'))).toBeUndefined();
    expect(proxyFor(u, s('olv3.com'))).toBe('http://proxy:3128');
    expect(proxyFor(u, s('api.revolv3.com:443'))).toBeUndefined();
    expect(proxyFor(u, s('api.revolv3.com:8443'))).toBe('http://proxy:3128');
    expect(proxyFor(new URL('http://api.revolv3.com/x'), s(''))).toBeUndefined(); // HTTPS_PROXY is for https only
  });
});
