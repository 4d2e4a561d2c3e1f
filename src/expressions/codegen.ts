/* eslint-disable @typescript-eslint/no-explicit-any -- JSONata values are any JSON value, sequence or function */
import { jsonataError } from './jsonata-builtins.js';
import { EVALUATION_LIMITS, depthError } from './limits.js';
import { SLOW, fastBuiltin } from './fast-builtins.js';
import * as R from './runtime.js';
import { Frame, Spare, boolize, isDeepEqual, isNumeric } from './runtime.js';

/**
 * Code generation for the compiled backend: the common node kinds of an expression (paths of
 * names, literals, operators, conditions, blocks, bindings, variables, calls to the fast
 * built-ins, object and array constructors) become the body of one JavaScript function made
 * with `new Function`, instead of a tree of closures. It computes what closures.ts computes, in
 * the same order (same values, sequence rules, errors, guard accounting); it is a faster way to
 * run the same algorithm, not a second one.
 *
 * - Nothing from the map's text is ever spliced into the source: every constant (names, strings,
 *   numbers, positions, built-in definitions, helper closures) is passed in an array `K` and
 *   read by index; the source is made only of this file's templates and numbered temporaries.
 * - Anything else (filters, order-by, map steps `a.(…)`, wildcards, lambdas, calls that are not
 *   to a fast built-in, nodes with predicates or groups…) is a closure from closures.ts, called
 *   from the generated code (`K[i](input, env)`), and its own subtrees are generated again
 *   where they can be.
 */

type Node = any;
export type Fn = (input: any, env: Frame) => any;

/** What codegen needs from closures.ts (passed in, so the modules do not import each other). */
export interface CodegenApi {
  /** The closure for a node, without generating code for the node itself (its children may be). */
  closure(node: Node): Fn;
  /** The closure for a node used only when the generated fast path meets an array (not logged). */
  shadow(node: Node): Fn;
  finish(r: any, keepArray: boolean): any;
  neverSequence(node: Node): boolean;
  namesOnly(node: Node): string[] | undefined;
  variableThenNames(node: Node): string[] | undefined;
  literalKeys(lhs: Node[][]): { keys: string[]; order: number[] } | undefined;
  bare(node: Node): boolean;
  plainStep(node: Node): boolean;
  unsupported(node: Node): string | undefined;
  concatChain(node: Node): { operands: Node[]; positions: number[] };
  /** A binary operator (not `and`/`or`/`&`) with jsonata's errors positioned at the operator. */
  binary(op: string, position: number): ((l: any, r: any) => any) | undefined;
  positioned(err: any, position: number, token: string): any;
  concatText(v: any): string;
  truthy(v: any): boolean;
  appendMembers(result: any[], value: any[]): void;
  /** A built-in call's general path with its arguments evaluated (apply, callError, finish). */
  slowCall(node: Node): (proc: any, evaluated: any[], input: any) => any;
  /** True while compiling a lambda-free expression (blocks reuse their frames). */
  reuseFrames(): boolean;
}

const ARITH = new Set(['+', '-', '*', '/', '%']);
const COMPARE = new Set(['<', '<=', '>', '>=']);

function isLiteral(node: Node): boolean {
  return node.type === 'string' || node.type === 'number' || node.type === 'value';
}

/** True when codegen handles this node kind itself (a bare node of a generated kind). */
function generated(node: Node, api: CodegenApi): boolean {
  if (!api.bare(node) || api.unsupported(node)) return false;
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value':
    case 'variable':
      return true;
    case 'path':
      return api.namesOnly(node) !== undefined || api.variableThenNames(node) !== undefined;
    case 'binary':
      return node.value !== '..' && (node.value === 'and' || node.value === 'or' || node.value === '&' || api.binary(node.value, 0) !== undefined);
    case 'unary':
      return node.value === '-' || node.value === '[' || (node.value === '{' && api.literalKeys(node.lhs) !== undefined);
    case 'condition':
      return true;
    case 'block':
      return node.expressions.length > 0;
    case 'bind':
      return node.lhs?.type === 'variable';
    case 'function':
      return fastCall(node, api) !== undefined;
    default:
      return false;
  }
}

function fastCall(node: Node, api: CodegenApi): ReturnType<typeof fastBuiltin> {
  if (node.type !== 'function' || node.arguments.length > 3 || node.procedure.type !== 'variable' || !api.plainStep(node.procedure) || !api.bare(node)) return undefined;
  if ((node.arguments as Node[]).some((a) => a.type === 'operator' && a.value === '?')) return undefined;
  return fastBuiltin(node.procedure.value);
}

