/**
 * YAML syntax errors in plain words. The parser reports what confused it ("Nested mappings are
 * not allowed in compact mappings", "Implicit keys need to be on a single line"), often several
 * times for one mistake and on the line before the one to fix. This reads the text around the
 * first error and says, once, what a person did and where to fix it: a line indented too far or
 * not far enough (and which key to line it up with), a tab, a missing colon, a dash without a
 * space, an unquoted value holding `: `, a block scalar whose text is not indented, an unclosed
 * bracket. Anything else keeps the parser's own words, with the line.
 */

/** What the parser said: its code, message and the 0-based offsets of the span. */
export interface YamlParserError {
  code: string;
  message: string;
  offset: number;
}

/** A located plain-words explanation: 1-based line and column of what to fix. */
export interface PlainYamlError {
  message: string;
  hint: string;
  line: number;
  column: number;
  endColumn?: number;
}

interface Line {
  n: number;
  text: string;
  indent: number;
  /** Not blank and not only a comment. */
  content: boolean;
}

function linesOf(text: string): Line[] {
  return text.split(/\r?\n/).map((t, i) => {
    const indent = /^ */.exec(t)![0].length;
    const rest = t.slice(indent);
    return { n: i + 1, text: t, indent, content: rest.trim() !== '' && !rest.trimStart().startsWith('#') };
  });
}

