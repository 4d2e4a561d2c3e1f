/* eslint-disable @typescript-eslint/no-explicit-any -- JSONata values are any JSON value, sequence or function */
import { NATIVE, NATIVE_OBJECTS, jsonataError, type NativeDefinition } from './jsonata-builtins.js';
import { Guard, depthError } from './limits.js';

/**
 * The runtime of the compiled backend: jsonata's value model (sequences are arrays flagged
 * `sequence`, with `keepSingleton`, `cons` and `outerWrapper` as jsonata sets them), frames,
 * function application. Everything is synchronous.
 */
export type Any = any;

/** Thrown when a value the compiled code cannot handle turns up (e.g. a jsonata lambda): the evaluation is redone in jsonata. */
export const NEEDS_JSONATA = Symbol('needs-jsonata');

export function seq(): Any[] {
  const s: Any = [];
  s.sequence = true;
  return s;
}

/** jsonata's createSequence(x): a sequence holding x (even undefined). */
export function seqOf(x: Any): Any[] {
  const s: Any = [x];
  s.sequence = true;
  return s;
}

export function isSeq(v: Any): boolean {
  return Array.isArray(v) && (v as Any).sequence === true;
}

export const LAMBDA = Symbol('compiled-lambda');

export function isFunction(v: Any): boolean {
  return (v && (v._jsonata_function === true || v._jsonata_lambda === true)) || typeof v === 'function';
}

export function isNumeric(n: Any): boolean {
  if (typeof n !== 'number') return false;
  if (Number.isNaN(n)) return false;
  if (!Number.isFinite(n)) throw jsonataError('D1001', { value: n });
  return true;
}

export function isArrayOfNumbers(arg: Any): boolean {
  if (!Array.isArray(arg)) return false;
  for (const v of arg) if (!isNumeric(v)) return false;
  return true;
}

export function isArrayOfStrings(arg: Any): boolean {
  if (!Array.isArray(arg)) return false;
  for (const v of arg) if (typeof v !== 'string') return false;
  return true;
}

/** jsonata's $boolean (effective boolean value); undefined stays undefined. */
export const boolean = NATIVE.get('boolean')!.implementation as (v: Any) => boolean | undefined;
/** jsonata's $string. */
export const toJsonataString = NATIVE.get('string')!.implementation as (v: Any, prettify?: boolean) => string | undefined;

const nativeAppend = NATIVE.get('append')!.implementation;
const focus = { createSequence: (...a: Any[]) => (a.length === 1 ? seqOf(a[0]) : seq()) };
export function append(a: Any, b: Any): Any {
  return nativeAppend.call(focus, a, b);
}
export const FOCUS = focus;

