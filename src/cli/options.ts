import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatamapError, diagnostic } from '../errors/diagnostic.js';

/**
 * Parsers for option values. Each one checks a value as commander hands it over and throws a
 * `usage/invalid-argument` error (exit 2) that names the flag, the value and what it accepts,
 * so a bad value never reaches the engine (where it would surface as an internal error).
 */

/** A usage error about one option value. */
export function invalidArgument(flag: string, value: string, accepts: string, hint?: string): DatamapError {
  return new DatamapError(diagnostic('usage/invalid-argument', `${flag} must be ${accepts}, not ${JSON.stringify(value)}`, {
    hint: hint ?? `Give ${flag} ${accepts}; see datamap <command> --help.`,
    data: { flag, value },
  }));
}

/** A whole number in [min, max]. */
export function integerOption(flag: string, min: number, max: number = Number.MAX_SAFE_INTEGER, what?: string): (value: string) => number {
  return (value) => {
    const n = /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw invalidArgument(flag, value, what ?? (max === Number.MAX_SAFE_INTEGER ? `a whole number from ${min}` : `a whole number from ${min} to ${max}`));
    }
    return n;
  };
}

/** An absolute http(s) URL. */
export function urlOption(flag: string): (value: string) => string {
  return (value) => {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
      // never echo credentials written into the URL (scheme://user:pass@host), whatever the scheme
      const shown = value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1[redacted]@');
      throw invalidArgument(flag, shown, 'an absolute http(s) URL', `Give ${flag} a full URL such as https://api-sandbox.revolv3.com or http://127.0.0.1:4010/revolv3.`);
    }
    return value;
  };
}

/** One of a fixed set of words. */
export function choiceOption<T extends string>(flag: string, choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) throw invalidArgument(flag, value, `one of ${choices.join(', ')}`);
    return value as T;
  };
}

/** An existing, readable file (or `-` for standard input when `stdin` is true). */
export function fileOption(flag: string, options: { stdin?: boolean } = {}): (value: string) => string {
  return (value) => {
    if (options.stdin && value === '-') return value;
    let ok = false;
    try {
      ok = statSync(value).isFile();
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new DatamapError(diagnostic('usage/invalid-argument', `${flag}: cannot read ${value}${existsSync(value) ? ' (not a file)' : ' (no such file)'}`, {
        hint: options.stdin ? `Give ${flag} an existing file, or - for standard input.` : `Give ${flag} an existing file.`,
        data: { flag, value },
      }));
    }
    return value;
  };
}

/** A file to write: its folder must exist, and it must not be a folder itself. */
export function outputFileOption(flag: string): (value: string) => string {
  return (value) => {
    const dir = dirname(resolve(value));
    let dirOk = false;
    try {
      dirOk = statSync(dir).isDirectory();
    } catch {
      dirOk = false;
    }
    let isDir = false;
    try {
      isDir = statSync(value).isDirectory();
    } catch {
      isDir = false;
    }
    if (!dirOk || isDir || value === '') {
      throw new DatamapError(diagnostic('usage/invalid-argument', `${flag}: cannot write ${JSON.stringify(value)}${isDir ? ' (it is a folder)' : dirOk ? '' : ` (folder ${dir} does not exist)`}`, {
        hint: `Give ${flag} a file path in an existing folder.`,
        data: { flag, value },
      }));
    }
    return value;
  };
}

/** Non-empty text. */
export function textOption(flag: string, what = 'non-empty text'): (value: string) => string {
  return (value) => {
    if (value.trim() === '') throw invalidArgument(flag, value, what);
    return value;
  };
}
