/**
 * The files a studio works on: the Data Map (read, saved only on request, watched for changes
 * on disk) and the sample records read once from --input.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { DatamapError, diagnostic, type Diagnostic } from '../errors/diagnostic.js';
import { readTextFile } from '../source/read-file.js';
import { readRecords } from '../source/read-records.js';
import { DEFAULT_LIMITS } from '../source/limits.js';

/** A content version: the first 16 hex digits of the text's SHA-256; `absent` when there is no file. */
export function versionOf(text: string | undefined): string {
  return text === undefined ? 'absent' : createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** What is on disk for the map right now. */
export interface DiskState {
  text?: string;
  version: string;
}

/** The Data Map file: read, write (with a version check) and change notifications. */
export class MapFile {
  /** Absolute path. */
  readonly path: string;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private known: string;

  constructor(file: string, cwd: string, private readonly maxBytes: number = DEFAULT_LIMITS.maxBytes) {
    this.path = resolve(cwd, file);
    this.known = this.read().version;
  }

  /** The file's text and version; no text when it does not exist (a new map). */
  read(): DiskState {
    if (!existsSync(this.path)) return { version: versionOf(undefined) };
    const text = readTextFile(this.path, this.maxBytes);
    return { text, version: versionOf(text) };
  }

  /**
   * Writes `text` if the file is still at `expected` (the version the page last saw), or
   * whatever is there when `overwrite` is set. Throws `studio/conflict` otherwise.
   */
  save(text: string, expected: string | undefined, overwrite: boolean): string {
    const now = this.read();
    if (!overwrite && expected !== undefined && expected !== now.version) {
      throw new DatamapError(diagnostic('studio/conflict', `${basename(this.path)} changed on disk since the page loaded it`, { data: { version: now.version } }));
    }
    if (Buffer.byteLength(text) > this.maxBytes) {
      throw new DatamapError(diagnostic('source/too-large', `The Data Map would be ${Buffer.byteLength(text)} bytes; the limit is ${this.maxBytes}`));
    }
    if (existsSync(this.path) && !statSync(this.path).isFile()) throw new DatamapError(diagnostic('studio/bad-request', `${this.path} is not a file`));
    writeFileSync(this.path, text, 'utf8');
    this.known = versionOf(text);
    return this.known;
  }

  /**
   * Calls `onChange(version)` when the file's content changes on disk by anyone but `save`.
   * Watches the folder, so editors that replace the file (write and rename) are seen too.
   */
  watch(onChange: (version: string) => void): void {
    if (this.watcher || !existsSync(dirname(this.path))) return;
    const name = basename(this.path);
    this.watcher = watch(dirname(this.path), { persistent: false }, (_event, file) => {
      if (file !== null && file !== name) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        let v: string;
        try {
          v = this.read().version;
        } catch {
          return;
        }
        if (v === this.known) return;
        this.known = v;
        onChange(v);
      }, 60);
    });
    this.watcher.on('error', () => this.unwatch());
  }

  unwatch(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }
}

/** Sample records from --input, read once; the originals stay on the server. */
export interface LoadedRecords {
  file?: string;
  records: unknown[];
  /** Problems reading the file (a record that does not parse, a missing file). */
  diagnostics: Diagnostic[];
}

/** Reads every record of a JSON object / array / NDJSON file (the same reader as `plan --input`). */
export async function loadRecords(file: string | undefined, cwd: string, maxBytes: number = DEFAULT_LIMITS.maxBytes): Promise<LoadedRecords> {
  if (file === undefined) return { records: [], diagnostics: [] };
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readTextFile(path, maxBytes);
  } catch (err) {
    if (err instanceof DatamapError) return { file, records: [], diagnostics: err.diagnostics };
    throw err;
  }
  const out: LoadedRecords = { file, records: [], diagnostics: [] };
  for await (const item of readRecords([text], { source: file })) {
    if (item.error) out.diagnostics.push(item.error);
    else out.records.push(item.value);
  }
  return out;
}

/** Parses the page's records text (object, array or NDJSON) into items, with located errors. */
export async function parseRecordsText(text: string, source: string): Promise<{ values: Array<{ index: number; line: number; value: unknown }>; diagnostics: Diagnostic[] }> {
  const values: Array<{ index: number; line: number; value: unknown }> = [];
  const diagnostics: Diagnostic[] = [];
  if (text.trim() === '') return { values, diagnostics };
  for await (const item of readRecords([text], { source })) {
    if (item.error) diagnostics.push(item.error);
    else values.push({ index: item.index, line: item.line, value: item.value });
  }
  return { values, diagnostics };
}
