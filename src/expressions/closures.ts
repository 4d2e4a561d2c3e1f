import { jsonataError } from './jsonata-builtins.js';
import { EVALUATION_LIMITS, depthError, sequenceError } from './limits.js';
import { regexMatcher } from './compiled-functions.js';
import { SLOW, fastBuiltin, numberText } from './fast-builtins.js';
import { orderBy } from './order-by.js';
import { generate, logClosure, withoutLog, type CodegenApi } from './codegen.js';
import { isThenable, toPlainJson } from './plain-json.js';
import {
  G, Frame, TailCall, append, apply, boolean, boolize, isArrayOfNumbers, isDeepEqual, isFunction, isNumeric, isSeq,
  lookup, makeLambda, runRoot, seq, seqOf, toJsonataString, RootState, Spare, type Any,
} from './runtime.js';

/**
 * Compiles a jsonata 2.2.2 AST (`jsonata(text).ast()`) into JavaScript closures that compute
 * the same values as jsonata's evaluator, synchronously. Each closure mirrors one function of
 * jsonata's evaluator (evaluate, evaluatePath, evaluateStep, evaluateFilter, ...), including the
 * sequence rules (flattening, singletons, keep-array, `cons` arrays). Anything outside the
 * supported subset throws `Unsupported` at compile time and the expression runs in jsonata.
 */

type Node = Any;
type Fn = (input: Any, env: Frame) => Any;

export class Unsupported extends Error {
  constructor(readonly what: string) {
    super(`not compiled: ${what}`);
  }
}

/** A compiled expression: evaluate(input, bindings) with jsonata's semantics, synchronous. */
export type CompiledFn = (input: Any, bindings?: Record<string, Any>) => Any;

const NO_BINDINGS: Record<string, Any> = Object.freeze(Object.create(null));

/**
 * True when no node of the AST defines a function value that could capture a frame (a lambda, a
 * tail call's thunk, a partial application): its evaluations may reuse their context and frames.
 */
export function lambdaFree(node: Any): boolean {
  if (node === null || typeof node !== 'object') return true;
  if (Array.isArray(node)) return node.every(lambdaFree);
  if (node.type === 'lambda' || node.type === 'partial') return false;
  for (const k of Object.keys(node)) {
    const v = node[k];
    if (v !== null && typeof v === 'object' && !(v instanceof RegExp) && !lambdaFree(v)) return false;
  }
  return true;
}

/** Set while compiling a lambda-free expression: blocks reuse their frames (see Spare). */
let reuseFrames = false;

function withReuse<T>(ast: Node, f: () => T): T {
  const prev = reuseFrames;
  reuseFrames = lambdaFree(ast);
  try {
    return f();
  } finally {
    reuseFrames = prev;
  }
}

export function compileAst(ast: Node): CompiledFn {
  return withReuse(ast, () => {
    const root = compile(ast);
    if (!reuseFrames) return (input, bindings) => runRoot(root, input, bindings ?? NO_BINDINGS);
    const state = new RootState();
    return (input, bindings) => runRoot(root, input, bindings ?? NO_BINDINGS, state);
  });
}

/**
 * The same expression compiled to give its result as plain JSON: exactly `toPlainJson` of what
 * `compileAst`'s function returns, built directly where the shape allows (object and array
 * constructors, paths of names, conditions, blocks) instead of as a jsonata value and a copy.
 */
export function compileAstPlain(ast: Node): CompiledFn {
  return withReuse(ast, () => compileAstPlainInner(ast));
}

function compileAstPlainInner(ast: Node): CompiledFn {
  let root: PlainFn;
  if (neverThenable(ast)) {
    root = compilePlain(ast);
  } else {
    // a value that may be a thenable (a promise in the bindings, an object with a `then`
    // function): `toPlainJson(await value)`, as the contract says
    const f = compile(ast);
    root = (input, env, depth) => {
      const v = f(input, env);
      return isThenable(v) ? Promise.resolve(v).then((x) => toPlainJson(x)) : toPlainJson(v, depth);
    };
  }
  if (!reuseFrames) return (input, bindings) => runRoot(root, input, bindings ?? NO_BINDINGS);
  const state = new RootState();
  return (input, bindings) => runRoot(root, input, bindings ?? NO_BINDINGS, state);
}

/**
 * True when a node's value can never be a thenable (`await` would not wait for it): literals,
 * operators, arrays, object constructors whose literal keys are not "then", and conditions and
 * blocks of those.
 */
