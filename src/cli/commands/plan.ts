import { availableParallelism } from 'node:os';
import { statSync } from 'node:fs';
import { loadDataMap } from '../../datamap/load.js';
import { RecordPlanner, type PlanRunOptions } from '../../plan/plan-stream.js';
import { isThenable } from '../../expressions/plain-json.js';
import type { RecordItem } from '../../source/read-records.js';
import { maskCredentials } from '../../redact/mask.js';
import { assertHttpUrl } from '../../transport/egress.js';
import { parseSets } from '../set-option.js';
import type { CliIo } from '../io.js';
import { inputFormatOf, openInputChunks, openRecordBatches, parseInputFormat } from '../input.js';
import { formatDiagnostic } from '../format-diagnostic.js';
import { PlanTally, printRecord } from '../plan-print.js';
// types only (erased): the parallel module is loaded when a plan uses worker threads
import type * as ParallelModule from '../../parallel/index.js';
import type { PlanPool, PlanWorkerInit } from '../../parallel/index.js';

export interface PlanCommandOptions {
  input: string;
  /** `csv`, `ndjson` or `json`; default by the input's extension. */
  format?: string;
  json?: boolean;
  baseUrl?: string;
  set?: string[];
  /** Only counts and the invalid records. */
  summary?: boolean;
  /** Threads planning a JSON/NDJSON input, the main one included (1: no worker); default: by the input's size and the CPUs. */
  jobs?: number;
}

/**
 * Inputs smaller than this are planned on one thread unless `--jobs` asks otherwise. A worker
 * pays its own start (some 50 ms) and, above all, V8's warm-up of the plan's code (each thread
 * optimises the same functions again, some 0.2-0.5 s of CPU that competes with the planning on
 * a 2-core machine): measured with field-service records (~700 bytes each) on 2 cores, the
 * default with a worker was 12% slower than one thread at 14 MB, even at 21 MB, 5% faster at
 * 28 MB and 15% at 42 MB (CONTRIBUTING, performance).
 */
export const PARALLEL_MIN_BYTES = 24 * 1024 * 1024;

/** Most threads a plan uses by itself. */
const MAX_AUTO_JOBS = 4;

/** Per step of the map: how many records would run it, skip it, or decide at run time. */
type StepCounts = Record<string, { operation: string; run: number; skipped: number; deferred: number }>;

/**
 * `datamap plan <map> --input <file|->`: the dry run. Streams records; prints each record's
 * requests as they would be sent (redacted), or with `--summary` only the counts and the
 * invalid records. Exit 0 when every record plans cleanly, 1 when any record is invalid, 2
 * when the Data Map, the input or an option cannot be used.
 */
export async function planCommand(mapFile: string, opts: PlanCommandOptions, io: CliIo): Promise<number> {
  if (opts.baseUrl) assertHttpUrl(opts.baseUrl, '--base-url');
  parseInputFormat(opts.format);
  const jobs = planJobs(opts);
  const source = opts.input === '-' ? '<stdin>' : opts.input;
  const sets = parseSets(opts.set);
  // the worker threads start first: each loads the map itself (some 100 ms) while this thread does
  const parallel = jobs > 1 ? await import('../../parallel/index.js') : undefined;
  const init = { mapFile, source, set: sets, env: { ...io.env }, baseUrl: opts.baseUrl, json: opts.json === true, summary: opts.summary === true };
  const started: Started = { jobs, sets, parallel, init, pool: parallel?.startPlanPool(jobs, init) };
  try {
    return await planWith(mapFile, opts, io, started);
  } finally {
    // not handed over (the map, the input or an option could not be used): stopped here
    if (started.pool) await started.pool.close();
  }
}

/** What the command worked out before loading the map; `pool` is cleared once handed over to the parallel plan. */
interface Started {
  jobs: number;
  sets: Record<string, string>;
  parallel: typeof ParallelModule | undefined;
  init: PlanWorkerInit;
  pool: PlanPool | undefined;
}