export function boolize(v: Any): boolean {
  const b = boolean(v);
  return b === undefined ? false : b;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** jsonata's $lookup / name step. */
export function lookup(input: Any, key: string): Any {
  if (Array.isArray(input)) {
    const result = seq();
    for (let i = 0; i < input.length; i++) {
      const res = lookup(input[i], key);
      if (res !== undefined) {
        // (jsonata's forEach: the holes of a sparse array are skipped)
        if (Array.isArray(res)) {
          for (let j = 0; j < res.length; j++) if (j in res) result.push(res[j]);
        } else {
          result.push(res);
        }
      }
    }
    return result;
  }
  if (input !== null && typeof input === 'object' && hasOwn.call(input, key) && !isFunction(input)) return input[key];
  return undefined;
}

export function isDeepEqual(lhs: Any, rhs: Any): boolean {
  if (lhs === rhs) return true;
  if (typeof lhs === 'object' && typeof rhs === 'object' && lhs !== null && rhs !== null) {
    if (Array.isArray(lhs) && Array.isArray(rhs)) {
      if (lhs.length !== rhs.length) return false;
      for (let i = 0; i < lhs.length; i++) if (!isDeepEqual(lhs[i], rhs[i])) return false;
      return true;
    }
    const lkeys = Object.getOwnPropertyNames(lhs).sort();
    const rkeys = Object.getOwnPropertyNames(rhs).sort();
    if (lkeys.length !== rkeys.length) return false;
    for (let i = 0; i < lkeys.length; i++) if (lkeys[i] !== rkeys[i]) return false;
    for (const k of lkeys) if (!isDeepEqual(lhs[k], rhs[k])) return false;
    return true;
  }
  return false;
}

/** What one evaluation sees at its root: the bindings, `$$`, the clock. */
export interface Ctx {
  bindings: Record<string, Any>;
  root: Any;
  /** The evaluation's clock reading for `$now()`/`$millis()`: read at the first use (see `evaluationTime`). */
  timestamp: number | undefined;
}

/** `$now()`/`$millis()`'s time: the clock read once per evaluation, at the first use (jsonata: the same value within one evaluation). */
export function evaluationTime(ctx: Ctx): number {
  let t = ctx.timestamp;
  if (t === undefined) t = ctx.timestamp = Date.now();
  return t;
}

/** A scope of `:=` bindings and lambda parameters, like jsonata's frames. */
export class Frame {
  vars: Record<string, Any> | null = null;
  /** parent and ctx are only reassigned by a Spare (frames reused by lambda-free expressions). */
  constructor(
    public parent: Frame | null,
    public ctx: Ctx,
  ) {}

  bind(name: string, value: Any): void {
    (this.vars ??= Object.create(null) as Record<string, Any>)[name] = value;
  }

  lookup(name: string): Any {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    for (let f: Frame | null = this; f !== null; f = f.parent) {
      if (f.vars !== null && name in f.vars) return f.vars[name];
    }
    const ctx = this.ctx;
    if (name === '$') return ctx.root;
    if (hasOwn.call(ctx.bindings, name)) return ctx.bindings[name];
    return BUILTIN_VALUES.get(name);
  }
}

const NO_BINDINGS: Record<string, Any> = Object.freeze(Object.create(null));
/** What a reused frame or context points at between evaluations (so it keeps no input alive). */
const IDLE_CTX: Ctx = { bindings: NO_BINDINGS, root: undefined, timestamp: undefined };

/**
 * The frame of one block of a lambda-free expression, reused from one evaluation of the block to
 * the next: nothing can keep a frame past the block's end when no lambda can capture it. A block
 * entered again while its frame is in use (the same expression evaluated from inside itself,
 * through a function in the bindings) gets a new frame. Released frames keep no values.
 */
export class Spare {
  private frame: Frame | null = null;

  take(parent: Frame): Frame {
    const f = this.frame;
    if (f === null) return new Frame(parent, parent.ctx);
    this.frame = null;
    f.parent = parent;
    f.ctx = parent.ctx;
    return f;
  }

  give(f: Frame): void {
    f.vars = null;
    f.parent = null;
    f.ctx = IDLE_CTX;
    this.frame = f;
  }
}

/**
 * The context and root frame a lambda-free compiled expression reuses from one evaluation to the
 * next (no lambda can capture them), instead of a new pair per evaluation. An evaluation of the
 * same expression from inside itself (through a function in the bindings) gets a new pair.
 */
export class RootState {
  readonly ctx: Ctx = { bindings: NO_BINDINGS, root: undefined, timestamp: undefined };
  readonly frame = new Frame(null, this.ctx);
  busy = false;
}

/** `$now()` and `$millis()` when the caller binds none: the evaluation's own timestamp. */
const fromMillis = NATIVE.get('fromMillis')!;
export const NOW_DEF: NativeDefinition = { _jsonata_function: true, implementation: () => undefined };
export const MILLIS_DEF: NativeDefinition = { _jsonata_function: true, implementation: () => undefined };

/** Builtin name → the value `$name` evaluates to (jsonata's own definition objects). */
export const BUILTIN_VALUES = new Map<string, Any>([...NATIVE.entries(), ['now', NOW_DEF], ['millis', MILLIS_DEF]]);

/** A builtin's synchronous implementation in the compiled backend. */
export type BuiltinImpl = (args: Any[], input: Any, ctx: Ctx) => Any;
export const BUILTIN_IMPLS = new Map<Any, BuiltinImpl>();

BUILTIN_IMPLS.set(NOW_DEF, (args, _input, ctx) => {
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== undefined && typeof args[i] !== 'string') throw jsonataError('T0410', { value: args[i], index: i + 1 });
  }
  return fromMillis.implementation(evaluationTime(ctx), args[0], args[1]);
});
BUILTIN_IMPLS.set(MILLIS_DEF, (args, _input, ctx) => {
  if (args.length > 0) throw jsonataError('T0410', { value: args[0], index: 1 });
  return evaluationTime(ctx);
});

