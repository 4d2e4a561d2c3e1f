import { readFileSync, statSync } from 'node:fs';
import { DatamapError, diagnostic } from '../errors/diagnostic.js';
import { DEFAULT_LIMITS } from './limits.js';

/** Reads a UTF-8 text file, refusing missing or oversized files with a coded error. */
export function readTextFile(file: string, maxBytes = DEFAULT_LIMITS.maxBytes): string {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch (cause) {
    throw new DatamapError(diagnostic('source/file-not-found', `Cannot read ${file}`, { location: { file, line: 1, column: 1 } }), { cause });
  }
  if (size > maxBytes) {
    throw new DatamapError(diagnostic('source/too-large', `${file} is ${size} bytes; the limit is ${maxBytes}`, { location: { file, line: 1, column: 1 } }));
  }
  return readFileSync(file, 'utf8');
}