export function neverThenable(node: Node): boolean {
  if (hasOwn.call(node, 'predicate') || hasOwn.call(node, 'group') || node.keepArray || node.stages) return false;
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value':
    case 'binary':
      return true;
    case 'unary':
      if (node.value === '-' || node.value === '[') return true;
      if (node.value !== '{') return false;
      return (node.lhs as Node[][]).every((pair) => pair[0].type === 'string' && pair[0].value !== 'then' && bare(pair[0]));
    case 'condition':
      return neverThenable(node.then) && (node.else === undefined || neverThenable(node.else));
    case 'block':
      return node.expressions.length === 0 || neverThenable(node.expressions[node.expressions.length - 1]);
    case 'bind':
      return neverThenable(node.rhs);
    default:
      return false;
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

function unsupportedFeatures(node: Node): string | undefined {
  if (node.tuple || node.focus !== undefined || node.index !== undefined || node.ancestor !== undefined || node.seekingParent !== undefined) {
    return 'context/position binding (@, #, %)';
  }
  return undefined;
}

/**
 * Code generation (codegen.ts) on, or off: the default, closures only. It computes the same as
 * the closures (test/expressions/codegen*.test.ts run it forced on), but paired A/B of whole
 * plans did not show it faster on every shipped map (on/off, median of 8 paired runs of 12
 * rounds: fs→revolv3 0.97, fs→invoiss 0.98, shopify→invoiss 1.02, shopify→revolv3 0.95), so it
 * stays off until it is. setCodegen is for tests and benchmarks; it applies to expressions compiled after the call.
 */
let codegenOn = false;
export function setCodegen(on: boolean): boolean {
  const prev = codegenOn;
  codegenOn = on;
  return prev;
}

/** What codegen.ts uses of this file. */
const API: CodegenApi = {
  closure: (node) => compile(node, true),
  shadow(node) {
    // made at the first use (most evaluations never meet the array that needs it), with the
    // compilation settings of now
    const reuse = reuseFrames;
    const gen = codegenOn;
    let f: Fn | undefined;
    return (input, env) => {
      if (f === undefined) {
        const prevReuse = reuseFrames;
        const prevGen = codegenOn;
        reuseFrames = reuse;
        codegenOn = gen;
        try {
          f = withoutLog(() => compile(node, true));
        } finally {
          reuseFrames = prevReuse;
          codegenOn = prevGen;
        }
      }
      return f(input, env);
    };
  },
  finish,
  neverSequence,
  namesOnly,
  variableThenNames,
  literalKeys,
  bare,
  plainStep,
  unsupported: unsupportedFeatures,
  concatChain,
  binary(op, position) {
    let f: (l: Any, r: Any) => Any;
    try {
      f = binaryOp(op);
    } catch (err) {
      if (err instanceof Unsupported) return undefined;
      throw err;
    }
    return (l, r) => {
      try {
        return f(l, r);
      } catch (err) {
        throw positioned(err, position, op);
      }
    };
  },
  positioned,
  concatText,
  truthy,
  appendMembers,
  slowCall(node) {
    const pos = node.position;
    const name = procName(node);
    return (proc, evaluated, input) => {
      let result: Any;
      try {
        result = apply(proc, evaluated, input);
      } catch (err) {
        throw callError(err, proc, pos, name);
      }
      return finish(result, false);
    };
  },
  reuseFrames: () => reuseFrames,
};

/**
 * jsonata's `evaluate`: the node, then predicates, group, and the sequence rules. The node kinds
 * codegen.ts handles become generated code (unless `noGen`: the closures of the node itself).
 */
function compile(node: Node, noGen = false): Fn {
  const why = unsupportedFeatures(node);
  if (why) throw new Unsupported(why);
  if (!noGen && codegenOn) {
    const g = generate(node, API);
    if (g) return g;
    logClosure(node);
  }
  const core = compileCore(node);
  const preds: Node[] = hasOwn.call(node, 'predicate') ? node.predicate : [];
  const predFns = preds.map((p: Node) => compilePredicate(p.expr));
  const group = node.type !== 'path' && hasOwn.call(node, 'group') ? compileGroup(node.group) : undefined;
  const keepArray = node.keepArray === true;
  if (node.type === 'string' || node.type === 'number' || node.type === 'value') {
    if (predFns.length === 0 && !group) return core;
  }
  if (predFns.length === 0 && !group) {
    // a node that never gives an array (numbers, strings, booleans, objects, functions) or gives
    // a plain array: the sequence rules leave its value as it is
    if (!keepArray && (neverSequence(node) || SELF_FINISHED.has(core))) return core;
    return (input, env) => finish(core(input, env), keepArray);
  }
  return (input, env) => {
    let r = core(input, env);
    for (const p of predFns) r = p(r, env);
    if (group) r = group(r, env);
    return finish(r, keepArray);
  };
}

/**
 * Closures that apply the sequence rules (without keep-array) to their own value where it may be
 * a sequence (paths of names, direct built-in calls): compile() adds no second pass for them.
 */
const SELF_FINISHED = new WeakSet<Fn>();

function selfFinished(f: Fn): Fn {
  SELF_FINISHED.add(f);
  return f;
}

/** True when a node's value is never a jsonata sequence (so the sequence rules never change it). */
function neverSequence(node: Node): boolean {
  if (hasOwn.call(node, 'predicate') || hasOwn.call(node, 'group') || node.keepArray || node.stages) return false;
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value':
    case 'regex':
    case 'lambda':
      return node.thunk !== true;
    case 'binary':
      // numbers, strings, booleans; a range is a sequence
      return node.value !== '..';
    case 'unary':
      // a negated number, an object, a plain (non-sequence) array
      return node.value === '-' || node.value === '{' || node.value === '[';
    case 'condition':
      return neverSequence(node.then) && (node.else === undefined || neverSequence(node.else));
    case 'block':
      return node.expressions.length === 0 || neverSequence(node.expressions[node.expressions.length - 1]);
    case 'bind':
      return neverSequence(node.rhs);
    default:
      return false;
  }
}

/**
 * True when a node's value can never be a function (so a `let` of it binds its plain JSON):
 * literals, operators, object and array constructors, and conditions/blocks of those.
 */
export function neverFunctionValue(node: Node): boolean {
  if (hasOwn.call(node, 'predicate') || hasOwn.call(node, 'group') || node.keepArray || node.stages) return false;
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value':
    case 'binary':
      return true;
    case 'unary':
      return node.value === '-' || node.value === '{' || node.value === '[';
    case 'condition':
      return neverFunctionValue(node.then) && (node.else === undefined || neverFunctionValue(node.else));
    case 'block':
      return node.expressions.length === 0 || neverFunctionValue(node.expressions[node.expressions.length - 1]);
    case 'bind':
      return neverFunctionValue(node.rhs);
    default:
      return false;
  }
}

function finish(r: Any, keepArray: boolean): Any {
  if (r && r.sequence === true && Array.isArray(r) && !(r as Any).tupleStream) {
    if (keepArray) (r as Any).keepSingleton = true;
    if (r.length === 0) return undefined;
    if (r.length === 1) return (r as Any).keepSingleton ? r : r[0];
  }
  return r;
}

function compileCore(node: Node): Fn {
  switch (node.type) {
    case 'path':
      return compilePath(node);
    case 'binary':
      return compileBinary(node);
    case 'unary':
      return compileUnary(node);
    case 'name': {
      const key = node.value;
      return (input) => lookup(input, key);
    }
    case 'string':
    case 'number':
    case 'value': {
      const v = node.value;
      return () => v;
    }
    case 'wildcard':
      return (input) => wildcard(input);
    case 'descendant':
      return (input) => descendants(input);
    case 'condition':
      return compileCondition(node);
    case 'block':
      return compileBlock(node);
    case 'bind': {
      const name = node.lhs.value;
      const rhs = compile(node.rhs);
      return (input, env) => {
        const v = rhs(input, env);
        env.bind(name, v);
        return v;
      };
    }
    case 'regex': {
      const re = node.value as RegExp;
      const position = node.position;
      return () => regexMatcher(re, position);
    }
    case 'function':
      return compileFunction(node, undefined);
    case 'variable':
      return compileVariable(node);
    case 'lambda':
      return compileLambda(node);
    case 'apply':
      return compileApply(node);
    case 'partial':
      throw new Unsupported('partial application');
    default:
      throw new Unsupported(`${node.type} expression`);
  }
}

function compileVariable(node: Node): Fn {
  const name = node.value as string;
  if (name === '') return (input) => (input && input.outerWrapper ? input[0] : input);
  return (_input, env) => env.lookup(name);
}

