import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// src/paths.ts and dist/paths.js sit one level below the package root, the bundled command line
// (dist/cli-bundle) two: the root is the nearest one above that holds the provider packs.
function packageRoot(): string {
  for (const up of ['../', '../../']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(`${dir}providers`) && existsSync(`${dir}package.json`)) return dir;
  }
  return fileURLToPath(new URL('../', import.meta.url));
}
const ROOT = packageRoot();

/** The package root (holds providers/, schemas/, mappings/). */
export const PACKAGE_ROOT = ROOT;
export const SCHEMAS_DIR = `${ROOT}schemas/`;
export const PROVIDERS_DIR = `${ROOT}providers/`;
