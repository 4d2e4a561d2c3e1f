/**
 * A hostile provider for the leak corpus: an HTTP server on an OS-chosen port that echoes each
 * request (method, URL, headers, body) back in its response. The record chooses the answer: a
 * request whose text contains `echo-<status>-<format>` (e.g. `echo-400-text`) gets that status
 * as JSON, text or HTML; anything else gets 200 JSON.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoServer {
  url: string;
  /** Requests received, as text (for checks that the data really reached the server). */
  received: string[];
  close(): Promise<void>;
}

export async function startEchoServer(): Promise<EchoServer> {
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const echo = `${req.method} ${req.url}\n${Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`).join('\n')}\n\n${body}`;
      received.push(echo);
      const m = /echo-(\d{3})-(json|text|html)/.exec(decodeURIComponent(req.url ?? '') + body);
      const status = m ? Number(m[1]) : 200;
      const format = m ? m[2] : 'json';
      let parsed: unknown = body;
      try { parsed = JSON.parse(body); } catch { /* echo as text */ }
      if (format === 'json') {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({
          message: `Invalid request body: ${body}`, errors: [`echo of ${req.method} ${req.url}: ${body}`, `authorization was ${String(req.headers.authorization ?? req.headers['x-revolv3-token'] ?? '')}`],
          request: parsed, headers: req.headers, invoiceId: 1001, invoiceStatus: 'Paid', renamed: { x: body },
        }));
      } else if (format === 'text') {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(`Invalid request: ${echo}`);
      } else {
        res.writeHead(status, { 'content-type': 'text/html' });
        res.end(`<html><body><h1>${status} Bad Gateway</h1><pre>${echo}</pre></body></html>`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
