import { jsonataError } from './jsonata-builtins.js';
import { G, type Any, type Frame } from './runtime.js';

/** One term of an order-by (`^(>a, b)`): its compiled expression and direction. */
export interface SortTerm {
  fn: (input: Any, env: Frame) => Any;
  descending: boolean;
}

/**
 * jsonata's evaluateSortExpression and $sort with its comparator: the same merge sort (the
 * same comparisons in the same order, so the same error when values cannot be compared),
 * undefined sort keys last, T2008 for a key that is not a string or number, T2007 for a string
 * and a number. The merge is a loop instead of jsonata's recursion (same comparisons).
 */
export function orderBy(terms: SortTerm[], pos: number): (input: Any[], env: Frame) => Any {
  // jsonata's comparator: true when a and b are to be swapped
  const swap = (a: Any, b: Any, env: Frame): boolean => {
    G.tick();
    let comp = 0;
    for (let index = 0; comp === 0 && index < terms.length; index++) {
      const term = terms[index]!;
      const aa = term.fn(a, env);
      const bb = term.fn(b, env);
      const atype = typeof aa;
      const btype = typeof bb;
      if (atype === 'undefined') {
        comp = btype === 'undefined' ? 0 : 1;
        continue;
      }
      if (btype === 'undefined') {
        comp = -1;
        continue;
      }
      if (!(atype === 'string' || atype === 'number') || !(btype === 'string' || btype === 'number')) {
        throw jsonataError('T2008', { position: pos, value: !(atype === 'string' || atype === 'number') ? aa : bb });
      }
      if (atype !== btype) throw jsonataError('T2007', { position: pos, value: aa, value2: bb });
      if (aa === bb) continue;
      comp = aa < bb ? -1 : 1;
      if (term.descending) comp = -comp;
    }
    return comp === 1;
  };
  const merge = (l: Any[], r: Any[], env: Frame): Any[] => {
    const merged: Any[] = [];
    let i = 0;
    let j = 0;
    while (i < l.length && j < r.length) {
      if (swap(l[i], r[j], env)) merged.push(r[j++]);
      else merged.push(l[i++]);
    }
    while (i < l.length) merged.push(l[i++]);
    while (j < r.length) merged.push(r[j++]);
    return merged;
  };
  const msort = (array: Any[], env: Frame): Any[] => {
    if (array.length <= 1) return array;
    const middle = Math.floor(array.length / 2);
    const left = msort(array.slice(0, middle), env);
    const right = msort(array.slice(middle), env);
    return merge(left, right, env);
  };
  return (input, env) => {
    if (input.length > 16) G.cells(input.length);
    return msort(input, env);
  };
}
