import jsonata from 'jsonata';
import type { OperationSpec, ProviderPack, ReconcileSpec } from '../providers/pack-types.js';
import { buildUrl } from '../plan/build-url.js';
import { pathParams } from '../providers/registry.js';
import type { AuthSession } from './auth.js';
import { callHttp, type CallContext } from './call-http.js';

/** What a reconciliation concluded. */
export type ReconcileResult =
  | { kind: 'found'; response: unknown; attempts: number }
  | { kind: 'absent'; attempts: number }
  | { kind: 'cannot-tell'; reason: string; attempts: number };

interface CompiledReconcile {
  params: Array<[string, jsonata.Expression]>;
  found: jsonata.Expression;
}

const cache = new WeakMap<ReconcileSpec, CompiledReconcile>();

function compile(spec: ReconcileSpec): CompiledReconcile {
  let c = cache.get(spec);
  if (!c) {
    c = { params: Object.entries(spec.params).map(([k, e]) => [k, jsonata(e)]), found: jsonata(spec.found) };
    cache.set(spec, c);
  }
  return c;
}

/**
 * Looks up whether a call with an unknown outcome took effect, with the pack's idempotent
 * lookup: found → the adopted response; a clean lookup with no match → absent; anything
 * else → cannot tell.
 */
export async function reconcile(
  ctx: CallContext,
  pack: ProviderPack,
  op: OperationSpec,
  sent: { body: unknown; params: Record<string, unknown>; key: string | undefined },
  baseUrl: string,
  auth: AuthSession | undefined,
): Promise<ReconcileResult> {
  const spec = op.reconcile;
  if (!spec) return { kind: 'cannot-tell', reason: 'the operation has no lookup to reconcile with', attempts: 0 };
  const lookup = pack.operations[spec.operation];
  if (!lookup) return { kind: 'cannot-tell', reason: `lookup ${spec.operation} is not in the pack`, attempts: 0 };
  const c = compile(spec);
  const input = { request: sent.body, params: sent.params, key: sent.key };
  const values: Record<string, unknown> = {};
  try {
    for (const [name, expr] of c.params) values[name] = await expr.evaluate(input);
  } catch (err) {
    return { kind: 'cannot-tell', reason: `lookup parameters failed: ${(err as Error).message}`, attempts: 0 };
  }
  const names = pathParams(lookup.path);
  const pathValues: Record<string, unknown> = {};
  const query: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) (names.includes(k) ? pathValues : query)[k] = v;
  if (names.some((n) => pathValues[n] === undefined || pathValues[n] === null) || Object.values(query).some((v) => v === undefined || v === null)) {
    return { kind: 'cannot-tell', reason: 'the request holds no reference to look it up by', attempts: 0 };
  }
  const url = buildUrl(baseUrl, lookup.path, pathValues, query);
  const out = await callHttp(ctx, lookup, { method: lookup.method, url }, auth);
  if (!out.response) return { kind: 'cannot-tell', reason: out.error?.message ?? 'lookup failed', attempts: out.attempts };
  const s = out.response.status;
  if (s === 404 && names.length > 0) return { kind: 'absent', attempts: out.attempts };
  if (s < 200 || s >= 300) return { kind: 'cannot-tell', reason: `lookup answered HTTP ${s}`, attempts: out.attempts };
  let found: unknown;
  try {
    found = await c.found.evaluate(out.response.body, { request: sent.body, params: sent.params });
  } catch (err) {
    return { kind: 'cannot-tell', reason: `lookup result could not be read: ${(err as Error).message}`, attempts: out.attempts };
  }
  if (found === undefined || found === null || (Array.isArray(found) && found.length === 0)) return { kind: 'absent', attempts: out.attempts };
  return { kind: 'found', response: found, attempts: out.attempts };
}
