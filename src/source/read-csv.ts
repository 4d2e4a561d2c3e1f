import { parse, type CsvError, type Options } from 'csv-parse';
import { diagnostic, DatamapError, type Diagnostic } from '../errors/diagnostic.js';
import { FORBIDDEN_KEYS } from './limits.js';
import type { RecordItem } from './read-records.js';
import { splitLines } from './split-lines.js';

/** Options of `readCsvRecords`. */
export interface ReadCsvOptions {
  /** Name shown in locations (a file path, or `<stdin>`). */
  source?: string;
  /**
   * JSON Schema of one record (a Data Map's `input`). Where it declares a field's type, cells
   * are converted: `number`/`integer` to numbers, `boolean` to true/false; anything else stays
   * a string. Without it every cell is a string.
   */
  schema?: Record<string, unknown>;
  /** Field delimiter (default `,`). */
  delimiter?: string;
  /** Largest single record, in characters. */
  maxRecordChars?: number;
  /** Deepest dotted header (`a.b.c` is 3). */
  maxDepth?: number;
}

type Schema = Record<string, unknown>;

/** One column of the header: its path in the record and the types its schema declares. */
interface Column {
  index: number;
  name: string;
  /** Path segments; a number is an array index (only where the schema says array). */
  path: Array<string | number>;
  types: ReadonlySet<string> | undefined;
  /** The array items this column is part of (`lines.0`), by path prefix. */
  items: string[];
}

type Parsed = { fields: string[]; line: number; endLine: number };

/**
 * Streams records from CSV text (RFC 4180: quoted fields, `""` escapes, embedded newlines,
 * CRLF or LF, an optional UTF-8 BOM). The first row names the fields; a dotted name
 * (`customer.email`) becomes a nested object, and `lines.0.qty` an array item where the schema
 * says `lines` is an array. An empty cell leaves the field out, unless the schema declares it a
 * string. A row whose field count differs from the header's is one `record/csv-ragged` error
 * and reading goes on; so does a row with a quoting error (`source/csv-syntax`). A header that
 * cannot name records (duplicate, empty segment, `a` beside `a.b`, a forbidden key) throws
 * `source/csv-header`: the whole input is unusable.
 */
export async function* readCsvRecords(chunks: AsyncIterable<string | Buffer> | Iterable<string | Buffer>, options: ReadCsvOptions = {}): AsyncGenerator<RecordItem> {
  const file = options.source ?? '<input>';
  const maxChars = options.maxRecordChars ?? 10 * 1024 * 1024;
  const maxDepth = options.maxDepth ?? 64;
  const queue: Parsed[] = [];
  let failure: CsvError | Error | undefined;
  // Lines are counted here from each record's raw text (blank lines before it included), so a
  // CRLF inside a quoted field of an LF file counts once.
  let nextLine = 1;
  const onRecord = (rec: unknown): null => {
    const { record, raw } = rec as { record: string[]; raw: string };
    const lead = /^[\r\n]*/.exec(raw)![0];
    const line = nextLine + lineBreaks(lead);
    nextLine += lineBreaks(raw);
    queue.push({ fields: record, line, endLine: Math.max(line, nextLine - 1) });
    return null;
  };
  const parser = parse({
    bom: true,
    delimiter: options.delimiter ?? ',',
    relax_column_count: true,
    // a quote inside a field that does not start with one is kept as text (5 "inch" pipe)
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: maxChars,
    raw: true,
    on_record: onRecord as Options['on_record'],
  });
  parser.on('error', (err: Error) => { failure ??= err; });
  parser.resume();

  let columns: Column[] | undefined;
  let hasItems = false;
  let index = 0;
  // a CSV row is the user's data with no key names to mask by (a security code is just `987`),
  // so its errors say where the row is and never show it (data.hideSource: no code frame)
  const at = (line: number) => ({ file, line, column: 1 });

  const take = function* (): Generator<RecordItem> {
    while (queue.length > 0) {
      const p = queue.shift()!;
      if (!columns) {
        if (badLines.size > 0 && spansBadLine(p.line, p.endLine)) throw headerError(`The header row at line ${p.line} is not valid UTF-8`, file, p.line, 'Re-export the file as UTF-8 (it is often Latin-1 or Windows-1252 when exported by mistake).');
        columns = headerColumns(p.fields, options.schema, file, p.line, maxDepth);
        hasItems = columns.some((c) => c.items.length > 0);
        continue;
      }
      if (badLines.size > 0 && spansBadLine(p.line, p.endLine)) {
        yield { index: index++, line: p.line, error: diagnostic('record/invalid-utf8', `Row at line ${p.line} is not valid UTF-8`, { location: at(p.line), data: { hideSource: true } }) };
        continue;
      }
      if (p.fields.length !== columns.length) {
        yield {
          index: index++,
          line: p.line,
          error: diagnostic('record/csv-ragged', `Row at line ${p.line} has ${p.fields.length} field${p.fields.length === 1 ? '' : 's'} but the header has ${columns.length}`, { location: at(p.line), data: { fields: p.fields.length, columns: columns.length, hideSource: true } }),
        };
        continue;
      }
      yield { index: index++, line: p.line, value: toRecord(p.fields, columns, hasItems) };
    }
  };

  // Bytes are split into lines and decoded strictly (as the JSON reader does): a row with a line
  // that is not UTF-8 is a record/invalid-utf8 error, never repaired and sent.
  const badLines = new Set<number>();
  const spansBadLine = (from: number, to: number): boolean => {
    for (let l = from; l <= to; l++) if (badLines.has(l)) return true;
    return false;
  };
  let lineNo = 1;
  let pending = '';
  const flush = async (): Promise<void> => {
    const text = pending;
    pending = '';
    await new Promise<void>((resolve) => {
      parser.write(text, () => resolve());
    });
  };
  for await (const seg of splitLines(chunks)) {
    if (seg.invalid) badLines.add(lineNo);
    if (seg.complete) {
      pending += seg.text + '\n';
      lineNo++;
    } else {
      pending += seg.text;
      if (seg.text.endsWith('\n')) lineNo++;
    }
    await flush();
    yield* take();
    if (failure) break;
  }
  if (!failure && pending.length > 0) {
    await flush();
    yield* take();
  }
  if (!failure) {
    await new Promise<void>((resolve) => {
      parser.once('end', resolve);
      parser.once('error', () => resolve());
      parser.end();
    });
  }
  yield* take();
  if (failure) {
    const code = (failure as CsvError).code;
    const message = code === 'CSV_QUOTE_NOT_CLOSED'
      ? `A quoted field that starts on line ${nextLine} or after is never closed; the input cannot be read past it`
      : code === 'CSV_MAX_RECORD_SIZE'
        ? `The row at line ${nextLine} is larger than ${maxChars} characters; the input cannot be read past it`
        : `The CSV input cannot be read past line ${nextLine}: ${failure.message}`;
    yield { index: index++, line: nextLine, error: diagnostic('source/csv-syntax', message, { location: at(nextLine), data: { hideSource: true } }) };
  }
}

