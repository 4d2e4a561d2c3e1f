'use strict';
// Loads the command line for bin/datamap.js. `npm run build` bundles it into one CommonJS file,
// dist/cli-bundle/main.cjs, with V8's code cache beside it (scripts/build-cli-bundle.mjs): the
// bundle is compiled with that cache when V8 accepts it (the same Node and flags as the build),
// else as any script. The bundle is used only while it is at least as new as the modules in
// dist/cli (a `tsc` alone rebuilds those, not it); otherwise the modules are imported.
const { readFileSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const DIST = join(__dirname, '..', 'dist');
const BUNDLE = join(DIST, 'cli-bundle', 'main.cjs');

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** True when the bundle exists and is not older than dist/cli. */
function bundleIsFresh() {
  const bundle = mtime(BUNDLE);
  return bundle > 0 && bundle >= mtime(join(DIST, 'cli', 'main.js'));
}

/** Runs the bundle's text as a CommonJS module, compiled from `cachedData` when V8 accepts it. */
function loadBundle(file, cachedData) {
  // the bundle is ASCII (esbuild escapes everything else; the build checks it): read as Latin-1,
  // it is the same text without the UTF-8 decoding of some 2 MB (2-3 ms of every start)
  const script = new vm.Script(Module.wrap(readFileSync(file, 'latin1')), {
    filename: file,
    cachedData,
    // an import() the bundle kept (none today) resolves as in any module
    ...(vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER ? { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER } : {}),
  });
  const module = { exports: {}, filename: file, id: file, loaded: false };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(file), module, file, dirname(file));
  module.loaded = true;
  return { main: module.exports.main, exports: module.exports, script };
}

function readCache(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** What dist/cli/main exports, from the bundle (with its code cache) when it is fresh, else from the modules. */
async function loadCli() {
  if (bundleIsFresh()) return loadBundle(BUNDLE, readCache(`${BUNDLE}.cache`)).exports;
  return import('../dist/cli/main.js');
}

/** Which command line a start runs: the bundle (with its code cache) or the modules. */
async function loadMain() {
  return (await loadCli()).main;
}

/** Starts the command line with the given arguments; resolves to the exit code. */
async function start(argv) {
  const main = await loadMain();
  return main(argv);
}

/**
 * Build step (scripts/build-cli-bundle.mjs): `node bin/launch.cjs --write-code-cache <bundle>
 * <runs as JSON>` loads the bundle as a start does, runs the given commands, then writes V8's code
 * cache (the functions compiled so far included) to `<bundle>.cache`.
 */
async function writeCodeCache(file, runs) {
  const { main, script } = loadBundle(file, undefined);
  for (const argv of runs) await main(argv);
  writeFileSync(`${file}.cache`, script.createCachedData());
}

module.exports = { start, loadMain, loadCli, bundleIsFresh };

if (require.main === module && process.argv[2] === '--write-code-cache') {
  writeCodeCache(process.argv[3], JSON.parse(process.argv[4])).then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`${err && err.message}\n`);
      process.exit(1);
    },
  );
}
