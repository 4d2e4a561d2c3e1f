/**
 * Hard limits on one evaluation of one expression, held by both backends (compiled closures and
 * the jsonata fallback). None of them costs an allocation per value: time is read every few
 * hundred steps, sizes are checked where a value is built.
 */
export const EVALUATION_LIMITS = {
  /** Wall-clock deadline of one evaluation, ms. */
  timeout: 1000,
  /** Nesting depth: jsonata's evaluation depth, and nested function calls in the compiled backend. */
  stack: 300,
  /** Longest sequence or array an expression may build. */
  sequence: 100_000,
  /** Longest string an expression may build, in UTF-16 units. */
  string: 1_000_000,
  /**
   * Everything one evaluation may build, in cells: one per array item or object property, one
   * per 8 characters of a new string. Bounds memory (and so time) of expressions that build many
   * values each under the limits above.
   */
  budget: 5_000_000,
} as const;

export type LimitKind = 'time' | 'depth' | 'size';

/** A limit error, shaped like a jsonata error so both backends report it the same way. */
export interface LimitError {
  code: string;
  limit: LimitKind;
  message: string;
  value: number;
  position?: number;
  token?: string;
}

export function limitError(kind: LimitKind, code: string, message: string, value: number): LimitError {
  // a plain object, like jsonata's own errors: no stack trace is ever captured
  return { code, limit: kind, message, value };
}

export const timeoutError = (): LimitError =>
  limitError('time', 'D1012', `Evaluation timeout after ${EVALUATION_LIMITS.timeout} milliseconds. Check for infinite loop`, EVALUATION_LIMITS.timeout);
export const depthError = (): LimitError =>
  limitError('depth', 'D1011', 'Stack overflow. Check for non-terminating recursive function.  Consider rewriting as tail-recursive', EVALUATION_LIMITS.stack);
export const sequenceError = (n: number): LimitError =>
  limitError('size', 'D2015', `The maximum sequence length of ${EVALUATION_LIMITS.sequence} was exceeded.`, n > 0 ? EVALUATION_LIMITS.sequence : 0);
export const stringError = (n: number): LimitError =>
  limitError('size', 'D2016', `The expression would build a string of ${n} characters; the limit is ${EVALUATION_LIMITS.string}.`, n);
export const budgetError = (): LimitError =>
  limitError('size', 'D2017', `The expression built more than ${EVALUATION_LIMITS.budget} values in one evaluation.`, EVALUATION_LIMITS.budget);

/**
 * Per-evaluation guard: deadline, depth and the memory budget. The clock is read lazily: the
 * deadline is set from the first reading, made at the 64th step counted (or by `checkTime`), so
 * an expression of fewer steps never reads it; after that it is read every 256 steps. The time
 * an evaluation spends before its 64th step (a few microseconds of work) is not counted.
 */
export class Guard {
  depth = 0;
  private ticks = 0;
  private budget: number = EVALUATION_LIMITS.budget;
  /** Infinity until the first clock reading. */
  deadline: number;

  /** `now`: the start of the evaluation, when the caller has read the clock already; else read lazily. */
  constructor(now?: number) {
    this.deadline = now === undefined ? Infinity : now + EVALUATION_LIMITS.timeout;
  }

  /** Starts a new evaluation with this guard (a reused guard is as good as a new one). */
  reset(now?: number): this {
    this.depth = 0;
    this.ticks = 0;
    this.budget = EVALUATION_LIMITS.budget;
    this.deadline = now === undefined ? Infinity : now + EVALUATION_LIMITS.timeout;
    return this;
  }

  /** Called in every loop and call: sets the deadline at the 64th step, then reads the clock every 256 steps. */
  tick(): void {
    if ((++this.ticks & 63) === 0) this.slowTick();
  }

  private slowTick(): void {
    if (this.deadline === Infinity) this.deadline = Date.now() + EVALUATION_LIMITS.timeout;
    else if ((this.ticks & 255) === 0 && Date.now() > this.deadline) throw timeoutError();
  }

  /** Reads the clock now (before work that cannot be interrupted). */
  checkTime(): void {
    const now = Date.now();
    if (this.deadline === Infinity) this.deadline = now + EVALUATION_LIMITS.timeout;
    else if (now > this.deadline) throw timeoutError();
  }

  enter(): void {
    if (++this.depth > EVALUATION_LIMITS.stack) throw depthError();
  }

  /** Accounts for a new array/sequence of n items (or an object of n properties). */
  cells(n: number): void {
    if (n > EVALUATION_LIMITS.sequence) throw sequenceError(n);
    if ((this.budget -= n) < 0) throw budgetError();
  }

  /** Accounts for a new string of n characters. */
  chars(n: number): void {
    if (n > EVALUATION_LIMITS.string) throw stringError(n);
    if ((this.budget -= n >>> 3) < 0) throw budgetError();
  }

  /** Accounts for any value a builtin returned. */
  value(v: unknown): void {
    if (typeof v === 'string') {
      if (v.length > 64) this.chars(v.length);
    } else if (Array.isArray(v)) {
      this.cells(v.length);
    }
  }
}

/** Rough size, in characters, of a value's JSON text, stopping once past `max`. */
export function jsonSizeAtMost(v: unknown, max: number): number {
  let size = 0;
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x === 'string') size += x.length + 2;
    else if (x === null || typeof x !== 'object') size += 24;
    else if (Array.isArray(x)) {
      size += x.length + 2;
      for (let i = 0; i < x.length; i++) stack.push(x[i]);
    } else {
      for (const k of Object.keys(x)) {
        size += k.length + 4;
        stack.push((x as Record<string, unknown>)[k]);
      }
    }
    if (size > max) return size;
  }
  return size;
}
