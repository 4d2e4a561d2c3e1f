import type { CompiledMap } from '../datamap/types.js';
import type { OperationSpec, ReconcileSpec } from '../providers/pack-types.js';
import { buildUrl } from '../plan/build-url.js';
import { pathParams } from '../providers/registry.js';
import type { AuthSession } from './auth.js';
import { callHttp, type CallContext } from './call-http.js';
import { isThenable } from '../expressions/plain-json.js';
import { packExpression, type PackExpression } from './pack-expression.js';

/** What one lookup concluded. */
export type LookupResult =
  | { kind: 'found'; response: unknown }
  /** The lookup answered cleanly and shows nothing (proof only after the settle window). */
  | { kind: 'empty' }
  /** No lookup can be made: the pack has none, or the request has no reference. */
  | { kind: 'no-lookup'; reason: string }
  /** The lookup itself failed (network, 5xx, an undeclared 404, an unreadable answer). */
  | { kind: 'failed'; reason: string; status?: number };

/** What reconciliation concluded. */
export type ReconcileResult =
  | { kind: 'found'; response: unknown; lookups: number }
  /** Proven absent: an empty lookup after the original request's deadline plus the settle window. */
  | { kind: 'absent'; lookups: number }
  /** No lookup can tell: hold for review. */
  | { kind: 'cannot-tell'; reason: string; lookups: number }
  /** The lookup kept failing: try again on a later run. */
  | { kind: 'lookup-failed'; reason: string; lookups: number };

/** What was sent, for the lookup's parameters and its `found` expression. */
export interface SentCall {
  body: unknown;
  params: Record<string, unknown>;
  key: string | undefined;
}

interface CompiledReconcile {
  params: Array<[string, PackExpression]>;
  found: PackExpression;
  amount?: PackExpression;
}

const cache = new WeakMap<ReconcileSpec, CompiledReconcile>();

function compile(spec: ReconcileSpec): CompiledReconcile {
  let c = cache.get(spec);
  if (!c) {
    c = { params: Object.entries(spec.params).map(([k, e]) => [k, packExpression(e)]), found: packExpression(spec.found) };
    if (spec.amount) c.amount = packExpression(spec.amount);
    cache.set(spec, c);
  }
  return c;
}

/** A pack operation with the Data Map's overrides (path, method, base URL) applied. */
export function resolveForMap(map: CompiledMap, opId: string): { spec: OperationSpec; method: OperationSpec['method']; path: string; baseUrl?: string } | undefined {
  const spec = map.provider.pack.operations[opId];
  if (!spec) return undefined;
  const provider = map.spec.provider as unknown;
  const overrides = provider && typeof provider === 'object' ? (provider as { operations?: Record<string, { path?: string; method?: OperationSpec['method']; baseUrl?: string }> }).operations : undefined;
  const o = overrides?.[opId];
  const r: { spec: OperationSpec; method: OperationSpec['method']; path: string; baseUrl?: string } = { spec, method: o?.method ?? spec.method, path: o?.path ?? spec.path };
  if (o?.baseUrl) r.baseUrl = o.baseUrl;
  return r;
}

/** The lookup's parameters for a call (those that can be computed), e.g. its merchant reference. */
export async function lookupParams(op: OperationSpec, sent: SentCall): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (!op.reconcile) return out;
  const c = compile(op.reconcile);
  const input = { request: sent.body, params: sent.params, key: sent.key };
  for (const [name, expr] of c.params) {
    try {
      const e = expr.evaluate(input);
      // the compiled backend answers at once: no await (a tick per value) unless it is a promise
      const v = isThenable(e) ? await e : e;
      if (v !== undefined) out[name] = v;
    } catch {
      // a parameter that cannot be computed is left out: that lookup cannot be made later
    }
  }
  return out;
}

/** The reference an operator should look for, and the amount, for a call held for review. */
export async function reviewFacts(op: OperationSpec, sent: SentCall): Promise<{ reference: Record<string, unknown>; amount?: unknown }> {
  const spec = op.reconcile;
  const reference: Record<string, unknown> = {};
  if (sent.key !== undefined) reference.key = sent.key;
  if (!spec) return { reference };
  const c = compile(spec);
  const input = { request: sent.body, params: sent.params, key: sent.key };
  // a reference that cannot be computed is simply not shown
  Object.assign(reference, await lookupParams(op, sent));
  const out: { reference: Record<string, unknown>; amount?: unknown } = { reference };
  if (c.amount) {
    try {
      const a = await c.amount.evaluate(input);
      if (a !== undefined) out.amount = a;
    } catch {
      // no amount shown
    }
  }
  return out;
}

/** A lookup operation as a map calls it: resolved, its path's parameter names, the spec sent as idempotent. */
interface LookupOperation {
  resolved: NonNullable<ReturnType<typeof resolveForMap>>;
  pathNames: string[];
  callSpec: OperationSpec;
}

