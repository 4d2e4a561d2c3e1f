// datamap benchmark: prints figures, asserts nothing. Run with `npm run bench`.
//  1. compile: loading + compiling a Data Map (once per map).
//  2. plan: dry-run throughput over many records, and memory while streaming them.
//  3. engine CPU per call: a real run through an in-memory transport (no HTTP client), so the
//     figure is mapping + validation + bookkeeping only.
//  4. end to end: the same run over HTTP against the in-process sandbox (keep-alive).
//  5. journal: µs per call with the in-memory journal vs a SQLite journal file, and memory at
//     10k vs 40k records (bench/journal.mjs).
// `--json`: the figures as one JSON object on stdout (the lines go to stderr).
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { loadDataMap, planRecords, runRecords, startSandbox } from '../dist/index.js';
import { benchJournal } from './journal.mjs';

const JSON_OUT = process.argv.includes('--json');
const figures = {};
// with --json, stdout holds only the JSON object
if (JSON_OUT) console.log = (...args) => process.stderr.write(args.join(' ') + '\n');

const N_PLAN = Number(process.env.BENCH_PLAN ?? 20000);
const N_RUN = Number(process.env.BENCH_RUN ?? 5000);
const N_HTTP = Number(process.env.BENCH_HTTP ?? 300);
const clock = () => Date.parse('2026-11-21T00:00:00Z');

const samples = JSON.parse(readFileSync('examples/field-service/invoices.json', 'utf8'));
const open = samples.filter((r) => r.status === 'open' && r.payment.card.number === '4111111111111111');
function* records(n) {
  for (let i = 0; i < n; i++) {
    const base = open[i % open.length];
    yield { index: i, line: 0, value: { ...base, invoiceNumber: `BENCH-${i}` } };
  }
}
const fmt = (n, d = 1) => n.toFixed(d);

// 1. compile
let t = performance.now();
const COMPILES = 50;
for (let i = 0; i < COMPILES; i++) loadDataMap({ file: 'mappings/field-service-to-revolv3.yaml' });
console.log(`compile   ${fmt((performance.now() - t) / COMPILES, 2)} ms per Data Map (mean of ${COMPILES})`);

const map = loadDataMap({ file: 'mappings/field-service-to-revolv3.yaml' });

// 2. plan
let heapMax = 0;
const heap0 = process.memoryUsage().heapUsed;
t = performance.now();
let planned = 0;
for await (const p of planRecords(map, records(N_PLAN), { clock })) {
  if (!p.ok) throw new Error('bench record did not plan: ' + JSON.stringify(p.diagnostics));
  planned++;
  if (planned % 1000 === 0) heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
}
let ms = performance.now() - t;
console.log(`plan      ${planned} records in ${fmt(ms, 0)} ms: ${fmt(planned / (ms / 1000), 0)} records/s, ${fmt((ms * 1000) / planned)} µs/record; heap growth ≤ ${fmt((heapMax - heap0) / 1048576)} MiB while streaming`);

// 3. engine CPU per call, in-memory transport
let invoice = 1000;
const transport = async (req) => {
  // the pre-flight lookup before a first charge: nothing found
  if (req.method === 'GET') return { status: 200, headers: {}, body: [] };
  const body = JSON.parse(req.body);
  return { status: 200, headers: {}, body: { invoiceId: ++invoice, merchantInvoiceRefId: body.invoice.merchantInvoiceRefId, invoiceStatus: 'Paid', invoiceAttemptStatus: 'Success', message: 'Approved', paymentMethodId: 7, amount: body.invoice.amount, paymentMethodCreditCardDetails: { binNumber: '411111', paymentLast4Digit: '1111' } } };
};
const cpu0 = process.cpuUsage();
t = performance.now();
let ran = 0;
for await (const r of runRecords(map, records(N_RUN), { transport, credentials: { REVOLV3_TOKEN: 'bench' }, env: {} })) {
  if (r.outcome !== 'succeeded') throw new Error('bench record did not succeed: ' + JSON.stringify(r.error));
  ran++;
}
ms = performance.now() - t;
const cpu = process.cpuUsage(cpu0);
console.log(`run/cpu   ${ran} calls in ${fmt(ms, 0)} ms wall, ${fmt((cpu.user + cpu.system) / 1000, 0)} ms CPU: ${fmt((cpu.user + cpu.system) / ran)} µs engine CPU per call (plan + pre-flight lookup + request + classify + output + redaction + in-memory journal; no HTTP client)`);
figures.run = { usPerCall: Math.round(((cpu.user + cpu.system) / ran) * 10) / 10 };

// 4. end to end over HTTP against the sandbox
const sandbox = await startSandbox({ seed: 'bench', rateLimitPerSecond: 0 });
try {
  t = performance.now();
  let ok = 0;
  for await (const r of runRecords(map, records(N_HTTP), { baseUrl: sandbox.baseUrls.revolv3, credentials: sandbox.credentials, env: {} })) {
    if (r.outcome === 'succeeded') ok++;
  }
  ms = performance.now() - t;
  console.log(`run/http  ${ok}/${N_HTTP} sales over keep-alive HTTP to the sandbox in ${fmt(ms, 0)} ms: ${fmt(N_HTTP / (ms / 1000), 0)} records/s, ${fmt(ms / N_HTTP, 2)} ms/record (sequential)`);
} finally {
  await sandbox.close();
}

// 5. journal overhead and memory
figures.journal = await benchJournal(console.log);

if (JSON_OUT) process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
