import http from 'node:http';
import https from 'node:https';
import axios, { AxiosError } from 'axios';
import { proxyAgents, proxySettingsFrom } from './proxy.js';
import { TransportError, type HttpRequest, type HttpResponse, type Transport } from './types.js';

/**
 * The default transport: axios with keep-alive agents, no redirects followed, every status
 * returned as a response (the executor decides what a status means). Calls go through the
 * proxy named by `HTTPS_PROXY`/`HTTP_PROXY` unless `NO_PROXY` lists the host (read from
 * `options.env`, default `process.env`).
 */
export function createAxiosTransport(options: { env?: Record<string, string | undefined> } = {}): Transport & {
  /** Closes the keep-alive connections (the transport must not be used after). */
  close(): void;
} {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  const viaProxy = proxyAgents(proxySettingsFrom(options.env ?? process.env));
  const client = axios.create({
    httpAgent,
    httpsAgent,
    maxRedirects: 0,
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: [(d: unknown) => d],
    // proxies are handled here (proxy.ts), with a CONNECT tunnel for https; axios's own is off
    proxy: false,
  });
  const send = async (req: HttpRequest): Promise<HttpResponse> => {
    try {
      const proxyAgent = viaProxy(new URL(req.url));
      const res = await client.request<string>({
        ...(proxyAgent ? { httpAgent: proxyAgent, httpsAgent: proxyAgent } : {}),
        method: req.method,
        url: req.url,
        headers: req.headers,
        data: req.body,
        timeout: req.timeoutMs,
      });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers ?? {})) if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
      return { status: res.status, headers, body: parseBody(res.data) };
    } catch (err) {
      throw toTransportError(err);
    }
  };
  return Object.assign(send, {
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
      viaProxy.destroy();
    },
  });
}

function parseBody(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toTransportError(err: unknown): TransportError {
  const e = err as AxiosError;
  const code = e?.code ?? '';
  const msg = e?.message ?? String(err);
  if (code === 'ECONNREFUSED') return new TransportError('refused', false, `Connection refused (${msg})`, { cause: err });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new TransportError('network', false, `Host not found (${msg})`, { cause: err });
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(msg)) return new TransportError('timeout', true, `No response in time (${msg})`, { cause: err });
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(msg)) return new TransportError('reset', true, `Connection reset before the response (${msg})`, { cause: err });
  return new TransportError('network', true, msg, { cause: err });
}
