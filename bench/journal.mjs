// Journal overhead (part of `npm run bench`; also runs alone: `node bench/journal.mjs [--json]`).
//  - µs per call of runRecords over an in-memory transport that answers a sale at once: with no
//    journal option (an in-memory journal) and with a SQLite journal file (its durability on:
//    WAL, synchronous=FULL: an fsync per commit, four commits per record: claim, intent,
//    outcome, finish). Wall time, since the cost is mostly waiting for the disk; CPU shown too.
//  - memory flat in batch size: heap and RSS at 10k and 40k records, through a SQLite journal
//    and through the in-memory one.
// Asserts nothing; prints figures, and returns them for --json.
import { performance } from 'node:perf_hooks';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { loadDataMap, openJournal, runRecords } from '../dist/index.js';

const N_JOURNAL = Number(process.env.BENCH_JOURNAL ?? 2000);
const FLAT = (process.env.BENCH_JOURNAL_FLAT ?? '10000,40000').split(',').map(Number).filter((n) => n > 0);

const fmt = (n, d = 1) => n.toFixed(d);
// a full GC on demand, so the heap figures are what is retained, not garbage not yet collected
v8.setFlagsFromString('--expose-gc');
const gc = globalThis.gc ?? vm.runInNewContext('gc');
const samples = JSON.parse(readFileSync('examples/field-service/invoices.json', 'utf8'));
const open = samples.filter((r) => r.status === 'open' && r.payment.card.number === '4111111111111111');
function* records(n, tag) {
  for (let i = 0; i < n; i++) {
    const base = open[i % open.length];
    yield { index: i, line: 0, value: { ...base, invoiceNumber: `JBENCH-${tag}-${i}` } };
  }
}

// answers a sale at once (and a lookup with "nothing found")
let invoice = 1000;
const transport = async (req) => {
  if (req.method === 'GET') return { status: 200, headers: {}, body: [] };
  const body = JSON.parse(req.body);
  return { status: 200, headers: {}, body: { invoiceId: ++invoice, merchantInvoiceRefId: body.invoice.merchantInvoiceRefId, invoiceStatus: 'Paid', invoiceAttemptStatus: 'Success', message: 'Approved', paymentMethodId: 7, amount: body.invoice.amount, paymentMethodCreditCardDetails: { binNumber: '411111', paymentLast4Digit: '1111' } } };
};
// the pre-flight lookup is off so that each record is exactly one call through the journal, and
// the pack's rate limit (Revolv3: 20 calls/s) too, or it alone would set the pace
const base = { transport, credentials: { REVOLV3_TOKEN: 'bench' }, env: {}, preflight: false, rateLimit: 0 };

async function timed(map, n, tag, options, onRecord) {
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  let ok = 0;
  for await (const r of runRecords(map, records(n, tag), { ...base, ...options })) {
    if (r.outcome !== 'succeeded') throw new Error('journal bench record did not succeed: ' + JSON.stringify(r.error));
    ok++;
    onRecord?.(ok);
  }
  const ms = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  return { n: ok, usWall: (ms * 1000) / ok, usCpu: (cpu.user + cpu.system) / ok };
}