/** Which nodes run as closures, when logging (for tests that pin the split). */
let log: string[] | null = null;

/** Records a node that runs as a closure (kind, and position in the text) while a log is open. */
export function logClosure(node: Node): void {
  if (log !== null && !isLiteral(node)) log.push(describe(node));
}

function describe(node: Node): string {
  const what = node.type === 'unary' || node.type === 'binary' ? `${node.type} ${node.value}` : node.type === 'function' ? `function $${node.procedure?.value ?? '?'}` : node.type;
  return node.position !== undefined ? `${what}@${node.position}` : what;
}

/** Runs `f` (a compilation) and answers the closures it made, in the order they were made. */
export function logClosures<T>(f: () => T): { value: T; closures: string[] } {
  const prev = log;
  log = [];
  try {
    const value = f();
    return { value, closures: log };
  } finally {
    log = prev;
  }
}

/** Runs `f` with logging off (closures made only for a generated fast path's rare cases). */
export function withoutLog<T>(f: () => T): T {
  const prev = log;
  log = null;
  try {
    return f();
  } finally {
    log = prev;
  }
}

/** How many functions codegen made (for tests). */
export let generatedCount = 0;

/**
 * The generated function for a node, or undefined when codegen does not handle its kind (the
 * caller builds closures then). A literal alone is left to closures (nothing to gain).
 */
export function generate(node: Node, api: CodegenApi): Fn | undefined {
  if (isLiteral(node) || !generated(node, api)) return undefined;
  const g = new Gen(api);
  const result = g.value(node, 'env');
  g.emit(`return ${result};`);
  const body = `"use strict";\nconst G0 = K[0], F = K[1], DE = K[2], BZ = K[3], TR = K[4], CT = K[5], AM = K[6], NUM = K[7], HO = K[8];\nreturn function generated(input, env) {\n${g.lines.join('\n')}\n};`;
  // the source holds only this file's templates and numbered temporaries; every constant is passed in K
  const make = new Function('K', body) as (k: any[]) => Fn;
  generatedCount++;
  return make(g.k);
}

class Gen {
  readonly k: any[];
  readonly lines: string[] = [];
  private n = 0;

  constructor(private readonly api: CodegenApi) {
    // fixed helpers first (named in the preamble)
    this.k = [R, api.finish, isDeepEqual, boolize, api.truthy, api.concatText, api.appendMembers, isNumeric, Object.prototype.hasOwnProperty];
  }

  emit(line: string): void {
    this.lines.push(line);
  }

  /** A constant, by index: `K[i]`. */
  konst(v: any): string {
    this.k.push(v);
    return `K[${this.k.length - 1}]`;
  }

  tmp(): string {
    return `t${this.n++}`;
  }

  /** Emits the statements computing what `compile(node)` computes; answers a pure JS expression (a temporary or constant) holding it. */
  value(node: Node, env: string): string {
    const api = this.api;
    if (!generated(node, api)) {
      logClosure(node);
      const f = api.closure(node);
      const t = this.tmp();
      this.emit(`const ${t} = ${this.konst(f)}(input, ${env});`);
      return t;
    }
    switch (node.type) {
      case 'string':
      case 'number':
      case 'value':
        return this.konst(node.value);
      case 'variable': {
        const t = this.tmp();
        if (node.value === '') this.emit(`const ${t} = F(input && input.outerWrapper ? input[0] : input, false);`);
        else this.emit(`const ${t} = F(${env}.lookup(${this.konst(node.value)}), false);`);
        return t;
      }
      case 'path':
        return this.path(node, env);
      case 'binary':
        return this.binary(node, env);
      case 'unary':
        if (node.value === '-') return this.negate(node, env);
        if (node.value === '[') return this.array(node, env);
        return this.object(node, env);
      case 'condition':
        return this.finished(node, this.condition(node, env));
      case 'block':
        return this.finished(node, this.block(node, env));
      case 'bind': {
        const v = this.value(node.rhs, env);
        this.emit(`${env}.bind(${this.konst(node.lhs.value)}, ${v});`);
        return this.finished(node, v);
      }
      default:
        return this.call(node, env);
    }
  }

  /** compile()'s sequence rules for a node that is not self-finished: finish unless it never gives a sequence. */
  private finished(node: Node, v: string): string {
    if (this.api.neverSequence(node)) return v;
    const t = this.tmp();
    this.emit(`const ${t} = F(${v}, false);`);
    return t;
  }

