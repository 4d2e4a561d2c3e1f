import type { CompiledMap } from '../datamap/types.js';
import { diagnostic, type Diagnostic } from '../errors/diagnostic.js';
import type { ChargedSpec } from '../providers/pack-types.js';
import { isThenable } from '../expressions/plain-json.js';
import { packExpression, type PackExpression } from './pack-expression.js';
import type { RecordTotals, StepResult } from './types.js';

const cache = new WeakMap<ChargedSpec, { total: PackExpression; tax?: PackExpression }>();

function compiled(spec: ChargedSpec): { total: PackExpression; tax?: PackExpression } {
  let c = cache.get(spec);
  if (!c) {
    c = { total: packExpression(spec.total) };
    if (spec.tax) c.tax = packExpression(spec.tax);
    cache.set(spec, c);
  }
  return c;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

/** What an answer says was charged (the pack's `charged` fields), or undefined when it does not say. */
export async function chargedBy(spec: ChargedSpec | undefined, body: unknown): Promise<{ total: number; tax?: number } | undefined> {
  if (!spec || body === undefined) return undefined;
  const c = compiled(spec);
  try {
    // the compiled backend answers at once: no await (a tick per value) unless it is a promise
    const t = c.total.evaluate(body);
    const total = num(isThenable(t) ? await t : t);
    if (total === undefined) return undefined;
    const x = c.tax?.evaluate(body);
    const tax = c.tax ? num(isThenable(x) ? await x : x) : undefined;
    return tax !== undefined ? { total, tax } : { total };
  } catch {
    // an answer without those fields reports nothing
    return undefined;
  }
}

/**
 * The host's total (the Data Map's `total`) next to what the provider says it charged (the
 * pack's `charged` fields, read from the last charging step's answer; for a step replayed from
 * the journal, what the journal kept of it), and a `run/total-mismatch` warning when they
 * differ by a cent or more.
 */
export async function recordTotals(map: CompiledMap, steps: readonly StepResult[], record: unknown, bindings: Record<string, unknown>, journaled?: ReadonlyMap<string, { charged?: { total: number; tax?: number } }>): Promise<{ totals?: RecordTotals; warning?: Diagnostic }> {
  const totals: RecordTotals = {};
  for (const sr of steps) {
    if (sr.classification !== 'succeeded' && sr.classification !== 'pending') continue;
    const got = sr.replayed ? journaled?.get(sr.id)?.charged : sr.response === undefined ? undefined : await chargedBy(map.steps.find((s) => s.id === sr.id)?.operation.spec.charged, sr.response);
    if (got) totals.charged = { step: sr.id, ...got };
  }
  if (map.total) {
    try {
      const h = map.total.evaluate(record, bindings);
      const host = num(isThenable(h) ? await h : h);
      if (host !== undefined) totals.host = host;
    } catch {
      // a total that cannot be computed is not reported
    }
  }
  if (totals.host === undefined && totals.charged === undefined) return {};
  const out: { totals: RecordTotals; warning?: Diagnostic } = { totals };
  const t = totals.charged?.total;
  if (t !== undefined && totals.host !== undefined && Math.round(t * 100) !== Math.round(totals.host * 100)) {
    const tax = totals.charged?.tax;
    out.warning = diagnostic('run/total-mismatch', `The provider charged ${t}${tax !== undefined ? ` (tax ${tax})` : ''} in step ${totals.charged!.step}, but the host total is ${totals.host}`, { severity: 'warning' });
  }
  return out;
}
