/**
 * A seeded, grammar-based generator of JSONata expressions over the compiled subset, and of
 * JSON inputs for them. Deterministic for a seed (mulberry32).
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELDS = ['a', 'b', 'c', 'd', 'items', 'x', 'price', 'qty', 'name'];
const NUMBERS = ['0', '1', '2', '3', '-1', '2.5', '0.5', '1.005', '10.33', '3.14159', '100', '-2.5', '1e3', '0.125', '7', '2.675', '10.335', '0.045', '1234.5', '30.990000000000002', '-0.125', '1e-8'];
const STRINGS = ['""', '"a"', '"abc"', '"10.5"', '"12"', '"x y"', '" pad "', '"A,B,,c"', '"0"', '"true"', '"null"', '"aAbB"', '"😀é"', '"0x1F"', '"-2.50"'];

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

export function genExpr(r: R, depth = 0, vars: string[] = []): string {
  const leaf = depth >= 4 || r() < 0.25;
  if (leaf) return genLeaf(r, vars);
  const e = () => genExpr(r, depth + 1, vars);
  const choice = Math.floor(r() * 30);
  switch (choice) {
    case 0: return `${e()} ${pick(r, ['+', '-', '*', '/', '%'])} ${e()}`;
    case 1: return `${e()} ${pick(r, ['=', '!=', '<', '<=', '>', '>='])} ${e()}`;
    case 2: return `${e()} & ${e()}`;
    case 3: return `${e()} ${pick(r, ['and', 'or'])} ${e()}`;
    case 4: return `(${e()} ? ${e()} : ${e()})`;
    case 5: return `(${e()} ${pick(r, ['?:', '??'])} ${e()})`;
    case 6: return `[${Array.from({ length: Math.floor(r() * 4) }, e).join(', ')}]`;
    case 7: return `{${Array.from({ length: 1 + Math.floor(r() * 3) }, (_, i) => `"k${i}": ${e()}`).join(', ')}}`;
    case 8: return genPath(r, depth, vars);
    case 9: return genPath(r, depth, vars);
    case 10: {
      const v = `v${vars.length}`;
      return `($${v} := ${e()}; ${genExpr(r, depth + 1, [...vars, v])})`;
    }
    case 11: return `-(${e()})`;
    case 12: return `${e()} in ${e()}`;
    case 13: return `[${pick(r, ['0', '1', '2', '-1'])}..${pick(r, ['0', '2', '3', '5'])}]`;
    case 14: return `${genPath(r, depth, vars)}.{"n": ${e()}}`;
    case 15: return `${genPath(r, depth, vars)}.(${genExpr(r, depth + 1, vars)})`;
    case 16: return `${pick(r, FIELDS)}{${pick(r, FIELDS)}: ${pick(r, FIELDS)}}`;
    case 17: {
      const v = `p${vars.length}`;
      const body = genExpr(r, depth + 1, [...vars, v]);
      return `$${pick(r, ['map', 'filter'])}(${e()}, function($${v}){ ${body} })`;
    }
    case 18: return `$reduce(${e()}, function($acc, $v){ $acc + $v }${r() < 0.5 ? '' : ', 0'})`;
    case 19: return `*.${pick(r, FIELDS)}`;
    // shapes the Data Maps use (fast paths of the compiled backend)
    case 20: return vars.length > 0 ? `$${pick(r, vars)}.${pick(r, FIELDS)}${r() < 0.5 ? `.${pick(r, FIELDS)}` : ''}` : `${pick(r, ['$', '$$'])}.${pick(r, FIELDS)}.${pick(r, FIELDS)}`;
    case 21: return `(${e()} ? {"k0": ${e()}, "k1": ${e()}} : ${r() < 0.5 ? `{"k2": ${e()}}` : e()})`;
    case 22: return `[{"k0": ${e()}}, ${e()}, ${genPath(r, depth, vars)}.{"n": ${e()}}]`;
    case 23: {
      const v = `v${vars.length}`;
      return `($${v} := ${e()}; {"k0": $${v}, "k1": ${genExpr(r, depth + 1, [...vars, v])}})`;
    }
    // order-by, a chain of `&`, a path building objects inside an array constructor
    case 24: return `${genPath(r, depth, vars)}^(${pick(r, ['>', '<', ''])}${pick(r, FIELDS)}${r() < 0.3 ? `, >${pick(r, FIELDS)}` : ''})${r() < 0.5 ? '[0]' : ''}`;
    case 25: return r() < 0.5 ? `[${e()}, ${e()}, ${e()}]^(${pick(r, ['$', '>$'])})` : `${e()} & ${e()} & ${e()} & ${e()}`;
    case 26: return `[${genPath(r, depth, vars)}.(${e()} ? {"k0": ${e()}}${r() < 0.5 ? ` : {"k1": ${e()}}` : ''}), ${e()}]`;
    default: return genCall(r, depth, vars);
  }
}

function genLeaf(r: R, vars: string[]): string {
  const c = r();
  if (c < 0.2) return pick(r, NUMBERS);
  if (c < 0.35) return pick(r, STRINGS);
  if (c < 0.42) return pick(r, ['true', 'false', 'null']);
  if (c < 0.5 && vars.length > 0) return `$${pick(r, vars)}`;
  if (c < 0.55) return pick(r, ['$', '$$']);
  return pick(r, FIELDS);
}

function genPath(r: R, depth: number, vars: string[]): string {
  const n = 1 + Math.floor(r() * 3);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    let step = pick(r, FIELDS);
    const p = r();
    if (p < 0.15) step += `[${pick(r, ['0', '1', '-1', '5'])}]`;
    else if (p < 0.3) step += `[${genExpr(r, depth + 2, vars)}]`;
    else if (p < 0.38) step += '[]';
    parts.push(step);
  }
  if (r() < 0.15) parts.unshift('$');
  return parts.join('.');
}

const CALLS: Array<[string, number, string[]?]> = [
  ['round', 1], ['round', 2, ['0', '1', '2', '-1', '3', '-2', '2']], ['round', 2, ['2']], ['sum', 1], ['count', 1], ['string', 1], ['number', 1],
  ['substring', 2, ['0', '1', '-2', '2']], ['pad', 3], ['trim', 1], ['join', 1], ['join', 2, ['", "', '"-"']],
  ['exists', 1], ['not', 1], ['boolean', 1], ['lowercase', 1], ['uppercase', 1], ['length', 1], ['append', 2],
  ['reverse', 1], ['keys', 1], ['lookup', 2, ['"a"', '"price"']], ['merge', 1], ['distinct', 1], ['abs', 1],
  ['floor', 1], ['ceil', 1], ['max', 1], ['min', 1], ['average', 1], ['formatNumber', 2, ['"#,##0.00"', '"0.0"', '"#"']],
  ['contains', 2, ['"a"', '/a+/', '/[0-9]/']], ['split', 2, ['","', '" "', '/,/']], ['replace', 3], ['sort', 1], ['type', 1],
  ['spread', 1], ['zip', 2], ['match', 2, ['/a/', '/[0-9]+/', '/(a)(b)?/']], ['formatBase', 2, ['2', '16']], ['power', 2, ['2', '0.5']],
  ['sqrt', 1], ['substringBefore', 2, ['"a"', '","']], ['substringAfter', 2, ['"a"', '","']], ['single', 1], ['each', 2],
  ['sift', 2], ['encodeUrlComponent', 1], ['base64encode', 1],
];

function genCall(r: R, depth: number, vars: string[]): string {
  const [name, n, second] = pick(r, CALLS);
  const e = () => genExpr(r, depth + 1, vars);
  if (name === 'pad') return r() < 0.8 ? `$pad(${e()}, ${pick(r, ['3', '-3', '5', '-2'])}, ${pick(r, ['"0"', '""', '"ab"', '"😀"'])})` : `$pad(${e()}, ${pick(r, ['2', '-4'])})`;
  if (name === 'substring' && r() < 0.5) return `$substring(${e()}, ${pick(r, ['0', '2', '-3', '1.5'])}, ${pick(r, ['2', '0', '-1', '100'])})`;
  if (name === 'formatNumber' && r() < 0.5) return `$formatNumber(${e()}, "0.00")`;
  if (name === 'replace') return `$replace(${e()}, ${pick(r, ['"a"', '/a/', '/[0-9]+/'])}, ${pick(r, ['"X"', '"$0$0"', '""'])})`;
  if (name === 'each' || name === 'sift') return `$${name}(${e()}, function($v, $k){ ${name === 'each' ? '$k & ":" & $string($v)' : '$exists($v)'} })`;
  if (n === 1) return `$${name}(${e()})`;
  return `$${name}(${e()}, ${second ? pick(r, second) : e()}${n === 3 ? `, ${e()}` : ''})`;
}

export function genValue(r: R, depth = 0): unknown {
  const c = r();
  if (depth >= 3 || c < 0.45) {
    const l = r();
    if (l < 0.35) return pick(r, [0, 1, 2, 3, -1, 2.5, 0.5, 10.33, 1.005, 100, 7, 12, 2.675, 30.990000000000002, -0.125, 1e21]);
    if (l < 0.65) return pick(r, ['', 'a', 'abc', '10.5', '12', 'x y', 'A,B', '0', 'aab', '😀x', '2.675', '-1.005', '1e2']);
    if (l < 0.8) return pick(r, [true, false]);
    return null;
  }
  if (c < 0.7) return Array.from({ length: Math.floor(r() * 4) }, () => genValue(r, depth + 1));
  return genObject(r, depth + 1);
}

export function genObject(r: R, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (r() < 0.5) out[f] = genValue(r, depth);
  return out;
}

/** A comparable text of a jsonata result: keeps undefined, arrays vs singletons, key order, functions. */
export function canonical(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return '<function>';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : String(v);
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const o = v as Record<string, unknown>;
  if (o._jsonata_function === true || o._jsonata_lambda === true) return '<function>';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  return `{${Object.keys(o).map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
}

/** What JSON would carry of a jsonata value (the contract of evaluatePlain), written independently of the engine. */
export function plainOracle(v: unknown, depth = 0): unknown {
  if (v === undefined || depth > 200) return undefined;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'function') return undefined;
  if (typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (o._jsonata_function === true || o._jsonata_lambda === true) return undefined;
  if (Array.isArray(v)) return v.map((x) => plainOracle(x, depth + 1)).filter((x) => x !== undefined);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const p = plainOracle(o[k], depth + 1);
    if (p !== undefined) out[k] = p;
  }
  return out;
}

/**
 * Number arithmetic in the shapes the Data Maps use, generated often: + - * / %, comparisons,
 * $round/$sum/$count/$max/$min/$average/$abs/$floor over arrays, blocks with `:=` bindings
 * inside map steps (`items.( $x := …; … )`), nested paths over arrays of objects, conditions
 * choosing objects, and a list of line objects summed as a map's `total` is. Inputs from
 * {@link genNumObject}: every object may hold the numeric fields, so any context fits.
 */
const NUM_FIELDS = ['qty', 'price', 'amount', 'n'];
const TEXT_FIELDS = ['p', 'ptext'];
const ARRAY_FIELDS = ['items', 'lines'];
const NUM_LITERALS = ['0', '1', '2', '3', '0.5', '2.5', '10.33', '1.005', '2.675', '0.125', '100', '7', '-1', '0.1', '0.2', '1e3', '30.990000000000002', '-2.5'];
const ROUNDS = ['0', '1', '2', '2', '2', '-1', '3'];

export function genNumExpr(r: R, depth = 0, vars: string[] = []): string {
  const leaf = depth >= 4 || r() < 0.2;
  if (leaf) return genNumLeaf(r, vars);
  const n = () => genNumExpr(r, depth + 1, vars);
  const a = () => genNumArray(r, depth + 1, vars);
  switch (Math.floor(r() * 16)) {
    case 0:
    case 1:
    case 2:
      return `${n()} ${pick(r, ['+', '-', '*', '/', '%', '+', '-', '*'])} ${n()}`;
    case 3: return `(${n()} ${pick(r, ['+', '-', '*', '/', '%'])} ${n()})`;
    case 4: return `$round(${n()}${r() < 0.8 ? `, ${pick(r, ROUNDS)}` : ''})`;
    case 5: return `$${pick(r, ['sum', 'sum', 'count', 'max', 'min', 'average'])}(${a()})`;
    case 6: return `$round($sum(${a()}), ${pick(r, ROUNDS)})`;
    case 7: return `(${genNumBool(r, depth + 1, vars)} ? ${n()} : ${n()})`;
    case 8: {
      // a block binding a name (often one an outer block bound too: the inner binding must not
      // reach the outer block), sometimes a second expression, and the outer name read after it
      const v = pick(r, ['x0', 'x1', 'x2']);
      const inner = [...new Set([...vars, v])];
      const body = r() < 0.3 ? `$${v} := ${genNumExpr(r, depth + 1, inner)}; ${genNumExpr(r, depth + 1, inner)}` : genNumExpr(r, depth + 1, inner);
      const block = `($${v} := ${n()}; ${body})`;
      return r() < 0.4 ? `${block} ${pick(r, ['+', '-', '*'])} ${vars.length > 0 ? `$${pick(r, vars)}` : `$${v}`}` : block;
    }
    case 9: return `-(${n()})`;
    case 10: return `$${pick(r, ['abs', 'floor', 'ceil', 'number'])}(${n()})`;
    case 11: return `$number(${pick(r, TEXT_FIELDS)})`;
    case 12: return `${pick(r, ARRAY_FIELDS)}[${genNumBool(r, depth + 1, vars)}].${pick(r, NUM_FIELDS)}`;
    case 13: return `$sum(${pick(r, ARRAY_FIELDS)}.(${genNumExpr(r, depth + 1, vars)}))`;
    case 14: return `$count(${pick(r, ARRAY_FIELDS)})`;
    default: return `${pick(r, ARRAY_FIELDS)}[${pick(r, ['0', '1', '-1'])}].${pick(r, NUM_FIELDS)}`;
  }
}

function genNumLeaf(r: R, vars: string[]): string {
  const c = r();
  if (c < 0.3) return pick(r, NUM_LITERALS);
  if (c < 0.5 && vars.length > 0) return `$${pick(r, vars)}`;
  if (c < 0.6) return `$number(${pick(r, TEXT_FIELDS)})`;
  if (c < 0.64) return `${pick(r, ARRAY_FIELDS)}.${pick(r, NUM_FIELDS)}`;
  return pick(r, NUM_FIELDS);
}

/** An array (or sequence) of numbers: paths over arrays of objects, map steps with blocks, constructors. */
function genNumArray(r: R, depth: number, vars: string[]): string {
  const n = () => genNumExpr(r, depth + 1, vars);
  const f = () => pick(r, ARRAY_FIELDS);
  switch (Math.floor(r() * 9)) {
    case 0: return `${f()}.${pick(r, NUM_FIELDS)}`;
    case 1: return `${f()}.${f()}.${pick(r, NUM_FIELDS)}`;
    case 2: return `${f()}.(${n()})`;
    case 3: {
      const v = pick(r, ['o', 'x0', 'x1']);
      return `${f()}.(\n  $${v} := ${r() < 0.5 ? `$round($sum([${f()}.$number(${pick(r, TEXT_FIELDS)})]), 2)` : n()};\n  ${genNumExpr(r, depth + 1, [...new Set([...vars, v])])}\n)`;
    }
    case 4: return `[${Array.from({ length: Math.floor(r() * 4) }, n).join(', ')}]`;
    case 5: return `[${f()}.$number(${pick(r, TEXT_FIELDS)})]`;
    case 6: return `${f()}[${genNumBool(r, depth + 1, vars)}].(${n()})`;
    case 7: return `$map(${f()}, function($it){ $it.${pick(r, NUM_FIELDS)} ${pick(r, ['*', '+', '-'])} ${n()} })`;
    default: return `[${f()}.(${n()}), ${n()}]`;
  }
}

function genNumBool(r: R, depth: number, vars: string[]): string {
  const n = () => genNumExpr(r, depth + 1, vars);
  const c = r();
  if (c < 0.6) return `${n()} ${pick(r, ['<', '<=', '>', '>=', '=', '!='])} ${n()}`;
  if (c < 0.75) return `(${n()} ${pick(r, ['>', '='])} ${n()}) ${pick(r, ['and', 'or'])} (${n()} ${pick(r, ['<', '!='])} ${n()})`;
  if (c < 0.85) return `$exists(${pick(r, NUM_FIELDS)})`;
  return pick(r, NUM_FIELDS);
}

/** A whole expression: a number, an array of numbers, objects built per item, or lines summed as a map's total. */
export function genNumProgram(r: R): string {
  const c = r();
  if (c < 0.35) return genNumExpr(r);
  if (c < 0.5) return genNumArray(r, 1, []);
  const field = () => pick(r, NUM_FIELDS);
  const line = (vars: string[]) => `{"name": ${pick(r, ['"x"', 'p', `$string(${field()})`])}, "quantity": ${genNumExpr(r, 2, vars)}, "price": $round(${genNumExpr(r, 2, vars)}, 2)}`;
  // orderLines: a block inside a map step choosing one of two objects, then the lines summed
  const lines = `[\n  ${pick(r, ARRAY_FIELDS)}.(\n    $off := $round($sum([${pick(r, ARRAY_FIELDS)}.$number(${pick(r, TEXT_FIELDS)})]), 2);\n    $off > 0 ? ${line(['off'])} : ${line(['off'])}\n  ),\n  ${pick(r, ARRAY_FIELDS)}[$number(${pick(r, TEXT_FIELDS)}) > 0].{"name": "s", "quantity": 1, "price": $round($number(${pick(r, TEXT_FIELDS)}), 2)},\n  ${genNumBool(r, 2, [])} ? {"name": "t", "quantity": 1, "price": ${genNumExpr(r, 2, [])}}\n]`;
  if (c < 0.65) return lines;
  if (c < 0.9) return `(\n  $lines := ${lines};\n  $total := $round($sum($lines.$round(quantity * price, 2)), 2);\n  ${r() < 0.5 ? '$total' : `{"total": $total, "count": $count($lines), "ok": $total = $round($number(${pick(r, TEXT_FIELDS)}), 2)}`}\n)`;
  return `{"a": ${genNumExpr(r, 1)}, "b": [${genNumArray(r, 1, [])}], "c": ${genNumBool(r, 1, [])}}`;
}

function genNumValue(r: R): unknown {
  const c = r();
  if (c < 0.03) return null;
  if (c < 0.05) return pick(r, ['x', '', '12', true]);
  if (c < 0.08) return [pick(r, [1, 2.5, 3]), pick(r, [0.5, 10.33])];
  return pick(r, [0, 1, 2, 3, 0.5, 2.5, 10.33, 1.005, 2.675, 0.125, 24.5, 18, 7.5, 5.53, 100, 1234.5, -1, -0.125, 0.1, 0.2, 3.41, 1.59, 1e21]);
}

function genNumText(r: R): unknown {
  const c = r();
  if (c < 0.03) return pick(r, [null, 'abc', '', 3]);
  return pick(r, ['24.50', '18.00', '7.50', '5.53', '3.41', '1.59', '0.00', '10.33', '2.675', '1.005', '-2.50', '100', '0.125', '1e2', '80.03']);
}

/** Inputs for {@link genNumExpr}: numeric fields and numeric text at every level, arrays of such objects (sometimes a single object, empty, or absent). */
export function genNumObject(r: R, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of NUM_FIELDS) if (r() < 0.8) out[f] = genNumValue(r);
  for (const f of TEXT_FIELDS) if (r() < 0.7) out[f] = genNumText(r);
  if (depth < 2) {
    for (const f of ARRAY_FIELDS) {
      const c = r();
      if (c < 0.1) continue;
      if (c < 0.2) out[f] = genNumObject(r, depth + 1);
      else if (c < 0.27) out[f] = [];
      else out[f] = Array.from({ length: 1 + Math.floor(r() * 3) }, () => genNumObject(r, depth + 1));
    }
  }
  return out;
}
