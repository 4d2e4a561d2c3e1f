// datamap batch benchmark (issue 11): prints figures, asserts nothing.
//   node bench/batch.mjs [--json]        (npm run bench:batch; after npm run build)
//  1. concurrency: N records against the in-process sandbox, its rate limit off, 20 ms of
//     latency per request: records/s at --concurrency 1 and 16, and the ratio.
//  2. rate limit: records against the sandbox's documented 20 requests/s: sustained calls/s and
//     429s (the client holds 20 per 1.1 s).
//  3. memory: heap and RSS at concurrency 16 over many records (in-memory transport, a SQLite
//     journal on tmpfs when there is one), sampled as the run goes: flat means bounded by the
//     concurrency, not the input.
//  4. journal cost: the same in-memory transport, concurrency 1 and 16, with the journal on the
//     working disk (where fsync costs what it costs) and with no journal: µs of journal per record.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadDataMap, openJournal, runRecords, startSandbox } from '../dist/index.js';

const JSON_OUT = process.argv.includes('--json');
const N_CONC = Number(process.env.BENCH_BATCH_N ?? 2000);
const N_RATE = Number(process.env.BENCH_RATE_N ?? 200);
const N_MEM = Number(process.env.BENCH_MEM_N ?? 100_000);
const log = (s) => { if (!JSON_OUT) console.log(s); };
const fmt = (n, d = 1) => n.toFixed(d);

const base = JSON.parse(readFileSync('examples/field-service/invoices.json', 'utf8'))[0];
function* records(n, prefix) {
  for (let i = 0; i < n; i++) yield { index: i, line: 0, value: { ...base, invoiceNumber: `${prefix}-${i}` } };
}
const map = loadDataMap({ file: 'mappings/field-service-to-revolv3.yaml' });
const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'datamap-bench-'));
const out = {};

async function timed(opts, n, prefix) {
  const journal = openJournal(join(dir, `${prefix}.db`));
  const t = performance.now();
  let done = 0;
  let rateLimited = 0;
  for await (const r of runRecords(map, records(n, prefix), { ...opts, env: {}, journal })) {
    done++;
    for (const s of r.steps) rateLimited += s.rateLimited ?? 0;
  }
  await journal.close();
  return { ms: performance.now() - t, done, rateLimited };
}

// 1. concurrency
{
  const sandbox = await startSandbox({ seed: 'bench', rateLimitPerSecond: 0 });
  sandbox.injectFault({ kind: 'latency', provider: 'revolv3', latencyMs: 20, times: 1e9 });
  const common = { baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, rateLimit: 0, preflight: false, settleMs: 0 };
  const one = await timed({ ...common, concurrency: 1 }, N_CONC, 'c1');
  sandbox.reset();
  const sixteen = await timed({ ...common, concurrency: 16 }, N_CONC, 'c16');
  await sandbox.close();
  const r1 = one.done / (one.ms / 1000);
  const r16 = sixteen.done / (sixteen.ms / 1000);
  out.concurrency = { records: N_CONC, latencyMs: 20, c1RecordsPerSecond: Math.round(r1), c16RecordsPerSecond: Math.round(r16), ratio: Number((r16 / r1).toFixed(2)) };
  log(`concurrency  ${N_CONC} records, 20 ms per request, rate limit off: ${fmt(r1, 0)} records/s at 1, ${fmt(r16, 0)} records/s at 16 (${fmt(r16 / r1, 2)}×)`);
}

// 2. rate limit
{
  const sandbox = await startSandbox({ seed: 'bench-rate' }); // 20 requests/s per credential
  const res = await timed({ baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, concurrency: 16, settleMs: 0 }, N_RATE, 'rate');
  await sandbox.close();
  const calls = N_RATE * 2; // a pre-flight lookup and a sale per record
  const perSecond = calls / (res.ms / 1000);
  out.rateLimit = { records: N_RATE, calls, callsPerSecond: Number(perSecond.toFixed(2)), documented: 20, status429: res.rateLimited };
  log(`rate limit   ${calls} calls at concurrency 16 under the sandbox's 20/s: ${fmt(perSecond, 2)} calls/s sustained (${fmt((perSecond / 20) * 100, 1)}% of 20/s), ${res.rateLimited} answers 429`);
}