// ---- paths ---------------------------------------------------------------------------------

interface StepFn {
  fn: Fn;
  stages: Array<(input: Any, env: Frame) => Any>;
  consarray: boolean;
  /** An order-by step (`^(…)`): sorts the whole input sequence. */
  sort?: (input: Any[], env: Frame) => Any;
}

function compilePath(node: Node): Fn {
  const steps: StepFn[] = node.steps.map((s: Node) => {
    if (s.type === 'parent') throw new Unsupported('parent (%)');
    const stages = (s.stages ?? []).map((st: Node) => {
      if (st.type !== 'filter') throw new Unsupported(`${st.type} stage`);
      return compilePredicate(st.expr);
    });
    if (s.type === 'sort') {
      const why = unsupportedFeatures(s);
      if (why) throw new Unsupported(why);
      return { fn: unreachable, stages, consarray: false, sort: compileSort(s) };
    }
    return { fn: compile(s), stages, consarray: s.consarray === true };
  });
  const firstIsVariable = node.steps[0].type === 'variable';
  const keepSingletonArray = node.keepSingletonArray === true;
  const group = hasOwn.call(node, 'group') ? compileGroup(node.group) : undefined;
  if (node.tuple) throw new Unsupported('tuple stream');
  const last = steps.length - 1;
  const general = (input: Any, env: Frame): Any => {
    let inputSequence: Any = Array.isArray(input) && !firstIsVariable ? input : seqOf(input);
    let resultSequence: Any;
    for (let ii = 0; ii < steps.length; ii++) {
      const step = steps[ii]!;
      if (ii === 0 && step.consarray) resultSequence = step.fn(inputSequence, env);
      else resultSequence = evaluateStep(step, inputSequence, env, ii === last);
      if (resultSequence === undefined || resultSequence.length === 0) break;
      inputSequence = resultSequence;
    }
    if (keepSingletonArray) {
      if (Array.isArray(resultSequence) && (resultSequence as Any).cons && !(resultSequence as Any).sequence) resultSequence = seqOf(resultSequence);
      resultSequence.keepSingleton = true;
    }
    if (group) resultSequence = group(resultSequence, env);
    return resultSequence;
  };
  const headed = variableThenNames(node);
  if (headed) {
    // `$v.a.b` (also `$.a`, `$$.a`): the variable's value, then plain names, while no value is an array
    const head = steps[0]!.fn;
    const rest = headed;
    return selfFinished((input, env) => {
      let v = head(input, env);
      if (v === undefined) return undefined;
      for (let i = 0; i < rest.length; i++) {
        if (Array.isArray(v)) return finish(general(input, env), false);
        v = lookup(v, rest[i]!);
        if (v === undefined) return undefined;
      }
      return Array.isArray(v) ? finish(general(input, env), false) : v;
    });
  }
  const names = namesOnly(node);
  if (!names) {
    const mapped = namesThenStep(node);
    if (!mapped) return general;
    // `items.(…)`, `lines.$round(…)`, `$lines.{…}`: the names (or the variable) give the
    // sequence the last step maps over, read directly while no array comes before the last
    // name; the last step is evaluated as the general path does
    const head = mapped.variable ? steps[0]!.fn : undefined;
    const prefix = mapped.names;
    const lastStep = steps[last]!;
    return (input, env) => {
      let v = input;
      if (head !== undefined) {
        v = head(input, env);
        if (v === undefined) return undefined;
      }
      for (let i = 0; i < prefix.length; i++) {
        if (Array.isArray(v)) return general(input, env);
        v = lookup(v, prefix[i]!);
        if (v === undefined) return undefined;
      }
      let over: Any[];
      if (!Array.isArray(v)) over = seqOf(v);
      else if ((v as Any).cons || (v as Any).sequence) return general(input, env);
      else {
        // evaluateStep flattens this array into a new sequence; its members, in order, are v's
        // (jsonata's forEach skips the holes of a sparse array: the general path does too)
        if (v.length === 0) return undefined;
        if (hasHoles(v)) return general(input, env);
        if (v.length > 16) G.cells(v.length);
        over = v;
      }
      return evaluateStep(lastStep, over, env, true);
    };
  }
  // `a.b.c` over objects: the value itself, as the general path gives it (a sequence of one
  // value, which evaluate's singleton rule unwraps) as long as no step meets an array
  return selfFinished((input, env) => {
    let v = input;
    for (let i = 0; i < names.length; i++) {
      if (Array.isArray(v)) return finish(general(input, env), false);
      v = lookup(v, names[i]!);
      if (v === undefined) return undefined;
    }
    return Array.isArray(v) ? finish(general(input, env), false) : v;
  });
}

/** True when an array has holes (a sparse array from the caller's JavaScript: jsonata's forEach skips them). */
function hasHoles(v: Any[]): boolean {
  for (let i = 0; i < v.length; i++) if (!(i in v)) return true;
  return false;
}

/** A path `a.b.<step>` or `$v.a.<step>` (plain names, a last step of any kind): the names, and whether a variable comes first. */
function namesThenStep(node: Node): { names: string[]; variable: boolean } | undefined {
  if (node.keepSingletonArray || hasOwn.call(node, 'group') || node.tuple || node.keepArray) return undefined;
  const steps = node.steps as Node[];
  if (steps.length < 2) return undefined;
  const variable = steps[0].type === 'variable';
  if (variable && !plainStep(steps[0])) return undefined;
  const last = steps[steps.length - 1];
  if (last.consarray || unsupportedFeatures(last) || last.type === 'sort' || last.type === 'parent') return undefined;
  const names: string[] = [];
  for (let i = variable ? 1 : 0; i < steps.length - 1; i++) {
    const s = steps[i];
    if (s.type !== 'name' || typeof s.value !== 'string' || !plainStep(s)) return undefined;
    names.push(s.value);
  }
  return { names, variable };
}

/** A path `$v.a.b`: a plain variable step, then plain field names; the names, else undefined. */
function variableThenNames(node: Node): string[] | undefined {
  if (node.keepSingletonArray || hasOwn.call(node, 'group') || node.tuple || node.keepArray) return undefined;
  const steps = node.steps as Node[];
  const first = steps[0];
  if (steps.length < 2 || first.type !== 'variable' || !plainStep(first)) return undefined;
  const out: string[] = [];
  for (let i = 1; i < steps.length; i++) {
    const s = steps[i];
    if (s.type !== 'name' || typeof s.value !== 'string' || !plainStep(s)) return undefined;
    out.push(s.value);
  }
  return out;
}

