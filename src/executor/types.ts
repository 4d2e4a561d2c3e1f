import type { Diagnostic } from '../errors/diagnostic.js';
import type { Classification } from '../providers/pack-types.js';
import type { Transport } from '../transport/types.js';
import type { Clock } from './clock.js';
import type { NormalizedError } from './provider-error.js';
import type { RetryPolicy } from './retry-policy.js';

/** How a record ended. */
export type Outcome = 'succeeded' | 'declined' | 'pending' | 'failed' | 'unknown' | 'skipped';

/** What happened in one step of one record. Everything in it is redacted. */
export interface StepResult {
  id: string;
  operation: string;
  decision: 'run' | 'skip';
  request?: { method: string; url: string; headers: Record<string, string>; body?: unknown };
  status?: number;
  response?: unknown;
  attempts: number;
  durationMs: number;
  classification?: Classification | 'unknown';
  /** How an unknown outcome was settled. */
  reconciliation?: 'adopted' | 'resent' | 'unknown';
  error?: NormalizedError;
  /** Non-fatal findings, e.g. a response that does not match the provider schema. */
  warnings: Diagnostic[];
}

/** What happened to one record. Everything in it is redacted. */
export interface RecordResult {
  index: number;
  line?: number;
  key?: string;
  outcome: Outcome;
  steps: StepResult[];
  /** Ids produced by the steps, e.g. `{ "sale.invoiceId": 1001 }`. */
  ids: Record<string, string | number>;
  /** The card used, as first 6 + last 4, when a request carried one. */
  card?: string;
  /** The Data Map's `result` expression, evaluated at the end. */
  result?: unknown;
  error?: NormalizedError;
  /** Why the record did not run or what went wrong outside a call. */
  diagnostics: Diagnostic[];
}

/** Options of a real run. */
export interface RunOptions {
  /** Environment of the pack to call (e.g. sandbox, production). */
  environment?: string;
  /** Send every call here instead of the environment's base URL (and allow its host). */
  baseUrl?: string;
  /** Credentials by variable name (e.g. `{ REVOLV3_TOKEN: '...' }`); they win over `env`. */
  credentials?: Record<string, string | undefined>;
  /** Where credentials are read otherwise; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** The HTTP boundary; defaults to axios with keep-alive. */
  transport?: Transport;
  clock?: Clock;
  /** Jitter source for backoff; defaults to Math.random. */
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Per-call timeout. */
  timeoutMs?: number;
}