// 3. memory
{
  let n = 0;
  const transport = async (req) => {
    n++;
    const ref = JSON.parse(req.body ?? '{}').invoice?.merchantInvoiceRefId;
    return { status: 200, headers: {}, body: { invoiceId: n, invoiceStatus: 'Paid', paymentMethodId: n, merchantInvoiceRefId: ref, paymentMethodCreditCardDetails: { binNumber: '411111', paymentLast4Digit: '1111' } } };
  };
  const journal = openJournal(join(dir, 'mem.db'));
  const samples = [];
  let done = 0;
  const t = performance.now();
  globalThis.gc?.();
  for await (const _ of runRecords(map, records(N_MEM, 'mem'), { credentials: { REVOLV3_TOKEN: 'bench_token_1' }, env: {}, transport, concurrency: 16, rateLimit: 0, preflight: false, journal })) {
    void _;
    done++;
    if (done % Math.floor(N_MEM / 4) === 0) {
      globalThis.gc?.();
      const m = process.memoryUsage();
      samples.push({ records: done, heapMiB: Number((m.heapUsed / 1048576).toFixed(1)), rssMiB: Number((m.rss / 1048576).toFixed(1)) });
    }
  }
  await journal.close();
  const ms = performance.now() - t;
  out.memory = { records: N_MEM, concurrency: 16, samples, recordsPerSecond: Math.round(done / (ms / 1000)) };
  log(`memory       ${N_MEM} records at concurrency 16 (in-memory transport, SQLite journal): ${samples.map((s) => `${s.records}: heap ${s.heapMiB} MiB, RSS ${s.rssMiB} MiB`).join('; ')}; ${fmt(done / (ms / 1000), 0)} records/s`);
}

// 4. journal cost on a real disk
{
  const N = Number(process.env.BENCH_JOURNAL_N ?? 1000);
  const diskDir = mkdtempSync(join(tmpdir(), 'datamap-bench-disk-'));
  let n = 0;
  const transport = async (req) => {
    n++;
    const ref = JSON.parse(req.body ?? '{}').invoice?.merchantInvoiceRefId;
    return { status: 200, headers: {}, body: { invoiceId: n, invoiceStatus: 'Paid', paymentMethodId: n, merchantInvoiceRefId: ref, paymentMethodCreditCardDetails: { binNumber: '411111', paymentLast4Digit: '1111' } } };
  };
  const pass = async (concurrency, journalPath, prefix) => {
    const journal = journalPath ? openJournal(journalPath) : undefined;
    const t = performance.now();
    for await (const _ of runRecords(map, records(N, prefix), { credentials: { REVOLV3_TOKEN: 'bench_token_1' }, env: {}, transport, concurrency, rateLimit: 0, preflight: false, ...(journal ? { journal } : {}) })) void _;
    const ms = performance.now() - t;
    await journal?.close();
    return (ms * 1000) / N;
  };
  const res = {};
  for (const c of [1, 16]) {
    const none = await pass(c, undefined, `nj${c}`);
    const disk = await pass(c, join(diskDir, `j${c}.db`), `dj${c}`);
    res[`c${c}`] = { usPerRecordNoJournal: Math.round(none), usPerRecordDiskJournal: Math.round(disk), journalUsPerRecord: Math.round(disk - none) };
  }
  rmSync(diskDir, { recursive: true, force: true });
  out.journal = { records: N, dir: tmpdir(), ...res };
  log(`journal      ${N} one-call records on ${tmpdir()} (in-memory transport): concurrency 1: ${res.c1.usPerRecordDiskJournal} µs/record with the journal, ${res.c1.usPerRecordNoJournal} without (${res.c1.journalUsPerRecord} µs of journal); concurrency 16: ${res.c16.usPerRecordDiskJournal} vs ${res.c16.usPerRecordNoJournal} µs (${res.c16.journalUsPerRecord} µs)`);
}

rmSync(dir, { recursive: true, force: true });
if (JSON_OUT) console.log(JSON.stringify({ batch: out }, null, 2));
