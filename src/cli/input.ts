import { createReadStream, statSync } from 'node:fs';
import { DatamapError } from '../errors/diagnostic.js';
import { readRecords, type RecordItem } from '../source/read-records.js';
import type { CliIo } from './io.js';

/** How much of a file input has been read (0..1), for progress; undefined for stdin. */
export type InputFraction = () => number | undefined;

/** Streams records from `--input <file|->`; a missing file is a usage error. */
export function openRecords(input: string, io: CliIo, progress?: (fraction: InputFraction) => void): AsyncGenerator<RecordItem> {
  if (input === '-') {
    return readRecords(io.stdin as AsyncIterable<string | Buffer>, { source: '<stdin>' });
  }
  try {
    if (!statSync(input).isFile()) throw new Error('not a file');
  } catch (cause) {
    throw new DatamapError({ code: 'usage/input', severity: 'error', message: `Cannot read input ${input}`, hint: 'Give --input a JSON object, JSON array or NDJSON file, or - for standard input.' }, { cause });
  }
  const stream = createReadStream(input, { highWaterMark: 64 * 1024 });
  if (progress) {
    const size = statSync(input).size;
    progress(() => (size > 0 ? stream.bytesRead / size : undefined));
  }
  return readRecords(stream, { source: input });
}

/** All of a stream as text (for a Data Map on standard input). */
export async function readAll(stream: CliIo['stdin']): Promise<string> {
  stream.setEncoding('utf8');
  let text = '';
  for await (const chunk of stream as AsyncIterable<string>) text += chunk;
  return text;
}
