import jsonata from '../jsonata.js';

/**
 * Helpers over JSONata's AST (`jsonata(text).ast()`), shared by the static checks and
 * `explain`. JSONata gives each token node a `position`: the 1-based offset of the END of its
 * token (equivalently, the 0-based offset just after it). Start offsets and source spans are
 * recovered here from those positions and the expression text.
 */

/** A JSONata AST node (only the fields this module reads are typed). */
export type AstNode = { type: string; value?: unknown; position?: number } & Record<string, unknown>;

const astCache = new Map<string, AstNode | null>();

/** Parses an expression and returns its AST, or undefined when it does not parse. Cached by text. */
export function parseAst(source: string): AstNode | undefined {
  let ast = astCache.get(source);
  if (ast === undefined) {
    try {
      ast = jsonata(source).ast() as unknown as AstNode;
    } catch {
      ast = null;
    }
    if (astCache.size > 2000) astCache.clear();
    astCache.set(source, ast);
  }
  return ast ?? undefined;
}

/** True for a node object (not an array, not a primitive). */
export function isNode(v: unknown): v is AstNode {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { type?: unknown }).type === 'string';
}

/** An object constructor `{ "k": v, ... }` (not a group-by). */
export function isObjectConstructor(n: AstNode | undefined): boolean {
  return n?.type === 'unary' && n.value === '{' && Array.isArray(n.lhs);
}

/** An array constructor `[a, b, ...]`. */
export function isArrayConstructor(n: AstNode | undefined): boolean {
  return n?.type === 'unary' && n.value === '[' && Array.isArray(n.expressions);
}

/** A string, number, boolean or null literal. */
export function isLiteral(n: AstNode | undefined): boolean {
  return n !== undefined && (n.type === 'string' || n.type === 'number' || (n.type === 'value' && (n.value === true || n.value === false || n.value === null)));
}

/** One `key: value` pair of an object constructor; `key` is set when the key is a string literal. */
export interface ConstructorEntry {
  key?: string;
  keyNode: AstNode;
  value: AstNode;
}

/** The pairs of an object constructor, in source order. */
export function constructorEntries(n: AstNode): ConstructorEntry[] {
  const out: ConstructorEntry[] = [];
  for (const pair of (n.lhs as unknown[]) ?? []) {
    if (!Array.isArray(pair) || !isNode(pair[0]) || !isNode(pair[1])) continue;
    const keyNode = pair[0];
    const entry: ConstructorEntry = { keyNode, value: pair[1] };
    if (keyNode.type === 'string' && typeof keyNode.value === 'string') entry.key = keyNode.value;
    out.push(entry);
  }
  return out;
}

/**
 * The expression a value reduces to: a block `( ...; x )` is its last expression (bindings
 * before it do not change the value's shape).
 */
export function unwrap(n: AstNode): AstNode {
  let cur = n;
  for (let i = 0; i < 50; i++) {
    if (cur.type === 'block' && Array.isArray(cur.expressions) && cur.expressions.length > 0) {
      const last = cur.expressions[cur.expressions.length - 1];
      if (isNode(last)) { cur = last; continue; }
    }
    break;
  }
  return cur;
}

/**
 * For a path that maps over items and builds an object per item (`lines.{ "n": name }`),
 * the object constructor of its last step; undefined otherwise.
 */
export function mappingConstructor(n: AstNode): AstNode | undefined {
  if (n.type !== 'path' || !Array.isArray(n.steps) || n.steps.length < 2) return undefined;
  const last = n.steps[n.steps.length - 1];
  if (!isNode(last) || last.group !== undefined) return undefined;
  const target = unwrap(last);
  return isObjectConstructor(target) && !hasStages(last) ? target : undefined;
}

function hasStages(n: AstNode): boolean {
  return Array.isArray(n.stages) && n.stages.length > 0;
}

