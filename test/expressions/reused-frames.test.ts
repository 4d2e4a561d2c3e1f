import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { compileJsonata } from '../../src/index.js';

/**
 * A lambda-free compiled expression reuses its context, root frame and block frames from one
 * evaluation to the next: nothing bound in one evaluation may be seen by the next, by a nested
 * evaluation of the same expression, or after an evaluation that failed.
 */
const both = async (source: string, input: unknown, bindings: Record<string, unknown> = {}) => {
  const p = compileJsonata(source);
  expect(p.backend).toBe('compiled');
  return { compiled: [p.evaluate(input, bindings), p.evaluatePlain(input, bindings)], jsonata: await jsonata(source).evaluate(input, bindings) };
};

describe('reused context and frames (lambda-free expressions)', () => {
  it('a root-level binding does not leak into the next evaluation', async () => {
    const p = compileJsonata('$x := $exists($x) ? "leaked" : a');
    for (const a of ['one', 'two', 'three']) {
      expect(p.evaluate({ a })).toBe(a);
      expect(p.evaluatePlain({ a })).toBe(a);
    }
    expect(await both('$x := $exists($x) ? "leaked" : a', { a: 1 })).toEqual({ compiled: [1, 1], jsonata: 1 });
  });

  it('a block binding does not leak into the next evaluation, nor out of its block', () => {
    const p = compileJsonata('[( $r := $exists($x) ? "leaked" : "fresh"; $x := a; $r ), $exists($x) ? "outside" : "scoped"]');
    for (let i = 0; i < 3; i++) {
      expect(p.evaluate({ a: i })).toEqual(['fresh', 'scoped']);
      expect(p.evaluatePlain({ a: i })).toEqual(['fresh', 'scoped']);
    }
  });

  it('a block evaluated once per item starts fresh for each item', async () => {
    const source = 'items.( $seen := $exists($acc) ? "leaked" : "fresh"; $acc := v; $seen & $acc )';
    const r = await both(source, { items: [{ v: 1 }, { v: 2 }, { v: 3 }] });
    expect(r.compiled[0]).toEqual(r.jsonata);
    expect(r.compiled[1]).toEqual(['fresh1', 'fresh2', 'fresh3']);
    expect([...(r.jsonata as string[])]).toEqual(['fresh1', 'fresh2', 'fresh3']);
  });

  it('the same expression evaluated from inside itself (through a bound function) keeps both evaluations apart', () => {
    const source = '( $x := a; $y := $f(); $x & "/" & $y & "/" & $$.a )';
    const p = compileJsonata(source);
    expect(p.backend).toBe('compiled');
    const inner = () => p.evaluate({ a: 'in' }, { f: () => 'z' });
    expect(p.evaluate({ a: 'out' }, { f: inner })).toBe('out/in/z/in/out');
    expect(p.evaluatePlain({ a: 'out' }, { f: () => p.evaluatePlain({ a: 'in' }, { f: () => 'z' }) })).toBe('out/in/z/in/out');
    // and the next outer evaluation is clean
    expect(p.evaluate({ a: 'again' }, { f: () => 'w' })).toBe('again/w/again');
  });

  it('an evaluation that fails leaves nothing for the next one', () => {
    const p = compileJsonata('( $r := $exists($x) ? "leaked" : "fresh"; $x := 1; boom ? $error("stop") : $r & $string($y) )');
    const q = compileJsonata('$y := $exists($y) ? "leaked" : (boom ? $error("stop") : "fresh")');
    for (let i = 0; i < 3; i++) {
      expect(() => p.evaluate({ boom: true })).toThrow();
      expect(p.evaluate({ boom: false })).toBe('fresh');
      expect(() => q.evaluate({ boom: true })).toThrow();
      expect(q.evaluate({ boom: false })).toBe('fresh');
    }
  });

  it('bindings and $$ of one call are not seen by the next', () => {
    const p = compileJsonata('[$exists($k) ? $k : "none", $$.a]');
    expect(p.evaluate({ a: 1 }, { k: 'K' })).toEqual(['K', 1]);
    expect(p.evaluate({ a: 2 })).toEqual(['none', 2]);
    expect(p.evaluatePlain({ a: 3 })).toEqual(['none', 3]);
  });

  it('expressions with lambdas still get a fresh frame per evaluation (a returned function keeps its own)', () => {
    const p = compileJsonata('( $v := a; function(){ $v } )');
    const f1 = p.evaluate({ a: 1 }) as (...a: unknown[]) => unknown;
    const f2 = p.evaluate({ a: 2 }) as (...a: unknown[]) => unknown;
    expect([f1(), f2()]).toEqual([1, 2]);
  });
});
