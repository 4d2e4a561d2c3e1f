import { diagnostic, type Diagnostic } from '../errors/diagnostic.js';
import { FORBIDDEN_KEYS } from './limits.js';
import { LineSplitter, type LineSegment } from './split-lines.js';

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

/** Marks a line whose bytes were not valid UTF-8 (it can never occur raw in valid JSON). */
export const INVALID_UTF8_MARK = '\u0000';

/**
 * Streams records from text chunks holding a JSON object, a JSON array of objects, or NDJSON
 * (any whitespace-separated JSON values). Memory stays flat: one record is held at a time.
 * A record that cannot be parsed is yielded as an error and reading goes on.
 *
 * Fast path: a line that is a whole JSON value by itself (NDJSON) is parsed with one
 * `JSON.parse`; only other lines go through the character scanner. Buffers are split on
 * newline bytes and decoded strictly: a line that is not valid UTF-8 is a `record/invalid-utf8`
 * error with its line number, never silently repaired.
 */
export async function* readRecords(chunks: AsyncIterable<string | Buffer> | Iterable<string>, options: ReadRecordsOptions = {}): AsyncGenerator<RecordItem> {
  for await (const batch of readRecordBatches(chunks, options)) yield* batch;
}

/**
 * {@link readRecords}, a chunk at a time: each batch holds the records (and errors) that one
 * chunk of input completes, in order; none is empty. For callers that handle many records at
 * once (the CLI plans a batch with no turn of the event loop per record).
 */
export async function* readRecordBatches(chunks: AsyncIterable<string | Buffer> | Iterable<string | Buffer>, options: ReadRecordsOptions = {}, remember = true): AsyncGenerator<RecordItem[]> {
  // `remember: false` is for a caller that knows every record it is given was checked here
  // (for forbidden keys and depth) and tells the planner so: the records are not remembered
  const scanner = new RecordScanner(options, remember);
  const splitter = new LineSplitter();
  for await (const chunk of chunks) {
    const done = scanner.lines(splitter.push(chunk));
    const batch = scanner.take();
    if (batch.length > 0) yield batch;
    if (done) return;
  }
  if (!scanner.lines(splitter.end())) scanner.end();
  const batch = scanner.take();
  if (batch.length > 0) yield batch;
}

/**
 * Where NDJSON reading stands between two lines when a fresh scanner could take over: nothing
 * open, one record per line so far. The line to read next and the index of the next record.
 */
export interface ResumePoint {
  line: number;
  index: number;
}

/**
 * The character scanner (JSON arrays, concatenated and pretty-printed values) with the NDJSON
 * fast path: {@link readRecordBatches} drives one; `datamap plan` drives several (src/parallel),
 * one per stretch of NDJSON lines, each from the resume point where the stretch begins.
 */
export class RecordScanner {
  private readonly file: string;
  private readonly maxChars: number;
  private readonly maxDepth: number;
  private mode: 'unknown' | 'array' | 'stream' = 'unknown';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private buf = '';
  private recordLine = 1;
  private line = 1;
  private index = 0;
  private tooDeep = false;
  private arrayClosed = false;
  private oversized = false;
  // NDJSON: true once the first record was one complete value on one line. Then a line that
  // starts with `{` while a record is still open means that record was broken (truncated, an
  // unclosed string): it is reported and reading resumes with the new line.
  private lineMode: boolean | undefined;
  private newlineInRecord = false;
  private out: RecordItem[] = [];
  private first = true;
  done = false;

  constructor(options: ReadRecordsOptions, private readonly remember = true) {
    this.file = options.source ?? '<input>';
    this.maxChars = options.maxRecordChars ?? 10 * 1024 * 1024;
    this.maxDepth = options.maxDepth ?? 64;
  }

