import { StringDecoder } from 'node:string_decoder';
import { diagnostic, type Diagnostic } from '../errors/diagnostic.js';
import { FORBIDDEN_KEYS } from './limits.js';

/** One record read from an input stream, or the reason it could not be read. */
export type RecordItem =
  | { index: number; line: number; value: unknown; error?: undefined }
  | { index: number; line: number; value?: undefined; error: Diagnostic };

/** Options of `readRecords`. */
export interface ReadRecordsOptions {
  /** Name shown in locations (a file path, or `<stdin>`). */
  source?: string;
  /** Largest single record, in characters. */
  maxRecordChars?: number;
  /** Deepest nesting in a record. */
  maxDepth?: number;
}

/**
 * Streams records from text chunks holding a JSON object, a JSON array of objects, or NDJSON
 * (any whitespace-separated JSON values). Memory stays flat: one record is held at a time.
 * A record that cannot be parsed is yielded as an error and reading goes on.
 */
export async function* readRecords(chunks: AsyncIterable<string | Buffer> | Iterable<string>, options: ReadRecordsOptions = {}): AsyncGenerator<RecordItem> {
  const file = options.source ?? '<input>';
  const maxChars = options.maxRecordChars ?? 10 * 1024 * 1024;
  const maxDepth = options.maxDepth ?? 64;
  let mode: 'unknown' | 'array' | 'stream' = 'unknown';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let buf = '';
  let recordLine = 1;
  let line = 1;
  let index = 0;
  let tooDeep = false;
  let arrayClosed = false;
  let oversized = false;
  // NDJSON: true once the first record was one complete object on one line. Then a line that
  // starts with `{` while a record is still open means that record was broken (truncated, an
  // unclosed string): it is reported and reading resumes with the new line.
  let lineMode: boolean | undefined;
  let newlineInRecord = false;

  const emit = (text: string): RecordItem => {
    const at = { index: index++, line: recordLine };
    if (tooDeep) {
      return { ...at, error: diagnostic('source/too-deep', `Record ${at.index + 1} nests deeper than ${maxDepth} levels`, { location: { file, line: at.line, column: 1 } }) };
    }
    const wasOversized = oversized;
    oversized = false;
    if (wasOversized || text.length > maxChars) {
      return { ...at, error: diagnostic('source/too-large', `Record ${at.index + 1} is larger than ${maxChars} characters`, { location: { file, line: at.line, column: 1 } }) };
    }
    try {
      const value: unknown = JSON.parse(text);
      const bad = findForbiddenKey(value);
      if (bad) return { ...at, error: diagnostic('record/forbidden-key', `Record ${at.index + 1} has a key named "${bad}"`, { location: { file, line: at.line, column: 1 } }) };
      return { ...at, value };
    } catch (err) {
      return { ...at, error: diagnostic('source/json-syntax', `Record ${at.index + 1} is not valid JSON: ${(err as Error).message}`, { location: { file, line: at.line, column: 1 } }) };
    }
  };

  // Buffers may split a multi-byte character; the decoder carries the partial bytes over.
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks) {
    const s = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (newlineInRecord) {
        newlineInRecord = false;
        if (c === '{' && (depth > 0 || inString)) {
          yield emit(buf + s.slice(start, i));
          buf = '';
          start = i;
          depth = 0;
          inString = false;
          escaped = false;
        }
      }
      if (c === '\n') {
        line++;
        if (mode === 'stream' && lineMode === true && (depth > 0 || inString)) newlineInRecord = true;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (mode === 'unknown') {
        if (/\s/.test(c)) { start = i + 1; continue; }
        if (c === '[') { mode = 'array'; depth = 1; start = i + 1; continue; }
        mode = 'stream';
      }
      const topLevel = mode === 'array' ? 1 : 0;
      if (depth === topLevel && buf.length === 0 && i === start && (/\s/.test(c) || (mode === 'array' && c === ','))) {
        start = i + 1;
        continue;
      }
      if (depth === topLevel && buf.length === 0 && i === start) { recordLine = line; tooDeep = false; }
      if (mode === 'array' && depth === 0) {
        // after the closing bracket only whitespace may follow
        if (!/\s/.test(c)) {
          yield { index: index++, line, error: diagnostic('source/json-syntax', `Unexpected "${c}" after the end of the array`, { location: { file, line, column: 1 } }) };
          return;
        }
        start = i + 1;
        continue;
      }
      if (c === '"') { inString = true; continue; }
      if (c === '{' || c === '[') {
        depth++;
        if (depth - topLevel > maxDepth) tooDeep = true;
        continue;
      }
      if (c === '}' || c === ']') {
        if (mode === 'array' && depth === 1 && c === ']') {
          const rest = (buf + s.slice(start, i)).trim();
          if (rest.length > 0) yield emit(rest);
          buf = '';
          depth = 0;
          arrayClosed = true;
          start = i + 1;
          continue;
        }
        depth--;
        if (depth === topLevel) {
          if (mode === 'stream' && lineMode === undefined) lineMode = recordLine === line;
          yield emit(buf + s.slice(start, i + 1));
          buf = '';
          start = i + 1;
        }
        continue;
      }
      if (depth === topLevel && (c === ',' || /\s/.test(c))) {
        // end of a top-level scalar (a record that is not an object)
        const text = (buf + s.slice(start, i)).trim();
        if (text.length > 0) yield emit(text);
        buf = '';
        start = i + 1;
      }
    }
    if (start < s.length) buf += s.slice(start);
    if (buf.length > maxChars) {
      // keep memory bounded even for one huge record: drop its text, keep scanning to its end
      oversized = true;
      buf = ' ';
    }
  }
  const rest = buf.trim();
  if (mode === 'array' && !arrayClosed) {
    if (rest.length > 0) yield emit(rest);
    yield { index: index++, line, error: diagnostic('source/json-syntax', 'The JSON array is not closed', { location: { file, line, column: 1 } }) };
  } else if (rest.length > 0) {
    yield emit(rest);
  }
}

/** Finds a prototype-polluting key anywhere in a parsed value. Iterative. */
export function findForbiddenKey(value: unknown): string | undefined {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) { for (const x of v) stack.push(x); continue; }
    for (const k of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(k)) return k;
      stack.push((v as Record<string, unknown>)[k]);
    }
  }
  return undefined;
}