/** 0-based start offset of a node's own token; undefined for nodes without a position. */
export function tokenStart(n: AstNode, source: string): number | undefined {
  const end = n.position;
  if (typeof end !== 'number') return undefined;
  switch (n.type) {
    case 'string': {
      const q = source[end - 1];
      if (q === '"' || q === "'") {
        for (let i = end - 2; i >= 0; i--) {
          if (source[i] !== q) continue;
          let slashes = 0;
          for (let j = i - 1; j >= 0 && source[j] === '\\'; j--) slashes++;
          if (slashes % 2 === 0) return i;
        }
      }
      return Math.max(0, end - String(n.value).length - 2);
    }
    case 'number': {
      const from = Math.max(0, end - 64);
      const m = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.exec(source.slice(from, end));
      let i = m ? from + m.index : end - String(Math.abs(Number(n.value))).length;
      if (typeof n.value === 'number' && n.value < 0) {
        let j = i - 1;
        while (j >= 0 && /\s/.test(source[j]!)) j--;
        if (source[j] === '-') i = j;
      }
      return i;
    }
    case 'name':
      if (source[end - 1] === '`') {
        const open = source.lastIndexOf('`', end - 2);
        return open >= 0 ? open : end - String(n.value).length - 2;
      }
      return Math.max(0, end - String(n.value).length);
    case 'variable':
      return Math.max(0, end - String(n.value).length - 1);
    case 'value':
      return Math.max(0, end - String(n.value).length);
    case 'regex': {
      let i = end;
      while (i > 0 && /[a-z]/i.test(source[i - 1]!)) i--;
      const close = i - 1;
      const body = n.value instanceof RegExp ? n.value.source.length : 0;
      const open = close - body - 1;
      if (source[open] === '/') return open;
      const found = source.lastIndexOf('/', close - 1);
      return found >= 0 ? found : close;
    }
    case 'lambda': {
      // position is just after the `(` of `function(` or `λ(`
      const before = source.slice(0, end);
      if (before.endsWith('function(')) return end - 'function('.length;
      if (before.endsWith('λ(')) return end - 2;
      return end - 1;
    }
    default:
      if (typeof n.value === 'string' && n.value.length > 0 && (n.type === 'binary' || n.type === 'unary' || n.type === 'apply' || n.type === 'bind' || n.type === 'wildcard' || n.type === 'descendant')) {
        return Math.max(0, end - n.value.length);
      }
      return Math.max(0, end - 1);
  }
}

/** Calls `visit` on every node of a subtree once (iteratively; the AST can share nodes). */
export function forEachNode(root: AstNode, visit: (n: AstNode) => void): void {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || seen.has(v) || v instanceof RegExp) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    if (isNode(v)) visit(v);
    for (const [k, x] of Object.entries(v)) {
      if (k === 'value' || k === 'position' || k === 'type') continue;
      stack.push(x);
    }
  }
}

/** The source span `[start, end)` of a subtree, closing brackets included. */
export function nodeSpan(n: AstNode, source: string): { start: number; end: number } {
  let start = Number.POSITIVE_INFINITY;
  let end = -1;
  const literals: Array<[number, number]> = [];
  forEachNode(n, (x) => {
    const s = tokenStart(x, source);
    if (s === undefined || typeof x.position !== 'number') return;
    start = Math.min(start, s);
    end = Math.max(end, x.position);
    if (x.type === 'string' || x.type === 'regex' || (x.type === 'name' && source[x.position - 1] === '`')) literals.push([s, x.position]);
  });
  if (end < 0 || !Number.isFinite(start)) return { start: 0, end: source.length };
  return { start, end: closeBrackets(source, start, end, literals) };
}

/** Extends `end` over the closing brackets of the brackets opened in `[start, end)`. */
function closeBrackets(source: string, start: number, end: number, literals: Array<[number, number]>): number {
  let depth = 0;
  let i = start;
  const skipLiteral = (at: number): number | undefined => {
    for (const [s, e] of literals) if (at === s) return e;
    return undefined;
  };
  while (i < end) {
    const lit = skipLiteral(i);
    if (lit !== undefined) { i = lit; continue; }
    const c = source[i]!;
    if (c === '/' && source[i + 1] === '*') {
      const close = source.indexOf('*/', i + 2);
      i = close === -1 ? end : close + 2;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    i++;
  }
  let out = end;
  while (depth > 0 && i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '/' && source[i + 1] === '*') {
      const close = source.indexOf('*/', i + 2);
      if (close === -1) break;
      i = close + 2;
      continue;
    }
    if (c === ')' || c === ']' || c === '}') {
      depth--;
      i++;
      out = i;
      continue;
    }
    break;
  }
  return out;
}

/** The text of a subtree, as written. */
export function nodeText(n: AstNode, source: string): string {
  const { start, end } = nodeSpan(n, source);
  return source.slice(start, end);
}

/** 0-based offset of the first non-blank character of a text (0 when blank). */
export function firstTokenOffset(source: string): number {
  const m = /\S/.exec(source);
  return m ? m.index : 0;
}