// per map (its overrides) and lookup operation id, made once: a lookup runs before every first charge
const lookupOps = new WeakMap<CompiledMap, Map<string, LookupOperation | null>>();
function lookupOperation(map: CompiledMap, opId: string): LookupOperation | undefined {
  let m = lookupOps.get(map);
  if (!m) lookupOps.set(map, (m = new Map()));
  let l = m.get(opId);
  if (l === undefined) {
    const resolved = resolveForMap(map, opId);
    l = resolved ? { resolved, pathNames: pathParams(resolved.path), callSpec: { ...resolved.spec, method: resolved.method, idempotent: true } } : null;
    m.set(opId, l);
  }
  return l ?? undefined;
}

/** One lookup with the pack's idempotent lookup operation (and the Data Map's overrides). */
export async function lookupOnce(ctx: CallContext, map: CompiledMap, op: OperationSpec, sent: SentCall, defaultBaseUrl: string, auth: AuthSession | undefined): Promise<LookupResult> {
  const spec = op.reconcile;
  if (!spec) return { kind: 'no-lookup', reason: 'the operation has no lookup to reconcile with' };
  const lop = lookupOperation(map, spec.operation);
  if (!lop) return { kind: 'no-lookup', reason: `lookup ${spec.operation} is not in the pack` };
  const lookup = lop.resolved;
  const c = compile(spec);
  const input = { request: sent.body, params: sent.params, key: sent.key };
  const values: Record<string, unknown> = {};
  try {
    for (const [name, expr] of c.params) {
      const e = expr.evaluate(input);
      values[name] = isThenable(e) ? await e : e;
    }
  } catch (err) {
    return { kind: 'no-lookup', reason: `lookup parameters failed: ${(err as Error).message}` };
  }
  const names = lop.pathNames;
  const pathValues: Record<string, unknown> = {};
  const query: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) (names.includes(k) ? pathValues : query)[k] = v;
  if (names.some((n) => pathValues[n] === undefined || pathValues[n] === null) || Object.values(query).some((v) => v === undefined || v === null)) {
    return { kind: 'no-lookup', reason: 'the request holds no reference to look it up by' };
  }
  const url = buildUrl(lookup.baseUrl ?? defaultBaseUrl, lookup.path, pathValues, query);
  const out = await callHttp(ctx, lop.callSpec, { method: lookup.method, url }, auth);
  if (!out.response) return { kind: 'failed', reason: out.error?.message ?? 'lookup failed' };
  const s = out.response.status;
  if (s === 404 && spec.absentOn404) return { kind: 'empty' };
  if (s < 200 || s >= 300) return { kind: 'failed', reason: `lookup answered HTTP ${s}`, status: s };
  let found: unknown;
  try {
    const e = c.found.evaluate(out.response.body, { request: sent.body, params: sent.params });
    found = isThenable(e) ? await e : e;
  } catch (err) {
    return { kind: 'failed', reason: `lookup result could not be read: ${(err as Error).message}` };
  }
  if (found === undefined || found === null || (Array.isArray(found) && found.length === 0)) return { kind: 'empty' };
  return { kind: 'found', response: found };
}

/** Timing of the call being reconciled. */
export interface SettleTiming {
  /** When the original request can no longer land from our side (its own deadline). */
  deadlineAt: number;
  /** The pack's settle window for the lookup (or an override). */
  settleMs: number;
}

/**
 * Settles a call whose outcome is unknown. Polls the lookup with backoff: found → adopt; an
 * empty lookup proves absence only when made after the original request's deadline plus the
 * settle window (a slow provider may still be writing it before then). A lookup that cannot be
 * made → cannot tell; one that keeps failing through the window → lookup-failed.
 */
export async function reconcile(ctx: CallContext, map: CompiledMap, op: OperationSpec, sent: SentCall, baseUrl: string, auth: AuthSession | undefined, timing: SettleTiming): Promise<ReconcileResult> {
  const absentAt = timing.deadlineAt + timing.settleMs;
  let lookups = 0;
  let delay = 250;
  for (;;) {
    const r = await lookupOnce(ctx, map, op, sent, baseUrl, auth);
    lookups++;
    const now = ctx.clock.now();
    if (r.kind === 'found') return { kind: 'found', response: r.response, lookups };
    if (r.kind === 'no-lookup') return { kind: 'cannot-tell', reason: r.reason, lookups };
    if (now >= absentAt) {
      if (r.kind === 'empty') return { kind: 'absent', lookups };
      if (r.status !== undefined && r.status < 500 && r.status !== 429) return { kind: 'cannot-tell', reason: r.reason, lookups };
      return { kind: 'lookup-failed', reason: r.reason, lookups };
    }
    await ctx.clock.sleep(Math.max(1, Math.min(delay, absentAt - now)));
    delay = Math.min(delay * 2, 5_000);
  }
}
