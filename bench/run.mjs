// datamap benchmark: prints figures, asserts nothing. `npm run bench` (text) or
// `npm run bench -- --json` (one JSON object:
//   { plan: { <map file>: { usPerRecord, jsonataUsPerRecord, handwrittenUsPerRecord, firstRoundUsPerRecord } },
//     run: { usPerCall, usPerRecord }, cli: { planRecordsPerSecond }, startup: { validateMs } }).
//  1. plan, per shipped map: CPU µs per planned record for datamap (library planRecords), for
//     jsonata 2.2.2 + AJV evaluating the same expressions, and for hand-written JS + AJV.
//  2. run: engine CPU per provider call and per record (a pre-flight lookup + a sale: two calls)
//     through an in-memory transport (no HTTP client).
//  1-2 are CPU time, the median of BENCH_ROUNDS (3; at least 5 for 2) rounds after a warm-up round
//     (for 1, the warm-up round's own figure too: firstRoundUsPerRecord).
//  3. cli: `datamap plan` over an NDJSON file, output to a file, records per second (median of 3),
//     as run by default and with worker threads (--jobs), then once over BENCH_CLI_LARGE (100k;
//     0: skipped) records (over 24 MiB: worker threads by default) and on one thread.
//  4. startup: `datamap validate` on one map, wall ms (median of several runs).
//  5. run over keep-alive HTTP against the in-process sandbox, and the journal: µs per call with
//     the in-memory journal vs a SQLite journal file, memory at 10k vs 40k records (bench/journal.mjs).
import { performance } from 'node:perf_hooks';
import { mkdtempSync, openSync, closeSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import jsonata from 'jsonata';
import { fieldServiceRecords, recordsFor } from './records.mjs';
import { loadDataMap, planRecords, runRecords, startSandbox, SANDBOX_SETTINGS } from '../dist/index.js';
import { resolveSettings } from '../dist/settings/resolve.js';
import { withSettings } from '../dist/settings/with-settings.js';
import { benchJournal } from './journal.mjs';
import { planRecordRaw, stepsReadByLaterSteps } from '../dist/plan/plan-record.js';
import { toPlainJson } from '../dist/expressions/plain-json.js';
import { shippedValidator } from '../dist/schemas/ajv.js';
import { clockBindings } from '../dist/expressions/bindings.js';
import { handwritten } from './handwritten.mjs';

const JSON_OUT = process.argv.includes('--json');
const N_PLAN = Number(process.env.BENCH_PLAN ?? 20000);
const N_RUN = Number(process.env.BENCH_RUN ?? 5000);
const N_CLI = Number(process.env.BENCH_CLI ?? 20000);
const N_CLI_LARGE = Number(process.env.BENCH_CLI_LARGE ?? 100000);
const NOW = Date.parse('2026-11-21T00:00:00Z');
const clock = () => NOW;
// with --json, stdout holds only the JSON object (the lines go to stderr)
if (JSON_OUT) console.log = (...args) => process.stderr.write(args.join(' ') + '\n');
const log = (s) => console.log(s);
const fmt = (n, d = 1) => n.toFixed(d);
const cpuUs = (f) => async (...a) => {
  const c0 = process.cpuUsage();
  await f(...a);
  const c = process.cpuUsage(c0);
  return c.user + c.system;
};
// CPU figures are the median of ROUNDS rounds (after a warm-up): one round can land on a major
// GC or on another process taking the core; the range is printed beside the median.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const rounds = async (f, arg, per) => {
  const xs = [];
  for (let i = 0; i < ROUNDS; i++) xs.push((await cpuUs(f)(arg)) / per);
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
};
const range = (r) => `median of ${ROUNDS}, ${fmt(r.min)}–${fmt(r.max)}`;

