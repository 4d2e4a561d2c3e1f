'use strict';
// A `datamap plan` worker thread (src/parallel/pool.ts starts it): the same command line as
// bin/datamap.js (the bundle with its code cache when fresh, else the modules), then its
// planWorker body, which answers the main thread's messages until it is terminated.
const { loadCli } = require('./launch.cjs');

loadCli().then((cli) => cli.planWorker()).catch((err) => {
  const { parentPort } = require('node:worker_threads');
  if (parentPort) parentPort.postMessage({ type: 'failed', message: String((err && err.message) || err) });
});