  /**
   * A scanner that reads on from `point` exactly as this kind of scanner would after reaching
   * it (see {@link resumePoint}): NDJSON line mode, between records, past the first line.
   */
  static resumeAt(options: ReadRecordsOptions, remember: boolean, point: ResumePoint): RecordScanner {
    const s = new RecordScanner(options, remember);
    s.mode = 'stream';
    s.lineMode = true;
    s.first = false;
    s.line = point.line;
    s.recordLine = point.line;
    s.index = point.index;
    return s;
  }

  /**
   * Where reading stands, when nothing of it is held but the line and record counts (a scanner
   * made by {@link resumeAt} from it reads on the same way); undefined otherwise (inside a
   * record, a JSON array, before the first record, or when the input was not one record per line).
   */
  resumePoint(): ResumePoint | undefined {
    if (this.mode !== 'stream' || this.lineMode !== true || this.first || this.done) return undefined;
    if (this.depth !== 0 || this.inString || this.escaped || this.buf !== '' || this.newlineInRecord || this.tooDeep || this.oversized) return undefined;
    return { line: this.line, index: this.index };
  }

  /** The records (and errors) read so far and not yet taken. */
  take(): RecordItem[] {
    const items = this.out;
    this.out = [];
    return items;
  }

  /** Reads line segments; true once nothing more is to be read (after a JSON array's end). */
  lines(segments: LineSegment[]): boolean {
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      const text = seg.invalid ? INVALID_UTF8_MARK + seg.text : seg.text;
      if (seg.complete && this.tryWholeLine(text)) continue;
      this.feed(seg.complete ? text + '\n' : text);
      if (this.done) return true;
    }
    return false;
  }

  private get idle(): boolean {
    return this.mode !== 'array' && this.depth === 0 && !this.inString && this.buf.trim() === '' && !this.newlineInRecord;
  }

  /** The fast path: a complete line holding one JSON value while nothing is open. */
  tryWholeLine(raw: string): boolean {
    let text = raw;
    if (this.first) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (!this.idle) return false;
    const t = text.trim();
    if (t === '') {
      this.line++;
      return true;
    }
    const c = t[0];
    // a line opening an array in unknown mode is the start of a JSON array of records
    if (this.mode === 'unknown' && c === '[') return false;
    if (t.length > this.maxChars) return false;
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch (err) {
      // NDJSON: a line that cannot open a record (a stray bracket, text) is one error, whole
      if (this.lineMode === true && c !== '{' && c !== '[' && c !== INVALID_UTF8_MARK) {
        this.recordLine = this.line;
        const at = this.at();
        this.out.push(this.error(at, 'source/json-syntax', `Record ${at.index + 1} is not valid JSON: ${(err as Error).message}`));
        this.line++;
        return true;
      }
      return false;
    }
    this.first = false;
    this.mode = 'stream';
    this.lineMode ??= true;
    this.recordLine = this.line;
    this.out.push(this.checked(value));
    this.line++;
    this.buf = '';
    return true;
  }

  private at(): { index: number; line: number } {
    return { index: this.index++, line: this.recordLine };
  }

  private error(at: { index: number; line: number }, code: Diagnostic['code'], message: string): RecordItem {
    return { ...at, error: diagnostic(code, message, { location: { file: this.file, line: at.line, column: 1 } }) };
  }

  /** A parsed value, unless it is too deep or has a forbidden key. */
  private checked(value: unknown): RecordItem {
    const at = this.at();
    const bad = inspectValue(value, this.maxDepth);
    if (bad === DEPTH) return this.error(at, 'source/too-deep', `Record ${at.index + 1} nests deeper than ${this.maxDepth} levels`);
    if (bad) return this.error(at, 'record/forbidden-key', `Record ${at.index + 1} has a key named "${bad}"`);
    if (this.remember) markChecked(value);
    return { ...at, value };
  }

  private emit(text: string): RecordItem {
    if (this.tooDeep) {
      const at = this.at();
      return this.error(at, 'source/too-deep', `Record ${at.index + 1} nests deeper than ${this.maxDepth} levels`);
    }
    const wasOversized = this.oversized;
    this.oversized = false;
    if (wasOversized || text.length > this.maxChars) {
      const at = this.at();
      return this.error(at, 'source/too-large', `Record ${at.index + 1} is larger than ${this.maxChars} characters`);
    }
    if (text.includes(INVALID_UTF8_MARK)) {
      const at = this.at();
      return this.error(at, 'record/invalid-utf8', `Record ${at.index + 1} is not valid UTF-8`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const at = this.at();
      return this.error(at, 'source/json-syntax', `Record ${at.index + 1} is not valid JSON: ${(err as Error).message}`);
    }
    return this.checked(value);
  }

  feed(input: string): void {
    let s = input;
    if (this.first) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      if (s.trim() !== '') this.first = false;
    }
    let start = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (this.newlineInRecord) {
        this.newlineInRecord = false;
        if (c === '{' && (this.depth > 0 || this.inString)) {
          this.out.push(this.emit(this.buf + s.slice(start, i)));
          this.buf = '';
          start = i;
          this.depth = 0;
          this.inString = false;
          this.escaped = false;
        }
      }
      if (c === '\n') {
        this.line++;
        if (this.mode === 'stream' && this.lineMode === true && (this.depth > 0 || this.inString)) this.newlineInRecord = true;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (this.mode === 'unknown') {
        if (isSpace(c)) { start = i + 1; continue; }
        if (c === '[') { this.mode = 'array'; this.depth = 1; start = i + 1; continue; }
        this.mode = 'stream';
      }
      const topLevel = this.mode === 'array' ? 1 : 0;
      if (this.depth === topLevel && this.buf.length === 0 && i === start && (isSpace(c) || (this.mode === 'array' && c === ','))) {
        start = i + 1;
        continue;
      }
      if (this.depth === topLevel && this.buf.length === 0 && i === start) { this.recordLine = this.line; this.tooDeep = false; }
      if (this.mode === 'array' && this.depth === 0) {
        // after the closing bracket only whitespace may follow
        if (!isSpace(c)) {
          this.out.push({ index: this.index++, line: this.line, error: diagnostic('source/json-syntax', `Unexpected "${c}" after the end of the array`, { location: { file: this.file, line: this.line, column: 1 } }) });
          this.done = true;
          return;
        }
        start = i + 1;
        continue;
      }
      if (c === '"') { this.inString = true; continue; }
      if (c === '{' || c === '[') {
        this.depth++;
        if (this.depth - topLevel > this.maxDepth) this.tooDeep = true;
        continue;
      }
      if (c === '}' || c === ']') {
        if (this.mode === 'array' && this.depth === 1 && c === ']') {
          const rest = (this.buf + s.slice(start, i)).trim();
          if (rest.length > 0) this.out.push(this.emit(rest));
          this.buf = '';
          this.depth = 0;
          this.arrayClosed = true;
          start = i + 1;
          continue;
        }
        if (this.mode === 'stream' && this.depth === 0) {
          // a stray closing bracket between records: one error for it, the next record is read
          const pending = (this.buf + s.slice(start, i)).trim();
          if (pending.length > 0) this.out.push(this.emit(pending));
          this.recordLine = this.line;
          const at = this.at();
          this.out.push(this.error(at, 'source/json-syntax', `Record ${at.index + 1}: unexpected "${c}" outside any record`));
          this.buf = '';
          start = i + 1;
          continue;
        }
        this.depth--;
        if (this.depth === topLevel) {
          if (this.mode === 'stream' && this.lineMode === undefined) this.lineMode = this.recordLine === this.line;
          this.out.push(this.emit(this.buf + s.slice(start, i + 1)));
          this.buf = '';
          start = i + 1;
        }
        continue;
      }
      if (this.depth === topLevel && (c === ',' || isSpace(c))) {
        // end of a top-level scalar (a record that is not an object)
        const text = (this.buf + s.slice(start, i)).trim();
        if (text.length > 0) this.out.push(this.emit(text));
        this.buf = '';
        start = i + 1;
      }
    }
    if (start < s.length) this.buf += s.slice(start);
    if (this.buf.length > this.maxChars) {
      // keep memory bounded even for one huge record: drop its text, keep scanning to its end
      this.oversized = true;
      this.buf = ' ';
    }
  }

  end(): void {
    if (this.done) return;
    const rest = this.buf.trim();
    if (this.mode === 'array' && !this.arrayClosed) {
      if (rest.length > 0) this.out.push(this.emit(rest));
      this.out.push({ index: this.index++, line: this.line, error: diagnostic('source/json-syntax', 'The JSON array is not closed', { location: { file: this.file, line: this.line, column: 1 } }) });
    } else if (rest.length > 0) {
      this.out.push(this.emit(rest));
    }
  }
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\f' || c === '\v' || c === '\u00a0' || c === '\ufeff' || (c > '\u007f' && /\s/.test(c));
}