function plainStep(s: Node): boolean {
  return !(hasOwn.call(s, 'predicate') || hasOwn.call(s, 'group') || s.stages || s.keepArray || s.consarray || unsupportedFeatures(s));
}

/** The keys of a path made only of plain field names (no predicate, stage, group, binding or flag), else undefined. */
function namesOnly(node: Node): string[] | undefined {
  if (node.keepSingletonArray || hasOwn.call(node, 'group') || node.tuple || node.keepArray) return undefined;
  const out: string[] = [];
  for (const s of node.steps as Node[]) {
    if (s.type !== 'name' || typeof s.value !== 'string') return undefined;
    if (hasOwn.call(s, 'predicate') || hasOwn.call(s, 'group') || s.stages || s.keepArray || s.consarray || unsupportedFeatures(s)) return undefined;
    out.push(s.value);
  }
  return out.length > 0 ? out : undefined;
}

function evaluateStep(step: StepFn, input: Any[], env: Frame, lastStep: boolean): Any {
  if (step.sort !== undefined) {
    // jsonata's evaluateSortExpression over the whole sequence, then the stages over its result
    let sorted = step.sort(input, env);
    for (let k = 0; k < step.stages.length; k++) sorted = step.stages[k]!(sorted, env);
    return sorted;
  }
  const result = seq();
  const g = G;
  const stages = step.stages;
  let arrays = false;
  for (let ii = 0; ii < input.length; ii++) {
    let res = step.fn(input[ii], env);
    for (let k = 0; k < stages.length; k++) res = stages[k]!(res, env);
    if (res !== undefined) {
      if (Array.isArray(res)) arrays = true;
      result.push(res);
    }
    g.tick();
  }
  if (lastStep && result.length === 1 && Array.isArray(result[0]) && !isSeq(result[0])) return result[0];
  if (!arrays) {
    // no member is an array: the flattened sequence has the same members, in the same order
    if (result.length > 16) g.cells(result.length);
    return result;
  }
  const out = seq();
  for (let i = 0; i < result.length; i++) {
    const res = result[i];
    if (!Array.isArray(res) || (res as Any).cons) out.push(res);
    else {
      for (let j = 0; j < res.length; j++) if (j in res) out.push(res[j]);
    }
  }
  if (out.length > 16) g.cells(out.length);
  return out;
}

const unreachable: Fn = () => {
  throw new Unsupported('order-by step outside a path');
};

/** An order-by step: its terms compiled, sorted as jsonata sorts (see order-by.ts). */
function compileSort(node: Node): (input: Any[], env: Frame) => Any {
  const terms = (node.terms as Node[]).map((t) => ({ fn: compile(t.expression), descending: t.descending === true }));
  return orderBy(terms, node.position);
}

/** jsonata's evaluateFilter, as a function of the value it filters. */
function compilePredicate(pred: Node): (input: Any, env: Frame) => Any {
  if (pred.type === 'number') {
    const value = pred.value as number;
    return (input) => {
      let results: Any = seq();
      if (!Array.isArray(input)) input = seqOf(input);
      let index = Math.floor(value);
      if (index < 0) index = input.length + index;
      const item = input[index];
      if (item !== undefined) {
        if (Array.isArray(item)) results = item;
        else results.push(item);
      }
      return results;
    };
  }
  const fn = compile(pred);
  return (input, env) => {
    const results = seq();
    if (!Array.isArray(input)) input = seqOf(input);
    const g = G;
    for (let index = 0; index < input.length; index++) {
      const item = input[index];
      let res = fn(item, env);
      if (res === true) {
        results.push(item);
        g.tick();
        continue;
      }
      if (isNumeric(res)) res = [res];
      if (isArrayOfNumbers(res)) {
        for (const ires of res) {
          let ii = Math.floor(ires);
          if (ii < 0) ii = input.length + ii;
          if (ii === index) results.push(item);
        }
      } else if (boolean(res)) {
        results.push(item);
      }
      g.tick();
    }
    return results;
  };
}

function wildcard(input: Any): Any {
  let results: Any = seq();
  if (Array.isArray(input) && (input as Any).outerWrapper && input.length > 0) input = input[0];
  if (input !== null && typeof input === 'object' && !isFunction(input)) {
    for (const key of Object.keys(input)) {
      let value = input[key];
      if (Array.isArray(value)) {
        value = flatten(value, []);
        results = append(results, value);
      } else {
        results.push(value);
      }
    }
  }
  G.cells(results.length);
  return results;
}

function flatten(arg: Any, flattened: Any[]): Any[] {
  if (Array.isArray(arg)) for (const item of arg) flatten(item, flattened);
  else flattened.push(arg);
  return flattened;
}

function descendants(input: Any): Any {
  if (input === undefined) return undefined;
  const resultSequence = seq();
  recurseDescendants(input, resultSequence);
  G.cells(resultSequence.length);
  return resultSequence.length === 1 ? resultSequence[0] : resultSequence;
}

function recurseDescendants(input: Any, results: Any[]): void {
  if (!Array.isArray(input)) results.push(input);
  if (Array.isArray(input)) {
    for (const member of input) recurseDescendants(member, results);
  } else if (input !== null && typeof input === 'object' && !isFunction(input)) {
    for (const key of Object.keys(input)) recurseDescendants(input[key], results);
  }
}

// ---- operators -----------------------------------------------------------------------------

function positioned(err: Any, position: number, token: string): Any {
  if (err !== null && typeof err === 'object' && typeof err.code === 'string' && err.limit === undefined) {
    err.position = position;
    err.token = token;
  }
  return err;
}

/** jsonata's $boolean as a condition reads it (undefined is false), strings, booleans and null inline. */
function truthy(v: Any): boolean {
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'boolean') return v;
  if (v === undefined || v === null) return false;
  return boolean(v) === true;
}

/**
 * The operands of a chain `a & b & c …` (left-nested `&` nodes without predicates or flags),
 * left to right, with the position of the `&` that joins each one after the first.
 */
function concatChain(node: Node): { operands: Node[]; positions: number[] } {
  const operands: Node[] = [];
  const positions: number[] = [];
  let n = node;
  while (n.type === 'binary' && n.value === '&' && bare(n) && !unsupportedFeatures(n)) {
    operands.push(n.rhs);
    positions.push(n.position as number);
    n = n.lhs;
  }
  operands.push(n);
  return { operands: operands.reverse(), positions: positions.reverse() };
}

/**
 * `a & b & c …` in one closure: the operands evaluated left to right, each joined to the text so
 * far as the nested `&` nodes would (same order of evaluation, same size accounting of every
 * intermediate text, an error positioned at its own `&`).
 */
