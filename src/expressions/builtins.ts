/** JSONata's built-in function names (https://docs.jsonata.org/overview), known as variables. */
export const JSONATA_BUILTINS: ReadonlySet<string> = new Set([
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter',
  'lowercase', 'uppercase', 'length', 'trim', 'pad', 'match', 'contains', 'replace', 'split', 'join',
  'formatNumber', 'formatBase', 'formatInteger', 'parseInteger', 'number', 'floor', 'ceil', 'round',
  'abs', 'sqrt', 'power', 'random', 'boolean', 'not', 'map', 'zip', 'filter', 'single', 'reduce',
  'sift', 'keys', 'lookup', 'append', 'exists', 'spread', 'merge', 'reverse', 'each', 'error', 'assert',
  'type', 'sort', 'shuffle', 'distinct', 'base64encode', 'base64decode', 'encodeUrlComponent',
  'encodeUrl', 'decodeUrlComponent', 'decodeUrl', 'eval', 'toMillis', 'fromMillis', 'clone', 'now',
  'millis',
]);

/** Variables the engine binds for every Data Map expression. */
export const ENGINE_VARIABLES: ReadonlySet<string> = new Set(['steps', 'key', 'record', 'env']);

/** Functions never allowed; `random` is additionally refused where values must repeat. */
export const FORBIDDEN_FUNCTIONS: ReadonlySet<string> = new Set(['eval']);
export const NON_REPEATABLE_FUNCTIONS: ReadonlySet<string> = new Set(['random', 'shuffle']);
