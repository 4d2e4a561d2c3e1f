#!/usr/bin/env node
// Bundles the command line (dist/cli/main.js and the modules it imports, with yaml and commander)
// into dist/cli-bundle with esbuild (run by `npm run build`, after tsc): a start then loads a
// few files instead of ~150 small modules, which was most of `datamap validate`'s time. Commands
// stay code-split (each loads its own chunk on demand); the other dependencies are imported
// from node_modules as before. bin/datamap.js uses the bundle only when it is newer than
// dist/cli/main.js (a `tsc` alone leaves it stale). Needs dist/ built.
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_BUNDLE_DIR = join(root, 'dist', 'cli-bundle');
// bundled: the small-module packages every command loads; the rest stay in node_modules
const BUNDLED = new Set(['yaml', 'commander']);

/** Builds the bundle beside its final place and moves it in whole. */
export async function buildCliBundle() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const external = Object.keys(pkg.dependencies ?? {}).filter((d) => !BUNDLED.has(d)).flatMap((d) => [d, `${d}/*`]);
  const tmp = `${CLI_BUNDLE_DIR}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  await build({
    entryPoints: [join(root, 'dist', 'cli', 'main.js')],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: tmp,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    external,
    // function and class names as in the modules (error names, messages)
    keepNames: true,
    // the bundled CommonJS (yaml) calls require for Node's modules
    banner: { js: "import { createRequire as __datamapCreateRequire } from 'node:module'; const require = __datamapCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  rmSync(CLI_BUNDLE_DIR, { recursive: true, force: true });
  renameSync(tmp, CLI_BUNDLE_DIR);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildCliBundle();
