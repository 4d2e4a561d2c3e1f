import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { compileJsonata } from '../../src/index.js';
import { compileExpression } from '../../src/expressions/compile-expression.js';
import { isFunctionValue, toPlainJson } from '../../src/expressions/plain-json.js';
import { canonical, plainOracle, rng } from './generator.js';

/**
 * The compiled backend's fast paths (direct built-ins, paths from a variable, plain JSON built
 * directly by object/array constructors, conditions and blocks) against jsonata 2.2.2: the value
 * of `evaluate`, the plain JSON of `evaluatePlain`, and errors with their code, position, token
 * and message.
 */
type Outcome = { value: string; plain: string };

function describeError(err: unknown): string {
  const e = err as { code?: string; position?: number; token?: string; message?: string };
  return `error ${e.code} at ${e.position} (${e.token}): ${e.message}`;
}

async function reference(source: string, input: unknown, bindings: Record<string, unknown>): Promise<Outcome> {
  try {
    const v: unknown = await jsonata(source).evaluate(input, bindings);
    return { value: canonical(v), plain: canonical(plainOracle(v)) };
  } catch (err) {
    return { value: describeError(err), plain: describeError(err) };
  }
}

async function compiled(source: string, input: unknown, bindings: Record<string, unknown>): Promise<Outcome & { backend: string }> {
  const p = compileJsonata(source);
  const run = async (f: () => unknown) => {
    try {
      return canonical(await f());
    } catch (err) {
      return describeError(err);
    }
  };
  return { backend: p.backend, value: await run(() => p.evaluate(input, bindings)), plain: await run(() => p.evaluatePlain(input, bindings)) };
}

const input = {
  a: [1, 2, 3], one: [7], empty: [], n: null, s: '10.5', t: 'abc', z: 0, o: {}, obj: { x: 1, y: [1, [2, 3]] },
  items: [{ p: 2.5, q: 2 }, { p: 1.005, q: 1 }, { p: 10.33, q: 3 }], names: ['b', 'a', 'c'], emoji: '😀é', money: '10.33',
};
const bindings = {
  o: { x: 1, y: [1, [2, 3]], z: { w: 'deep' } }, arr: [{ x: 1 }, { x: 2 }], str: 'text', num: 2.675, k: 'K', inf: Infinity, ninf: { v: -Infinity },
  fn: () => 1, fobj: { f: () => 2 }, steps: { order: [{ id: 1 }, { id: 2, total: 3 }] }, big: Array.from({ length: 20 }, (_, i) => i),
  // a sparse array (holes, as a caller's JavaScript may pass) and arrays inside arrays
  sparse: Object.assign(new Array(4), { 0: 1, 2: { x: 3 } }), nested: [[{ x: 1 }, { x: 2 }], { x: 3 }, [[{ x: 4 }]]],
};

