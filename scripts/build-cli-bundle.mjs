#!/usr/bin/env node
// Bundles the command line (dist/cli/main.js, the modules it imports and the packages they use)
// into one CommonJS file, dist/cli-bundle/main.cjs, with esbuild (run by `npm run build`, after
// tsc), and writes V8's code cache for it beside it (main.cjs.cache): a start then reads two files
// and deserializes compiled code instead of resolving, reading and compiling some 150 modules and
// their packages. Node 20 can reuse compiled code only for a classic script (vm.Script cachedData;
// ES modules cannot), hence CommonJS. bin/datamap.js starts the bundle only while it is at least
// as new as dist/cli/main.js (a `tsc` alone leaves it stale), with the cache when V8 accepts it (the
// same Node and flags), else compiling it as usual. Only better-sqlite3 (a native addon) stays in
// node_modules. Needs dist/ built.
import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as crypto from 'node:crypto';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_BUNDLE_DIR = join(root, 'dist', 'cli-bundle');
// native addons cannot be bundled
const EXTERNAL = ['better-sqlite3'];

/**
 * `createRequire(import.meta.url)('<package>')` (how dist loads jsonata, AJV's parts, the
 * generated validators and, at its first use, axios) is opaque to a bundler: for the packages, a plain `require` it can follow.
 */
const inlineRequires = {
  name: 'inline-create-require',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/](jsonata|schemas[\\/]ajv-config|transport[\\/]axios-transport)\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const contents = text.replace(/createRequire\(import\.meta\.url\)\((['"][^'"]+['"])\)/g, 'require($1)').replace(/^const require = createRequire\(import\.meta\.url\);$/m, '');
      return { contents, loader: 'js' };
    });
  },
};

/**
 * commander loads node:child_process when it loads (some 5 ms at every start) for one use: running
 * an executable subcommand, which datamap has none of. In the bundle it is loaded on that use.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) return undefined;
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: text.replace(eager, lazy), loader: 'js' };
    });
  },
};

/**
 * Loading node:crypto costs some 5 ms, and the bundle evaluates every module at its start: each of
 * ours that imports it (run, the journal, webhooks, the studio, the schemas' hash) would load it on
 * every `validate`, which does not use it. In the bundle their imports get a stand-in whose
 * exports are getters that load node:crypto on the first use of any. esbuild's `__toESM` copies
 * them as getters (reading `from[key]` only when the import is used), so importing loads nothing.
 * The names are this Node's (the build's; the code cache ties the bundle to it anyway).
 */
const lazyCrypto = {
  name: 'lazy-crypto',
  setup(b) {
    b.onResolve({ filter: /^(node:)?crypto$/ }, (args) => {
      // the stand-in's own require, and packages (which load it only inside lazy wrappers), as usual
      if (args.namespace === 'lazy-crypto' || !/[\\/]dist[\\/]/.test(args.importer) || /[\\/]node_modules[\\/]/.test(args.importer)) return undefined;
      return { path: 'node:crypto', namespace: 'lazy-crypto' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-crypto' }, () => {
      const getters = Object.keys(crypto).filter((k) => k !== 'default').map((k) => `get ${JSON.stringify(k)}() { return load()[${JSON.stringify(k)}]; }`);
      const contents = `let crypto;\nconst load = () => (crypto ??= require('node:crypto'));\nmodule.exports = {\n${getters.join(',\n')}\n};\n`;
      return { contents, loader: 'js' };
    });
  },
};

/** Builds the bundle and its code cache beside their final place and moves them in whole. */
export async function buildCliBundle() {
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const tmp = `${CLI_BUNDLE_DIR}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  await build({
    entryPoints: [join(root, 'dist', 'cli', 'main.js')],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile: join(tmp, 'main.cjs'),
    external: EXTERNAL,
    // function and class names as in the modules (error names, messages)
    keepNames: true,
    // smaller to read at every start; names are kept (keepNames), so nothing a user sees changes
    minifyWhitespace: true,
    minifySyntax: true,
    // import.meta.url of every bundled module is the bundle's own (paths.ts looks up from it)
    define: { 'import.meta.url': '__datamapImportMetaUrl' },
    banner: { js: "'use strict';\nconst __datamapImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [inlineRequires, lazyChildProcess, lazyCrypto],
    logLevel: 'warning',
  });
  // bin/launch.cjs reads the bundle as Latin-1, which is its text only while it is ASCII
  const bytes = readFileSync(join(tmp, 'main.cjs'));
  const wide = bytes.findIndex((b) => b > 0x7f);
  if (wide >= 0) throw new Error(`the command line's bundle is not ASCII (byte ${wide}): bin/launch.cjs reads it as Latin-1`);
  rmSync(CLI_BUNDLE_DIR, { recursive: true, force: true });
  renameSync(tmp, CLI_BUNDLE_DIR);
  // made in place: the cache records the file name its functions report
  writeCodeCache(join(CLI_BUNDLE_DIR, 'main.cjs'));
}

/**
 * V8's code cache of the bundle, made by a plain `node` (the flags a start has) that starts it as
 * bin/datamap.js does and runs `validate` and `plan` on a shipped map, so the functions a start
 * runs are in it compiled. A cache V8 refuses (another Node, other flags) costs nothing but speed.
 */
function writeCodeCache(bundle) {
  const map = join(root, 'mappings', 'field-service-to-revolv3.yaml');
  const input = join(root, 'examples', 'field-service', 'invoices.json');
  const runs = [['validate', map], ['plan', map, '--input', input, '--json']];
  const r = spawnSync(process.execPath, [join(root, 'bin', 'launch.cjs'), '--write-code-cache', bundle, JSON.stringify(runs)], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`writing the command line's code cache failed: ${r.stderr}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildCliBundle();
