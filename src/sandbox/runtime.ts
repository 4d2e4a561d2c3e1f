/** Everything one running sandbox owns: context, faults, rate limiter, providers, timers. */
import type { SandboxContext } from './context.js';
import type { FaultStore } from './faults.js';
import type { ProviderDef } from './provider.js';
import type { RateLimiter } from './rate-limiter.js';
import type { SandboxStateSnapshot } from './types.js';

/** The runtime shared by the pipeline and the admin API. */
export interface Runtime {
  ctx: SandboxContext;
  faults: FaultStore;
  limiter: RateLimiter;
  providers: ReadonlyMap<string, ProviderDef>;
  /** A real-timer delay that `close()` cancels. */
  sleep(ms: number): Promise<void>;
}

/** Forgets state, ledger, faults, tokens and rate counters. */
export function resetRuntime(rt: Runtime): void {
  rt.ctx.reset();
  rt.faults.clear();
  rt.limiter.reset();
}

/** Counts (and with `full`, copies) of everything stored. Never lists tokens. */
export function snapshotState(rt: Runtime, full = false): SandboxStateSnapshot {
  const { revolv3, invoiss } = rt.ctx;
  const snapshot: SandboxStateSnapshot = {
    revolv3: {
      customers: revolv3.customers.size,
      paymentMethods: revolv3.paymentMethods.size,
      authorizations: revolv3.authorizations.size,
      invoices: revolv3.invoices.size,
      tokens: revolv3.tokens.size,
    },
    invoiss: {
      clients: invoiss.clients.size,
      orders: invoiss.orders.size,
      payments: invoiss.payments.size,
      paymentRequests: invoiss.paymentRequests.length,
    },
    ledgerEntries: rt.ctx.ledger.size,
    faults: rt.faults.list(),
  };
  if (full) snapshot.data = { revolv3: revolv3.snapshot(), invoiss: invoiss.snapshot() };
  return snapshot;
}