describe('fast paths: compiled = jsonata 2.2.2 (evaluate and evaluatePlain)', () => {
  const corpus = [
    // built-ins called directly: the argument lists jsonata passes through, and the ones it does not
    '$round(2.5)', '$round(-0.4)', '$round(-2.5)', '$round(1.005, 2)', '$round(-1.005, 2)', '$round(2.675, 2)', '$round(1234.5678, -2)',
    '$round(1250, -2)', '$round(1350, -2)', '$round(0.125, 2)', '$round(0.375, 2)', '$round(1e-8, 2)', '$round(1e21, 2)', '$round(1.5, 1.5)',
    '$round(3 * 10.33, 2)', '$round(-0.001, 2)', '$round(5, 0)', '$round($num, 2)', '$round("1", 2)', '$round(nosuch, 2)', '$round(1, "2")',
    '$round(1/0, 2)', '$round(123456789.125, 2)', '$round(0.045, 2)', '$round(10.335, 2)',
    '$pad("5", -2, "0")', '$pad("😀", 3, "0")', '$pad("ab", 5, "xy")', '$pad("ab", 5, "")', '$pad("ab", -5)', '$pad("ab", 2.7, "*")',
    '$pad("ab", -4.9, "*")', '$pad(n, 2)', '$pad(5, 2)', '$pad("ab", "3")', '$pad(nosuch, 3)', '$pad("abc", 2, "0")', '$pad("a", 3, "😀")',
    '$substring(emoji, 1, 2)', '$substring("abcdef", -3)', '$substring("abcdef", 1.5, 2)', '$substring("abc", -10, 2)', '$substring("abc", 1, 0)',
    '$substring("abc", 1, -1)', '$substring("abcdef", -2, 5)', '$substring("abc", 5)', '$substring(12, 1)', '$substring("abc", "1")', '$substring(nosuch, 1)',
    '$string(true)', '$string(0.1 + 0.2)', '$string(1/0)', '$string(n)', '$string(-0)', '$string(1e21)', '$string(123456789012345678)', '$string(obj)',
    '$number("1e3")', '$number("0x1F")', '$number("0b101")', '$number("0o17")', '$number("abc")', '$number("1e999")', '$number(true)', '$number(" 12")',
    '$number("-0")', '$number(money)', '$number(n)', '$number(nosuch)', '$number("12abc")', '$number("x0x1F")',
    '$sum([1, 2.5])', '$sum(a)', '$sum([])', '$sum(["1"])', '$sum(1)', '$sum(nosuch)', '$sum(items.p)', '$sum([0.1, 0.2, 0.3])',
    '$count([])', '$count(a)', '$count(t)', '$count(nosuch)', '$exists(nosuch)', '$exists(n)', '$exists(empty)', '$exists(function($x){ $x })',
    '$join(["a", "b"], ", ")', '$join(["a", 1])', '$join(names)', '$join(t)', '$join(names, 1)', '$lowercase("ÀB")', '$uppercase("straße")',
    '$trim("  a \\n b ")', '$trim(1)', '$length(emoji)', '$length(1)', '$not(0)', '$not("")', '$not(1/0)', '$not(n)', '$boolean(2)', '$boolean(obj)',
    '$assert(true)', '$assert(false, "m")', '$assert(1)', '$assert(true, 5)', '$formatNumber(1234.5, "0.00")', '$formatNumber(1, "0.0.0")',
    '$formatNumber(0.005, "0.00")', '$formatNumber(-0.005, "0.00")', '$formatNumber(-0, "0.0")', '$formatNumber(1e21, "0.00")', '$formatNumber(0/0, "0.00")',
    '$formatNumber(1/0, "0.00")', '$formatNumber(-1/0, "0.000")', '$formatNumber(123.456, "0.0")', '$formatNumber(0.05, "0.0")', '$formatNumber(2.675, "0.00")',
    '$formatNumber(-2.5, "0.0000000000")', '$formatNumber(99.995, "0.00")', '$formatNumber(5, "0.00")', '$formatNumber(1234567.891, "0.00")', '$formatNumber(1e-7, "0.00")',
    '$formatNumber(-1e-7, "0.00")', '$formatNumber(12.5, "00.00")', '$formatNumber(12.5, "0.00000000000")', '$formatNumber("1", "0.00")', '$substringBefore("a-b", "-")', '$substringAfter("a-b", "-")', '$substringAfter(1, "-")',
    // a built-in's name bound to something else
    '($round := function($x, $p){ "mine" }; $round(1.5, 2))', '($string := $uppercase; $string("a"))', '($sum := 3; $sum([1]))',
    // paths from a variable
    '$o.x', '$o.y', '$o.y[1]', '$o.z.w', '$o.missing.x', '$.obj.x', '$$.obj.y', '$arr.x', '$str.x', '$nosuch.x', '$k.length',
    '($v := obj; $v.y)', '($v := items; $v.p)', '($v := {"a": [1]}; $v.a)', '($v := {"a": items.p}; $v.a)', '($v := {"a": one}; $v.a)',
    '($f := function($x){ $x }; $f.x)', '($v := [obj]; $v.x)', '($v := obj; $v.y[0])',
    // names (or a variable) then one last step mapped over them
    'items.(p * q)', 'items.$round(p, 1)', 'a.($ + 1)', 'one.($ * 2)', 'empty.(1)', 'nosuch.(1)', 'obj.y.($)', '$o.y.($)', '$arr.(x)', '$.items.(p)',
    '$$.items.{"p": p}', 'items.p.($ > 2)', '$str.($)', '($v := [[1, 2]]; $v.($))', '($v := items.p; $v.($ * 10))', 'items[0].(p)', 'obj.(x)', 'obj.x.(1)',
    'items.{"p": p}[0]', 'items.(p)[1]', '$big.($ * 2)', '$count($big.($))', 'items.[p, q]', 'items.(p > 2 ? p)', 'names.$uppercase($)', 'obj.y.[$]',
    '$o.z.($)', '$nosuch.($)', 'items.($x := p; $x * 2)', '$arr[0].(x)', 'a.(nosuch)', 'items.(function($y){ $y })',
    // plain JSON built directly
    '{"a": 1, "b": nosuch, "c": n, "d": 1/0, "e": function($x){ 1 }, "f": items.p, "g": one, "h": empty}', '{"1": 1, "a": 2, "0": 3}',
    '{"x": {"y": {"z": [1, {"w": nosuch}]}}}', '[{"a": 1}, items.p, [1, 2], nosuch, one, [[1]], "["]', '[items.{"p": p}]', '[]', '[1..20]',
    '[{"a": 1}, {"b": 2}]', 'items[0] ? {"x": 1} : "no"', 'nosuch ? {"x": 1}', 'items ? items.p : 0', '(1; {"a": 2})', '($x := 1; [$x, {"k": $x}])',
    '($x := items.p; $x)', '($x := one; $x)', 'z = 0 ? one : a', '{"a": 1 + "x"}', '[{"a": $number("x")}]', '{"a": [nosuch]}', '[[], [[]]]',
    '{"a": $}', '{"a": $$.one}', '{"k": function(){ 1 }}', 'items.{"p": p, "q": q}', 'items{"p": p}', '{"a": 1}[0]', '[{"a": 1}][0]',
    '{"a": {"b": 1}}.a', '{"a": n, "b": [n]}', '{"a": 0.1 + 0.2, "b": -0}',
    // members read inline: names, a variable then names, literals (an array on the way takes the general path)
    '{"a": $o.y, "b": $o.z, "c": $arr.x, "d": $nosuch.x, "e": $str.x, "f": obj.y, "g": obj.x, "h": $$.obj.x, "i": $.obj.x, "j": $inf.x, "k": $o.x}',
    '{"a": $inf, "b": $o, "c": $ninf.v, "d": items.p, "e": one, "f": empty, "g": $fn, "h": $fobj.f, "i": true, "j": null, "k": "s", "l": 2.5}',
    '($o := {"y": [1, [2]], "z": one}; {"a": $o.y, "b": $o.z})', '{"a": $steps.order.id, "b": $steps.order.total, "c": $steps.missing.id}',
    // array constructors (members appended as jsonata's concat does), predicates, steps over arrays
    '[items, a]', '[$sparse]', '[$sparse, 1]', '[1, $sparse][2]', '$count([$sparse])', '[a, one, [empty], nosuch, obj.y, $nested]', '[$nested.x]',
    'a[$ > 1]', 'items[q > 1].p', '[1, 2, 3][true]', 'a[[0, 2]]', 'a[$ = 2 or true]', 'items.[p]', 'items.(q > 1 ? [p, q] : p)', '$nested.($)',
    // a path whose last step builds objects, inside an array constructor: built plain directly
    '[items.(p > 2 ? {"p": p})]', '[items.($x := p; {"x": $x})]', '[items.(q > 1 ? {"a": 1} : {"b": 2})]', '[$arr.{"x": x}]', '[obj.{"x": x}]',
    '[nosuch.{"x": 1}]', '[empty.{"x": 1}]', '[$big.{"v": $}]', '[$steps.order.{"id": id}]', '[$nested.{"x": x}]', '[obj.y.{"v": $}]', '[a.{"v": $}]',
    '($v := items.p; [$v.{"p": $}])', '($v := items; [$v.{"p": p}])', '[items.{"p": p}, a.{"q": $}, {"r": 1}]', '[items.{"p": p}[0]]', '[$sparse.{"x": x}]', '$sparse.{"x": x}', '$sparse.($)', '{"a": [$sparse]}.a.x', '$sparse[0]', '$sparse.x',
    '[z = 0 ? {"a": 1}, z = 1 ? {"b": 2}, nosuch ? {"c": 3} : {"d": 4}]', '{"lines": [items.{"p": p, "q": q, "f": function(){ 1 }, "n": nosuch}]}',
    '[items.{"p": $round(p * q, 1), "t": $string(p) & "x"}]', '[$str.{"s": $}]', '[items.($y := q; $y > 1 ? {"y": $y})]', '[items.{"a": 1/0}]', '[items.{"k": $$.t}]',
    '[$nosuch.{"x": 1}]', '[$.items.{"p": p}]', '[$inf.{"x": $}]', '[items.{"e": 1 + "x"}]', '[items.(q > 2 ? {"e": $number("x")})]',
    // conditions read inline (strings, booleans, null, undefined) and through $boolean
    'n ? 1 : 2', '"" ? 1 : 2', 't ? 1 : 2', 'obj ? 1 : 2', 'o ? 1 : 2', 'empty ? 1 : 2', 'a ? 1 : 2', 'one ? 1 : 2', '(1/0) ? 1 : 2', '$fn ? 1 : 2',
    'z ? 1 : 2', 's ? 1 : 2', 'nosuch ?: "d"', 't ?: "d"', '[0, 0] ? 1 : 2', '[n] ? 1 : 2', '(z = 0) ? 1 : 2', '[items.(p > 2 ? {"p": p} : {"q": q})]',
    // chains of `&` in one closure: order, intermediate sizes, errors at their own `&`
    '"a" & 1/0 & "b"', '"a" & "b" & (1/0)', '(1/0) & "a" & "b"', 'n & t & nosuch & 1.5', '"x" & $big & "y"', '$pad("a", 60, "b") & "cdefgh" & "i"',
    '"a" & ("b" & "c") & "d"', '("a" & "b")[0] & "c"', '"a" & $fn & "b"', 'items.(p & " × " & q & "!")', '"a" & $number("x") & "b"',
    // order-by: jsonata's merge sort (stable, undefined last), its errors, stages after it
    'items^(p)', 'items^(>p)', 'items^(>q, p).p', 'items^(p)[0]', 'items^(>p)[0].q', '$arr^(>x)', '[3, 1, 2]^($)', '["b", "a", "c"]^(>$)', '[1, "a"]^($)',
    '["a", 1, "b"]^($)', '[{"a": {}}, {"a": 1}]^(a)', '[{"a": 1}, {"a": true}]^(a)', '[{"a": 1}, {}, {"a": 0}, {}]^(a).a', 'nosuch^(x)', 'one^($)', 'a^(>$)',
    '$big^(>$)', 'items^(nosuch).p', '[{"a": [1]}, {"a": 2}]^(a)', 'items^(p)^(>q).q', '[{"k": 1, "v": "a"}, {"k": 0, "v": "b"}, {"k": 1, "v": "c"}, {"k": 0, "v": "d"}]^(k).v',
    '[{"k": 1, "v": "a"}, {"k": 0, "v": "b"}, {"k": 1, "v": "c"}]^(>k, >v).v', 'items[q > 1]^(>p)[0]', '{"r": items^(p).p}', '[items^(>p).{"p": p}]', 'empty^($)',
    '$count(items^(p))', 'items^(p)[-1].p', '$nested^(x)', '[{"a": "x"}, {"a": 1/0}]^(a)', 'items^(p * -1).p', '$sparse^(x)',
    // module functions instead of per-call closures: chaining, $sort, $replace, regex matchers
    '($g := $uppercase ~> $trim; $g(" ab "))', '($g := $string ~> $length; [$g(123), $g("😀")])', '$sort([3, 1, 2])', '$sort(["b", "a"])', '$sort([1, "a"])',
    '$sort(items, function($l, $r){ $l.q < $r.q }).q', '$sort(items, function($l, $r){ $l.p > $r.p }).p', '$replace("a-b c", /[ -]/, "")', '$replace("4111 1111-1111", /[ -]/, "")',
    '$replace("abab", /a/, function($m){ $uppercase($m.match) })', '$replace("aaa", "a", "bb", 2)', '$replace("aaa", /a/, "$0$0", 1)', '$match("a1b22", /[0-9]+/)',
    '$map(["a1", "b"], /[0-9]/)', '$replace("abc", /x*/, "-")', '$split("a1b2", /[0-9]/, 1)', '$contains("abc", /B/i)', '$replace("abc", /b/, function($m){ 1 })',
    // `&` of numbers and other values
    '1.1 & 2', '0.1 + 0.2 & ""', '1e21 & ""', '(1/0) & ""', 'n & ""', '{"a": 1} & ""', '[1, 2] & ""', 'true & 1', 'nosuch & nosuch', '-0 & ""',
  ];

  it.each(corpus)('%s', async (source) => {
    const ref = await reference(source, input, bindings);
    const got = await compiled(source, input, bindings);
    expect(got.backend).toBe('compiled');
    expect(got.value).toBe(ref.value);
    expect(got.plain).toBe(ref.plain);
  });

  it('an array input (jsonata\'s outer wrapper) gives the same values', async () => {
    for (const source of ['$.x', '{"a": $}', '[$]', '{"n": $count($)}', '$[0].x', 'x', '$[x > 0]^(>x)[0]', '$^(x).x', '$[x = 3]^(>x)[0]']) {
      const arr = [{ x: 1 }, { x: 2 }];
      const ref = await reference(source, arr, {});
      const got = await compiled(source, arr, {});
      expect(got, source).toEqual({ ...ref, backend: 'compiled' });
    }
  });
});

