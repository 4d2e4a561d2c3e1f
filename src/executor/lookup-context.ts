import { forEachNode, parseAst } from '../analysis/ast.js';
import type { CompiledMap, CompiledStep } from '../datamap/types.js';
import type { LookupContext } from '../journal/types.js';
import type { OperationSpec } from '../providers/pack-types.js';
import { isFunctionValue, toPlainJson } from '../expressions/plain-json.js';
import { lookupParams, type SentCall } from './reconcile.js';

/** Bindings a status sync can give an output again without the record. */
const RESTORABLE = new Set(['steps', 'settings', 'key', 'now', 'millis']);

const varsCache = new WeakMap<CompiledStep, string[] | null>();

/**
 * The Data Map `let`s a step's `output` reads (by name), or null when it reads something the
 * journal cannot keep for it (the whole `$record`). Computed once per step.
 */
export function outputLets(map: CompiledMap, step: CompiledStep): string[] | null {
  let names = varsCache.get(step);
  if (names !== undefined) return names;
  names = [];
  if (step.output) {
    const ast = parseAst(step.output.source);
    if (!ast) names = null;
    else {
      const read = new Set<string>();
      forEachNode(ast, (n) => {
        if (n.type === 'variable' && typeof n.value === 'string') read.add(n.value);
      });
      const lets = new Set(map.lets.map((l) => l.name));
      if (read.has('record')) names = null;
      else names = [...read].filter((v) => lets.has(v) && !RESTORABLE.has(v)).sort();
    }
  }
  varsCache.set(step, names);
  return names;
}

/**
 * What the journal keeps with an intent so that `runs sync` can settle the call if no answer
 * ever comes: the request as shown (already redacted), the lookup's parameters, and the values
 * of the `let`s the step's output reads. Undefined for an operation without a lookup.
 */
export async function lookupContext(map: CompiledMap, step: CompiledStep, op: OperationSpec, shownBody: unknown, sent: SentCall, bindings: Record<string, unknown>): Promise<LookupContext | undefined> {
  if (!op.reconcile) return undefined;
  const ctx: LookupContext = { params: await lookupParams(op, sent) };
  if (shownBody !== undefined) ctx.request = shownBody;
  const names = outputLets(map, step);
  if (names) {
    const vars: Record<string, unknown> = {};
    for (const n of names) {
      const v = bindings[n];
      if (isFunctionValue(v) || typeof v === 'function') return ctx;
      if (v !== undefined) vars[n] = toPlainJson(v);
    }
    ctx.vars = vars;
  }
  return ctx;
}
