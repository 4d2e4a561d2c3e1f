/**
 * The studio's HTTP server (node:http, 127.0.0.1 only): the page, its bundled assets, the JSON
 * API and a server-sent event stream that tells the page when the map changed on disk. Every
 * request passes `checkRequest` first; every JSON answer goes through `maskAnswer`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DatamapError, diagnostic, type Diagnostic } from '../errors/diagnostic.js';
import { scrubText } from '../redact/index.js';
import { readAsset } from './assets.js';
import type { StudioApi } from './api.js';
import { checkOrigin, checkRequest, readJsonBody } from './guard.js';
import { maskAnswer } from './mask.js';

const STATUS: Record<string, number> = {
  'studio/forbidden': 403,
  'studio/too-large': 413,
  'studio/bad-request': 400,
  'studio/not-found': 404,
  'studio/conflict': 409,
};

/** Security headers on every answer: nothing from elsewhere, no framing, no referrer. */
const HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export interface ServerOptions {
  port: number;
  token: string;
  maxBodyBytes: number;
  api: StudioApi;
}

/** A listening studio server with its event stream. */
export interface RunningServer {
  server: Server;
  port: number;
  /** Sends an event to every open page. */
  broadcast(event: string, data: unknown): void;
  close(): Promise<void>;
}

export async function listen(options: Omit<ServerOptions, 'port'> & { port?: number }): Promise<RunningServer> {
  const streams = new Set<ServerResponse>();
  let port = 0;
  const server = createServer((req, res) => {
    void handle(req, res, { ...options, port }, streams);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    broadcast(event, data) {
      const line = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
      for (const s of streams) s.write(line);
    },
    async close() {
      for (const s of streams) s.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, o: ServerOptions, streams: Set<ServerResponse>): Promise<void> {
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${o.port}`);
  const method = req.method ?? 'GET';
  try {
    // the bundled code is the same for everyone and holds no data: it needs no token, but it is
    // still served only under this server's own host name
    if (method === 'GET' && url.pathname.startsWith('/assets/')) {
      checkOrigin(req, o.port);
      const asset = readAsset(url.pathname.slice('/assets/'.length));
      if (!asset) throw notFound(url.pathname);
      res.writeHead(200, { ...HEADERS, 'content-type': asset.type, 'cache-control': 'no-cache' });
      res.end(asset.body);
      return;
    }
    checkRequest(req, url, o.port, o.token);
    if (method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) {
      const page = readAsset('index.html');
      if (!page) {
        res.writeHead(500, { ...HEADERS, 'content-type': 'text/plain; charset=utf-8' });
        res.end('The studio page is not built: run npm run build (it bundles src/studio/page into dist/studio/assets).\n');
        return;
      }
      res.writeHead(200, { ...HEADERS, 'content-type': 'text/html; charset=utf-8' });
      res.end(page.body);
      return;
    }
    if (method === 'GET' && url.pathname === '/api/events') {
      res.writeHead(200, { ...HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive' });
      res.write(': studio events\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    const answer = await route(method, url, req, o);
    await sendJson(res, 200, answer, o);
  } catch (err) {
    const d: Diagnostic = err instanceof DatamapError && err.diagnostics[0]
      ? err.diagnostics[0]
      : diagnostic('internal/error', scrubText((err as Error)?.message ?? String(err)));
    const status = STATUS[d.code] ?? (err instanceof DatamapError ? 400 : 500);
    if (!res.headersSent) await sendJson(res, status, { error: d, errors: err instanceof DatamapError ? err.diagnostics : [d] }, o);
    else res.end();
    // a body past the limit is not read on: close the connection instead of draining it
    if (d.code === 'studio/too-large') req.destroy();
  }
}

async function route(method: string, url: URL, req: IncomingMessage, o: ServerOptions): Promise<unknown> {
  const api = o.api;
  const p = url.pathname;
  if (method === 'GET') {
    if (p === '/api/session') return api.session();
    if (p === '/api/map') return api.mapOnDisk();
    if (p === '/api/providers') return api.providers();
    const op = /^\/api\/providers\/([^/]+)\/([^/]+)$/.exec(p);
    if (op) return api.providers(decodeURIComponent(op[1]!), decodeURIComponent(op[2]!));
    if (p === '/api/sandbox/ledger') return api.ledger();
    if (p === '/api/journal') return api.journal();
    const run = /^\/api\/journal\/runs\/([^/]+)$/.exec(p);
    if (run) return api.journal(decodeURIComponent(run[1]!), url.searchParams.get('state') ?? undefined);
  }
  if (method === 'POST') {
    const handlers: Record<string, (b: Record<string, unknown>) => unknown> = {
      '/api/evaluate': (b) => api.evaluate(b),
      '/api/tests': (b) => api.tests(b),
      '/api/try': (b) => api.try(b),
      '/api/save': (b) => api.save(b),
      '/api/sandbox/reset': () => api.resetSandbox(),
    };
    const h = handlers[p];
    if (h) return h(await readJsonBody(req, o.maxBodyBytes));
  }
  throw notFound(`${method} ${p}`);
}

function notFound(what: string): DatamapError {
  return new DatamapError(diagnostic('studio/not-found', `No studio endpoint ${what.slice(0, 200)}`));
}

async function sendJson(res: ServerResponse, status: number, value: unknown, o: ServerOptions): Promise<void> {
  const body = maskAnswer(value, await o.api.secrets());
  res.writeHead(status, { ...HEADERS, 'content-type': 'application/json; charset=utf-8' });
  res.end(body);
}