/** Reading a CSV input whose header names no usable fields stops here. */
function headerError(message: string, file: string, line: number, hint?: string): DatamapError {
  const extra: { location: Diagnostic['location']; hint?: string } = { location: { file, line, column: 1 } };
  if (hint) extra.hint = hint;
  return new DatamapError(diagnostic('source/csv-header', message, extra));
}

function headerColumns(names: string[], schema: Schema | undefined, file: string, line: number, maxDepth: number): Column[] {
  const columns: Column[] = [];
  const seen = new Map<string, string>();
  names.forEach((raw, i) => {
    const name = raw.trim();
    if (name === '') {
      throw headerError(`Column ${i + 1} of the header has no name`, file, line, 'Name every column in the first row; a dotted name such as customer.email makes a nested field.');
    }
    const segments = name.split('.');
    if (segments.some((s) => s === '')) throw headerError(`Header "${name}" (column ${i + 1}) has an empty part`, file, line, 'Write dotted names as parent.child, without leading, trailing or doubled dots.');
    if (segments.length > maxDepth) throw headerError(`Header "${name}" (column ${i + 1}) nests deeper than ${maxDepth} levels`, file, line);
    const bad = segments.find((s) => FORBIDDEN_KEYS.has(s));
    if (bad) throw headerError(`Header "${name}" (column ${i + 1}) uses the forbidden name "${bad}"`, file, line, 'Names __proto__, constructor and prototype are rejected to prevent prototype pollution.');
    if (seen.has(name)) throw headerError(`Header "${name}" appears twice (columns ${seen.get(name)} and ${i + 1})`, file, line, 'Each column must name a different field.');
    seen.set(name, String(i + 1));
    let s: Schema | undefined = schema;
    const path: Array<string | number> = [];
    for (const seg of segments) {
      const isArray = s !== undefined && (declaredTypes(s, schema)?.has('array') || resolve(s, schema)?.items !== undefined);
      path.push(isArray && /^\d+$/.test(seg) ? Number(seg) : seg);
      s = s === undefined ? undefined : childSchema(s, seg, isArray, schema);
    }
    const items = path.flatMap((seg, k) => (typeof seg === 'number' ? [path.slice(0, k + 1).join('.')] : []));
    columns.push({ index: i, name, path, types: s === undefined ? undefined : declaredTypes(s, schema), items });
  });
  // `customer` beside `customer.email`: one cannot be both a value and an object
  const names2 = [...seen.keys()].sort();
  for (let i = 1; i < names2.length; i++) {
    if (names2[i]!.startsWith(names2[i - 1]! + '.')) {
      throw headerError(`Header "${names2[i - 1]}" is a value, but "${names2[i]}" makes it an object`, file, line, 'Keep either the plain column or the dotted ones.');
    }
  }
  return columns;
}

