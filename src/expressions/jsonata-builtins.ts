import jsonata from '../jsonata.js';
import { JSONATA_MESSAGES } from './jsonata-messages.js';

/** One of jsonata's own function definitions: its implementation and its parsed signature. */
export interface NativeDefinition {
  _jsonata_function: true;
  implementation: (...args: unknown[]) => unknown;
  signature?: { definition: string; validate(args: unknown[], context: unknown): unknown[] };
}

interface JsonataFrame {
  lookup(name: string): unknown;
}

/**
 * jsonata's static environment (the frame its built-ins are bound in), read synchronously: its
 * evaluator calls the `__evaluate_entry` hook before its first `await`, handing over the
 * evaluation frame, whose lookup reaches the built-ins. Taking them this way keeps this module
 * free of a top-level await, so the package loads through CommonJS `require()` as well as `import`.
 */
const JSONATA_FRAME: JsonataFrame = (() => {
  let frame: JsonataFrame | undefined;
  const probe = jsonata('0');
  probe.assign(Symbol.for('jsonata.__evaluate_entry') as unknown as string, (_expr: unknown, _input: unknown, env: JsonataFrame) => {
    frame ??= env;
  });
  probe.evaluate({}).catch(() => undefined);
  if (frame === undefined) throw new Error('jsonata did not expose its environment synchronously');
  return frame;
})();

/**
 * jsonata's synchronous built-in functions, taken from jsonata itself (evaluating `$name` gives
 * the definition), so the compiled backend computes `$round`, `$formatNumber`, `$string`... with
 * the very same code and signature checks. The asynchronous ones (higher-order functions and the
 * regex functions) are written again, synchronously, in compiled-functions.ts.
 */
export const SYNC_BUILTINS = [
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter',
  'lowercase', 'uppercase', 'length', 'trim', 'pad', 'join', 'formatNumber', 'formatBase', 'formatInteger',
  'parseInteger', 'number', 'floor', 'ceil', 'round', 'abs', 'sqrt', 'power', 'random', 'boolean', 'not',
  'zip', 'keys', 'lookup', 'append', 'exists', 'spread', 'merge', 'reverse', 'error', 'assert', 'type',
  'shuffle', 'distinct', 'base64encode', 'base64decode', 'encodeUrlComponent', 'encodeUrl',
  'decodeUrlComponent', 'decodeUrl', 'toMillis', 'fromMillis', 'clone',
] as const;

/** The asynchronous built-ins, with their jsonata signatures (re-implemented synchronously). */
export const ASYNC_BUILTINS = ['match', 'contains', 'replace', 'split', 'map', 'filter', 'single', 'reduce', 'sift', 'each', 'sort'] as const;

const names = [...SYNC_BUILTINS, ...ASYNC_BUILTINS];
const defs = names.map((n) => {
  const def = JSONATA_FRAME.lookup(n) as NativeDefinition | undefined;
  if (def === undefined || def._jsonata_function !== true) throw new Error(`jsonata has no built-in $${n}`);
  return def;
});

export const NATIVE: ReadonlyMap<string, NativeDefinition> = new Map(names.map((n, i) => [n, defs[i]!]));
/** Every definition object jsonata uses for its built-ins (to recognise them when passed around). */
export const NATIVE_OBJECTS: ReadonlySet<unknown> = new Set(defs);

/** A jsonata-shaped error with its message filled in from jsonata's own templates. */
export interface JsonataError {
  code: string;
  message?: string;
  position?: number;
  token?: string;
  value?: unknown;
  [k: string]: unknown;
}

export function jsonataError(code: string, fields: Record<string, unknown> = {}): JsonataError {
  return { code, ...fields };
}

/** jsonata's populateMessage: fills `message` from the template of the code. */
export function populateMessage(err: JsonataError): void {
  const template = JSONATA_MESSAGES[err.code];
  if (template === undefined || err.limit !== undefined) return;
  let message = template.replace(/\{\{\{([^}]+)}}}/g, (_m, k: string) => String(err[k]));
  message = message.replace(/\{\{([^}]+)}}/g, (_m, k: string) => String(JSON.stringify(err[k])));
  err.message = message;
}
