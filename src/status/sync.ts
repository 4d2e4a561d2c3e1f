import type { CompiledMap } from '../datamap/types.js';
import { environmentChoices } from '../datamap/compile.js';
import { DatamapError, diagnostic } from '../errors/diagnostic.js';
import { createAuthSession } from '../executor/auth.js';
import { callHttp, type CallContext } from '../executor/call-http.js';
import { systemClock, type Clock } from '../executor/clock.js';
import { resolveCredentials } from '../executor/credentials.js';
import { normalizeHttpError } from '../executor/provider-error.js';
import { resolveForMap } from '../executor/reconcile.js';
import { DEFAULT_RETRY } from '../executor/retry-policy.js';
import type { Journal } from '../journal/journal.js';
import type { StepState } from '../journal/types.js';
import { buildUrl } from '../plan/build-url.js';
import { pathParams } from '../providers/registry.js';
import { createScrubber } from '../redact/index.js';
import { createAxiosTransport } from '../transport/axios-transport.js';
import { assertHttpUrl, egressPolicy } from '../transport/egress.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, type Transport } from '../transport/types.js';
import { randomBytes } from 'node:crypto';
import { thisProcess } from '../journal/liveness.js';
import type { RecordRow } from '../journal/types.js';
import { applyStatusToStep, followUpSteps, isChange, type StatusChange, type StatusUnchanged } from './apply.js';
import { settleUnanswered, UNANSWERED, type UnansweredContext } from './unanswered.js';

/** Options of {@link syncStatuses}. */
export interface SyncOptions {
  journal: Journal;
  /** Only the records of this run (default: every record of the map in the journal). */
  runId?: string;
  /** Credential values by variable name; default: read from `env`. */
  credentials?: Record<string, string>;
  env?: Record<string, string | undefined>;
  /** Environment of the pack (default: the map's). */
  environment?: string;
  /** Send the lookups to this base URL. */
  baseUrl?: string;
  /** Hosts lookups may go to besides the pack's own. */
  allowHosts?: string[];
  transport?: Transport;
  clock?: Clock;
  timeoutMs?: number;
  /** Overrides the pack's settle window (ms) for proving a call that never answered absent. */
  settleMs?: number;
}

/** A step whose status could not be looked up now (nothing changed). */
export interface SyncFailure {
  runId: string;
  scope: string;
  key: string;
  stepId: string;
  operation: string;
  code: 'sync/lookup-failed';
  reason: string;
}

/** A step that is not final but has nothing to look up by here, and what to do instead. */
export interface SyncSkipped {
  runId: string;
  scope: string;
  key: string;
  stepId: string;
  operation: string;
  state: StepState;
  reason: string;
}

/** What a status sync did. */
export interface SyncReport {
  /** Steps looked up. */
  checked: number;
  /** Steps the provider's answer moved (e.g. pending → declined). */
  changes: StatusChange[];
  /** Steps looked up whose state stays (still pending, or a status the pack does not document). */
  unchanged: StatusUnchanged[];
  failed: SyncFailure[];
  /** Steps not final that no follow-up lookup can settle (no answer was ever received, or held for review). */
  skipped: SyncSkipped[];
}

/**
 * Status sync: looks up every journaled step of `map` that is not final and moves each to the
 * state the provider's answer gives, reporting every change:
 * - pending ACH payments and refunds, and answers held for review, with the pack's follow-up
 *   lookups (e.g. the invoice by id);
 * - calls that never answered (unknown, or in flight when a run died), with the operation's
 *   reconcile lookup by the reference the journal kept with the intent: found → adopted (its
 *   status read as the answer would have been); not found by a lookup made after the call's
 *   deadline plus the settle window → failed, not applied (a re-run sends it again); not found
 *   earlier → unchanged. Each such record is claimed first, so no run works on it meanwhile.
 * Lookups are idempotent GETs; nothing is ever sent that could move money.
 */
