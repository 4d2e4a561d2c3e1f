import { readFileSync, statSync } from 'node:fs';
import { DatamapError, diagnostic, type Diagnostic } from '../errors/diagnostic.js';
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

/** Text given directly, or read from `file`; a missing or oversized file becomes diagnostics. */
export function readSourceText(src: { file?: string; text?: string }, maxBytes = DEFAULT_LIMITS.maxBytes): { file: string; text: string; diagnostics?: undefined } | { file: string; text?: undefined; diagnostics: Diagnostic[] } {
  const file = src.file ?? '<string>';
  if (src.text !== undefined) return { file, text: src.text };
  try {
    return { file, text: readTextFile(file, maxBytes) };
  } catch (err) {
    if (err instanceof DatamapError) return { file, diagnostics: err.diagnostics };
    throw err;
  }
}
