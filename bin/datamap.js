#!/usr/bin/env node
'use strict';
// Thin launcher: the command line lives in dist/cli (built by `npm run build`, run on install by
// `prepare`), bundled into dist/cli-bundle for a fast start; bin/launch.cjs picks which one runs.
// CommonJS (bin/package.json says so): a start then never sets up Node's ES module loader, which
// the bundle does not need.
const { start } = require('./launch.cjs');

// A closed pipe (`datamap plan ... | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

start(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
