/** Starting and stopping a sandbox: one node:http server serving both providers and the admin API. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_CREDENTIALS, SANDBOX_SETTINGS, SandboxContext } from './context.js';
import { ApiError } from './errors.js';
import { FaultStore } from './faults.js';
import { invoissProvider } from './invoiss/routes.js';
import { handleRequest } from './pipeline.js';
import type { ProviderDef } from './provider.js';
import { RateLimiter } from './rate-limiter.js';
import { revolv3Provider } from './revolv3/routes.js';
import { resetRuntime, snapshotState, type Runtime } from './runtime.js';
import type { FaultRule, Sandbox, SandboxOptions } from './types.js';

function checkOptions(o: SandboxOptions): void {
  const intIn = (v: number | undefined, name: string, min: number, max: number): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max)) throw new RangeError(`sandbox: ${name} must be an integer from ${min} to ${max}`);
  };
  intIn(o.port, 'port', 0, 65535);
  intIn(o.rateLimitPerSecond, 'rateLimitPerSecond', 0, 1_000_000);
  intIn(o.tokenTtlSeconds, 'tokenTtlSeconds', 1, 10 * 365 * 24 * 3600);
  if (o.now !== undefined && typeof o.now !== 'function') throw new TypeError('sandbox: now must be a function');
  if (o.webhooks?.settleAfterMs !== undefined) intIn(o.webhooks.settleAfterMs, 'webhooks.settleAfterMs', 0, 24 * 3600 * 1000);
  if (o.webhooks?.url !== undefined && !/^https?:\/\//.test(o.webhooks.url)) throw new TypeError('sandbox: webhooks.url must be an http(s) URL');
}

/**
 * Starts a sandbox on `127.0.0.1` and an OS-chosen port (by default) and resolves once it
 * listens. State is per instance; several sandboxes can run at once.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  checkOptions(options);
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  const credentials = { ...DEFAULT_CREDENTIALS };
  const timers = new Set<NodeJS.Timeout>();
  const providers: ProviderDef[] = [revolv3Provider(), invoissProvider()];
  const rt: Runtime = {
    ctx: new SandboxContext({ seed: options.seed ?? 'sandbox', now, tokenTtlSeconds: options.tokenTtlSeconds ?? 3599, credentials, ...(options.webhooks ? { webhooks: options.webhooks } : {}) }),
    faults: new FaultStore(),
    limiter: new RateLimiter(options.rateLimitPerSecond ?? 20, now),
    providers: new Map(providers.map((p) => [p.name, p])),
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, ms);
        timers.add(t);
      }),
  };
  const server = createServer((req, res) => {
    void handleRequest(rt, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    baseUrls: { revolv3: `${url}/revolv3`, invoiss: `${url}/invoiss` },
    credentials: { ...credentials },
    settings: { ...SANDBOX_SETTINGS },
    env: { ...credentials, ...SANDBOX_SETTINGS },
    ledger: () => rt.ctx.ledger.list(),
    injectFault: (f: FaultRule) => {
      try {
        rt.faults.add(f);
      } catch (e) {
        if (e instanceof ApiError) throw new TypeError(`sandbox: ${e.message}: ${(e.errors ?? []).join('; ')}`);
        throw e;
      }
    },
    clearFaults: () => rt.faults.clear(),
    reset: () => resetRuntime(rt),
    webhookKey: rt.ctx.settlements.key,
    settle: () => rt.ctx.settlements.settle(),
    statusChanges: () => rt.ctx.settlements.list(),
    state: (full = false) => snapshotState(rt, full),
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        rt.ctx.settlements.clear();
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