function toRecord(fields: string[], columns: Column[], hasItems: boolean): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  let arrays = false;
  // an array item whose cells are all empty is not there (an invoice with fewer lines)
  const present = new Set<string>();
  if (hasItems) for (const col of columns) if (col.items.length > 0 && fields[col.index] !== '') for (const it of col.items) present.add(it);
  for (const col of columns) {
    if (col.items.length > 0 && !col.items.every((it) => present.has(it))) continue;
    const value = convert(fields[col.index] ?? '', col.types);
    if (value === undefined) continue;
    let node: Record<string | number, unknown> | unknown[] = record;
    for (let k = 0; k < col.path.length - 1; k++) {
      const seg = col.path[k]!;
      const nextIsIndex = typeof col.path[k + 1] === 'number';
      let next = (node as Record<string | number, unknown>)[seg];
      if (next === undefined) {
        next = nextIsIndex ? [] : {};
        if (nextIsIndex) arrays = true;
        (node as Record<string | number, unknown>)[seg] = next;
      }
      node = next as Record<string, unknown>;
    }
    (node as Record<string | number, unknown>)[col.path[col.path.length - 1]!] = value;
  }
  return arrays ? (compact(record) as Record<string, unknown>) : record;
}

/** Arrays built from `lines.0.x`, `lines.2.x` keep their items in order, without holes. */
function compact(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(compact);
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) (v as Record<string, unknown>)[k] = compact(x);
  }
  return v;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A cell's value under the types its schema declares; undefined leaves the field out. */
function convert(cell: string, types: ReadonlySet<string> | undefined): unknown {
  if (cell === '') return types?.has('string') ? '' : undefined;
  if (!types || types.has('string')) return cell;
  const t = cell.trim();
  if ((types.has('number') || types.has('integer')) && NUMBER.test(t)) return Number(t);
  if (types.has('boolean') && /^(true|false)$/i.test(t)) return t.toLowerCase() === 'true';
  if (types.has('null') && /^null$/i.test(t)) return null;
  // left as text: the input schema then names the field and the type it expected
  return cell;
}

function resolve(s: Schema, root: Schema | undefined): Schema | undefined {
  let cur: Schema | undefined = s;
  for (let hops = 0; cur && typeof cur.$ref === 'string' && hops < 16; hops++) {
    const ref: string = cur.$ref;
    if (!ref.startsWith('#/') || !root) return cur;
    let target: unknown = root;
    for (const part of ref.slice(2).split('/')) target = (target as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    cur = target && typeof target === 'object' ? (target as Schema) : undefined;
  }
  return cur;
}

/** Branches a value may match: the schema itself and its allOf/anyOf/oneOf parts. */
function branches(s: Schema, root: Schema | undefined): Schema[] {
  const r = resolve(s, root);
  if (!r) return [];
  const out = [r];
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = r[k];
    if (Array.isArray(list)) for (const b of list) if (b && typeof b === 'object') out.push(...branches(b as Schema, root));
  }
  return out;
}

function childSchema(s: Schema, seg: string, isArray: boolean, root: Schema | undefined): Schema | undefined {
  for (const b of branches(s, root)) {
    if (isArray && b.items && typeof b.items === 'object' && !Array.isArray(b.items)) return b.items as Schema;
    const props = b.properties as Record<string, Schema> | undefined;
    if (props && Object.prototype.hasOwnProperty.call(props, seg)) return props[seg];
  }
  for (const b of branches(s, root)) {
    if (b.additionalProperties && typeof b.additionalProperties === 'object') return b.additionalProperties as Schema;
  }
  return undefined;
}

/** The JSON types a schema allows, from `type`, or else from `const`/`enum` values. */
function declaredTypes(s: Schema, root: Schema | undefined): Set<string> | undefined {
  const types = new Set<string>();
  for (const b of branches(s, root)) {
    if (typeof b.type === 'string') {
      types.add(b.type);
    } else if (Array.isArray(b.type)) {
      for (const t of b.type) if (typeof t === 'string') types.add(t);
    } else {
      const values: unknown[] = 'const' in b ? [b.const] : Array.isArray(b.enum) ? b.enum : [];
      for (const v of values) types.add(v === null ? 'null' : typeof v);
    }
  }
  return types.size > 0 ? types : undefined;
}

/** Line breaks in a text: CRLF, LF and a lone CR each count one. */
function lineBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}