describe('$round and $formatNumber(x, "0.00"): the fast rounding equals jsonata\'s decimal-text rounding', () => {
  it('on 20,000 seeded values around ties, cents, products and extremes', async () => {
    const r = rng(20261202);
    const values: Array<[number, number]> = [];
    const precisions = [1, 2, 3, 4, -1, -2, 5, 8, 15, -6];
    for (let i = 0; i < 20_000; i++) {
      const p = precisions[Math.floor(r() * precisions.length)]!;
      const k = r();
      let x: number;
      if (k < 0.3) x = Math.round((r() - 0.5) * 2e7) / 1000 + (r() < 0.5 ? 0.0005 : 0);
      else if (k < 0.5) x = (Math.round((r() - 0.5) * 2e6) / 100) * Math.floor(r() * 7 + 1);
      else if (k < 0.7) x = (Math.floor(r() * 1e6) + 0.5) / 10 ** Math.floor(r() * 8);
      else if (k < 0.85) x = (r() - 0.5) * 10 ** (Math.floor(r() * 30) - 12);
      else x = (Math.round((r() - 0.5) * 1e9) / 10 ** Math.max(p, 0) + 0.5 / 10 ** Math.max(p, 0)) * (1 + (r() - 0.5) * 1e-15);
      values.push([x, p]);
    }
    for (const source of ['$map($xs, function($v){ $round($v[0], $v[1]) })', '$map($xs, function($v){ $formatNumber($v[0], "0.00") })', '$map($xs, function($v){ $formatNumber($v[0], "0.0") })']) {
      // in chunks: one evaluation stays far inside the 1 s deadline on a loaded machine
      const got: number[] = [];
      const want: number[] = [];
      const c = compileJsonata(source);
      const j = jsonata(source);
      for (let i = 0; i < values.length; i += 1000) {
        const xs = values.slice(i, i + 1000);
        got.push(...((await c.evaluate({}, { xs })) as number[]));
        want.push(...((await j.evaluate({}, { xs })) as number[]));
      }
      const differ = values.filter((_, i) => !Object.is(got[i], want[i]));
      expect(differ.slice(0, 5), source).toEqual([]);
      expect(got.length).toBe(values.length);
    }
  }, 60_000);
});

