#!/usr/bin/env node
// Thin launcher: the command line lives in dist/cli (built by `npm run build`, run on install by
// `prepare`), bundled into dist/cli-bundle for a fast start; bin/launch.cjs picks which one runs.
import { createRequire } from 'node:module';

const { start } = createRequire(import.meta.url)('./launch.cjs');

// A closed pipe (`datamap plan ... | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await start(process.argv.slice(2));
