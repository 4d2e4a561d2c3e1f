import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';

/**
 * Where `npm run build` writes the shipped provider packs as JSON (dist/packs/<name>.json):
 * parsing a pack's YAML took most of a `datamap validate` start. Each file carries the sha256
 * of the YAML text it came from, and is used only while the pack's file still has that text.
 */
export const PACK_CACHE_DIR = join(PACKAGE_ROOT, 'dist', 'packs');

interface PackCacheFile {
  sha256: string;
  pack: unknown;
}

const hashOf = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The pack parsed at build time from exactly `text`, if there is one. */
export function cachedPack(name: string, text: string): unknown {
  let cached: PackCacheFile;
  try {
    cached = JSON.parse(readFileSync(join(PACK_CACHE_DIR, `${name}.json`), 'utf8')) as PackCacheFile;
  } catch {
    return undefined;
  }
  return cached && typeof cached === 'object' && cached.sha256 === hashOf(text) ? cached.pack : undefined;
}

/**
 * Writes the cache file of a pack parsed from `text` (at build time). A value that JSON cannot
 * give back exactly (none of the shipped packs has one) gets no file, so it is always parsed.
 */
export function writeCachedPack(name: string, text: string, pack: unknown): boolean {
  const json = JSON.stringify({ sha256: hashOf(text), pack } satisfies PackCacheFile);
  if (!isDeepStrictEqual((JSON.parse(json) as PackCacheFile).pack, pack)) return false;
  mkdirSync(PACK_CACHE_DIR, { recursive: true });
  writeFileSync(join(PACK_CACHE_DIR, `${name}.json`), json);
  return true;
}