async function planWith(mapFile: string, opts: PlanCommandOptions, io: CliIo, started: Started): Promise<number> {
  const { jobs, sets, parallel, init } = started;
  const map = loadDataMap({ file: mapFile });
  for (const d of map.diagnostics) io.stderr(formatDiagnostic(d) + '\n\n');
  const planOpts: PlanRunOptions = { clock: io.now, settings: { set: sets, env: io.env } };
  if (opts.baseUrl) planOpts.baseUrl = opts.baseUrl;
  // a missing input file is a usage error before anything is printed
  const records = jobs > 1 ? undefined : openRecordBatches(opts.input, io, { format: opts.format, schema: map.spec.input });
  const chunks = jobs > 1 ? openInputChunks(opts.input, io) : undefined;
  const tally = new PlanTally(map);
  const print = { json: opts.json, summary: opts.summary };
  if (opts.json) {
    io.stdout(`{"map":${JSON.stringify(map.file)},"name":${JSON.stringify(map.name)},"provider":${JSON.stringify(map.provider.pack.name)},"environment":${JSON.stringify(map.provider.environment)},"records":[`);
  } else {
    io.stdout(`Plan for ${map.name} (${map.file}) — ${map.provider.pack.title}, ${map.provider.environment}: ${maskCredentials(opts.baseUrl ?? map.provider.baseUrl)}\nNo calls are made.\n\n`);
  }
  // what the records print is written in batches (one write per input chunk or 64 KiB, not one
  // per record): the whole output, in the same order
  const out = batchedWriter(io.stdout);
  // the map's settings are bound before any record is read (a missing one stops the plan here)
  const planner = new RecordPlanner(map, planOpts);
  const show = (text: string | undefined, shownBefore: number): void => {
    if (text === undefined || text === '') return;
    out.write(opts.json && shownBefore > 0 ? ',' + text : text);
  };
  // each record planned synchronously unless an expression returns a promise
  const planHere = async (items: RecordItem[], checked: boolean): Promise<void> => {
    for (const it of items) {
      const planned = planner.plan(it, checked);
      const before = tally.shown;
      show(printRecord(map, isThenable(planned) ? await planned : planned, print, tally), before);
    }
  };
  try {
    if (chunks && parallel) {
      const { planLinesInParallel, stretchPlanner } = parallel;
      const planStretch = stretchPlanner(map, { settings: planOpts.settings!, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) }, print, init.source);
      // DATAMAP_DEBUG=parallel: how the work was shared, on stderr; parallel-wait: and every worker started first
      const debug = (io.env.DATAMAP_DEBUG ?? '').split(',');
      const waitForWorkers = debug.includes('parallel-wait');
      const report = debug.includes('parallel') || waitForWorkers
        ? (s: { workers: number; stretches: number; here: number; readAgain: number }) => io.stderr(`datamap: plan used ${s.workers} of ${jobs - 1} worker threads: ${s.stretches} stretches planned by workers, ${s.here} on the main thread, ${s.readAgain} read again on the main thread\n`)
        : undefined;
      const pool = started.pool;
      started.pool = undefined;
      await planLinesInParallel(chunks, { jobs, init, planStretch, now: io.now, waitForWorkers, ...(pool ? { pool } : {}), ...(report ? { report } : {}) }, {
        planHere: (items) => planHere(items, true),
        show: (r) => {
          const before = tally.shown;
          tally.add(r);
          show(r.text, before);
        },
      });
    } else {
      for await (const batch of records!.batches) await planHere(batch, records!.checked);
    }
  } finally {
    out.flush();
  }
  const { total, valid } = tally;
  const steps: StepCounts = {};
  map.steps.forEach((s, i) => {
    steps[s.id] ??= { operation: s.operation.id, run: tally.steps[i * 3]!, skipped: tally.steps[i * 3 + 1]!, deferred: tally.steps[i * 3 + 2]! };
  });
  const summary = { records: total, valid, invalid: total - valid };
  if (opts.json) {
    io.stdout(`],"summary":${JSON.stringify(opts.summary ? { ...summary, steps } : summary)}}\n`);
  } else {
    io.stdout(`${total} record${total === 1 ? '' : 's'}: ${valid} valid, ${total - valid} invalid\n`);
    if (opts.summary) {
      const width = Math.max(0, ...Object.keys(steps).map((id) => id.length));
      for (const [id, c] of Object.entries(steps)) {
        io.stdout(`  step ${id.padEnd(width)}  ${c.operation}: ${c.run} run, ${c.skipped} skipped${c.deferred > 0 ? `, ${c.deferred} decided at run time` : ''}\n`);
      }
    }
  }
  return total === valid ? 0 : 1;
}

/**
 * Threads planning (the main one included): `--jobs` when given; otherwise one per CPU (at most
 * 4) for a JSON/NDJSON file of at least 24 MiB, else one. CSV is always read on one thread.
 */
function planJobs(opts: PlanCommandOptions): number {
  if (inputFormatOf(opts.input, opts.format) === 'csv') return 1;
  if (opts.jobs !== undefined) return opts.jobs;
  if (opts.input === '-') return 1;
  let size = 0;
  try {
    size = statSync(opts.input).size;
  } catch {
    return 1;
  }
  if (size < PARALLEL_MIN_BYTES) return 1;
  return Math.min(MAX_AUTO_JOBS, availableParallelism());
}

/**
 * Collects output and hands it to `write` in batches: when 64 KiB are waiting, when the event
 * loop turns (the next input chunk is being read: output keeps up with a slow input such as a
 * pipe), and on `flush()`.
 */
function batchedWriter(write: (text: string) => void): { write(text: string): void; flush(): void } {
  let parts: string[] = [];
  let size = 0;
  let scheduled = false;
  const flush = (): void => {
    if (parts.length === 0) return;
    const text = parts.length === 1 ? parts[0]! : parts.join('');
    parts = [];
    size = 0;
    write(text);
  };
  return {
    write(text: string): void {
      parts.push(text);
      size += text.length;
      if (size >= 65_536) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          flush();
        });
      }
    },
    flush,
  };
}