const DEPTH = Symbol('depth');

/** Told every key name (and its value) a forbidden-key walk passes, in the walk's order. */
export interface KeyNote {
  key(name: string, value: unknown): void;
}

/** A prototype-polluting key anywhere in a parsed value, or DEPTH when it nests too deep. Iterative. */
function inspectValue(value: unknown, maxDepth: number, note?: KeyNote): string | typeof DEPTH | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  // values and their depths, as a stack (two arrays: no object per entry); same order as before
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop() as object;
    const d = depths.pop()!;
    if (d > maxDepth) return DEPTH;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (x !== null && typeof x === 'object') {
          values.push(x);
          depths.push(d + 1);
        }
      }
      continue;
    }
    const keys = Object.keys(v);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (FORBIDDEN_KEYS.has(k)) return k;
      const x = (v as Record<string, unknown>)[k];
      if (note) note.key(k, x);
      if (x !== null && typeof x === 'object') {
        values.push(x);
        depths.push(d + 1);
      }
    }
  }
  return undefined;
}

/** Finds a prototype-polluting key anywhere in a parsed value. Iterative. */
export function findForbiddenKey(value: unknown): string | undefined {
  const r = inspectValue(value, Number.POSITIVE_INFINITY);
  return typeof r === 'string' ? r : undefined;
}