/** The guard of the evaluation running now (compiled evaluation is synchronous, so one at a time). */
export let G: Guard = new Guard();
let active = 0;
/** The guard of outermost evaluations, reset for each (nested ones get a fresh guard). */
const OUTER_GUARD = new Guard();

/** Runs one compiled evaluation with a fresh guard (deadline from `now`, default the clock) and its context. */
export function runCompiled<T>(ctx: Ctx, body: () => T, now?: number): T {
  const prevG = G;
  const prevCtx = currentCtx;
  G = new Guard(now);
  currentCtx = ctx;
  active++;
  try {
    return body();
  } catch (err) {
    if (err instanceof RangeError && /call stack/i.test(err.message)) throw depthError();
    throw err;
  } finally {
    active--;
    G = prevG;
    currentCtx = prevCtx;
  }
}

/**
 * One evaluation of a compiled root: its context (bindings, `$$`, the clock read lazily for
 * `$now()`), jsonata's outer wrapper for an array input, a guard with a fresh deadline (taken
 * lazily, see Guard), depth and budget. `depth` 0 is passed on for the plain-JSON roots.
 */
export function runRoot(root: (input: Any, env: Frame, depth: number) => Any, input: Any, bindings: Record<string, Any>, state?: RootState): Any {
  let ctx: Ctx;
  let frame: Frame;
  const reuse = state !== undefined && !state.busy;
  if (reuse) {
    state.busy = true;
    ctx = state.ctx;
    ctx.bindings = bindings;
    ctx.root = input;
    ctx.timestamp = undefined;
    frame = state.frame;
    frame.vars = null;
  } else {
    ctx = { bindings, root: input, timestamp: undefined };
    frame = new Frame(null, ctx);
  }
  let inp = input;
  if (Array.isArray(inp) && !(inp as Any).sequence) {
    inp = seqOf(inp);
    (inp as Any).outerWrapper = true;
  }
  const prevG = G;
  const prevCtx = currentCtx;
  G = active === 0 ? OUTER_GUARD.reset() : new Guard();
  currentCtx = ctx;
  active++;
  try {
    return root(inp, frame, 0);
  } catch (err) {
    if (err instanceof RangeError && /call stack/i.test(err.message)) throw depthError();
    throw err;
  } finally {
    active--;
    G = prevG;
    currentCtx = prevCtx;
    if (reuse) {
      // nothing of this evaluation stays reachable from the reused pair
      ctx.bindings = NO_BINDINGS;
      ctx.root = undefined;
      frame.vars = null;
      state.busy = false;
    }
  }
}

/** The context of the evaluation running now (for `$now()`). */
let currentCtx: Ctx = { bindings: {}, root: undefined, timestamp: undefined };

/** A compiled lambda: parameters, body, the frame and input it closes over. */
export interface Lambda {
  params: string[];
  body: (input: Any, env: Frame) => Any;
  env: Frame;
  input: Any;
  signature?: { validate(args: Any[], context: Any): Any[] };
  /** The function value made for it. */
  self?: Any;
}

