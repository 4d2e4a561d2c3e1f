import type Jsonata from 'jsonata';
import jsonata from '../jsonata.js';
import { compileAst, compileAstPlain, Unsupported, type CompiledFn } from './closures.js';
import { toPlainJson } from './plain-json.js';
import { PRECHECKS } from './compiled-functions.js';
import { NATIVE, populateMessage, type JsonataError, type NativeDefinition } from './jsonata-builtins.js';
import { EVALUATION_LIMITS, Guard, stringError } from './limits.js';
import { SafeRegExp } from './regex-engine.js';
import { NEEDS_JSONATA } from './runtime.js';

/** Which engine evaluates an expression: our compiled closures, or jsonata 2.2.2 as the fallback. */
export type ExpressionBackend = 'compiled' | 'jsonata';

/** A JSONata expression ready to evaluate, and which backend evaluates it. */
export interface JsonataProgram {
  source: string;
  /** jsonata's AST of the expression. */
  ast: Jsonata.ExprNode;
  /** `compiled`: JavaScript closures; `jsonata`: jsonata 2.2.2's evaluator. */
  backend: ExpressionBackend;
  /** Why it was not compiled (the node kind or feature), when it was not. */
  fallbackReason?: string;
  /** The value (compiled backend) or a promise of it (jsonata); await it either way. */
  evaluate(input: unknown, bindings?: Record<string, unknown>): unknown;
  /** `toPlainJson` of the value (built directly by the compiled backend), or a promise of it (jsonata). */
  evaluatePlain(input: unknown, bindings?: Record<string, unknown>): unknown;
}

const EXIT = Symbol.for('jsonata.__evaluate_exit');

/**
 * Guarded stand-ins for jsonata's functions that can build a huge value in one call: the same
 * definition (implementation and signature), with the size check of the compiled backend first.
 */
const GUARDED: Record<string, NativeDefinition> = {};
function guard(name: string, implementation: (...args: never[]) => unknown): void {
  GUARDED[name] = { _jsonata_function: true, signature: NATIVE.get(name)!.signature, implementation } as NativeDefinition;
}
const native = (name: string) => NATIVE.get(name)!.implementation;
// same parameter lists as jsonata's own (their arity decides what a higher-order function passes)
guard('pad', function (this: unknown, str: unknown, width: unknown, char: unknown) {
  PRECHECKS.pad!([str, width, char]);
  return native('pad').call(this, str, width, char);
});
guard('join', function (this: unknown, strs: unknown, separator: unknown) {
  PRECHECKS.join!([strs, separator]);
  return native('join').call(this, strs, separator);
});
guard('string', function (this: unknown, arg: unknown, ...rest: unknown[]) {
  PRECHECKS.string!([arg, rest[0]]);
  return native('string').call(this, arg, ...rest);
});
guard('clone', function (this: unknown, arg: unknown) {
  PRECHECKS.clone!([arg]);
  return native('clone').call(this, arg);
});
guard('replace', function (this: unknown, str: unknown, pattern: unknown, replacement: unknown, limit: unknown) {
  replaceSizeCheck(str, pattern, replacement, limit);
  return native('replace').call(this, str, pattern, replacement, limit);
});
guard('base64encode', function (this: unknown, str: unknown) {
  PRECHECKS.base64encode!([str]);
  return native('base64encode').call(this, str);
});