// ---- 1. plan ---------------------------------------------------------------------------------
const maps = readdirSync('mappings').filter((f) => f.endsWith('.yaml') && !f.includes('.test.')).sort();
const plan = {};
for (const file of maps) {
  if (!handwritten[file]) {
    log(`plan      ${file.padEnd(32)} (skipped: no hand-written equivalent in bench/handwritten.mjs)`);
    continue;
  }
  // the Invoiss maps declare settings (company, signature...): the sandbox's values
  const loaded = loadDataMap({ file: `mappings/${file}` });
  const settings = loaded.settings.length ? resolveSettings(loaded, { env: { ...SANDBOX_SETTINGS } }, 'plan').values : {};
  const map = withSettings(loaded, settings);
  const records = recordsFor(file, N_PLAN);

  // the typed placeholders a dry run gives later steps, so every variant sees the same $steps
  const first = await planRecordRaw(map, records[0], { now: NOW });
  if (!first.ok) throw new Error(`${file}: bench record does not plan`);
  const steps = first.context.steps;

  // datamap
  const items = (rs) => rs.map((value, index) => ({ index, line: 0, value }));
  const datamap = async (rs) => {
    for await (const p of planRecords(map, items(rs), { clock })) if (!p.ok) throw new Error(`${file}: ${JSON.stringify(p.diagnostics)}`);
  };

  // jsonata 2.2.2 + AJV: the same expressions, compiled once by jsonata, no datamap code around them
  const j = (e) => (e ? jsonata(e.source) : undefined);
  const jKey = j(map.key);
  const jLets = map.lets.map((l) => [l.name, j(l.expression)]);
  const read = stepsReadByLaterSteps(map);
  const jSteps = map.steps.map((s) => ({
    id: s.id,
    when: s.when && s.when.facts.stepRefs.length === 0 ? j(s.when) : undefined,
    params: s.params.map((p) => j(p.expression)),
    request: j(s.request),
    output: read.has(s.id) ? j(s.output) : undefined,
    validate: s.operation.spec.request ? shippedValidator(s.operation.spec.request) : undefined,
  }));
  const jsonataAjv = async (rs) => {
    for (const record of rs) {
      const b = { ...clockBindings(NOW), record, env: {}, steps, settings };
      b.key = String(await jKey.evaluate(record, b));
      for (const [name, e] of jLets) b[name] = await e.evaluate(record, b);
      for (const s of jSteps) {
        if (s.when && !(await s.when.evaluate(record, b))) continue;
        for (const p of s.params) await p.evaluate(record, b);
        if (s.request) {
          const body = await s.request.evaluate(record, b);
          if (s.validate && !s.validate(body)) throw new Error(`${file}: jsonata body invalid`);
        }
        if (s.output) await s.output.evaluate({}, b);
      }
    }
  };

  // hand-written JS + AJV
  const hw = handwritten[file];
  const validators = map.steps.filter((s) => s.request).map((s) => shippedValidator(s.operation.spec.request));
  const handAjv = async (rs) => {
    for (const r of rs) {
      const bodies = hw(r, steps, settings);
      for (let i = 0; i < bodies.length; i++) if (!validators[i](bodies[i])) throw new Error(`${file}: hand-written body invalid`);
    }
  };
  // the hand-written bodies are the engine's bodies
  for (const r of records.slice(0, 3)) {
    const raw = await planRecordRaw(map, r, { now: NOW });
    const engine = JSON.stringify(raw.steps.filter((s) => s.request?.body !== undefined).map((s) => s.request.body));
    const hand = JSON.stringify(toPlainJson(hw(r, steps, settings)));
    if (engine !== hand) throw new Error(`${file}: hand-written bodies differ from the engine's\n engine ${engine}\n hand   ${hand}`);
  }

  // a whole round of each as warm-up: V8 is still optimising the plan's functions well past the
  // first 2,000 records (a first round of 20k costs about twice a later one); that first
  // round's figure is kept for datamap (firstRoundUsPerRecord)
  const firstUs = await cpuUs(datamap)(records);
  for (const f of [jsonataAjv, handAjv]) await f(records);
  const us = {};
  let spread;
  for (const [name, f] of [['usPerRecord', datamap], ['jsonataUsPerRecord', jsonataAjv], ['handwrittenUsPerRecord', handAjv]]) {
    const r = await rounds(f, records, records.length);
    us[name] = Number(fmt(r.median, 2));
    spread ??= r;
  }
  us.firstRoundUsPerRecord = Number(fmt(firstUs / records.length, 2));
  plan[file] = us;
  log(`plan      ${file.padEnd(32)} datamap ${fmt(us.usPerRecord, 2).padStart(7)} µs/record (${fmt(1e6 / us.usPerRecord, 0)}/s; ${range(spread)}; first round ${fmt(us.firstRoundUsPerRecord)})   jsonata+AJV ${fmt(us.jsonataUsPerRecord, 2).padStart(7)} µs (${fmt(us.jsonataUsPerRecord / us.usPerRecord)}× datamap)   hand-written+AJV ${fmt(us.handwrittenUsPerRecord, 2).padStart(6)} µs (datamap ${fmt(us.usPerRecord / us.handwrittenUsPerRecord)}× it)`);
}

