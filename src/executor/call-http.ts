import type { OperationSpec, ProviderPack } from '../providers/pack-types.js';
import { TransportError, type HttpResponse, type Transport } from '../transport/types.js';
import type { AuthSession } from './auth.js';
import type { Clock } from './clock.js';
import type { SendGate } from './rate-limiter.js';
import { backoffDelay, parseRetryAfter, type RetryPolicy } from './retry-policy.js';

/** What the executor needs to make calls. */
export interface CallContext {
  pack: ProviderPack;
  transport: Transport;
  clock: Clock;
  random: () => number;
  retry: RetryPolicy;
  timeoutMs: number;
  /** Largest response accepted (bytes); see the transport. */
  maxResponseBytes?: number;
  /** Hosts calls may go to: the pack's environments and any explicit base URL. */
  allowedHosts: ReadonlySet<string>;
  /** Client-side rate limit shared by every call of the run (lookups and token exchanges too). */
  gate?: SendGate;
}

/** How long a call may wait at the rate limiter after its intent is journaled. */
const GATE_SLACK_MS = 2_000;

/** Hooks around each send of a call. */
export interface CallHooks {
  /**
   * Awaited before each attempt leaves (the journal writes its intent here): the time, and the
   * latest time at which the request can still land from our side.
   */
  beforeSend?(attempt: number, at: number, deadlineAt: number): Promise<void>;
  /** Called once the request has been handed to the transport. */
  onSent?(): void;
}

/** The end of one call, after the retries that were safe. */
export interface CallOutcome {
  response?: HttpResponse;
  /** The call may have taken effect but no answer proves it either way. */
  unknown: boolean;
  /** Transport failure or refusal when there is no response. */
  error?: { code: 'transport/timeout' | 'transport/network' | 'transport/host-not-allowed' | 'transport/response-too-large'; message: string };
  attempts: number;
  durationMs: number;
  /** Answers that were 429 (rate limited) along the way. */
  rateLimited?: number;
}

/**
 * Sends one request with the retries the payments policy allows: any failure that cannot have
 * taken effect (refused, 429, 503), any failure of an idempotent operation, and one re-auth on
 * a 401. A non-idempotent call that may have taken effect comes back `unknown`, never resent.
 */
