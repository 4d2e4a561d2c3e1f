import { LineCounter, parseDocument, isAlias, isMap, isPair, isScalar, isSeq, isNode, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { diagnostic, type Diagnostic, type SourceLocation } from '../errors/diagnostic.js';
import { DEFAULT_LIMITS, FORBIDDEN_KEYS, type SourceLimits } from './limits.js';
import { pointerFromPath, type PathSegment } from './pointer.js';
import { prescanYaml } from './prescan.js';
import { plainYamlError } from './yaml-errors.js';

/** A parsed YAML (or JSON) text that still knows where every value came from. */
export interface SourceDocument {
  file: string;
  text: string;
  /** The plain JS value (only meaningful when `diagnostics` has no error). */
  value: unknown;
  diagnostics: Diagnostic[];
  /** Location of the value at `path`, or of the nearest existing ancestor. */
  locate(path: readonly PathSegment[], options?: { key?: boolean }): SourceLocation;
  /** Location of character `offset` inside the string scalar at `path`. */
  locateInScalar(path: readonly PathSegment[], offset: number): SourceLocation;
}

const YAML_CODE_MAP: Record<string, Diagnostic['code']> = {
  DUPLICATE_KEY: 'source/duplicate-key',
  TAG_RESOLVE_FAILED: 'source/unknown-tag',
  BAD_ALIAS: 'source/alias-not-allowed',
};

/** Explicit tags a Data Map may use: the JSON-compatible core ones. */
const CORE_TAGS: ReadonlySet<string> = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/** Parses YAML text safely: unique keys, core schema, no aliases, bounded size and depth. */
export function parseYamlSource(file: string, text: string, limits: SourceLimits = DEFAULT_LIMITS): SourceDocument {
  const lineCounter = new LineCounter();
  const locAt = (offset: number, end?: number): SourceLocation => {
    const p = lineCounter.linePos(offset);
    const loc: SourceLocation = { file, line: p.line, column: p.col };
    if (end !== undefined) {
      const e = lineCounter.linePos(end);
      loc.endLine = e.line;
      loc.endColumn = e.col;
    }
    return loc;
  };
  const fail = (d: Diagnostic): SourceDocument => ({
    file, text, value: undefined, diagnostics: [d],
    locate: () => ({ file, line: 1, column: 1 }),
    locateInScalar: () => ({ file, line: 1, column: 1 }),
  });

  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    return fail(diagnostic('source/too-large', `${file} is ${bytes} bytes; the limit is ${limits.maxBytes}`, { location: { file, line: 1, column: 1 } }));
  }

  // counted before the parser sees the text: it is slow on huge documents (src/source/prescan.ts)
  const tooBig = prescanYaml(file, text, limits);
  if (tooBig) return fail(tooBig);

  let doc: Document;
  try {
    // duplicate keys are found by checkStructure in one pass (the parser's own check is quadratic)
    doc = parseDocument(text, {
      lineCounter, uniqueKeys: false, schema: 'core', prettyErrors: false, strict: true, merge: false, keepSourceTokens: false,
    });
  } catch (err) {
    // The parser recurses per block nesting level; it can exhaust the stack before the
    // composer (which reports RESOURCE_EXHAUSTION itself) gets the document.
    const deep = err instanceof RangeError;
    return fail(diagnostic(deep ? 'source/too-deep' : 'source/yaml-syntax', deep ? 'Nesting too deep to read' : `Cannot read ${file}: ${(err as Error)?.message ?? String(err)}`, { location: { file, line: 1, column: 1 } }));
  }
  const diagnostics: Diagnostic[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    // the parser recurses per nesting level: a very deep document exhausts its stack
    const tooDeep = e.code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(e.message);
    if (tooDeep && diagnostics.some((d) => d.code === 'source/too-deep')) continue;
    const code = tooDeep ? 'source/too-deep' : YAML_CODE_MAP[e.code] ?? 'source/yaml-syntax';
    const message = tooDeep ? 'Nesting too deep to read' : e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'YAML error';
    // An unclosed quote is noticed at the end of the file; point at the quote that opened it.
    const opened = e.code === 'MISSING_CHAR' && /quote/.test(message) ? unclosedQuoteStart(doc, e.pos[0]) : undefined;
    if (code === 'source/yaml-syntax') {
      // one mistake makes the parser report several errors: say the first once, in plain words
      if (diagnostics.some((d) => d.code === 'source/yaml-syntax')) continue;
      if (opened !== undefined) {
        const loc = locAt(opened, opened + 1);
        diagnostics.push(diagnostic(code, `The quote opened on line ${loc.line} is never closed`, { location: loc, hint: 'Close the quote on the same line (inside "…", write \\" for a quote character), or use a block scalar (key: |) for text over several lines.' }));
        continue;
      }
      const plain = plainYamlError(text, { code: e.code, message, offset: e.pos[0] });
      const loc: SourceLocation = { file, line: plain.line, column: plain.column };
      if (plain.endColumn !== undefined) { loc.endLine = plain.line; loc.endColumn = plain.endColumn; }
      diagnostics.push(diagnostic(code, plain.message, { location: loc, hint: plain.hint, data: { parser: message } }));
      continue;
    }
    diagnostics.push(diagnostic(code, message, { location: opened !== undefined ? locAt(opened, opened + 1) : locAt(e.pos[0], e.pos[1]) }));
  }
  if (diagnostics.length === 0) checkStructure(doc, text, limits, locAt, diagnostics);

  let value: unknown;
  if (diagnostics.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 0 });
    } catch (err) {
      diagnostics.push(diagnostic('source/yaml-syntax', `Cannot read ${file}: ${(err as Error).message}`, { location: { file, line: 1, column: 1 } }));
    }
  }

  const nodeAt = (path: readonly PathSegment[], key: boolean): { node: Node | undefined; keyNode: Node | undefined } => {
    let node: unknown = doc.contents;
    let keyNode: Node | undefined;
    let last: Node | undefined = isNode(node) ? node : undefined;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = pairIndex(node).get(String(seg));
        if (!pair) return { node: last, keyNode: undefined };
        keyNode = isNode(pair.key) ? pair.key : undefined;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        keyNode = undefined;
      } else {
        return { node: last, keyNode: undefined };
      }
      if (isNode(node)) last = node; else return { node: key && keyNode ? keyNode : last, keyNode };
    }
    return { node: last, keyNode };
  };

  return {
    file, text, value, diagnostics,
    locate(path, options = {}) {
      const { node, keyNode } = nodeAt(path, options.key === true);
      const target = options.key && keyNode ? keyNode : node;
      const range = target?.range;
      const loc = range ? locAt(range[0], range[1]) : { file, line: 1, column: 1 };
      return { ...loc, pointer: pointerFromPath(path) };
    },
    locateInScalar(path, offset) {
      const { node } = nodeAt(path, false);
      if (!node || !isScalar(node) || typeof node.value !== 'string' || !node.range) return this.locate(path);
      const sourceOffset = alignOffset(node.value, text, node.range[0], node.range[1], offset);
      return { ...locAt(sourceOffset), pointer: pointerFromPath(path) };
    },
  };
}

