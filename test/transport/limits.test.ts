/**
 * HTTP limits of the default transport, over real sockets on OS-chosen ports: a deadline for the
 * whole call (a server that trickles its body cannot hold a run), a maximum response size (after
 * decompression), and Node's own HTTP debug output never showing request headers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { createAxiosTransport } from '../../src/transport/axios-transport.js';
import { TransportError } from '../../src/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const servers: http.Server[] = [];

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

async function failure(p: Promise<unknown>): Promise<TransportError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TransportError);
    return err as TransportError;
  }
  throw new Error('expected the call to fail');
}

describe('the deadline covers the whole call', () => {
  it('a server trickling one byte every 100 ms is cut off at the deadline, as a timeout that may have been sent', async () => {
    let timer: NodeJS.Timeout | undefined;
    const url = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      timer = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(timer));
    });
    const t = createAxiosTransport();
    const started = Date.now();
    const err = await failure(t({ method: 'POST', url, headers: {}, body: '{}', timeoutMs: 600 }));
    const ms = Date.now() - started;
    t.close();
    clearInterval(timer);
    expect(err.kind).toBe('timeout');
    expect(err.maybeSent).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(550);
    expect(ms).toBeLessThan(3000);
  });

  it('a server that never answers is cut off too', async () => {
    const url = await serve(() => { /* never answers */ });
    const t = createAxiosTransport();
    const err = await failure(t({ method: 'GET', url, headers: {}, timeoutMs: 300 }));
    t.close();
    expect(err.kind).toBe('timeout');
  });

  it('a prompt answer is unaffected', async () => {
    const url = await serve((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}'); });
    const t = createAxiosTransport();
    const res = await t({ method: 'GET', url, headers: {}, timeoutMs: 2000 });
    t.close();
    expect(res).toMatchObject({ status: 200, body: { ok: true } });
  });
});

describe('the response size limit', () => {
  it('drops a response over the limit unread, with kind too-large', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const url = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      const more = (): void => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent < 64) res.once('drain', more); else res.end();
      };
      more();
    });
    const t = createAxiosTransport();
    const err = await failure(t({ method: 'GET', url, headers: {}, timeoutMs: 5000, maxResponseBytes: 1024 * 1024 }));
    t.close();
    expect(err.kind).toBe('too-large');
    expect(err.message).toContain('1048576');
    expect(err.message).not.toContain('xxxx');
  });

  it('counts bytes after decompression (a gzip bomb is too large)', async () => {
    const bomb = gzipSync(Buffer.alloc(32 * 1024 * 1024, 0));
    expect(bomb.length).toBeLessThan(100 * 1024);
    const url = await serve((req, res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }); res.end(bomb); });
    const t = createAxiosTransport();
    const err = await failure(t({ method: 'GET', url, headers: {}, timeoutMs: 5000, maxResponseBytes: 1024 * 1024 }));
    t.close();
    expect(err.kind).toBe('too-large');
  });

  it('reads a response just under the limit', async () => {
    const body = JSON.stringify({ pad: 'y'.repeat(1000) });
    const url = await serve((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(body); });
    const t = createAxiosTransport();
    const res = await t({ method: 'GET', url, headers: {}, timeoutMs: 5000, maxResponseBytes: body.length });
    t.close();
    expect(res.status).toBe(200);
  });
});

describe('NODE_DEBUG=http', () => {
  const child = (args: string[]): Promise<{ stdout: string; stderr: string }> => new Promise((res, rej) => {
    execFile(process.execPath, [join(repoRoot, 'node_modules/vite-node/vite-node.mjs'), join(repoRoot, 'test/transport/debug-child.ts'), ...(args.length ? ['--', ...args] : [])], {
      cwd: repoRoot, env: { ...process.env, NODE_DEBUG: 'http,net,tls', CHILD_TOKEN: 'tok_debug_8f3a1c', NODE_OPTIONS: '' }, timeout: 60_000,
    }, (err, stdout, stderr) => (err ? rej(err) : res({ stdout, stderr })));
  });

  it('Node\'s debug output shows no request header of the default transport (while it would for plain http.request)', async () => {
    const control = await child(['control']);
    // the check can fail: without the quiet agents the token is printed
    expect(control.stderr).toContain('tok_debug_8f3a1c');
    const ours = await child([]);
    expect(ours.stdout).toContain('status 200');
    expect(ours.stderr).toMatch(/HTTP \d+: /);
    expect(ours.stderr).not.toContain('tok_debug_8f3a1c');
    // through an HTTP proxy too
    const proxied = await child(['proxy']);
    expect(proxied.stdout).toContain('status 200');
    expect(proxied.stderr).toMatch(/HTTP \d+: /);
    expect(proxied.stderr).not.toContain('tok_debug_8f3a1c');
  }, 180_000);
});