// memory while streaming (field-service → Revolv3)
{
  const map = loadDataMap({ file: 'mappings/field-service-to-revolv3.yaml' });
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let heapMax = heap0;
  let i = 0;
  async function* stream() {
    for (let k = 0; k < N_PLAN * 2; k++) yield { index: k, line: 0, value: { ...fieldServiceRecords[k % fieldServiceRecords.length], invoiceNumber: `M-${k}` } };
  }
  for await (const p of planRecords(map, stream(), { clock })) {
    if (!p.ok) throw new Error('memory bench record did not plan');
    if (++i % 1000 === 0) heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
  }
  log(`memory    ${i} records streamed: heap growth ≤ ${fmt((heapMax - heap0) / 1048576)} MiB`);
}

// ---- 2. run: engine CPU per record and per provider call -------------------------------------
// Each record is two provider calls (the pre-flight lookup GET, then the sale POST): the figure
// per call divides by the calls the transport saw, the figure per record by the records.
const map = loadDataMap({ file: 'mappings/field-service-to-revolv3.yaml' });
let invoice = 1000;
let calls = 0;
const transport = async (req) => {
  calls++;
  // the pre-flight lookup before a first charge: nothing found
  if (req.method === 'GET') return { status: 200, headers: {}, body: [] };
  const body = JSON.parse(req.body);
  return { status: 200, headers: {}, body: { invoiceId: ++invoice, merchantInvoiceRefId: body.invoice.merchantInvoiceRefId, invoiceStatus: 'Paid', invoiceAttemptStatus: 'Success', message: 'Approved', paymentMethodId: 7, amount: body.invoice.amount, paymentMethodCreditCardDetails: { binNumber: '411111', paymentLast4Digit: '1111' } } };
};
const runAll = async (n) => {
  const items = recordsFor('field-service-to-revolv3.yaml', n).map((value, index) => ({ index, line: 0, value }));
  // rateLimit 0: the pack's 20 calls/s would otherwise set the pace
  for await (const r of runRecords(map, items, { transport, credentials: { REVOLV3_TOKEN: 'bench' }, env: {}, rateLimit: 0 })) {
    if (r.outcome !== 'succeeded') throw new Error('bench record did not succeed: ' + JSON.stringify(r.error));
  }
};
// at least 2000 records of warm-up, then the median (and min) of at least 5 rounds
await runAll(Math.max(2000, Math.min(N_RUN, 5000)));
const RUN_ROUNDS = Math.max(5, ROUNDS);
const perRecord = [];
const perCall = [];
for (let i = 0; i < RUN_ROUNDS; i++) {
  calls = 0;
  const us = await cpuUs(runAll)(N_RUN);
  perRecord.push(us / N_RUN);
  perCall.push(us / calls);
}
const runUs = median(perCall);
const runUsPerRecord = median(perRecord);
const callsPerRecord = calls / N_RUN;
log(`run       ${N_RUN} records (${fmt(callsPerRecord)} provider calls each), field-service → Revolv3: ${fmt(runUs)} µs engine CPU per call, ${fmt(runUsPerRecord)} µs per record (median of ${RUN_ROUNDS}; min ${fmt(Math.min(...perCall))} per call, ${fmt(Math.min(...perRecord))} per record; plan + pre-flight lookup + request + classify + output + redaction + in-memory journal; no HTTP client)`);

