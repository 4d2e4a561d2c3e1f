import { diagnostic, type Diagnostic } from '../errors/diagnostic.js';
import type { SourceLimits } from './limits.js';

/**
 * A linear pre-scan of YAML (or JSON) text that counts nodes, the keys of each mapping and the
 * items of each sequence before the YAML parser sees the text. The parser is slow on huge
 * documents (and its cost is what a hostile file aims at), so a document over a limit is
 * refused here, in one pass over the characters, with the code of the limit it broke and the
 * line where it did.
 *
 * The count is structural, not a full parse: block keys (`key:`), block items (`- `) and the
 * entries of flow collections (`{a: 1, b: 2}`, `[1, 2]`) are counted by indentation and
 * bracket depth; comments, quoted strings and block scalars (`|`, `>`) are skipped. The exact
 * check runs again on the parsed document.
 */
export function prescanYaml(file: string, text: string, limits: SourceLimits): Diagnostic | undefined {
  // open block collections: indentation and how many entries so far
  const blocks: Array<{ indent: number; kind: 'map' | 'seq'; count: number }> = [];
  // open flow collections: kind and entries so far
  const flows: Array<{ kind: 'map' | 'seq'; count: number; line: number }> = [];
  let nodes = 0;
  let line = 1;
  let i = 0;
  const n = text.length;
  let blockScalarIndent = -1; // > -1: inside a block scalar whose parent line had this indent

  const fail = (code: 'source/too-many-nodes' | 'source/too-many-keys' | 'source/sequence-too-long', message: string, at: number): Diagnostic =>
    diagnostic(code, message, { location: { file, line: at, column: 1 } });
  const tooDeep = (at: number, column: number): Diagnostic => diagnostic('source/too-deep', `Nesting deeper than ${limits.maxDepth} levels`, { location: { file, line: at, column } });
  const entry = (kind: 'map' | 'seq', count: number, at: number): Diagnostic | undefined => {
    if (kind === 'map' && count > limits.maxKeys) return fail('source/too-many-keys', `A mapping has more than ${limits.maxKeys} keys`, at);
    if (kind === 'seq' && count > limits.maxItems) return fail('source/sequence-too-long', `A sequence has more than ${limits.maxItems} items`, at);
    return undefined;
  };
  const node = (k = 1): Diagnostic | undefined => {
    nodes += k;
    return nodes > limits.maxNodes ? fail('source/too-many-nodes', `The document has more than ${limits.maxNodes} nodes`, line) : undefined;
  };
  const blockEntry = (indent: number, kind: 'map' | 'seq'): Diagnostic | undefined => {
    while (blocks.length > 0 && blocks[blocks.length - 1]!.indent > indent) blocks.pop();
    let top = blocks[blocks.length - 1];
    if (!top || top.indent < indent || top.kind !== kind) {
      if (top && top.indent === indent) blocks.pop();
      top = { indent, kind, count: 0 };
      blocks.push(top);
      // the root mapping is level 0: a collection at level maxDepth is one too deep
      if (blocks.length + flows.length - 1 >= limits.maxDepth) return tooDeep(line, indent + 1);
    }
    top.count++;
    return entry(kind, top.count, line) ?? node(kind === 'map' ? 2 : 1);
  };

  while (i < n) {
    // start of a line: measure its indentation
    const lineStart = i;
    let contentEnd = -1;
    let indent = 0;
    while (i < n && text.charCodeAt(i) === 32) { i++; indent++; }
    const c0 = text[i];
    if (c0 === '\n') { i++; line++; continue; }
    if (c0 === '\r') { i++; continue; }
    if (i >= n) break;
    if (blockScalarIndent >= 0) {
      if (indent > blockScalarIndent || c0 === '\t') { i = skipLine(text, i) + 1; line++; continue; }
      blockScalarIndent = -1;
    }
    if (flows.length === 0) {
      if (c0 === '#') { i = skipLine(text, i) + 1; line++; continue; }
      if (c0 === '-' && text.startsWith('---', i)) { i = skipLine(text, i) + 1; line++; continue; }
      // block items: `- `, possibly several on one line (`- - x`), possibly with a key after
      let col = indent;
      while (text[i] === '-' && (text[i + 1] === ' ' || text[i + 1] === '\n' || text[i + 1] === '\r' || i + 1 >= n)) {
        const d = blockEntry(col, 'seq');
        if (d) return d;
        i++;
        col++;
        while (text[i] === ' ') { i++; col++; }
      }
      if (flows.length === 0 && looksLikeKey(text, i)) {
        const d = blockEntry(col, 'map');
        if (d) return d;
      }
    }
    // the rest of the line: quotes, comments, flow brackets, block scalar indicators
    let last = '';
    while (i < n && text[i] !== '\n') {
      const c = text[i]!;
      if (c === '"' || c === "'") {
        i = skipQuoted(text, i, c, () => { line++; });
        last = c;
        continue;
      }
      if (c === '#' && (i === 0 || text[i - 1] === ' ' || text[i - 1] === '\t')) { contentEnd = i; i = skipLine(text, i); break; }
      if (c === '{' || c === '[') {
        flows.push({ kind: c === '{' ? 'map' : 'seq', count: 0, line });
        if (blocks.length + flows.length - 1 >= limits.maxDepth) return tooDeep(line, i - lineStart + 1);
      } else if (c === '}' || c === ']') {
        const f = flows.pop();
        if (f && !/^[\s,[{]*$/.test(last)) {
          f.count++;
          const d = entry(f.kind, f.count, line) ?? node();
          if (d) return d;
        }
      } else if (c === ',' && flows.length > 0) {
        const f = flows[flows.length - 1]!;
        f.count++;
        const d = entry(f.kind, f.count, f.line) ?? node();
        if (d) return d;
      }
      if (c !== ' ' && c !== '\t' && c !== '\r') last = c;
      i++;
    }
    // a block scalar header (`key: |`, `- >-`) ends the line: what follows is text, not structure
    if (flows.length === 0 && BLOCK_SCALAR_HEADER.test(text.slice(Math.max(lineStart, (contentEnd === -1 ? i : contentEnd) - 12), contentEnd === -1 ? i : contentEnd))) blockScalarIndent = indent;
    if (i < n) { i++; line++; }
  }
  return undefined;
}

const BLOCK_SCALAR_HEADER = /(?:^|[\s:-])[|>][-+1-9]{0,2}\s*$/;

function skipLine(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl === -1 ? text.length : nl;
}

function skipQuoted(text: string, i: number, q: string, onNewline: () => void): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text[j]!;
    if (c === '\n') onNewline();
    if (q === '"' && c === '\\') { j += 2; continue; }
    if (c === q) {
      if (q === "'" && text[j + 1] === "'") { j += 2; continue; }
      return j + 1;
    }
    j++;
  }
  return j;
}

/** A block mapping key starts at `i`: `name:` / `"name":` followed by a space or the line end. */
function looksLikeKey(text: string, i: number): boolean {
  const c = text[i];
  if (c === undefined || c === '#' || c === '{' || c === '[' || c === '|' || c === '>' || c === '\n') return false;
  let j = i;
  if (c === '"' || c === "'") {
    j = skipQuoted(text, i, c, () => undefined);
  } else {
    // a plain key ends at `: `; give up at the line end or after a long run
    const limit = Math.min(text.length, i + 1024);
    while (j < limit && text[j] !== '\n') {
      if (text[j] === ':' && (text[j + 1] === ' ' || text[j + 1] === '\n' || text[j + 1] === '\r' || j + 1 >= text.length)) return true;
      if (text[j] === ' ' && text[j + 1] === '#') return false;
      j++;
    }
    return false;
  }
  while (text[j] === ' ') j++;
  return text[j] === ':';
}
