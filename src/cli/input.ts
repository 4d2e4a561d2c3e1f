import { createReadStream, statSync } from 'node:fs';
import { extname } from 'node:path';
import { DatamapError } from '../errors/diagnostic.js';
import { readRecordBatches, readRecords, type RecordItem } from '../source/read-records.js';
import { readCsvRecords } from '../source/read-csv.js';
import type { CliIo } from './io.js';

/** How much of a file input has been read (0..1), for progress; undefined for stdin. */
export type InputFraction = () => number | undefined;

/** Formats `--format` accepts. `json` and `ndjson` share one reader (it tells them apart itself). */
export const INPUT_FORMATS = ['csv', 'ndjson', 'json'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export interface OpenRecordsOptions {
  /** `--format`; without it a `.csv` file is CSV and anything else (and stdin) JSON/NDJSON. */
  format?: string | undefined;
  /** The Data Map's `input` schema: types CSV cells (numbers, booleans). */
  schema?: Record<string, unknown> | undefined;
  /** Receives how much of a file input has been read, for progress. */
  progress?: ((fraction: InputFraction) => void) | undefined;
}

/** Checks `--format`; a wrong value is a usage error (exit 2). */
export function parseInputFormat(value: string | undefined): InputFormat | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if ((INPUT_FORMATS as readonly string[]).includes(v)) return v as InputFormat;
  throw new DatamapError({ code: 'usage/invalid-argument', severity: 'error', message: `--format must be one of ${INPUT_FORMATS.join(', ')}, not "${value}"`, hint: 'Leave --format out to choose by the file extension (.csv is CSV; anything else JSON or NDJSON).' });
}

/** The format of an input: `--format` when given, else by extension. */
export function inputFormatOf(input: string, format?: string): InputFormat {
  const chosen = parseInputFormat(format);
  if (chosen) return chosen;
  if (input !== '-' && extname(input).toLowerCase() === '.csv') return 'csv';
  return extname(input).toLowerCase() === '.ndjson' ? 'ndjson' : 'json';
}

/** Streams records from `--input <file|->`; a missing file is a usage error. */
export function openRecords(input: string, io: CliIo, options: OpenRecordsOptions = {}): AsyncGenerator<RecordItem> {
  const format = inputFormatOf(input, options.format);
  const read = (chunks: AsyncIterable<string | Buffer>, source: string): AsyncGenerator<RecordItem> =>
    format === 'csv' ? readCsvRecords(chunks, options.schema ? { source, schema: options.schema } : { source }) : readRecords(chunks, { source });
  return read(openChunks(input, io, options), input === '-' ? '<stdin>' : input);
}

/**
 * {@link openRecords} a chunk of input at a time: the records each chunk completes, together
 * (JSON and NDJSON; a CSV input gives one record per batch). Same records, same errors.
 * `checked`: every record was checked for forbidden keys as it was read (JSON, NDJSON), so
 * the planner need not walk it again.
 */
export function openRecordBatches(input: string, io: CliIo, options: OpenRecordsOptions = {}): { batches: AsyncGenerator<RecordItem[]>; checked: boolean } {
  const format = inputFormatOf(input, options.format);
  const source = input === '-' ? '<stdin>' : input;
  const chunks = openChunks(input, io, options);
  if (format === 'csv') return { batches: singles(readCsvRecords(chunks, options.schema ? { source, schema: options.schema } : { source })), checked: false };
  return { batches: readRecordBatches(chunks, { source }, false), checked: true };
}

/** The raw chunks of `--input <file|->` (a parallel plan reads them itself); a missing file is a usage error, thrown here. */
export function openInputChunks(input: string, io: CliIo): AsyncIterable<string | Buffer> {
  return openChunks(input, io, {});
}

async function* singles(items: AsyncIterable<RecordItem>): AsyncGenerator<RecordItem[]> {
  for await (const it of items) yield [it];
}

/** The chunks of `--input <file|->`; a missing file is a usage error (thrown here, before any is read). */
function openChunks(input: string, io: CliIo, options: OpenRecordsOptions): AsyncIterable<string | Buffer> {
  if (input === '-') return io.stdin as AsyncIterable<string | Buffer>;
  try {
    if (!statSync(input).isFile()) throw new Error('not a file');
  } catch (cause) {
    throw new DatamapError({ code: 'usage/input', severity: 'error', message: `Cannot read input ${input}`, hint: 'Give --input a CSV file (with a header row), a JSON object, JSON array or NDJSON file, or - for standard input.' }, { cause });
  }
  const stream = createReadStream(input, { highWaterMark: 64 * 1024 });
  if (options.progress) {
    const size = statSync(input).size;
    options.progress(() => (size > 0 ? stream.bytesRead / size : undefined));
  }
  return stream;
}

/** All of a stream as text (for a Data Map on standard input). */
export async function readAll(stream: CliIo['stdin']): Promise<string> {
  stream.setEncoding('utf8');
  let text = '';
  for await (const chunk of stream as AsyncIterable<string>) text += chunk;
  return text;
}