export async function callHttp(
  ctx: CallContext,
  op: OperationSpec,
  req: { method: string; url: string; body?: unknown },
  auth: AuthSession | undefined,
  hooks: CallHooks = {},
): Promise<CallOutcome> {
  const started = ctx.clock.now();
  const host = hostOf(req.url);
  if (!ctx.allowedHosts.has(host)) {
    return { unknown: false, attempts: 0, durationMs: 0, error: { code: 'transport/host-not-allowed', message: `Refused to call ${host}: not a host of ${ctx.pack.title} nor an explicit base URL` } };
  }
  const body = req.body === undefined ? undefined : JSON.stringify(req.body);
  let attempts = 0;
  let rateLimited = 0;
  let reauthed = false;
  for (;;) {
    attempts++;
    // the pack's headers (no Content-Type without a body), then the auth header
    const headers: Record<string, string> = {};
    for (const k in ctx.pack.headers) if (body !== undefined || k !== 'Content-Type') headers[k] = ctx.pack.headers[k]!;
    if (auth) Object.assign(headers, await auth.headers());
    let response: HttpResponse | undefined;
    let failure: TransportError | undefined;
    try {
      const httpReq: Parameters<Transport>[0] = { method: req.method, url: req.url, headers, timeoutMs: ctx.timeoutMs };
      if (body !== undefined) httpReq.body = body;
      if (ctx.maxResponseBytes !== undefined) httpReq.maxResponseBytes = ctx.maxResponseBytes;
      // journal before send: the intent for this very attempt is durable before it leaves
      // journal first (its fsync time must not eat into the rate limiter's spacing), with a
      // deadline that allows for the wait at the gate; a longer wait is journaled again
      const intentAt = ctx.clock.now();
      if (hooks.beforeSend) await hooks.beforeSend(attempts, intentAt, intentAt + GATE_SLACK_MS + ctx.timeoutMs);
      if (ctx.gate) {
        let waited = 0;
        for (let wait = ctx.gate.tryTake(); wait > 0; wait = ctx.gate.tryTake()) {
          if (waited > GATE_SLACK_MS && hooks.beforeSend) {
            // waited longer than the journaled deadline allows for: journal the intent again
            const at = ctx.clock.now();
            await hooks.beforeSend(attempts, at, at + GATE_SLACK_MS + ctx.timeoutMs);
            waited = 0;
            continue;
          }
          await ctx.clock.sleep(wait);
          waited += wait;
        }
      }
      const pending = ctx.transport(httpReq);
      hooks.onSent?.();
      response = await pending;
    } catch (err) {
      failure = err instanceof TransportError ? err : new TransportError('network', true, (err as Error)?.message ?? String(err), { cause: err });
    }
    const elapsed = () => ctx.clock.now() - started;
    if (response?.status === 429) rateLimited++;
    const done = (o: Omit<CallOutcome, 'attempts' | 'durationMs'>): CallOutcome => {
      const r = o as CallOutcome;
      r.attempts = attempts;
      r.durationMs = elapsed();
      if (rateLimited) r.rateLimited = rateLimited;
      return r;
    };

    let retryAfter: number | undefined;
    if (failure) {
      const safe = !failure.maybeSent || op.idempotent;
      const code = failure.kind === 'timeout' ? 'transport/timeout' : failure.kind === 'too-large' ? 'transport/response-too-large' : 'transport/network';
      // an oversized answer would be as big again: never retried; it may have taken effect
      if (failure.kind === 'too-large') return done({ unknown: !op.idempotent, error: { code, message: failure.message } });
      if (!safe) return done({ unknown: true, error: { code, message: failure.message } });
      if (!canRetry(ctx, attempts, elapsed())) return done({ unknown: failure.maybeSent && !op.idempotent, error: { code, message: failure.message } });
    } else if (response) {
      const s = response.status;
      if (s === 401 && auth && !reauthed && auth.invalidate()) {
        reauthed = true;
        attempts--; // the re-authentication is not a retry of the call itself
        continue;
      }
      const notProcessed = ctx.pack.errors.retryableStatuses.includes(s);
      const maybeProcessed = ctx.pack.errors.unknownOutcomeStatuses.includes(s) || (s >= 500 && !notProcessed);
      if (notProcessed || (maybeProcessed && op.idempotent)) {
        if (!canRetry(ctx, attempts, elapsed())) return done({ response, unknown: false });
        retryAfter = parseRetryAfter(response.headers['retry-after'], ctx.clock.now());
      } else if (maybeProcessed) {
        return done({ response, unknown: true });
      } else {
        return done({ response, unknown: false });
      }
    }
    const delay = retryAfter ?? backoffDelay(ctx.retry, attempts, ctx.random);
    // a 429 holds every call of the run for as long as this one waits, not just this one: they
    // would all be refused (at most a minute: a hostile Retry-After must not park the run)
    if (response?.status === 429 && ctx.gate) ctx.gate.holdUntil(ctx.clock.now() + Math.min(delay, 60_000));
    if (elapsed() + delay > ctx.retry.maxTotalMs) {
      return response ? done({ response, unknown: false }) : done({ unknown: false, error: { code: 'transport/network', message: failure?.message ?? 'retry budget exhausted' } });
    }
    await ctx.clock.sleep(delay);
  }
}

// `new URL(url).host`, parsed once per origin: an http(s) URL whose authority has no user info,
// backslash or white space (which the URL parser would rewrite) has the host of its origin part
const ORIGIN = /^https?:\/\/[^/?#\\@\s]*(?=[/?#]|$)/;
const hosts = new Map<string, string>();
function hostOf(url: string): string {
  const origin = ORIGIN.exec(url)?.[0];
  if (origin === undefined) return new URL(url).host;
  let host = hosts.get(origin);
  if (host === undefined) {
    host = new URL(origin).host;
    if (hosts.size >= 1000) hosts.clear();
    hosts.set(origin, host);
  }
  return host;
}

function canRetry(ctx: CallContext, attempts: number, elapsedMs: number): boolean {
  return attempts < ctx.retry.maxAttempts && elapsedMs < ctx.retry.maxTotalMs;
}