// ---- 3. cli plan over NDJSON -----------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'datamap-bench-'));
let cliRate;
let cliRateWorkers;
let cliRateLarge;
let cliRateLargeOne;
try {
  const input = join(dir, 'invoices.ndjson');
  writeFileSync(input, recordsFor('field-service-to-revolv3.yaml', N_CLI).map((r) => JSON.stringify(r)).join('\n') + '\n');
  // wall time of the whole process (start included), median of 3 runs: as a user runs it (a
  // NDJSON file under 24 MiB is planned on one thread by default), then with worker threads
  // (--jobs: one thread per CPU, at most 4)
  const cliRun = (extra, runs = 3) => {
    const walls = [];
    for (let i = 0; i < runs; i++) {
      const outFd = openSync(join(dir, 'plan.out'), 'w');
      const t = performance.now();
      const r = spawnSync(process.execPath, ['bin/datamap.js', 'plan', 'mappings/field-service-to-revolv3.yaml', '--input', input, '--json', ...extra], { stdio: ['ignore', outFd, 'pipe'] });
      walls.push(performance.now() - t);
      closeSync(outFd);
      if (r.status !== 0) throw new Error(`datamap plan exited ${r.status}: ${r.stderr}`);
    }
    return walls;
  };
  const jobs = Math.min(4, availableParallelism());
  const walls = cliRun([]);
  const ms = median(walls);
  cliRate = Math.round(N_CLI / (ms / 1000));
  log(`cli       datamap plan, ${N_CLI} NDJSON records → file in ${fmt(ms, 0)} ms (process start included; median of 3, ${fmt(Math.min(...walls), 0)}–${fmt(Math.max(...walls), 0)}; as run by default): ${cliRate} records/s`);
  const wallsW = cliRun(['--jobs', String(jobs)]);
  const msW = median(wallsW);
  cliRateWorkers = Math.round(N_CLI / (msW / 1000));
  log(`cli       the same with worker threads (--jobs ${jobs}): ${fmt(msW, 0)} ms (${fmt(Math.min(...wallsW), 0)}–${fmt(Math.max(...wallsW), 0)}): ${cliRateWorkers} records/s`);
  // a larger batch: the start (~0.2 s) and V8's warm-up (each thread optimises the same code,
  // ~0.5 s of compiling) weigh less; one run each
  if (N_CLI_LARGE > 0) {
    writeFileSync(input, recordsFor('field-service-to-revolv3.yaml', N_CLI_LARGE).map((r) => JSON.stringify(r)).join('\n') + '\n');
    const large = cliRun([], 1)[0];
    const largeOne = cliRun(['--jobs', '1'], 1)[0];
    cliRateLarge = Math.round(N_CLI_LARGE / (large / 1000));
    cliRateLargeOne = Math.round(N_CLI_LARGE / (largeOne / 1000));
    log(`cli       ${N_CLI_LARGE} records → file: ${fmt(large, 0)} ms as run by default (worker threads over 24 MiB), ${cliRateLarge} records/s; ${fmt(largeOne, 0)} ms on one thread, ${cliRateLargeOne} records/s (one run each)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// ---- 4. startup: validate one map ------------------------------------------------------------
const times = [];
for (let i = 0; i < 7; i++) {
  const t = performance.now();
  const r = spawnSync(process.execPath, ['bin/datamap.js', 'validate', 'mappings/field-service-to-revolv3.yaml'], { stdio: 'ignore' });
  times.push(performance.now() - t);
  if (r.status !== 0) throw new Error('validate failed');
}
times.sort((a, b) => a - b);
const validateMs = Math.round(times[3]);
log(`startup   datamap validate, one map: ${validateMs} ms wall (median of 7; min ${fmt(times[0], 0)})`);

// ---- 5. over HTTP to the sandbox; the journal --------------------------------------------------
const N_HTTP = Number(process.env.BENCH_HTTP ?? 300);
const sandbox = await startSandbox({ seed: 'bench', rateLimitPerSecond: 0 });
try {
  const t = performance.now();
  let ok = 0;
  const items = recordsFor('field-service-to-revolv3.yaml', N_HTTP).map((value, index) => ({ index, line: 0, value: { ...value, invoiceNumber: `HTTP-${index}` } }));
  for await (const r of runRecords(map, items, { baseUrl: sandbox.baseUrls.revolv3, credentials: sandbox.credentials, env: {}, rateLimit: 0 })) {
    if (r.outcome === 'succeeded') ok++;
  }
  const ms = performance.now() - t;
  log(`run/http  ${ok}/${N_HTTP} sales over keep-alive HTTP to the sandbox in ${fmt(ms, 0)} ms: ${fmt(N_HTTP / (ms / 1000), 0)} records/s, ${fmt(ms / N_HTTP, 2)} ms/record (sequential)`);
} finally {
  await sandbox.close();
}
const journal = await benchJournal(console.log);

if (JSON_OUT) {
  process.stdout.write(JSON.stringify({ plan, run: { usPerCall: Number(fmt(runUs, 2)), usPerRecord: Number(fmt(runUsPerRecord, 2)) }, cli: { planRecordsPerSecond: cliRate, planRecordsPerSecondWorkers: cliRateWorkers, ...(cliRateLarge ? { largeRecords: N_CLI_LARGE, planRecordsPerSecondLarge: cliRateLarge, planRecordsPerSecondLargeOneThread: cliRateLargeOne } : {}) }, startup: { validateMs }, journal }, null, 2) + '\n');
}
