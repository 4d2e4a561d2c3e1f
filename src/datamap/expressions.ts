import type { CompiledExpression } from '../expressions/compile-expression.js';
import type { CompiledMap } from './types.js';

/** One expression of a Data Map, named by where it is written (`steps[0].request`, `let.total`). */
export interface MapExpression {
  /** Where it is written, e.g. `steps[0].request`. */
  path: string;
  /** @internal the compiled expression */
  expression: CompiledExpression;
}

/** Every compiled expression of a Data Map, in file order. */
export function mapExpressions(map: CompiledMap): MapExpression[] {
  const out: MapExpression[] = [{ path: 'key', expression: map.key }];
  for (const l of map.lets) out.push({ path: `let.${l.name}`, expression: l.expression });
  map.steps.forEach((s, i) => {
    if (s.when) out.push({ path: `steps[${i}].when`, expression: s.when });
    for (const p of s.params) out.push({ path: `steps[${i}].params.${p.name}`, expression: p.expression });
    if (s.request) out.push({ path: `steps[${i}].request`, expression: s.request });
    if (s.output) out.push({ path: `steps[${i}].output`, expression: s.output });
  });
  if (map.result) out.push({ path: 'result', expression: map.result });
  if (map.total) out.push({ path: 'total', expression: map.total });
  return out;
}

/** Which backend evaluates each expression (for `validate --json`). */
export function expressionBackends(map: CompiledMap): Array<{ path: string; backend: string; reason?: string }> {
  return mapExpressions(map).map(({ path, expression }) => {
    const row: { path: string; backend: string; reason?: string } = { path, backend: expression.backend };
    if (expression.fallbackReason) row.reason = expression.fallbackReason;
    return row;
  });
}
