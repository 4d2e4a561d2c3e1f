#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli (built by `npm run build`, run on install by `prepare`),
// bundled into dist/cli-bundle for a fast start; the bundle only while it is as new as the modules
// (a `tsc` alone rebuilds those, not it).
import { statSync } from 'node:fs';

const mtime = (rel) => {
  try {
    return statSync(new URL(rel, import.meta.url)).mtimeMs;
  } catch {
    return -1;
  }
};
const bundled = mtime('../dist/cli-bundle/main.js') >= mtime('../dist/cli/main.js') && mtime('../dist/cli-bundle/main.js') > 0;
const { main } = await import(bundled ? '../dist/cli-bundle/main.js' : '../dist/cli/main.js');

// A closed pipe (`datamap plan ... | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2));
