import { packExpression, type PackExpression } from '../executor/pack-expression.js';
import type { FollowUpSpec } from '../providers/pack-types.js';
import { isThenable } from '../expressions/plain-json.js';

/** Prefix of the step ids that hold a call's follow-up lookup parameters (e.g. `followUp.invoiceId`). */
export const FOLLOW_UP_PREFIX = 'followUp.';

// per spec: each parameter's step id (`followUp.<name>`, built once) and its compiled expression
const cache = new WeakMap<FollowUpSpec, Array<[string, PackExpression]>>();

/**
 * The follow-up lookup parameters of a call that answered, from what was sent and what came
 * back (the pack's `followUp.params`, JSONata over `{ request, params, response }`), as step ids
 * `followUp.<name>`: the journal keeps them, so a status sync or a webhook finds the step later.
 */
export async function followUpIds(spec: FollowUpSpec | undefined, input: { request: unknown; params: Record<string, unknown>; response: unknown }): Promise<Record<string, string | number>> {
  const out: Record<string, string | number> = {};
  if (!spec) return out;
  let compiled = cache.get(spec);
  if (!compiled) {
    compiled = Object.entries(spec.params).map(([k, e]) => [FOLLOW_UP_PREFIX + k, packExpression(e)]);
    cache.set(spec, compiled);
  }
  for (const [id, expr] of compiled) {
    try {
      const e = expr.evaluate(input);
      const v: unknown = isThenable(e) ? await e : e;
      if (typeof v === 'string' || typeof v === 'number') out[id] = v;
    } catch {
      // a parameter that cannot be computed is not stored: that step cannot be followed up
    }
  }
  return out;
}

/** The follow-up parameters stored on a step (`followUp.<name>` ids), by name. */
export function storedFollowUp(ids: Record<string, string | number>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(ids)) if (k.startsWith(FOLLOW_UP_PREFIX)) out[k.slice(FOLLOW_UP_PREFIX.length)] = v;
  return out;
}
