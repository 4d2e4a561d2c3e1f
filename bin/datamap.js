#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli (built by `npm run build`, run on install by `prepare`).
import { main } from '../dist/cli/main.js';

// A closed pipe (`datamap plan ... | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2));
