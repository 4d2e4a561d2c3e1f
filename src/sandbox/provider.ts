/** What the pipeline needs to know about one simulated provider. */
import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxContext } from './context.js';
import type { Router } from './router.js';
import type { ProviderName } from './types.js';

/** One simulated provider mounted under `/<name>`. */
export interface ProviderDef {
  name: ProviderName;
  router: Router;
  /** The credential identity of a request; throws a 401 ApiError. */
  authenticate(ctx: SandboxContext, headers: IncomingHttpHeaders): string;
  /** Rewrites a parsed body before routing on it (Revolv3: camelCase keys). */
  normalizeBody?(body: unknown): unknown;
  /** Body of a 401/404/405/415/429/5xx produced outside a handler. */
  errorBody(message: string, errors: string[] | null): unknown;
}