function compileConcat(node: Node): Fn {
  const chain = concatChain(node);
  const fns = chain.operands.map((o) => compile(o));
  const positions = chain.positions;
  const first = fns[0]!;
  return (input, env) => {
    let s: Any = first(input, env);
    for (let i = 1; i < fns.length; i++) {
      const r = fns[i]!(input, env);
      try {
        s = (i === 1 ? concatText(s) : s) + concatText(r);
      } catch (err) {
        throw positioned(err, positions[i - 1]!, '&');
      }
      if (s.length > 64) G.chars(s.length);
    }
    return s;
  };
}

function compileBinary(node: Node): Fn {
  const op = node.value as string;
  if (op === '&') return compileConcat(node);
  const lhs = compile(node.lhs);
  const rhs = compile(node.rhs);
  const pos = node.position as number;
  if (op === 'and') {
    return (input, env) => {
      const l = lhs(input, env);
      try {
        return boolize(l) && boolize(rhs(input, env));
      } catch (err) {
        throw positioned(err, pos, op);
      }
    };
  }
  if (op === 'or') {
    return (input, env) => {
      const l = lhs(input, env);
      try {
        return boolize(l) || boolize(rhs(input, env));
      } catch (err) {
        throw positioned(err, pos, op);
      }
    };
  }
  const f = binaryOp(op);
  return (input, env) => {
    const l = lhs(input, env);
    const r = rhs(input, env);
    try {
      return f(l, r);
    } catch (err) {
      throw positioned(err, pos, op);
    }
  };
}

function binaryOp(op: string): (l: Any, r: Any) => Any {
  switch (op) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return (l, r) => numeric(l, r, op);
    case '=':
      return (l, r) => (l === undefined || r === undefined ? false : isDeepEqual(l, r));
    case '!=':
      return (l, r) => (l === undefined || r === undefined ? false : !isDeepEqual(l, r));
    case '<':
    case '<=':
    case '>':
    case '>=':
      return (l, r) => comparison(l, r, op);
    case '&':
      return (l, r) => {
        const s = concatText(l) + concatText(r);
        if (s.length > 64) G.chars(s.length);
        return s;
      };
    case '..':
      return range;
    case 'in':
      return (l, r) => {
        if (l === undefined || r === undefined) return false;
        if (!Array.isArray(r)) r = [r];
        for (let i = 0; i < r.length; i++) {
          if (r[i] === l) return true;
          if ((i & 1023) === 1023) G.tick();
        }
        return false;
      };
    default:
      throw new Unsupported(`operator ${op}`);
  }
}

/** A side of `&` as text: jsonata's $string (strings as they are, finite numbers to 15 digits). */
function concatText(v: Any): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  if (typeof v === 'number' && Number.isFinite(v)) return numberText(v);
  return toJsonataString(v)!;
}

function numeric(lhs: Any, rhs: Any, op: string): Any {
  if (lhs !== undefined && !isNumeric(lhs)) throw jsonataError('T2001', { value: lhs });
  if (rhs !== undefined && !isNumeric(rhs)) throw jsonataError('T2002', { value: rhs });
  if (lhs === undefined || rhs === undefined) return undefined;
  switch (op) {
    case '+':
      return lhs + rhs;
    case '-':
      return lhs - rhs;
    case '*':
      return lhs * rhs;
    case '/':
      return lhs / rhs;
    default:
      return lhs % rhs;
  }
}

function comparison(lhs: Any, rhs: Any, op: string): Any {
  const ltype = typeof lhs;
  const rtype = typeof rhs;
  const lcomparable = ltype === 'undefined' || ltype === 'string' || ltype === 'number';
  const rcomparable = rtype === 'undefined' || rtype === 'string' || rtype === 'number';
  if (!lcomparable || !rcomparable) throw jsonataError('T2010', { value: !(ltype === 'string' || ltype === 'number') ? lhs : rhs });
  if (ltype === 'undefined' || rtype === 'undefined') return undefined;
  if (ltype !== rtype) throw jsonataError('T2009', { value: lhs, value2: rhs });
  switch (op) {
    case '<':
      return lhs < rhs;
    case '<=':
      return lhs <= rhs;
    case '>':
      return lhs > rhs;
    default:
      return lhs >= rhs;
  }
}

function range(lhs: Any, rhs: Any): Any {
  if (lhs !== undefined && !Number.isInteger(lhs)) throw jsonataError('T2003', { value: lhs });
  if (rhs !== undefined && !Number.isInteger(rhs)) throw jsonataError('T2004', { value: rhs });
  if (lhs === undefined || rhs === undefined) return undefined;
  if (lhs > rhs) return undefined;
  const size = rhs - lhs + 1;
  if (size > 1e7) throw jsonataError('D2014', { value: size });
  if (size > EVALUATION_LIMITS.sequence) throw sequenceError(size);
  G.cells(size);
  const result: Any = new Array(size);
  for (let item = lhs, index = 0; item <= rhs; item++, index++) result[index] = item;
  result.sequence = true;
  return result;
}

function compileUnary(node: Node): Fn {
  switch (node.value) {
    case '-': {
      const e = compile(node.expression);
      const pos = node.position;
      return (input, env) => {
        const result = e(input, env);
        if (result === undefined) return undefined;
        if (isNumeric(result)) return -result;
        throw jsonataError('D1002', { position: pos, token: '-', value: result });
      };
    }
    case '[': {
      const items: Array<{ fn: Fn; nested: boolean }> = node.expressions.map((item: Node) => ({ fn: compile(item), nested: item.value === '[' }));
      const consarray = node.consarray === true;
      return (input, env) => {
        const result: Any = [];
        for (let k = 0; k < items.length; k++) {
          const item = items[k]!;
          const value = item.fn(input, env);
          if (value !== undefined) {
            if (item.nested || !Array.isArray(value)) result.push(value);
            else appendMembers(result, value);
          }
        }
        if (result.length > 16) G.cells(result.length);
        if (consarray) Object.defineProperty(result, 'cons', { enumerable: false, configurable: false, value: true });
        return result;
      };
    }
    case '{':
      return compileGroup(node);
    default:
      throw new Unsupported(`unary ${node.value}`);
  }
}

/**
 * What jsonata's append (`result.concat(value)`) adds to a plain array: the members of `value`
 * in order, a hole where `value` has one (a sparse array from the caller's bindings).
 */