  /** `a.b.c` or `$v.a.b`: the names read inline while no value is an array (else the path's closure). */
  private path(node: Node, env: string): string {
    const api = this.api;
    const names = api.namesOnly(node);
    const rest = names ?? api.variableThenNames(node)!;
    const whole = this.konst(api.shadow(node));
    const t = this.tmp();
    const label = `p${this.n++}`;
    if (names) {
      this.emit(`let ${t} = input;`);
    } else {
      const head = node.steps[0];
      if (head.value === '') this.emit(`let ${t} = F(input && input.outerWrapper ? input[0] : input, false);`);
      else this.emit(`let ${t} = F(${env}.lookup(${this.konst(head.value)}), false);`);
      this.emit(`${label}: {`);
      this.emit(`if (${t} === undefined) break ${label};`);
    }
    if (names) this.emit(`${label}: {`);
    for (const name of rest) {
      const k = this.konst(name);
      this.emit(`if (Array.isArray(${t})) { ${t} = ${whole}(input, ${env}); break ${label}; }`);
      this.emit(`${t} = ${t} !== null && typeof ${t} === 'object' && HO.call(${t}, ${k}) && ${t}._jsonata_function !== true && ${t}._jsonata_lambda !== true ? ${t}[${k}] : undefined;`);
      this.emit(`if (${t} === undefined) break ${label};`);
    }
    this.emit(`if (Array.isArray(${t})) ${t} = ${whole}(input, ${env});`);
    this.emit('}');
    return t;
  }

  private binary(node: Node, env: string): string {
    const api = this.api;
    const op = node.value as string;
    if (op === '&') return this.concat(node, env);
    const pos = node.position as number;
    if (op === 'and' || op === 'or') {
      const l = this.value(node.lhs, env);
      const t = this.tmp();
      this.emit(`let ${t};`);
      this.emit('try {');
      this.emit(`${t} = BZ(${l});`);
      this.emit(op === 'and' ? `if (${t}) {` : `if (!${t}) {`);
      const r = this.value(node.rhs, env);
      this.emit(`${t} = BZ(${r});`);
      this.emit('}');
      this.emit(`} catch (e) { throw ${this.konst(api.positioned)}(e, ${this.konst(pos)}, ${this.konst(op)}); }`);
      return t;
    }
    const l = this.value(node.lhs, env);
    const r = this.value(node.rhs, env);
    const slow = this.konst(api.binary(op, pos));
    const t = this.tmp();
    if (ARITH.has(op)) {
      this.emit(`const ${t} = typeof ${l} === 'number' && typeof ${r} === 'number' && ${l} - ${l} === 0 && ${r} - ${r} === 0 ? ${l} ${ARITH_JS[op]} ${r} : ${slow}(${l}, ${r});`);
    } else if (COMPARE.has(op)) {
      const js = COMPARE_JS[op];
      this.emit(`const ${t} = (typeof ${l} === 'number' && typeof ${r} === 'number') || (typeof ${l} === 'string' && typeof ${r} === 'string') ? ${l} ${js} ${r} : ${slow}(${l}, ${r});`);
    } else if (op === '=') {
      this.emit(`const ${t} = ${l} === undefined || ${r} === undefined ? false : DE(${l}, ${r});`);
    } else if (op === '!=') {
      this.emit(`const ${t} = ${l} === undefined || ${r} === undefined ? false : !DE(${l}, ${r});`);
    } else {
      this.emit(`const ${t} = ${slow}(${l}, ${r});`);
    }
    return t;
  }

  /** `a & b & c …`: as closures' compileConcat, each join right after its right operand. */
  private concat(node: Node, env: string): string {
    const chain = this.api.concatChain(node);
    const positioned = this.konst(this.api.positioned);
    const amp = this.konst('&');
    const first = this.value(chain.operands[0], env);
    const s = this.tmp();
    this.emit(`let ${s} = ${first};`);
    for (let i = 1; i < chain.operands.length; i++) {
      const r = this.value(chain.operands[i], env);
      const left = i === 1 ? `(typeof ${s} === 'string' ? ${s} : CT(${s}))` : s;
      this.emit(`try { ${s} = ${left} + (typeof ${r} === 'string' ? ${r} : CT(${r})); } catch (e) { throw ${positioned}(e, ${this.konst(chain.positions[i - 1])}, ${amp}); }`);
      this.emit(`if (${s}.length > 64) G0.G.chars(${s}.length);`);
    }
    return s;
  }

  private negate(node: Node, env: string): string {
    const v = this.value(node.expression, env);
    const t = this.tmp();
    const pos = this.konst(node.position);
    const err = this.konst(jsonataError);
    this.emit(`let ${t};`);
    this.emit(`if (${v} === undefined) ${t} = undefined; else if (NUM(${v})) ${t} = -${v}; else throw ${err}('D1002', { position: ${pos}, token: '-', value: ${v} });`);
    return t;
  }

