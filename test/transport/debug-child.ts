/**
 * Child process for the NODE_DEBUG test: sends one request carrying a token header through the
 * default transport (and, with `control`, through plain http.request, which shows that Node's
 * debug output would print it), to a local server on an OS-chosen port.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAxiosTransport } from '../../src/transport/axios-transport.js';

const TOKEN = process.env.CHILD_TOKEN ?? 'missing';
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('{"ok":true}')); });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
if (process.argv.includes('control')) {
  await new Promise<void>((resolve) => {
    const req = http.request(url, { method: 'POST', headers: { 'x-revolv3-token': TOKEN } }, (res) => { res.resume(); res.on('end', resolve); });
    req.end('{}');
  });
} else {
  // with `proxy`, calls go through a proxy (this same server answers the absolute-URL request)
  const transport = createAxiosTransport(process.argv.includes('proxy') ? { env: { HTTP_PROXY: `http://127.0.0.1:${(server.address() as AddressInfo).port}` } } : { env: {} });
  const res = await transport({ method: 'POST', url, headers: { 'x-revolv3-token': TOKEN, Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: '{}', timeoutMs: 5000 });
  process.stdout.write(`status ${res.status}\n`);
  transport.close();
}
server.closeAllConnections();
server.close();