function appendMembers(result: Any[], value: Any[]): void {
  for (let j = 0; j < value.length; j++) {
    if (j in value) result.push(value[j]);
    else result.length++;
  }
}

/** jsonata's evaluateGroupExpression (object constructors and group-by), without tuple streams. */
function compileGroup(group: Node): (input: Any, env: Frame) => Any {
  const pairs: Array<[Fn, Fn]> = group.lhs.map((pair: Node[]) => [compile(pair[0]), compile(pair[1])]);
  const pos = group.position;
  const general = (input: Any, env: Frame): Any => {
    if (input && input.tupleStream) throw new Unsupported('tuple stream');
    const result: Any = Object.create(null);
    if (!Array.isArray(input)) input = seqOf(input);
    if (input.length === 0) input.push(undefined);
    const groups: Any = Object.create(null);
    const g = G;
    for (let itemIndex = 0; itemIndex < input.length; itemIndex++) {
      const item = input[itemIndex];
      for (let pairIndex = 0; pairIndex < pairs.length; pairIndex++) {
        const key = pairs[pairIndex]![0](item, env);
        if (typeof key !== 'string' && key !== undefined) throw jsonataError('T1003', { position: pos, value: key });
        if (key !== undefined) {
          if (key === '_jsonata_lambda' || key === '_jsonata_function') throw jsonataError('D1013', { position: pos, value: key });
          if (hasOwn.call(groups, key)) {
            if (groups[key].exprIndex !== pairIndex) throw jsonataError('D1009', { position: pos, value: key });
            groups[key].data = append(groups[key].data, item);
          } else {
            groups[key] = { data: item, exprIndex: pairIndex };
          }
        }
      }
      g.tick();
    }
    const keys = Object.keys(groups);
    if (keys.length > 16) g.cells(keys.length);
    for (const key of keys) {
      const entry = groups[key];
      const value = pairs[entry.exprIndex]![1](entry.data, env);
      if (value !== undefined) result[key] = value;
    }
    return result;
  };
  const literal = literalKeys(group.lhs);
  if (!literal) return general;
  // the common case: literal keys, all different, and one input item (not an array): no
  // grouping to do, each value is evaluated once with that item, in the order the general
  // path takes them (its object's key order)
  const order = literal.order;
  const values = order.map((i) => pairs[i]![1]);
  const keys = order.map((i) => literal.keys[i]!);
  const many = keys.length > 16;
  return (input, env) => {
    if (Array.isArray(input)) return general(input, env);
    const g = G;
    g.tick();
    if (many) g.cells(keys.length);
    const result: Any = Object.create(null);
    for (let i = 0; i < keys.length; i++) {
      const value = values[i]!(input, env);
      if (value !== undefined) result[keys[i]!] = value;
    }
    return result;
  };
}

/** The keys of an object constructor when every one is a plain string literal and they all differ; with the order jsonata's grouping visits them. */
function literalKeys(lhs: Node[][]): { keys: string[]; order: number[] } | undefined {
  const keys: string[] = [];
  const index: Any = Object.create(null);
  for (let i = 0; i < lhs.length; i++) {
    const k = lhs[i]![0];
    if (k.type !== 'string' || typeof k.value !== 'string' || hasOwn.call(k, 'predicate') || hasOwn.call(k, 'group') || k.stages || k.keepArray) return undefined;
    if (k.value === '_jsonata_lambda' || k.value === '_jsonata_function' || hasOwn.call(index, k.value)) return undefined;
    index[k.value] = i;
    keys.push(k.value);
  }
  // the general path evaluates values in Object.keys order of its groups (integer-like keys first)
  return { keys, order: Object.keys(index).map((k) => index[k] as number) };
}

function compileCondition(node: Node): Fn {
  const cond = compile(node.condition);
  const then = compile(node.then);
  const otherwise = node.else !== undefined ? compile(node.else) : undefined;
  return (input, env) => {
    if (truthy(cond(input, env))) return then(input, env);
    return otherwise ? otherwise(input, env) : undefined;
  };
}

function compileBlock(node: Node): Fn {
  const exprs = node.expressions.map((e: Node) => compile(e));
  if (reuseFrames) {
    const spare = new Spare();
    return (input, env) => {
      const frame = spare.take(env);
      try {
        let result: Any;
        for (const e of exprs) result = e(input, frame);
        return result;
      } finally {
        spare.give(frame);
      }
    };
  }
  return (input, env) => {
    const frame = new Frame(env, env.ctx);
    let result: Any;
    for (const e of exprs) result = e(input, frame);
    return result;
  };
}

// ---- functions -----------------------------------------------------------------------------

function procName(node: Node): string {
  return node.procedure.type === 'path' ? node.procedure.steps[0].value : node.procedure.value;
}

function compileArgs(node: Node): Fn[] {
  return node.arguments.map((a: Node) => {
    if (a.type === 'operator' && a.value === '?') throw new Unsupported('partial application');
    return compile(a);
  });
}

/** jsonata's evaluateFunction; `applyTo` is the left side of `~>`. */
function compileFunction(node: Node, applyTo: Fn | undefined): Fn {
  if (node.type === 'partial') throw new Unsupported('partial application');
  const procedure = compile(node.procedure);
  const args = compileArgs(node);
  const name = procName(node);
  const pos = node.position;
  const pathProc = node.procedure.type === 'path' ? node.procedure.steps[0].value : undefined;
  const n = args.length;
  const general = (input: Any, env: Frame): Any => {
    const proc = procedure(input, env);
    if (proc === undefined && pathProc !== undefined && env.lookup(pathProc)) throw jsonataError('T1005', { position: pos, token: pathProc });
    const evaluated: Any[] = [];
    if (applyTo) evaluated.push(applyTo(input, env));
    for (let i = 0; i < n; i++) evaluated.push(args[i]!(input, env));
    try {
      return apply(proc, evaluated, input);
    } catch (err) {
      throw callError(err, proc, pos, name);
    }
  };
  const builtin = !applyTo && n <= 3 && node.procedure.type === 'variable' && plainStep(node.procedure) && bare(node) ? fastBuiltin(node.procedure.value) : undefined;
  if (!builtin) return general;
  // `$round(...)` etc. while `$round` is jsonata's own: the arguments, the guard's tick and depth
  // check that apply() makes, the direct implementation, the size accounting of the result;
  // any other argument list takes the general path with the arguments already evaluated
  const { def, fast } = builtin;
  const f0 = args[0];
  const f1 = args[1];
  const f2 = args[2];
  const stack = EVALUATION_LIMITS.stack;
  // a bare call (no predicate, group or keep-array): it applies the sequence rules itself
  return selfFinished((input, env) => {
    const proc = procedure(input, env);
    if (proc !== def) return finish(general(input, env), false);
    const a0 = f0 === undefined ? undefined : f0(input, env);
    const a1 = f1 === undefined ? undefined : f1(input, env);
    const a2 = f2 === undefined ? undefined : f2(input, env);
    const g = G;
    g.tick();
    if (g.depth >= stack) throw depthError();
    const r = fast(n, a0, a1, a2);
    if (r !== SLOW) {
      g.value(r);
      return r;
    }
    const evaluated: Any[] = n === 0 ? [] : n === 1 ? [a0] : n === 2 ? [a0, a1] : [a0, a1, a2];
    let result: Any;
    try {
      result = apply(proc, evaluated, input);
    } catch (err) {
      throw callError(err, proc, pos, name);
    }
    return finish(result, false);
  });
}