/** A tail call left for the trampoline (jsonata's thunk). */
export class TailCall {
  constructor(
    readonly proc: Any,
    readonly args: Any[],
    readonly position: number | undefined,
    readonly name: string | undefined,
  ) {}
}

/** The body of every compiled lambda, bound to its Lambda (no closure, so no `__name` per lambda in the bundle). */
function lambdaEntry(this: Lambda, ...args: Any[]): Any {
  const f = this.self;
  if (active > 0) return apply(f, args, undefined);
  // called from outside a compiled evaluation (e.g. by jsonata): a guard of its own
  return runCompiled(this.env.ctx, () => apply(f, args, undefined));
}

export function makeLambda(l: Lambda): Any {
  const f: Any = lambdaEntry.bind(l);
  l.self = f;
  f[LAMBDA] = l;
  f.arity = l.params.length;
  return f;
}

function applyLambda(l: Lambda, args: Any[], input: Any): Any {
  const validated = l.signature ? l.signature.validate(args, input) : args;
  const frame = new Frame(l.env, l.env.ctx);
  const ps = l.params;
  for (let i = 0; i < ps.length; i++) frame.bind(ps[i]!, validated[i]);
  return l.body(l.input, frame);
}

/** Applies any function value to evaluated arguments (jsonata's apply + applyInner, with the trampoline). */
export function apply(proc: Any, args: Any[], input: Any): Any {
  const g = G;
  g.tick();
  g.enter();
  try {
    let result = applyInner(proc, args, input);
    while (result instanceof TailCall) {
      const next = result;
      g.tick();
      // jsonata's trampoline sets properties on the callee: a non-function there is a TypeError
      if (next.proc === null || (typeof next.proc !== 'object' && typeof next.proc !== 'function')) {
        throw new TypeError(`Cannot set properties of ${String(next.proc)} (setting 'position')`);
      }
      try {
        result = applyInner(next.proc, next.args, input);
      } catch (err) {
        decorate(err, next.proc, next.position, next.name);
        throw err;
      }
    }
    return result;
  } catch (err) {
    if (err instanceof RangeError && /call stack/i.test(err.message)) throw depthError();
    throw err;
  } finally {
    g.depth--;
  }
}

function decorate(err: Any, proc: Any, position: number | undefined, name: string | undefined): void {
  if (err === null || typeof err !== 'object' || err === NEEDS_JSONATA) return;
  if (err.token === undefined && name !== undefined) err.token = name;
  if (position !== undefined && (BUILTIN_IMPLS.has(proc) || (typeof proc === 'function' && proc[LAMBDA]))) err.position = position;
}

export function applyInner(proc: Any, args: Any[], input: Any): Any {
  if (typeof proc === 'function') {
    const l: Lambda | undefined = proc[LAMBDA];
    if (l) return applyLambda(l, args, input);
    const r = proc.apply(input, args);
    if (r !== null && typeof r === 'object' && typeof r.then === 'function') throw NEEDS_JSONATA;
    return r;
  }
  const impl = BUILTIN_IMPLS.get(proc);
  if (impl) {
    const r = impl(args, input, currentCtx);
    G.value(r);
    return r;
  }
  if (proc && (proc._jsonata_lambda === true || proc._jsonata_function === true || NATIVE_OBJECTS.has(proc))) throw NEEDS_JSONATA;
  throw jsonataError('T1006');
}

/** Calls a function value from inside a builtin (a HOF's callback), as jsonata's wrapped closures do. */
export function callFunction(f: Any, args: Any[]): Any {
  return apply(f, args, null);
}

/** jsonata's getFunctionArity. */
export function arity(f: Any): number {
  if (typeof f.arity === 'number') return f.arity;
  if (typeof f.implementation === 'function') return f.implementation.length;
  if (typeof f.length === 'number') return f.length;
  return f.arguments?.length ?? 0;
}


export function nativeImpl(name: string): NativeDefinition {
  return NATIVE.get(name)!;
}