export async function syncStatuses(map: CompiledMap, options: SyncOptions): Promise<SyncReport> {
  const pack = map.provider.pack;
  let baseUrl = map.provider.baseUrl;
  if (options.environment) {
    const env = pack.environments[options.environment];
    if (!env) throw new DatamapError(diagnostic('datamap/unknown-environment', `${pack.name} has no environment "${options.environment}"`, { hint: `Environments: ${Object.keys(pack.environments).join(', ')}.` }));
    if (!map.provider.baseUrlOverridden) baseUrl = env.baseUrl;
  }
  if (options.baseUrl) {
    assertHttpUrl(options.baseUrl, '--base-url');
    baseUrl = options.baseUrl;
  }
  if (!baseUrl) throw new DatamapError(diagnostic('run/environment-required', `${pack.title} has no default environment and ${map.name} names none: nothing was looked up`, { hint: environmentChoices(pack) }));
  const egressOpts: Parameters<typeof egressPolicy>[1] = { environment: options.environment ?? map.provider.environment, baseUrl };
  if (options.baseUrl) egressOpts.cliBaseUrl = options.baseUrl;
  if (options.allowHosts) egressOpts.allowHosts = options.allowHosts;
  const egress = egressPolicy(map, egressOpts);

  const report: SyncReport = { checked: 0, changes: [], unchanged: [], failed: [], skipped: [] };
  const filter: { runId?: string; scope: string } = { scope: map.name };
  if (options.runId) filter.runId = options.runId;
  if (options.runId && !(await options.journal.store.getRun(options.runId))) {
    throw new DatamapError(diagnostic('journal/unknown-run', `The journal ${options.journal.location} has no run ${options.runId}`, { hint: 'List the runs with `datamap runs`.' }));
  }
  const targets = await followUpSteps(options.journal, filter);
  await listSkipped(options.journal, filter, new Set(targets.map((t) => `${t.record.key}\u0000${t.step.stepId}`)), report);
  const unanswered = await unansweredRecords(options.journal, filter);
  if (targets.length === 0 && unanswered.length === 0) return report;

  const credentials = resolveCredentials(map.provider, options.credentials, options.env ?? process.env);
  const scrubber = createScrubber(Object.values(credentials));
  const ownTransport = options.transport ? undefined : createAxiosTransport();
  const clock = options.clock ?? systemClock;
  const call: CallContext = {
    pack,
    transport: options.transport ?? ownTransport!,
    clock,
    random: Math.random,
    retry: DEFAULT_RETRY,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
    allowedHosts: egress.hosts,
  };
  const auth = createAuthSession(map.provider, credentials, clock, async (opId, body) => {
    const op = pack.operations[opId];
    if (!op) throw new Error(`token operation ${opId} is not in the pack`);
    const out = await callHttp(call, op, { method: op.method, url: buildUrl(baseUrl, op.path, {}, {}), body }, undefined);
    if (!out.response || out.response.status < 200 || out.response.status >= 300) throw new DatamapError(diagnostic('auth/failed', `Token exchange failed: ${out.error?.message ?? `HTTP ${out.response?.status}`}`));
    return out.response.body;
  });
  try {
    for (const t of targets) {
      const base = { runId: t.step.runId, scope: t.record.scope, key: t.record.key, stepId: t.step.stepId, operation: t.step.operation };
      const fu = t.operation.followUp!;
      const lookup = resolveForMap(map, fu.lookup);
      if (!lookup) {
        report.failed.push({ ...base, code: 'sync/lookup-failed', reason: `lookup ${fu.lookup} is not in the pack` });
        continue;
      }
      const names = pathParams(lookup.path);
      const pathValues: Record<string, unknown> = {};
      const query: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(t.params)) (names.includes(k) ? pathValues : query)[k] = v;
      if (names.some((n) => pathValues[n] === undefined)) {
        report.skipped.push({ ...base, state: t.step.state, reason: `the journal holds no ${names.filter((n) => pathValues[n] === undefined).join(', ')} to look it up by` });
        continue;
      }
      report.checked++;
      const url = buildUrl(lookup.baseUrl ?? baseUrl, lookup.path, pathValues, query);
      let out;
      try {
        out = await callHttp(call, { ...lookup.spec, method: lookup.method, idempotent: true }, { method: lookup.method, url }, auth);
      } catch (err) {
        report.failed.push({ ...base, code: 'sync/lookup-failed', reason: scrubber.text((err as Error)?.message ?? String(err)) });
        continue;
      }
      if (!out.response) {
        report.failed.push({ ...base, code: 'sync/lookup-failed', reason: scrubber.text(out.error?.message ?? 'no answer') });
        continue;
      }
      const s = out.response.status;
      if (s < 200 || s >= 300) {
        const e = await normalizeHttpError(pack, s, out.response.body);
        report.failed.push({ ...base, code: 'sync/lookup-failed', reason: scrubber.text(`${fu.lookup} answered HTTP ${s}: ${e.message}`) });
        continue;
      }
      const r = await applyStatusToStep(options.journal, t, out.response.body, { now: clock.now(), note: `runs sync: ${fu.lookup} ${Object.entries(t.params).map(([k, v]) => `${k} ${String(v)}`).join(', ')}` });
      if (isChange(r)) report.changes.push(r);
      else report.unchanged.push(r);
    }
    if (unanswered.length > 0) {
      const ctx: UnansweredContext = { journal: options.journal, map, call, baseUrl, auth, scrubber };
      if (options.settleMs !== undefined) ctx.settleMs = options.settleMs;
      await settleAll(ctx, unanswered, report);
    }
  } finally {
    (ownTransport as { close?: () => void } | undefined)?.close?.();
  }
  return report;
}