function callError(err: Any, proc: Any, pos: number, name: string): Any {
  if (err === null || typeof err !== 'object' || err instanceof Error || err.limit !== undefined) return err;
  if (typeof err === 'symbol') return err;
  if (err.token === undefined) err.token = name;
  // jsonata's applyInner: a builtin or lambda (an object there) puts its call's position on the error
  if (proc !== null && (typeof proc === 'object' || (typeof proc === 'function' && isFunction(proc) && (proc as Any).arity !== undefined))) err.position = pos;
  else if (!err.position) err.position = pos;
  return err;
}

function compileLambda(node: Node): Fn {
  if (node.thunk === true) {
    // a tail call: jsonata returns a thunk, its trampoline evaluates the call (see runtime.apply)
    const call = node.body;
    const procedure = compile(call.procedure);
    const args = compileArgs(call);
    const name = call.procedure.type === 'variable' ? call.procedure.value : procName(call);
    const pos = call.procedure.position;
    return (input, env) => {
      const proc = procedure(input, env);
      const evaluated = args.map((a) => a(input, env));
      return new TailCall(proc, evaluated, pos, name);
    };
  }
  const params = (node.arguments as Node[]).map((a) => a.value as string);
  const body = compile(node.body);
  const signature = node.signature;
  return (input, env) => makeLambda({ params, body, env, input, signature });
}

function callChained(this: { func: Any; l: Any }, x: Any): Any {
  return apply(this.func, [apply(this.l, [x], undefined)], undefined);
}

function compileApply(node: Node): Fn {
  const lhs = compile(node.lhs);
  if (node.rhs.type === 'function') return compileFunction(node.rhs, lhs);
  const rhs = compile(node.rhs);
  const pos = node.position;
  return (input, env) => {
    const l = lhs(input, env);
    const func = rhs(input, env);
    if (!isFunction(func)) throw jsonataError('T2006', { position: pos, value: func });
    if (isFunction(l)) {
      // function chaining: λ($x){ func(l($x)) } (a bound function: no closure to name per call)
      const chained: Any = callChained.bind({ func, l });
      chained.arity = 1;
      return chained;
    }
    return apply(func, [l], undefined);
  };
}

// ---- plain JSON results --------------------------------------------------------------------

/** An evaluation that gives `toPlainJson(value, depth)` of the node's value. */
type PlainFn = (input: Any, env: Frame, depth: number) => Any;

function genericPlain(f: Fn): PlainFn {
  return (input, env, depth) => toPlainJson(f(input, env), depth);
}

function bare(node: Node): boolean {
  return !(hasOwn.call(node, 'predicate') || hasOwn.call(node, 'group') || node.keepArray || node.stages);
}


/**
 * Compiles a node to give `toPlainJson` of its value directly: object constructors with literal
 * keys build the plain object from the plain values of their members, array constructors the
 * plain array, conditions and blocks hand the plain form down to the value they give. The same
 * closures are evaluated in the same order as for `evaluate` (same errors, same guard
 * accounting); everything else is the value, then `toPlainJson`.
 */
function compilePlain(node: Node): PlainFn {
  const why = unsupportedFeatures(node);
  if (why) throw new Unsupported(why);
  if (bare(node)) {
    if (node.type === 'unary' && node.value === '{') return plainObject(node);
    if (node.type === 'unary' && node.value === '[') return plainArray(node);
    if (node.type === 'condition') return plainCondition(node);
    if (node.type === 'block') return plainBlock(node);
  }
  return genericPlain(compile(node));
}

/** The plain form of a value that the sequence rules may still change (a condition's branch, a block's last expression). */
function finishedPlain(node: Node): PlainFn {
  if (neverSequence(node)) return compilePlain(node);
  const f = compile(node);
  return (input, env, depth) => toPlainJson(finish(f(input, env), false), depth);
}

/**
 * A member value of a plain object constructor, with the shapes read inline: a literal, a path
 * of names from the input, a variable then names (`$steps.order.id`). Whenever an array turns
 * up on the way, or the depth limit is near, the member's own plain closure evaluates it.
 */
interface PlainMember {
  key: string;
  plain: PlainFn;
  kind: 0 | 1 | 2 | 3;
  names: string[];
  variable: string;
  constant: Any;
}

const AN_ARRAY = Symbol('array on the way');

function plainMember(key: string, node: Node): PlainMember {
  const m: PlainMember = { key, plain: compilePlain(node), kind: 0, names: [], variable: '', constant: undefined };
  if ((node.type === 'string' || node.type === 'number' || node.type === 'value') && bare(node) && !unsupportedFeatures(node)) {
    m.kind = 3;
    m.constant = toPlainJson(node.value, 1);
  } else if (node.type === 'path') {
    const names = namesOnly(node);
    const headed = names ? undefined : variableThenNames(node);
    if (names) {
      m.kind = 1;
      m.names = names;
    } else if (headed && node.steps[0].value !== '') {
      m.kind = 2;
      m.names = headed;
      m.variable = node.steps[0].value;
    }
  }
  return m;
}

/** Follows plain names from v; AN_ARRAY when an array is met (the general path decides then). */
function readNames(v: Any, names: string[]): Any {
  for (let i = 0; i < names.length; i++) {
    if (Array.isArray(v)) return AN_ARRAY;
    v = lookup(v, names[i]!);
    if (v === undefined) return undefined;
  }
  return Array.isArray(v) ? AN_ARRAY : v;
}