// Records (objects) that passed the forbidden-key check: planning or running them walks no more.
const checkedRecords = new WeakSet<object>();

function markChecked(value: unknown): void {
  if (value !== null && typeof value === 'object') checkedRecords.add(value);
}

/** What checkRecordKeysNoting gives for a record that was checked before (and is not walked). */
export const CHECKED_BEFORE = Symbol('checked before');

/**
 * checkRecordKeys that tells `note` every key name the walk passes: the forbidden key found,
 * undefined, or CHECKED_BEFORE when the record was checked before and is not walked (then
 * `note` was told nothing).
 */
export function checkRecordKeysNoting(value: unknown, note: KeyNote): string | undefined | typeof CHECKED_BEFORE {
  if (value !== null && typeof value === 'object' && checkedRecords.has(value)) return CHECKED_BEFORE;
  const r = inspectValue(value, Number.POSITIVE_INFINITY, note);
  const bad = typeof r === 'string' ? r : undefined;
  if (bad === undefined) markChecked(value);
  return bad;
}

/**
 * Finds a prototype-polluting key in a record, walking it only once: a record that passed here
 * or in readRecords is remembered (by identity, weakly), so planning or running it after reading
 * it costs no second walk. Any other value (a record built by hand) is walked.
 */
export function checkRecordKeys(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && checkedRecords.has(value)) return undefined;
  const bad = findForbiddenKey(value);
  if (bad === undefined) markChecked(value);
  return bad;
}