const pairIndexes = new WeakMap<object, Map<string, Pair>>();

/** A mapping's pairs by key (first one wins), built once per mapping: locating stays linear. */
function pairIndex(node: YAMLMap): Map<string, Pair> {
  let index = pairIndexes.get(node);
  if (!index) {
    index = new Map();
    for (const p of node.items) if (isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p as Pair);
    pairIndexes.set(node, index);
  }
  return index;
}

/** Where the `!tag` written before the node at `offset` starts. */
function tagStart(text: string, offset: number): number {
  let i = text.lastIndexOf('!', offset);
  if (i === -1) return offset;
  while (i > 0 && !/[\s[{,:]/.test(text[i - 1]!)) i--;
  return i;
}

/** Start offset of the quoted scalar that runs up to `errorOffset` (an unclosed quote), if any. Iterative. */
function unclosedQuoteStart(doc: Document, errorOffset: number): number | undefined {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isScalar(node)) {
      if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range && node.range[1] >= errorOffset) return node.range[0];
    } else if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) {
        if (isPair(item)) stack.push(item.key, item.value);
        else stack.push(item);
      }
    }
  }
  return undefined;
}

/** Rejects aliases, forbidden keys and excessive nesting, with locations. Iterative: no stack risk. */
function checkStructure(
  doc: Document,
  text: string,
  limits: SourceLimits,
  locAt: (offset: number, end?: number) => SourceLocation,
  out: Diagnostic[],
): void {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: doc.contents, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (++nodes > limits.maxNodes) {
      out.push(diagnostic('source/too-many-nodes', `The document has more than ${limits.maxNodes} nodes`, { location: locAt(isNode(node) ? node.range?.[0] ?? 0 : 0) }));
      return;
    }
    // !!binary, !!set, !!omap, !!pairs, !!timestamp would become non-JSON values
    if (isNode(node) && node.tag && !CORE_TAGS.has(node.tag)) {
      out.push(diagnostic('source/unknown-tag', `Tag ${node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed`, { location: locAt(tagStart(text, node.range?.[0] ?? 0)) }));
    }
    if (isAlias(node)) {
      out.push(diagnostic('source/alias-not-allowed', `Alias *${node.source} is not allowed`, { location: locAt(node.range?.[0] ?? 0) }));
      continue;
    }
    if (isMap(node) || isSeq(node)) {
      if (depth >= limits.maxDepth) {
        out.push(diagnostic('source/too-deep', `Nesting deeper than ${limits.maxDepth} levels`, { location: locAt(node.range?.[0] ?? 0) }));
        return;
      }
      if (node.anchor) out.push(diagnostic('source/alias-not-allowed', `Anchor &${node.anchor} is not allowed`, { location: locAt(node.range?.[0] ?? 0) }));
      if (isMap(node) && node.items.length > limits.maxKeys) {
        out.push(diagnostic('source/too-many-keys', `A mapping has ${node.items.length} keys; the limit is ${limits.maxKeys}`, { location: locAt(node.range?.[0] ?? 0) }));
        return;
      }
      if (isSeq(node) && node.items.length > limits.maxItems) {
        out.push(diagnostic('source/sequence-too-long', `A sequence has ${node.items.length} items; the limit is ${limits.maxItems}`, { location: locAt(node.range?.[0] ?? 0) }));
        return;
      }
      const keys = isMap(node) ? new Set<string>() : undefined;
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          const k = item.key;
          if (keys && isScalar(k)) {
            const name = String(k.value);
            if (keys.has(name)) out.push(diagnostic('source/duplicate-key', `Map keys must be unique; "${name.length > 60 ? name.slice(0, 60) + '…' : name}" is repeated`, { location: locAt(k.range?.[0] ?? 0, k.range?.[1]) }));
            keys.add(name);
          }
          if (isScalar(k) && k.tag && !CORE_TAGS.has(k.tag)) stack.push({ node: k, depth: depth + 1 });
          if (isScalar(k) && FORBIDDEN_KEYS.has(String(k.value))) {
            out.push(diagnostic('source/forbidden-key', `Key "${String(k.value)}" is not allowed`, { location: locAt(k.range?.[0] ?? 0) }));
          } else if (isMap(k) || isSeq(k)) {
            out.push(diagnostic('source/yaml-syntax', 'Complex (non-scalar) keys are not allowed', { location: locAt(k.range?.[0] ?? 0) }));
          }
          stack.push({ node: item.value, depth: depth + 1 });
        } else {
          stack.push({ node: item, depth: depth + 1 });
        }
      }
    } else if (isScalar(node) && node.anchor) {
      out.push(diagnostic('source/alias-not-allowed', `Anchor &${node.anchor} is not allowed`, { location: locAt(node.range?.[0] ?? 0) }));
    }
  }
}

