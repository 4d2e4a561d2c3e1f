import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';

/**
 * Where `npm run build` writes the shipped provider packs as JSON (dist/packs/<name>.json):
 * parsing a pack's YAML took most of a `datamap validate` start. Each file carries the YAML text
 * it came from, and is used only while the pack's file still has exactly that text (a string
 * compare: hashing the text took loading node:crypto, ~5 ms of every start).
 */
export const PACK_CACHE_DIR = join(PACKAGE_ROOT, 'dist', 'packs');

interface PackCacheFile {
  /** The YAML text the pack was parsed from. */
  text: string;
  /** The hash of the shipped schemas the pack was checked against at build time. */
  schemas: string;
  pack: unknown;
}

/**
 * The pack parsed at build time from exactly `text`, if there is one, and whether it was checked
 * against the schemas of now (`checked`: the hash of the shipped schemas is the build's).
 */
export function cachedPack(name: string, text: string, schemasHash: string): { pack: unknown; checked: boolean } | undefined {
  let cached: PackCacheFile;
  try {
    cached = JSON.parse(readFileSync(join(PACK_CACHE_DIR, `${name}.json`), 'utf8')) as PackCacheFile;
  } catch {
    return undefined;
  }
  if (!cached || typeof cached !== 'object' || cached.text !== text) return undefined;
  return { pack: cached.pack, checked: cached.schemas === schemasHash };
}

/**
 * Writes the cache file of a pack parsed from `text` (at build time). A value that JSON cannot
 * give back exactly (none of the shipped packs has one) gets no file, so it is always parsed.
 */
export function writeCachedPack(name: string, text: string, pack: unknown, schemasHash: string): boolean {
  const json = JSON.stringify({ text, schemas: schemasHash, pack } satisfies PackCacheFile);
  if (!isDeepStrictEqual((JSON.parse(json) as PackCacheFile).pack, pack)) return false;
  mkdirSync(PACK_CACHE_DIR, { recursive: true });
  writeFileSync(join(PACK_CACHE_DIR, `${name}.json`), json);
  return true;
}