/** Refuses a `$replace` whose result would pass the string limit, before jsonata builds it. */
function replaceSizeCheck(str: unknown, pattern: unknown, replacement: unknown, limit: unknown): void {
  if (typeof str !== 'string' || typeof replacement !== 'string' || replacement.length <= 1) return;
  const max = typeof limit === 'number' ? limit : Infinity;
  let count = 0;
  let longest = 0;
  if (typeof pattern === 'string' && pattern !== '') {
    for (let i = str.indexOf(pattern); i !== -1 && count < max; i = str.indexOf(pattern, i + pattern.length)) count++;
    longest = pattern.length;
  } else if (typeof pattern === 'function') {
    // jsonata's regex matchers are synchronous; a user function matcher is left to the exit check
    let m = (pattern as (s: string) => unknown)(str) as { match: string; next(): unknown } | undefined;
    if (m && typeof (m as unknown as Promise<unknown>).then === 'function') return;
    while (m && count < max) {
      count++;
      longest = Math.max(longest, m.match.length);
      m = m.next() as typeof m;
    }
  } else {
    return;
  }
  const refs = (replacement.match(/\$/g) ?? []).length;
  const size = str.length + count * (replacement.length + refs * longest);
  if (size > EVALUATION_LIMITS.string) throw stringError(size);
}

interface ExitEnv {
  base: { __datamapGuard?: Guard };
}

/** jsonata's evaluate-exit hook: every value a node produced is checked against the size limits. */
function onExit(expr: { position?: number }, _input: unknown, environment: ExitEnv, result: unknown): void {
  const base = environment.base;
  const guard = (base.__datamapGuard ??= new Guard());
  try {
    guard.value(result);
    if (result !== null && typeof result === 'object' && !Array.isArray(result)) guard.cells(Object.keys(result).length);
  } catch (err) {
    (err as JsonataError).position = expr.position;
    throw err;
  }
}

/**
 * Compiles a JSONata expression once: to closures when every node kind and function it uses is
 * in the compiled subset, else (per expression) to jsonata 2.2.2. Both keep the evaluation
 * limits (time, depth, size) and run regexes in the linear-time engine. Throws jsonata's parse
 * error (with `code` and `position`) when the text does not parse.
 */
export function compileJsonata(source: string): JsonataProgram {
  const expr = jsonata(source, { timeout: EVALUATION_LIMITS.timeout, stack: EVALUATION_LIMITS.stack, RegexEngine: SafeRegExp } as unknown as Jsonata.JsonataOptions);
  expr.assign(EXIT as unknown as string, onExit);
  const fallback = (input: unknown, bindings?: Record<string, unknown>): Promise<unknown> =>
    expr.evaluate(input, bindings ? { ...GUARDED, ...bindings } : GUARDED);
  const ast = expr.ast();
  let fn: CompiledFn | undefined;
  let plainFn: CompiledFn | undefined;
  let fallbackReason: string | undefined;
  try {
    fn = compileAst(ast);
    plainFn = compileAstPlain(ast);
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
    fallbackReason = err.what;
    fn = undefined;
  }
  const fallbackPlain = (input: unknown, bindings?: Record<string, unknown>): Promise<unknown> => fallback(input, bindings).then((v) => toPlainJson(v));
  if (!fn || !plainFn) {
    return { source, ast, backend: 'jsonata', fallbackReason: fallbackReason!, evaluate: fallback, evaluatePlain: fallbackPlain };
  }
  const compiled = fn;
  const compiledPlain = plainFn;
  return {
    source,
    ast,
    backend: 'compiled',
    evaluate(input, bindings) {
      try {
        return compiled(input, bindings);
      } catch (err) {
        return failed(err, fallback, input, bindings);
      }
    },
    evaluatePlain(input, bindings) {
      try {
        return compiledPlain(input, bindings);
      } catch (err) {
        return failed(err, fallbackPlain, input, bindings);
      }
    },
  };
}

/** A compiled evaluation that threw: redone in jsonata when it met something only jsonata runs, else jsonata's error with its message. */
function failed(err: unknown, fallback: (input: unknown, bindings?: Record<string, unknown>) => Promise<unknown>, input: unknown, bindings: Record<string, unknown> | undefined): Promise<unknown> {
  if (err === NEEDS_JSONATA || err instanceof Unsupported) return fallback(input, bindings);
  if (err !== null && typeof err === 'object' && typeof (err as JsonataError).code === 'string') populateMessage(err as JsonataError);
  throw err;
}
