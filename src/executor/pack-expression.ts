import jsonata from '../jsonata.js';
import { compileJsonata } from '../expressions/backend.js';

/** A provider pack's JSONata expression (lookups, follow-ups, charged totals, error fields). */
export interface PackExpression {
  /** The value, or a promise of it; await it either way. */
  evaluate(input: unknown, bindings?: Record<string, unknown>): unknown;
}

const cache = new Map<string, PackExpression>();

/**
 * A pack expression compiled once per text: by the compiled backend (synchronous closures, the
 * same values and errors as jsonata 2.2.2) when it covers the expression, else by jsonata 2.2.2
 * itself, as these expressions always were. Pack texts are few and fixed, so they are cached
 * by text for the life of the process.
 */
export function packExpression(source: string): PackExpression {
  let e = cache.get(source);
  if (!e) {
    const program = compileJsonata(source);
    e = program.backend === 'compiled' ? program : jsonata(source);
    if (cache.size < 1000) cache.set(source, e);
  }
  return e;
}
