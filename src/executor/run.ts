import type { CompiledMap } from '../datamap/types.js';
import { DatamapError, diagnostic } from '../errors/diagnostic.js';
import { buildUrl } from '../plan/build-url.js';
import type { RecordItem } from '../source/read-records.js';
import { randomBytes } from 'node:crypto';
import { openMemoryJournal } from '../journal/journal.js';
import { hashText } from '../journal/fingerprint.js';
import { thisProcess } from '../journal/liveness.js';
import type { RunRow } from '../journal/types.js';
import { createScrubber, recordScrubber, type Scrubber } from '../redact/index.js';
import { createAxiosTransport } from '../transport/axios-transport.js';
import { assertHttpUrl, egressPolicy } from '../transport/egress.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS } from '../transport/types.js';
import { createAuthSession, type AuthSession } from './auth.js';
import { callHttp, type CallContext } from './call-http.js';
import { systemClock } from './clock.js';
import { resolveCredentials } from './credentials.js';
import { normalizeHttpError } from './provider-error.js';
import { DEFAULT_RETRY } from './retry-policy.js';
import { createRateLimiter } from './rate-limiter.js';
import { runRecord, type Runtime } from './run-record.js';
import { scrubRow, scrubValue, type RowFacts } from './scrub-value.js';
import { resolveSettingsOrThrow } from '../settings/resolve.js';
import { environmentChoices } from '../datamap/compile.js';
import { withSettings } from '../settings/with-settings.js';
import type { Outcome, RecordResult, RunOptions } from './types.js';

/**
 * Runs a Data Map for real over a stream of records, one record at a time, yielding each
 * record's result as it ends. Credentials are checked before the first call: a missing one
 * throws a DatamapError (auth/missing-credential) and nothing is sent. With a `journal`, the
 * run resumes earlier work: what succeeded is replayed, what was in flight is reconciled, and
 * nothing that may have moved money is sent again.
 */