/** Runs the journal section; `log` prints a line. */
export async function benchJournal(log = console.log) {
  const map = loadDataMap({ file: 'mappings/field-service-to-revolv3.yaml' });
  // the journal lives under the working directory like the default .datamap/journal.db (same disk)
  const dir = mkdtempSync(join(process.cwd(), '.bench-journal-'));
  try {
    // warm up both paths first
    await timed(map, 200, 'warm-mem', {});
    {
      const j = openJournal(join(dir, 'warm.db'));
      await timed(map, 200, 'warm-sql', { journal: j });
      await j.close();
    }
    const mem = await timed(map, N_JOURNAL, 'mem', {});
    const path = join(dir, 'journal.db');
    const journal = openJournal(path);
    let sql;
    try {
      sql = await timed(map, N_JOURNAL, 'sql', { journal });
    } finally {
      await journal.close();
    }
    const Database = createRequire(pathToFileURL(join(process.cwd(), 'package.json')))('better-sqlite3');
    const check = new Database(path, { readonly: true });
    const mode = check.pragma('journal_mode', { simple: true });
    const rows = check.prepare('SELECT count(*) AS n FROM run_records').get().n;
    check.close();
    const overhead = sql.usWall - mem.usWall;
    log(`journal   ${N_JOURNAL} calls: ${fmt(mem.usWall)} µs/call with the in-memory journal (${fmt(mem.usCpu)} µs CPU), ${fmt(sql.usWall)} µs/call with a SQLite journal file (journal_mode=${mode}, synchronous=FULL; ${fmt(sql.usCpu)} µs CPU): overhead ${fmt(overhead)} µs per call (${rows} run records written)`);

    // memory flat in batch size. The SQLite journal for this check lives on tmpfs when there is
    // one (/dev/shm): its fsyncs then cost nothing, so 40k records take seconds, and what is
    // measured (the process's heap and RSS) does not depend on the disk. The in-memory journal
    // (runRecords without a journal option) is measured too: it keeps every row by design.
    const flatDir = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/datamap-bench-') : dir;
    const flat = [];
    try {
      for (const store of ['sqlite', 'memory']) {
        for (const n of FLAT) {
          const j = store === 'sqlite' ? openJournal(join(flatDir, `flat-${n}.db`)) : undefined;
          let heapMax = 0;
          let rssMax = 0;
          const sample = () => {
            gc();
            const m = process.memoryUsage();
            heapMax = Math.max(heapMax, m.heapUsed);
            rssMax = Math.max(rssMax, m.rss);
          };
          gc();
          const heap0 = process.memoryUsage().heapUsed;
          let r;
          try {
            r = await timed(map, n, `flat-${store}-${n}`, j ? { journal: j } : {}, (i) => { if (i % 2000 === 0 || i === n) sample(); });
          } finally {
            await j?.close();
          }
          flat.push({ store, records: n, heapMaxMiB: heapMax / 1048576, heapGrowthMiB: (heapMax - heap0) / 1048576, rssMaxMiB: rssMax / 1048576, usPerCall: r.usWall });
        }
      }
    } finally {
      if (flatDir !== dir) rmSync(flatDir, { recursive: true, force: true });
    }
    for (const store of ['sqlite', 'memory']) {
      const rows = flat.filter((f) => f.store === store);
      if (!rows.length) continue;
      const label = store === 'sqlite' ? `a SQLite journal${flatDir !== dir ? ' (on tmpfs)' : ''}` : 'the in-memory journal';
      log(`journal   memory with ${label}: ${rows.map((f) => `${f.records} records → retained heap ≤ ${fmt(f.heapMaxMiB)} MiB (${f.heapGrowthMiB >= 0 ? '+' : '−'}${fmt(Math.abs(f.heapGrowthMiB))} MiB over the start), RSS ≤ ${fmt(f.rssMaxMiB)} MiB`).join('; ')} (heap after a full GC every 2,000 records)`);
    }
    return {
      usPerCallMemory: round(mem.usWall),
      usPerCallSqlite: round(sql.usWall),
      overheadUs: round(overhead),
      cpuUsPerCallMemory: round(mem.usCpu),
      cpuUsPerCallSqlite: round(sql.usCpu),
      calls: N_JOURNAL,
      flat: flat.map((f) => ({ store: f.store, records: f.records, heapMaxMiB: round(f.heapMaxMiB), heapGrowthMiB: round(f.heapGrowthMiB), rssMaxMiB: round(f.rssMaxMiB) })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (n) => Math.round(n * 10) / 10;

// run alone
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const json = process.argv.includes('--json');
  const journal = await benchJournal(json ? (l) => process.stderr.write(l + '\n') : console.log);
  if (json) process.stdout.write(JSON.stringify({ journal }, null, 2) + '\n');
}
