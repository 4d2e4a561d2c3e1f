import type { Diagnostic } from '../errors/diagnostic.js';
import type { Journal } from '../journal/index.js';
import type { ReviewInfo, RunRow } from '../journal/types.js';
import type { Classification } from '../providers/pack-types.js';
import type { Transport } from '../transport/types.js';
import type { Clock } from './clock.js';
import type { NormalizedError } from './provider-error.js';
import type { RetryPolicy } from './retry-policy.js';

/**
 * How a record ended. `unknown`: the call may have taken effect and the lookup could not be
 * made to answer (a later run reconciles again); `needs-review`: no lookup can tell, the record
 * is held for an operator (`datamap runs resolve`) and never resent automatically.
 */
export type Outcome = 'succeeded' | 'declined' | 'pending' | 'failed' | 'unknown' | 'needs-review' | 'skipped';

/** Every outcome, in display order. */
export const OUTCOMES: readonly Outcome[] = ['succeeded', 'pending', 'declined', 'failed', 'unknown', 'needs-review', 'skipped'];

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
  /** 429 answers along the way (each waited out, by Retry-After or backoff). */
  rateLimited?: number;
  classification?: Classification | 'unknown' | 'needs-review';
  /**
   * How an unknown outcome was settled: `adopted` (the lookup found the call's effect),
   * `absent` (proven not applied after the settle window), `preflight-adopted` (the pre-flight
   * guard found an earlier charge the journal did not know), `cannot-tell`.
   */
  reconciliation?: 'adopted' | 'absent' | 'preflight-adopted' | 'cannot-tell';
  /** Taken from the journal: no call was made for this step in this run. */
  replayed?: boolean;
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
  /** The run that reported it. */
  runId?: string;
  /** Reported from the journal: no call was made for it in this run. */
  replayed?: boolean;
  /** The run whose work was replayed (when `replayed`). */
  replayedFrom?: string;
  /** Another record of the same input had this key (its index); this one was not run. */
  duplicateOf?: number;
  /** What changed since the journaled attempt (map, request), when something did. */
  changed?: string[];
  /** What an operator should check at the provider, for a record held for review. */
  review?: ReviewInfo;
  /**
   * The Data Map's `total` (the host's) next to what the provider says it charged (the pack's
   * `charged` fields of the last charging step answered in this run); a difference is a
   * `run/total-mismatch` warning.
   */
  totals?: RecordTotals;
}

/** The host's total and what the provider reported charging. */
export interface RecordTotals {
  host?: number;
  charged?: { step: string; total?: number; tax?: number };
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
  /** Deadline of each call in ms (connect, send and the whole response); default 30000. */
  timeoutMs?: number;
  /**
   * Where the run records its work; a re-run over the same journal resumes instead of repeating
   * calls. Default: a fresh in-memory journal (only duplicates within this call are caught).
   * Open one with `openJournal(path)`.
   */
  journal?: Journal;
  /** Send declined records again (default: a decline is final). */
  retryDeclined?: boolean;
  /**
   * Before the first send of a record the journal knows nothing of, look it up by its
   * reference where the pack declares such a lookup, and adopt an earlier charge (default true).
   */
  preflight?: boolean;
  /** Override every lookup's settle window (ms). Lower it only for a provider whose lookups are immediate (the sandbox). */
  settleMs?: number;
  /** Stop taking new records once aborted; calls in flight finish and are recorded. */
  signal?: AbortSignal;
  /** Label of the input for the journal (a file name). */
  input?: string;
  /** Called once the run is recorded, before the first record. */
  onRun?: (run: RunRow) => void;
  /**
   * Records in flight at once (default 1). The steps of one record always run in order;
   * results are yielded as records end, each with its input `index`.
   */
  concurrency?: number;
  /**
   * Requests per second for every call of the run (lookups and token exchanges included),
   * held on the client so the provider never has to answer 429. Default: the pack's documented
   * rate (`rateLimit.perSecond`), none when it documents none; 0 turns it off.
   */
  rateLimit?: number;
  /** Largest response body accepted, in bytes; default 4 MiB. */
  maxResponseBytes?: number;
  /** Hosts (host or host:port) calls may go to besides the pack's own (see the egress policy). */
  allowHosts?: string[];
  /** Values for the map's declared settings (`name` or `<provider>.name` → value); they win over `env`. */
  settings?: Record<string, unknown>;
}