describe('compiled lambdas', () => {
  it('a lambda made by a compiled expression runs when jsonata calls it', async () => {
    const f = await compileJsonata('function($x){ $x + 1 }').evaluate({});
    // a partial application makes this one fall back to jsonata
    const user = compileJsonata('($unused := $substring(?, 0); $f(2) & "!")');
    expect(user.backend).toBe('jsonata');
    expect(await user.evaluate({}, { f })).toBe('3!');
    expect(typeof f).toBe('function');
  });

  it('lambdas made in one evaluation are distinct values with their own closure', async () => {
    const p = compileJsonata('($mk := function($n){ function($x){ $x + $n } }; [$mk(1)(10), $mk(2)(10), $map([1, 2], $mk(100))])');
    expect(await p.evaluate({})).toEqual([11, 12, 101, 102]);
  });
});

describe('evaluateLet: what a let binds (a function as it is, anything else as plain JSON)', () => {
  const letValue = (v: unknown): unknown => (isFunctionValue(v) ? v : toPlainJson(v));
  it.each([
    '[items.{"p": p}, {"a": nosuch}, one]', '{"a": items.p, "f": function($x){ $x }}', 'z = 0 ? {"a": 1} : [1]', '($x := 1; {"x": $x})', '1 + 2', '"a" & 1',
    'function($x){ $x + 1 }', '$uppercase', 'items.p', 'one', 'nosuch', '($f := function(){ 1 }; $f)', 'z = 0 ? function(){ 1 } : 2', '[1, 2][0]',
    '$round(2.675, 2)', '{"a": 1 + "x"}', '$$',
  ])('%s', async (source) => {
    const e = compileExpression(source, () => ({ file: 'test', line: 1, column: 1 })).expression!;
    const run = async (f: () => unknown) => {
      try {
        const v = await f();
        return typeof v === 'function' || isFunctionValue(v) ? '<function>' : JSON.stringify(v) ?? 'undefined';
      } catch (err) {
        return describeError(err);
      }
    };
    expect(await run(() => e.evaluateLet(input, bindings))).toBe(await run(async () => letValue(await e.evaluate(input, bindings))));
  });
});

describe('evaluatePlain is toPlainJson(await evaluate(...)) when the value is a thenable', () => {
  it.each([
    ['$p', { p: Promise.resolve({ a: 1, f: () => 1, n: [1, undefined] }) }],
    ['$p.x', { p: { x: Promise.resolve([1, 2]) } }],
    ['{"then": function($resolve){ $resolve({"v": 5}) }}', {}],
    ['{"then": 1, "a": 2}', {}],
    ['(1; {"then": function($resolve){ $resolve(7) }})', {}],
    ['[{"then": function($resolve){ $resolve(7) }}]', {}],
  ] as const)('%s', async (source, b) => {
    const p = compileJsonata(source);
    expect(p.backend).toBe('compiled');
    const want = toPlainJson(await p.evaluate({}, b));
    expect(await p.evaluatePlain({}, b)).toEqual(want);
    const e = compileExpression(source, () => ({ file: 'test', line: 1, column: 1 })).expression!;
    const v = await e.evaluate({}, b);
    expect(await e.evaluateLet({}, b)).toEqual(isFunctionValue(v) ? v : toPlainJson(v));
  });
});