/** The key a line starts with (`- id: x` gives `id`), if any. */
function keyOf(line: Line): string | undefined {
  const m = /^\s*(?:-\s+)*([^\s#'"{[\]}:,-][^:#]*?|"[^"]*"|'[^']*'):(?:\s|$)/.exec(line.text);
  return m ? m[1]!.trim() : undefined;
}

/** Column (1-based) where a key starts on its line (after any `- `). */
function keyColumn(line: Line): number {
  const m = /^(\s*(?:-\s+)*)/.exec(line.text);
  return m![1]!.length + 1;
}

function lineOfOffset(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Translates the first parser error of a document into plain words. */
export function plainYamlError(text: string, error: YamlParserError): PlainYamlError {
  const lines = linesOf(text);
  const errLine = lineOfOffset(text, error.offset);
  const at = (n: number): Line | undefined => lines[n - 1];
  const prevContent = (n: number): Line | undefined => {
    for (let i = n - 1; i >= 1; i--) if (at(i)?.content) return at(i);
    return undefined;
  };
  const nextContent = (n: number): Line | undefined => {
    for (let i = n + 1; i <= lines.length; i++) if (at(i)?.content) return at(i);
    return undefined;
  };
  const first = (l: Line): number => l.indent + 1;
  const here = at(errLine);

  // a tab used for indentation
  for (let i = Math.max(1, errLine - 1); i <= Math.min(lines.length, errLine + 1); i++) {
    const l = at(i)!;
    const m = /^( *)\t/.exec(l.text);
    if (m) {
      return {
        message: `Line ${i} is indented with a tab; YAML indentation must be spaces`,
        hint: 'Replace the tab with spaces (two per level, like the rest of the file).',
        line: i, column: m[1]!.length + 1,
      };
    }
  }

  // `-id: x`: a dash without a space is not a list item
  for (let i = Math.max(1, errLine - 2); i <= errLine; i++) {
    const l = at(i);
    const m = l && /^(\s*)-([^\s-].*)$/.exec(l.text);
    if (l && m && !/^\s*-\d/.test(l.text)) {
      return {
        message: `Line ${i}: "-${m[2]!.split(':')[0]}" is not a list item: a dash needs a space after it`,
        hint: `Write "- ${m[2]!}".`,
        line: i, column: m[1]!.length + 1, endColumn: m[1]!.length + 2,
      };
    }
  }

  // a block scalar (`request: |`) whose text is not indented under its key
  const before = prevContent(errLine);
  if (here && before && /:\s*[|>][+-]?\d*\s*(#.*)?$/.test(before.text) && here.indent <= before.indent + (/^\s*-\s/.test(before.text) ? 2 : 0)) {
    const key = keyOf(before) ?? 'the key';
    return {
      message: `Line ${here.n} should be part of the text block that "${key}: |" on line ${before.n} starts, but it is not indented under "${key}"`,
      hint: `Indent every line of the block further than "${key}" (column ${keyColumn(before)}), e.g. to column ${keyColumn(before) + 2}.`,
      line: here.n, column: first(here),
    };
  }

  // a value with `: ` in it, not quoted (`key: a: b`)
  if (here && error.code === 'BLOCK_AS_IMPLICIT_KEY') {
    const m = /^(\s*(?:-\s+)?[^\s:#][^:#]*:\s+)([^'"{[|>].*?:\s.*)$/.exec(here.text);
    const next = nextContent(here.n);
    if (m && !(next && next.indent > here.indent)) {
      return {
        message: `Line ${here.n}: the value ${m[2]!.trim()} contains ": ", which YAML reads as another key`,
        hint: `Quote the value: ${m[1]!.trim()} '${m[2]!.trim().replace(/'/g, "''")}'.`,
        line: here.n, column: m[1]!.length + 1,
      };
    }
  }

  // a line indented further than the key above it, which already has a value
  if (here && (error.code === 'BLOCK_AS_IMPLICIT_KEY' || error.code === 'MULTILINE_IMPLICIT_KEY')) {
    const next = nextContent(here.n);
    const valueOnLine = /:\s+[^\s#]/.test(here.text);
    if (next && next.indent > here.indent && valueOnLine && keyOf(next)) {
      const key = keyOf(here) ?? 'the line above';
      return {
        message: `Line ${next.n} is indented further than "${key}" on line ${here.n}, which already has a value`,
        hint: `Line up "${keyOf(next)}" with "${key}" (column ${keyColumn(here)}), or, if it belongs under "${key}", move ${key}'s value onto its own lines.`,
        line: next.n, column: first(next),
      };
    }
  }

  // a line with no colon where a key was expected (`key id`)
  if (here && error.code === 'MULTILINE_IMPLICIT_KEY' && !/:(\s|$)/.test(here.text) && here.content) {
    const word = here.text.trim().split(/\s+/)[0]!;
    return {
      message: `Line ${here.n} has no colon: "${here.text.trim()}" is neither a key with a value nor a list item`,
      hint: `Put a colon after the key, e.g. "${word}: ${here.text.trim().slice(word.length).trim() || '…'}".`,
      line: here.n, column: first(here),
    };
  }

  // a line not lined up with any key above it
  const misaligned = error.code === 'BAD_INDENT' || error.code === 'MISSING_CHAR' && /without - indicator/.test(error.message) || /same column|indent/i.test(error.message);
  if (here && here.content && misaligned && !/flow/i.test(error.message)) {
    // the keys of the blocks enclosing the line: the nearest line at each smaller or larger indentation above it
    const candidates: Line[] = [];
    for (let i = here.n - 1; i >= 1 && candidates.length < 3; i--) {
      const l = at(i)!;
      if (!l.content || !keyOf(l)) continue;
      const col = keyColumn(l) - 1;
      if (candidates.some((c) => keyColumn(c) - 1 === col)) continue;
      if (col > here.indent || candidates.length === 0 || col < keyColumn(candidates[candidates.length - 1]!) - 1) candidates.push(l);
      if (col === 0) break;
    }
    const sibling = candidates.find((c) => keyColumn(c) - 1 > here.indent) ?? candidates[0];
    if (sibling) {
      const want = keyColumn(sibling) - 1;
      const what = keyOf(here) ? `"${keyOf(here)}"` : 'it';
      return {
        message: `Line ${here.n} is indented by ${plural(here.indent, 'space')}, which lines it up with no key above it`,
        hint: `Indent ${what} by ${plural(want, 'space')} to line it up with "${keyOf(sibling)}" on line ${sibling.n}${candidates.filter((c) => c !== sibling).map((c) => `, or by ${plural(keyColumn(c) - 1, 'space')} to line it up with "${keyOf(c)}" on line ${c.n}`).join('')}.`,
        line: here.n, column: first(here),
      };
    }
  }

  // an unclosed { or [
  if (/flow (map|sequence|collection)|end with a [}\]]/i.test(error.message)) {
    const open = /\{/.test(error.message) || /map/i.test(error.message) ? '{' : '[';
    const close = open === '{' ? '}' : ']';
    for (let i = errLine; i >= 1; i--) {
      const l = at(i)!;
      const c = l.text.lastIndexOf(open);
      if (c !== -1 && !l.text.slice(c).includes(close)) {
        return {
          message: `The "${open}" on line ${i} is never closed`,
          hint: `Close it with "${close}" on the same line, or write the value as indented YAML lines instead.`,
          line: i, column: c + 1,
        };
      }
    }
  }

  const where = here ?? at(lines.length) ?? { n: 1, indent: 0, text: '', content: false };
  return {
    message: `YAML cannot read line ${where.n}: ${error.message.replace(/\.$/, '')}`,
    hint: 'Fix the YAML at the location shown; indentation and unclosed quotes are the usual causes.',
    line: where.n, column: Math.max(1, Math.min(where.text.length + 1, lineColumn(text, error.offset))),
  };
}

function lineColumn(text: string, offset: number): number {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return offset - start + 1;
}