export async function* runRecords(map: CompiledMap, records: AsyncIterable<RecordItem> | Iterable<RecordItem>, options: RunOptions = {}): AsyncGenerator<RecordResult> {
  const pack = map.provider.pack;
  let baseUrl = map.provider.baseUrl;
  if (options.environment) {
    const env = pack.environments[options.environment];
    if (!env) {
      throw new DatamapError(diagnostic('datamap/unknown-environment', `${pack.name} has no environment "${options.environment}"`, { hint: `Environments: ${Object.keys(pack.environments).join(', ')}.` }));
    }
    if (!map.provider.baseUrlOverridden) baseUrl = env.baseUrl;
  }
  if (!baseUrl && !options.baseUrl) {
    throw new DatamapError(diagnostic('run/environment-required', `${pack.title} has no default environment and ${map.name} names none: nothing was sent`, { hint: environmentChoices(pack) }));
  }
  if (options.baseUrl) {
    assertHttpUrl(options.baseUrl, '--base-url');
    baseUrl = options.baseUrl;
  }
  // declared settings: every missing or invalid one is reported before any call
  const settings = resolveSettingsOrThrow(map, { env: options.env ?? process.env, ...(options.settings ? { set: options.settings } : {}) });
  map = withSettings(map, settings.values);
  // where calls may go, checked before anything is sent (src/transport/egress.ts)
  const egressOpts: Parameters<typeof egressPolicy>[1] = { environment: options.environment ?? map.provider.environment, baseUrl };
  if (options.baseUrl) egressOpts.cliBaseUrl = options.baseUrl;
  if (options.allowHosts) egressOpts.allowHosts = options.allowHosts;
  const egress = egressPolicy(map, egressOpts);
  const credentials = resolveCredentials(map.provider, options.credentials, options.env ?? process.env);
  // Credential values and issued tokens never appear in a result, even when a provider echoes
  // them back in an error message or body; each record adds its own card data (src/redact).
  const runScrubber = createScrubber(Object.values(credentials));
  const addSecret = (v: unknown) => runScrubber.add(v, 'secret');
  settings.secrets.forEach(addSecret);
  for (const u of [baseUrl, ...map.steps.map((s) => s.operation.baseUrl)]) addUrlCredentials(u, addSecret);
  const scheme = pack.auth.schemes[map.provider.auth];
  const ownTransport = options.transport ? undefined : createAxiosTransport();
  const call: CallContext = {
    pack,
    transport: options.transport ?? ownTransport!,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    allowedHosts: egress.hosts,
  };
  const rate = options.rateLimit ?? pack.rateLimit?.perSecond ?? 0;
  if (rate > 0) call.gate = createRateLimiter(rate, call.clock);
  const auth: AuthSession = createAuthSession(map.provider, credentials, call.clock, async (opId, body) => {
    const op = pack.operations[opId];
    if (!op) throw new Error(`token operation ${opId} is not in the pack`);
    const out = await callHttp(call, op, { method: op.method, url: buildUrl(baseUrl, op.path, {}, {}), body }, undefined);
    if (!out.response) throw new DatamapError(diagnostic('auth/failed', `Token exchange failed: ${out.error?.message ?? 'no response'}`));
    if (out.response.status < 200 || out.response.status >= 300) {
      const e = await normalizeHttpError(pack, out.response.status, out.response.body);
      throw new DatamapError(diagnostic('auth/failed', `Token exchange failed: ${e.message}`));
    }
    if (scheme?.type === 'token-exchange' && out.response.body && typeof out.response.body === 'object') {
      for (const f of scheme.tokenFields) addSecret((out.response.body as Record<string, unknown>)[f]);
    }
    return out.response.body;
  });
  const journal = options.journal ?? openMemoryJournal({ transient: true });
  const runId = newRunId(call.clock.now());
  const mapHash = hashText(map.source.text);
  const scrub = scrubWith(runScrubber);
  const rt: Runtime = {
    map, call, auth, baseUrl, journal, runId, scope: map.name, mapHash,
    preflight: options.preflight !== false, retryDeclined: options.retryDeclined === true, settleMs: options.settleMs,
    seen: new Map(), scrub, scrubRow: rowScrubWith(runScrubber), scrubber: runScrubber, staleMs: 120_000,
  };
  const who = thisProcess();
  const startedAt = call.clock.now();
  const run: RunRow = { runId, mapName: map.name, mapHash, mapFile: map.file, provider: pack.name, startedAt, status: 'running', host: who.host, pid: who.pid, heartbeatAt: startedAt };
  if (options.input) run.input = options.input;
  await journal.store.createRun(run);
  options.onRun?.(run);
  // a heartbeat lets a run on another host tell a live run from a dead one
  const beat = setInterval(() => { void journal.store.updateRun(runId, { heartbeatAt: Date.now() }).catch(() => undefined); }, 20_000);
  beat.unref?.();
  const counts: Record<string, number> = {};
  let status: RunRow['status'] = 'finished';
  const one = async (item: RecordItem): Promise<RecordResult> => {
    // this record's own sensitive values are scrubbed from its results and journal rows too
    const recordScrub = recordScrubber(map, item.value, runScrubber);
    // every field at once (a spread of the run's 16 would be a copy through the slow path)
    const rrt: Runtime = {
      map: rt.map, call: rt.call, auth: rt.auth, baseUrl: rt.baseUrl, journal: rt.journal, runId: rt.runId, scope: rt.scope, mapHash: rt.mapHash,
      preflight: rt.preflight, retryDeclined: rt.retryDeclined, settleMs: rt.settleMs, seen: rt.seen,
      scrub: scrubWith(recordScrub), scrubRow: rowScrubWith(recordScrub), scrubber: recordScrub, staleMs: rt.staleMs,
    };
    try {
      const raw = await runRecord(rrt, item);
      const result = rrt.scrub(raw);
      // run ids are ours, never record data: a short sensitive value must not garble them
      // (`r-mxe321my-…` holds a security code 321 where letters bound it)
      result.runId = raw.runId;
      if (raw.replayedFrom !== undefined) result.replayedFrom = raw.replayedFrom;
      return result;
    } catch (err) {
      // one record's failure (e.g. authentication) never loses the others
      const d = err instanceof DatamapError ? err.diagnostics[0]! : diagnostic('internal/error', (err as Error)?.message ?? String(err));
      const r: RecordResult = { index: item.index, outcome: 'failed', steps: [], ids: {}, diagnostics: [d], error: { code: d.code, message: d.message, retryable: false }, runId };
      if (item.line) r.line = item.line;
      return rrt.scrub(r);
    }
  };
  const width = Math.max(1, Math.floor(options.concurrency ?? 1));
  const source = (Symbol.asyncIterator in records ? records : toAsync(records)) as AsyncIterable<RecordItem>;
  const it = source[Symbol.asyncIterator]();
  // up to `width` records in flight; memory is bounded by the width, not by the input
  const inflight = new Map<number, Promise<{ slot: number; result: RecordResult }>>();
  let slot = 0;
  let exhausted = false;
  try {
    if (width === 1) {
      // one record at a time: the steps below without the bookkeeping of several in flight
      while (!exhausted) {
        if (options.signal?.aborted) {
          status = 'interrupted';
          break;
        }
        const next = await it.next();
        if (next.done) break;
        const result = await one(next.value);
        counts[result.outcome] = (counts[result.outcome] ?? 0) + 1;
        yield result;
        if (options.signal?.aborted) {
          status = 'interrupted';
          exhausted = true;
        }
      }
    } else {
      for (;;) {
        while (!exhausted && inflight.size < width) {
          if (options.signal?.aborted) {
            status = 'interrupted';
            exhausted = true;
            break;
          }
          const next = await it.next();
          if (next.done) {
            exhausted = true;
            break;
          }
          const s = slot++;
          inflight.set(s, one(next.value).then((result) => ({ slot: s, result })));
        }
        if (inflight.size === 0) break;
        const { slot: s, result } = await Promise.race(inflight.values());
        inflight.delete(s);
        counts[result.outcome] = (counts[result.outcome] ?? 0) + 1;
        yield result;
        if (options.signal?.aborted && !exhausted) {
          status = 'interrupted';
          exhausted = true;
        }
      }
    }
  } catch (err) {
    status = 'interrupted';
    throw err;
  } finally {
    // calls in flight are finished and recorded even when the consumer stops early
    await Promise.allSettled(inflight.values());
    clearInterval(beat);
    await journal.store.updateRun(runId, { status, endedAt: call.clock.now(), counts }).catch(() => undefined);
    if (!options.journal) await journal.close();
    ownTransport?.close();
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

/** A run id that sorts by time: `r-<base36 ms>-<random>`. */
function newRunId(now: number): string {
  return `r-${now.toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Key-name redaction, then scrubbing by value (known secrets, card numbers, credentials): `scrubber.value(redactValue(v))`, in one walk. */
function scrubWith(scrubber: Scrubber): <T>(v: T) => T {
  return <T>(v: T): T => scrubValue(scrubber, v);
}

/** `scrubWith`, telling whether the copy is fresh JSON data (a row the journal's store may keep as it is). */
function rowScrubWith(scrubber: Scrubber): <T>(v: T, facts: RowFacts) => T {
  return <T>(v: T, facts: RowFacts): T => scrubRow(scrubber, v, facts);
}

/** The user and password of a URL (`https://user:pass@host`) are secrets too. */
function addUrlCredentials(url: string | undefined, add: (v: string) => void): void {
  if (!url) return;
  try {
    const u = new URL(url);
    for (const part of [u.username, u.password]) if (part) { add(part); add(decodeURIComponent(part)); }
    // as a Basic auth header carries them
    if (u.username || u.password) add(Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64'));
  } catch { /* not a URL: refused elsewhere */ }
}

/** Counts of records per outcome. */
export function summarize(results: Iterable<RecordResult>): Record<Outcome, number> & { total: number } {
  const s = { total: 0, succeeded: 0, declined: 0, pending: 0, failed: 0, unknown: 0, 'needs-review': 0, skipped: 0 };
  for (const r of results) {
    s.total++;
    s[r.outcome]++;
  }
  return s;
}