function plainObject(node: Node): PlainFn {
  const f = compile(node);
  const literal = literalKeys(node.lhs);
  if (!literal) return genericPlain(f);
  const members = literal.order.map((i) => plainMember(literal.keys[i]!, node.lhs[i][1]));
  const many = members.length > 16;
  // as compileGroup's literal case: one input item, values in its order, undefined ones left out
  return (input, env, depth) => {
    if (Array.isArray(input) || depth > 200) return toPlainJson(f(input, env), depth);
    const g = G;
    g.tick();
    if (many) g.cells(members.length);
    const out: Any = {};
    const d = depth + 1;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      let v: Any;
      if (m.kind === 0 || d > 200) {
        v = m.plain(input, env, d);
      } else if (m.kind === 3) {
        v = m.constant;
      } else {
        if (m.kind === 1) {
          v = readNames(input, m.names);
        } else {
          v = env.lookup(m.variable);
          v = v === undefined ? undefined : Array.isArray(v) ? AN_ARRAY : readNames(v, m.names);
        }
        // toPlainJson(v, d), with the scalars inline
        if (v === AN_ARRAY) v = m.plain(input, env, d);
        else if (typeof v === 'number') v = Number.isFinite(v) ? v : null;
        else if (!(typeof v === 'string' || typeof v === 'boolean' || v === null || v === undefined)) v = toPlainJson(v, d);
      }
      if (v !== undefined) out[m.key] = v;
    }
    return out;
  };
}

/** True when a node's value is an object or undefined, never an array (object constructors, conditions and blocks of them). */
function neverArray(node: Node): boolean {
  if (!bare(node)) return false;
  switch (node.type) {
    case 'unary':
      return node.value === '{';
    case 'condition':
      return neverArray(node.then) && (node.else === undefined || neverArray(node.else));
    case 'block':
      return node.expressions.length > 0 && neverArray(node.expressions[node.expressions.length - 1]);
    default:
      return false;
  }
}

/**
 * The members a path `a.b.<step>` or `$v.a.<step>` adds to an array constructor, pushed as plain
 * JSON onto `out`, when its last step gives an object or nothing (`lines.{…}`, `items.(…; {…})`):
 * the same walk as compilePath's mapped case, the last step built plain directly instead of as
 * a value and a copy. Answers how many members the path gave, or -1 when the walk met an array
 * before the last step (the caller evaluates the path as usual then).
 */
type MappedPlain = (input: Any, env: Frame, depth: number, out: Any[]) => number;

function mappedPlain(node: Node): MappedPlain | undefined {
  if (node.type !== 'path' || !bare(node) || unsupportedFeatures(node)) return undefined;
  const mapped = namesThenStep(node);
  if (!mapped) return undefined;
  const steps = node.steps as Node[];
  const lastNode = steps[steps.length - 1];
  if (!plainStep(lastNode) || !neverArray(lastNode)) return undefined;
  const head = mapped.variable ? compile(steps[0]) : undefined;
  const prefix = mapped.names;
  const last = compilePlain(lastNode);
  return (input, env, depth, out) => {
    let v = input;
    if (head !== undefined) {
      v = head(input, env);
      if (v === undefined) return 0;
    }
    for (let i = 0; i < prefix.length; i++) {
      if (Array.isArray(v)) return -1;
      v = lookup(v, prefix[i]!);
      if (v === undefined) return 0;
    }
    const g = G;
    if (!Array.isArray(v)) {
      const p = last(v, env, depth);
      g.tick();
      if (p === undefined) return 0;
      out.push(p);
      return 1;
    }
    if ((v as Any).cons || (v as Any).sequence) return -1;
    if (v.length > 16) g.cells(v.length);
    // evaluateStep over v's members: each step's value (an object, or nothing), then a tick
    let n = 0;
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) continue; // a hole: jsonata's forEach skips it
      const p = last(v[i], env, depth);
      if (p !== undefined) {
        out.push(p);
        n++;
      }
      g.tick();
    }
    if (n > 16) g.cells(n);
    return n;
  };
}

function plainArray(node: Node): PlainFn {
  const f = compile(node);
  const items: Array<{ fn: Fn; plain: PlainFn | undefined; mapped: MappedPlain | undefined; nested: boolean }> = node.expressions.map((item: Node) => ({
    fn: compile(item),
    plain: neverArray(item) ? compilePlain(item) : undefined,
    mapped: mappedPlain(item),
    nested: item.value === '[',
  }));
  // as the array constructor: each item appended (an array's members one by one, a nested
  // array constructor as one member), then each member as plain JSON
  return (input, env, depth) => {
    if (depth > 200) return toPlainJson(f(input, env), depth);
    const out: Any[] = [];
    let count = 0;
    const d = depth + 1;
    for (let k = 0; k < items.length; k++) {
      const item = items[k]!;
      if (item.plain !== undefined) {
        // an object, or nothing (a condition without else)
        const p = item.plain(input, env, d);
        if (p !== undefined) {
          count++;
          out.push(p);
        }
        continue;
      }
      if (item.mapped !== undefined) {
        const n = item.mapped(input, env, d, out);
        if (n >= 0) {
          count += n;
          continue;
        }
      }
      const value = item.fn(input, env);
      if (value === undefined) continue;
      if (item.nested || !Array.isArray(value)) {
        count++;
        const p = toPlainJson(value, d);
        if (p !== undefined) out.push(p);
      } else {
        count += value.length;
        for (let j = 0; j < value.length; j++) {
          const p = toPlainJson(value[j], d);
          if (p !== undefined) out.push(p);
        }
      }
    }
    if (count > 16) G.cells(count);
    return out;
  };
}

function plainCondition(node: Node): PlainFn {
  const cond = compile(node.condition);
  const then = finishedPlain(node.then);
  const otherwise = node.else !== undefined ? finishedPlain(node.else) : undefined;
  return (input, env, depth) => {
    if (truthy(cond(input, env))) return then(input, env, depth);
    return otherwise ? otherwise(input, env, depth) : undefined;
  };
}

function plainBlock(node: Node): PlainFn {
  const all: Node[] = node.expressions;
  if (all.length === 0) return genericPlain(compile(node));
  const first = all.slice(0, -1).map((e) => compile(e));
  const last = finishedPlain(all[all.length - 1]);
  if (reuseFrames) {
    const spare = new Spare();
    return (input, env, depth) => {
      const frame = spare.take(env);
      try {
        for (let i = 0; i < first.length; i++) first[i]!(input, frame);
        return last(input, frame, depth);
      } finally {
        spare.give(frame);
      }
    };
  }
  return (input, env, depth) => {
    const frame = new Frame(env, env.ctx);
    for (let i = 0; i < first.length; i++) first[i]!(input, frame);
    return last(input, frame, depth);
  };
}
