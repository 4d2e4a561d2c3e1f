/**
 * The page's files, bundled at build time (scripts/build-studio-page.mjs, part of
 * `npm run build`) into dist/studio/assets and shipped in the package; nothing is fetched from
 * a network at run time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';

/** Where the built page lives. */
export const ASSETS_DIR = join(PACKAGE_ROOT, 'dist', 'studio', 'assets');

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'studio.js': 'text/javascript; charset=utf-8',
  'studio.css': 'text/css; charset=utf-8',
};

/** One of the page's files by name (only those listed; no paths), or undefined. */
export function readAsset(name: string): { body: Buffer; type: string } | undefined {
  const type = TYPES[name];
  if (!type) return undefined;
  try {
    return { body: readFileSync(join(ASSETS_DIR, name)), type };
  } catch {
    return undefined;
  }
}
