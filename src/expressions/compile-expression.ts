import { diagnostic, type Diagnostic, type SourceLocation } from '../errors/diagnostic.js';
import { analyzeAst, type ExpressionFacts } from './analyze.js';
import { FORBIDDEN_FUNCTIONS, NON_REPEATABLE_FUNCTIONS } from './builtins.js';
import { compileJsonata, type ExpressionBackend } from './backend.js';
import { EVALUATION_LIMITS } from './limits.js';
import { regexProblem } from './regex-engine.js';
import { isUnsafeRegex } from './safe-regex.js';
import { isFunctionValue, isThenable, toPlainJson } from './plain-json.js';
import { neverFunctionValue, neverThenable } from './closures.js';

export { EVALUATION_LIMITS };

/** Maps a character offset inside the expression text to a file location. */
export type OffsetLocator = (offset: number) => SourceLocation;

/** A JSONata expression compiled once, with what it reads. */
export interface CompiledExpression {
  source: string;
  facts: ExpressionFacts;
  locate: OffsetLocator;
  /** `compiled`: JavaScript closures; `jsonata`: the jsonata 2.2.2 evaluator (with the reason). */
  backend: ExpressionBackend;
  fallbackReason?: string;
  /** The value, or a promise of it (jsonata fallback); await it either way. */
  evaluate(input: unknown, bindings?: Record<string, unknown>): unknown;
  /**
   * The value as plain JSON, exactly what `toPlainJson` of the awaited `evaluate` gives
   * (sequences as arrays, no functions or undefined members, non-finite numbers as null), or a
   * promise of it (jsonata fallback). A backend may build plain values directly and skip the copy.
   */
  evaluatePlain(input: unknown, bindings?: Record<string, unknown>): unknown;
  /**
   * The value a `let` binds: a function value as it is (a let may define a helper), anything
   * else as its plain JSON — `isFunctionValue(v) ? v : toPlainJson(v)` of the awaited `evaluate`,
   * or a promise of it. An expression that can never give a function (an object or array
   * constructor, an operator...) is evaluated straight to plain JSON.
   */
  evaluateLet(input: unknown, bindings?: Record<string, unknown>): unknown;
}

export interface CompileOptions {
  /** Refuse `$random`/`$shuffle` (request, key and let expressions must repeat). */
  repeatable?: boolean;
}

/** Compiles one expression; on failure returns coded diagnostics at the real file position. */
export function compileExpression(
  source: string,
  locate: OffsetLocator,
  options: CompileOptions = {},
): { expression?: CompiledExpression; diagnostics: Diagnostic[] } {
  let compiled: ReturnType<typeof compileJsonata>;
  try {
    compiled = compileJsonata(source);
  } catch (err) {
    const e = err as { code?: string; position?: number; token?: string; message?: string };
    const token = e.token && e.token !== '(end)' ? String(e.token) : '';
    // Unclosed strings and comments are reported at the end: point at where they open instead.
    // Other errors at the end land after the last character, not after trailing newlines.
    const opened = e.code === 'S0101' || e.code === 'S0105' || e.code === 'S0106' ? unterminatedStart(source) : undefined;
    const offset = opened ?? Math.min(Math.max(0, (e.position ?? 0) - token.length), source.trimEnd().length);
    return {
      diagnostics: [diagnostic('expression/syntax', `${e.message ?? 'Syntax error'} (JSONata ${e.code ?? '?'})`, { location: locate(offset), data: { jsonataCode: e.code } })],
    };
  }
  const facts = analyzeAst(compiled.ast);
  const diagnostics: Diagnostic[] = [];
  for (const v of facts.variables) {
    if (FORBIDDEN_FUNCTIONS.has(v.name) || (options.repeatable && NON_REPEATABLE_FUNCTIONS.has(v.name))) {
      diagnostics.push(diagnostic('expression/forbidden-function', `$${v.name} is not allowed here`, { location: locate(v.offset) }));
    }
  }
  for (const r of facts.regexes) {
    if (isUnsafeRegex(r.source)) {
      diagnostics.push(diagnostic('expression/unsafe-regex', `/${r.source}/ can take exponential time on some inputs (a repeated group that repeats inside)`, { location: locate(r.offset) }));
      continue;
    }
    const problem = regexProblem(r.source);
    if (problem) {
      diagnostics.push(diagnostic('expression/unsupported-regex', `/${r.source}/ cannot run in the linear-time regex engine: ${problem.replace(/^error parsing regexp: /, '')}`, { location: locate(r.offset) }));
    }
  }
  if (diagnostics.length > 0) return { diagnostics };
  const evaluate = compiled.evaluate;
  const evaluatePlain = compiled.evaluatePlain;
  const evaluateLet =
    compiled.backend === 'compiled' && neverFunctionValue(compiled.ast) && neverThenable(compiled.ast)
      ? evaluatePlain
      : (input: unknown, bindings?: Record<string, unknown>): unknown => {
          const v = evaluate(input, bindings);
          return isThenable(v) ? v.then(letValue) : letValue(v);
        };
  return {
    diagnostics,
    expression: {
      source,
      facts,
      locate,
      backend: compiled.backend,
      ...(compiled.fallbackReason ? { fallbackReason: compiled.fallbackReason } : {}),
      evaluate,
      evaluatePlain,
      evaluateLet,
    },
  };
}

function letValue(v: unknown): unknown {
  return isFunctionValue(v) ? v : toPlainJson(v);
}

/** Turns a JSONata evaluation error into a coded diagnostic located in the Data Map. */
export function evaluationDiagnostic(err: unknown, expression: CompiledExpression, what: string): Diagnostic {
  const e = err as { code?: string; position?: number; token?: string; message?: string; limit?: string };
  const code = limitCode(e);
  const offset = Math.max(0, (e.position ?? 1) - 1);
  const extra: Parameters<typeof diagnostic>[2] = { location: expression.locate(offset), data: { jsonataCode: e.code } };
  if (e.limit) extra.data!.limit = e.limit;
  return diagnostic(code, `${what}: ${e.message ?? String(err)}${e.code ? ` (JSONata ${e.code})` : ''}`, extra);
}

/** Which of the coded limits (if any) an evaluation error is. */
function limitCode(e: { code?: string; message?: string; limit?: string }): 'expression/timeout' | 'expression/too-deep' | 'expression/too-large' | 'expression/evaluation' {
  if (e.limit === 'time' || e.code === 'D1012') return 'expression/timeout';
  if (e.limit === 'depth' || e.code === 'D1011') return 'expression/too-deep';
  if (e.limit === 'size' || e.code === 'D2014' || e.code === 'D2015') return 'expression/too-large';
  if (e instanceof RangeError) return /call stack/i.test(e.message) ? 'expression/too-deep' : 'expression/too-large';
  return 'expression/evaluation';
}

/** Offset of the string, backquoted name or comment that never closes, if any. */
function unterminatedStart(source: string): number | undefined {
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '"' || c === "'" || c === '`') {
      const start = i++;
      while (i < source.length && source[i] !== c) i += c !== '`' && source[i] === '\\' ? 2 : 1;
      if (i >= source.length) return start;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end === -1) return i;
      i = end + 1;
    }
    i++;
  }
  return undefined;
}
