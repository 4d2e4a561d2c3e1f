import { createRequire } from 'node:module';
import type { AxiosError, AxiosStatic } from 'axios';
import { proxyAgents, proxySettingsFrom } from './proxy.js';
import { QuietHttpAgent, QuietHttpsAgent } from './quiet-agent.js';
import { DEFAULT_MAX_RESPONSE_BYTES, TransportError, type HttpRequest, type HttpResponse, type Transport } from './types.js';

let axiosModule: AxiosStatic | undefined;

/**
 * axios, loaded when the first transport is made: importing the library (and every command but
 * `run` and `runs sync`) then never loads it, with the fetch globals it reads (some 90 ms of a
 * start). `require` gives the package's CommonJS build, the same code as its ES module build.
 */
function loadAxios(): AxiosStatic {
  return (axiosModule ??= createRequire(import.meta.url)('axios') as AxiosStatic);
}

/**
 * The default transport: axios with keep-alive agents, no redirects followed, every status
 * returned as a response (the executor decides what a status means). Calls go through the
 * proxy named by `HTTPS_PROXY`/`HTTP_PROXY` unless `NO_PROXY` lists the host (read from
 * `options.env`, default `process.env`).
 *
 * Limits: `timeoutMs` is a deadline for the whole call (connect, send, every byte of the body),
 * not an idle timeout, so a server that trickles its answer cannot hold a run; a response larger
 * than `maxResponseBytes` (after decompression) is dropped unread and fails with `too-large`.
 */
export function createAxiosTransport(options: { env?: Record<string, string | undefined> } = {}): Transport & {
  /** Closes the keep-alive connections (the transport must not be used after). */
  close(): void;
} {
  const httpAgent = new QuietHttpAgent({ keepAlive: true, maxSockets: 32 });
  const httpsAgent = new QuietHttpsAgent({ keepAlive: true, maxSockets: 32 });
  const viaProxy = proxyAgents(proxySettingsFrom(options.env ?? process.env));
  const client = loadAxios().create({
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
    const maxBytes = req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), req.timeoutMs);
    try {
      const proxyAgent = viaProxy(new URL(req.url));
      const res = await client.request<string>({
        ...(proxyAgent ? { httpAgent: proxyAgent, httpsAgent: proxyAgent } : {}),
        method: req.method,
        url: req.url,
        headers: req.headers,
        data: req.body,
        signal: deadline.signal,
        maxContentLength: maxBytes,
        maxBodyLength: 16 * 1024 * 1024,
      });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers ?? {})) if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
      return { status: res.status, headers, body: parseBody(res.data) };
    } catch (err) {
      throw toTransportError(err, deadline.signal.aborted, req.timeoutMs, maxBytes);
    } finally {
      clearTimeout(timer);
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

/** A transport failure in our words; the library's message (which may quote a URL) is not kept. */
function toTransportError(err: unknown, timedOut: boolean, timeoutMs: number, maxBytes: number): TransportError {
  const e = err as AxiosError;
  const code = e?.code ?? '';
  const msg = e?.message ?? String(err);
  if (/maxContentLength/.test(msg)) return new TransportError('too-large', true, `The response is larger than ${maxBytes} bytes; it was not read`, { cause: err });
  if (timedOut || code === 'ERR_CANCELED') return new TransportError('timeout', true, `No complete response within ${timeoutMs} ms`, { cause: err });
  if (code === 'ECONNREFUSED') return new TransportError('refused', false, 'Connection refused', { cause: err });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new TransportError('network', false, 'Host not found', { cause: err });
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(msg)) return new TransportError('timeout', true, `No response in time (${code || 'timeout'})`, { cause: err });
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(msg)) return new TransportError('reset', true, `Connection reset before the response (${code || 'socket hang up'})`, { cause: err });
  return new TransportError('network', true, code ? `Network error (${code})` : 'Network error', { cause: err });
}