/**
 * Maps a character offset inside a scalar's parsed value to an offset in the source text by
 * walking both: block, folded, plain and quoted scalars differ from their value only in
 * indentation, line folding and quotes, so a greedy alignment finds the real position.
 */
function alignOffset(value: string, text: string, start: number, end: number, offset: number): number {
  let j = start;
  // Skip a block scalar header (`|`, `>-`, ...) and an opening quote.
  const head = text.slice(start, Math.min(end, start + 8));
  if (/^[|>]/.test(head)) {
    const nl = text.indexOf('\n', start);
    j = nl === -1 ? end : nl + 1;
  } else if (head.startsWith('"') || head.startsWith("'")) {
    j = start + 1;
  }
  const target = Math.max(0, Math.min(offset, value.length));
  for (let i = 0; i < target && j < end; i++) {
    const c = value[i]!;
    if (/\s/.test(c)) {
      // whitespace in the value may come from a newline plus indentation in the source
      if (/\s/.test(text[j] ?? '')) {
        j++;
        if (c === '\n' || text[j - 1] === '\n') while (j < end && (text[j] === ' ' || text[j] === '\t')) j++;
      }
      continue;
    }
    while (j < end && text[j] !== c) j++;
    j++;
  }
  while (j < end && (text[j] === ' ' || text[j] === '\t') && /\S/.test(value[target] ?? '')) j++;
  return Math.min(j, end);
}