  private array(node: Node, env: string): string {
    const a = this.tmp();
    this.emit(`const ${a} = [];`);
    for (const item of node.expressions as Node[]) {
      const v = this.value(item, env);
      if (item.value === '[') this.emit(`if (${v} !== undefined) ${a}.push(${v});`);
      else this.emit(`if (${v} !== undefined) { if (Array.isArray(${v})) AM(${a}, ${v}); else ${a}.push(${v}); }`);
    }
    this.emit(`if (${a}.length > 16) G0.G.cells(${a}.length);`);
    if (node.consarray === true) this.emit(`Object.defineProperty(${a}, 'cons', { enumerable: false, configurable: false, value: true });`);
    return a;
  }

  /** An object constructor with literal keys, one input item: as closures' compileGroup fast case. */
  private object(node: Node, env: string): string {
    const literal = this.api.literalKeys(node.lhs)!;
    const o = this.tmp();
    this.emit(`let ${o};`);
    this.emit(`if (Array.isArray(input)) ${o} = ${this.konst(this.api.shadow(node))}(input, ${env});`);
    this.emit('else {');
    this.emit('G0.G.tick();');
    if (literal.order.length > 16) this.emit(`G0.G.cells(${this.konst(literal.order.length)});`);
    this.emit(`${o} = Object.create(null);`);
    for (const i of literal.order) {
      const v = this.value(node.lhs[i][1], env);
      this.emit(`if (${v} !== undefined) ${o}[${this.konst(literal.keys[i])}] = ${v};`);
    }
    this.emit('}');
    return o;
  }

  private condition(node: Node, env: string): string {
    const c = this.value(node.condition, env);
    const t = this.tmp();
    this.emit(`let ${t};`);
    this.emit(`if (TR(${c})) {`);
    const then = this.value(node.then, env);
    this.emit(`${t} = ${then};`);
    this.emit('}');
    if (node.else !== undefined) {
      this.emit('else {');
      const otherwise = this.value(node.else, env);
      this.emit(`${t} = ${otherwise};`);
      this.emit('}');
    }
    return t;
  }

  /** A block: a frame of its own (reused in a lambda-free expression, see Spare), the expressions in order. */
  private block(node: Node, env: string): string {
    const t = this.tmp();
    const e = `e${this.n++}`;
    this.emit(`let ${t};`);
    if (this.api.reuseFrames()) {
      const spare = this.konst(new Spare());
      this.emit(`const ${e} = ${spare}.take(${env});`);
      this.emit('try {');
      this.blockBody(node, e, t);
      this.emit(`} finally { ${spare}.give(${e}); }`);
    } else {
      this.emit(`const ${e} = new ${this.konst(Frame)}(${env}, ${env}.ctx);`);
      this.emit('{');
      this.blockBody(node, e, t);
      this.emit('}');
    }
    return t;
  }

  private blockBody(node: Node, env: string, t: string): void {
    for (const expr of node.expressions as Node[]) {
      const v = this.value(expr, env);
      this.emit(`${t} = ${v};`);
    }
  }

  /** `$round(…)` etc. while the name is jsonata's own built-in: as closures' fast built-in call. */
  private call(node: Node, env: string): string {
    const api = this.api;
    const { def, fast } = fastCall(node, api)!;
    const t = this.tmp();
    const p = this.tmp();
    this.emit(`const ${p} = F(${env}.lookup(${this.konst(node.procedure.value)}), false);`);
    this.emit(`let ${t};`);
    this.emit(`if (${p} !== ${this.konst(def)}) ${t} = ${this.konst(api.shadow(node))}(input, ${env});`);
    this.emit('else {');
    const args = (node.arguments as Node[]).map((a) => this.value(a, env));
    const n = args.length;
    const a = [0, 1, 2].map((i) => (i < n ? args[i] : 'undefined'));
    this.emit('const g = G0.G;');
    this.emit('g.tick();');
    this.emit(`if (g.depth >= ${this.konst(EVALUATION_LIMITS.stack)}) throw ${this.konst(depthError)}();`);
    this.emit(`${t} = ${this.konst(fast)}(${this.konst(n)}, ${a[0]}, ${a[1]}, ${a[2]});`);
    this.emit(`if (${t} !== ${this.konst(SLOW)}) g.value(${t}); else ${t} = ${this.konst(api.slowCall(node))}(${p}, [${args.join(', ')}], input);`);
    this.emit('}');
    return t;
  }
}

const ARITH_JS: Record<string, string> = { '+': '+', '-': '-', '*': '*', '/': '/', '%': '%' };
const COMPARE_JS: Record<string, string> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