/** Steps not final that a follow-up lookup cannot settle, with what to do about each. */
async function listSkipped(journal: Journal, filter: { runId?: string; scope: string }, followed: Set<string>, report: SyncReport): Promise<void> {
  const states: StepState[] = ['needs-review', 'pending'];
  let records = await journal.store.listRecords({ scope: filter.scope, states });
  if (filter.runId) {
    const keys = new Set((await journal.store.listRunRecords(filter.runId)).map((r) => r.key));
    records = records.filter((r) => keys.has(r.key));
  }
  for (const rec of records) {
    const found = await journal.store.getRecord(rec.scope, rec.key);
    for (const s of found?.steps ?? []) {
      if (!states.includes(s.state) || followed.has(`${rec.key}\u0000${s.stepId}`)) continue;
      const reason = s.state === 'needs-review'
        ? 'held for review: check it at the provider, then `datamap runs resolve`'
        : 'the operation has no follow-up lookup in the pack';
      report.skipped.push({ runId: s.runId, scope: rec.scope, key: rec.key, stepId: s.stepId, operation: s.operation, state: s.state, reason });
    }
  }
}

/** Records of the map (or run) with a step whose call never answered. */
async function unansweredRecords(journal: Journal, filter: { runId?: string; scope: string }): Promise<RecordRow[]> {
  // a record's state is written when its run finishes it: one killed mid-call is still
  // `planned`; and a record's state is its worst step's, so one held for review may hide one too
  let records = await journal.store.listRecords({ scope: filter.scope, states: [...UNANSWERED, 'planned', 'needs-review'] });
  if (filter.runId) {
    const keys = new Set((await journal.store.listRunRecords(filter.runId)).map((r) => r.key));
    const run = filter.runId;
    records = records.filter((r) => keys.has(r.key) || r.runId === run);
  }
  const out: RecordRow[] = [];
  for (const r of records) {
    if (UNANSWERED.includes(r.state)) out.push(r);
    else if ((await journal.store.getRecord(r.scope, r.key))?.steps.some((s) => UNANSWERED.includes(s.state))) out.push(r);
  }
  records = out;
  return records;
}

/**
 * Settles the unanswered steps of each record, holding the record meanwhile: the sync is a run
 * in the journal (input `(runs sync)`), so a run that starts now waits for it, and one that is
 * working on a record keeps it (the step is reported as skipped).
 */
async function settleAll(ctx: UnansweredContext, records: RecordRow[], report: SyncReport): Promise<void> {
  const { journal, map } = ctx;
  const clock = ctx.call.clock;
  const who = thisProcess();
  const startedAt = clock.now();
  const runId = `r-${startedAt.toString(36)}-${randomBytes(3).toString('hex')}`;
  await journal.store.createRun({ runId, mapName: map.name, mapHash: '', mapFile: map.file, provider: map.provider.pack.name, input: '(runs sync)', startedAt, status: 'running', host: who.host, pid: who.pid, heartbeatAt: startedAt });
  const counts: Record<string, number> = {};
  try {
    for (const rec of records) {
      const claim = await journal.store.claimRecord(rec.scope, rec.key, runId, clock.now(), 120_000);
      if (!claim.ok) {
        for (const s of (await journal.store.getRecord(rec.scope, rec.key))?.steps ?? []) {
          if (UNANSWERED.includes(s.state)) report.skipped.push({ runId: s.runId, scope: rec.scope, key: rec.key, stepId: s.stepId, operation: s.operation, state: s.state, reason: `run ${claim.heldBy} is working on it now` });
        }
        continue;
      }
      let record = claim.record!;
      let steps = claim.steps;
      try {
        for (const step of claim.steps.filter((s) => UNANSWERED.includes(s.state))) {
          const current = steps.find((s) => s.stepId === step.stepId)!;
          const r = await settleUnanswered(ctx, record, steps, current);
          if (r.kind === 'change') {
            report.checked++;
            report.changes.push(r.change);
            counts[r.change.to] = (counts[r.change.to] ?? 0) + 1;
            const fresh = await journal.store.getRecord(rec.scope, rec.key);
            if (fresh) { record = fresh.record; steps = fresh.steps; }
          } else if (r.kind === 'unchanged') {
            report.checked++;
            report.unchanged.push(r.unchanged);
          } else if (r.kind === 'failed') {
            report.checked++;
            report.failed.push(r.failure);
          } else if (r.kind === 'skipped') report.skipped.push(r.skipped);
        }
      } finally {
        // release the claim: the record as it now stands, held by no one
        const now = await journal.store.getRecord(rec.scope, rec.key);
        if (now && now.record.leaseRun === runId) await journal.store.write({ records: [{ ...now.record, leaseRun: null }] });
      }
    }
  } finally {
    await journal.store.updateRun(runId, { status: 'finished', endedAt: clock.now(), counts });
  }
}
