import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileJsonata } from '../../src/index.js';
import { Guard } from '../../src/expressions/limits.js';

/**
 * The evaluation guard reads the clock lazily: a short expression never reads it, a long one
 * takes its deadline from the reading at its 64th step and is still stopped after the limit;
 * `$now()`/`$millis()` read it once, at their first use in an evaluation.
 */
afterEach(() => {
  vi.restoreAllMocks();
});

describe('lazy clock', () => {
  it('a short compiled expression never reads the clock', () => {
    const p = compileJsonata('{ "total": $round(a * b, 2), "name": $uppercase(name) & "-" & id }');
    expect(p.backend).toBe('compiled');
    const now = vi.spyOn(Date, 'now');
    for (let i = 0; i < 100; i++) {
      expect(p.evaluatePlain({ a: 1.5, b: 2, name: 'x', id: i })).toEqual({ total: 3, name: `X-${i}` });
      expect(p.evaluate({ a: 1.5, b: 2, name: 'x', id: i })).toEqual({ total: 3, name: `X-${i}` });
    }
    expect(now).not.toHaveBeenCalled();
  });

  it('$now() and $millis() read the clock once per evaluation and give the same time within it', () => {
    const p = compileJsonata('[$millis(), $millis(), $now() = $fromMillis($millis())]');
    expect(p.backend).toBe('compiled');
    let t = 1_700_000_000_000;
    const now = vi.spyOn(Date, 'now').mockImplementation(() => (t += 7));
    expect(p.evaluate({})).toEqual([1_700_000_000_007, 1_700_000_000_007, true]);
    expect(now).toHaveBeenCalledTimes(1);
    // the next evaluation reads it again
    expect(p.evaluate({})).toEqual([1_700_000_000_014, 1_700_000_000_014, true]);
    expect(now).toHaveBeenCalledTimes(2);
  });

  it('the guard takes its deadline from the 64th step, then reads the clock every 256 steps', () => {
    let t = 1000;
    const now = vi.spyOn(Date, 'now').mockImplementation(() => t);
    const g = new Guard();
    for (let i = 0; i < 63; i++) g.tick();
    expect(now).not.toHaveBeenCalled();
    g.tick();
    expect(now).toHaveBeenCalledTimes(1);
    expect(g.deadline).toBe(2000);
    t = 2001;
    for (let i = 64; i < 255; i++) g.tick();
    expect(now).toHaveBeenCalledTimes(1);
    expect(() => g.tick()).toThrow(expect.objectContaining({ code: 'D1012' }));
    // a reset guard starts lazily again
    g.reset();
    expect(g.deadline).toBe(Infinity);
  });

  it('a long-running compiled expression without lambdas is still stopped by the time limit', () => {
    // 100k filter steps, each scanning up to 100k members: seconds of work, no allocation to trip a size limit
    const p = compileJsonata('($r := [1..100000]; $count([1..100000][$ in $r]))');
    expect(p.backend).toBe('compiled');
    const t0 = performance.now();
    let err: unknown;
    try {
      p.evaluate({});
    } catch (e) {
      err = e;
    }
    const ms = performance.now() - t0;
    expect(err).toEqual(expect.objectContaining({ code: 'D1012' }));
    expect(ms).toBeGreaterThanOrEqual(990);
    expect(ms).toBeLessThan(4000);
  }, 20_000);

  it('a long-running recursive lambda is still stopped by the time limit', () => {
    const p = compileJsonata('($f := function($n){ $f($n + 1) }; $f(0))');
    expect(p.backend).toBe('compiled');
    const t0 = performance.now();
    expect(() => p.evaluate({})).toThrow(expect.objectContaining({ code: 'D1012' }));
    expect(performance.now() - t0).toBeLessThan(4000);
  }, 20_000);
});
