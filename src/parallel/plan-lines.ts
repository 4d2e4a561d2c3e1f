import type { RecordItem, ResumePoint } from '../source/read-records.js';
import { RecordScanner } from '../source/read-records.js';
import { LineSplitter, type LineSegment } from '../source/split-lines.js';
import { PlanPool } from './pool.js';
import type { PlanResult, PlanTask, PlanWorkerInit } from './protocol.js';

/** What the command does with what is read: plan records on this thread, or print what a worker planned. */
export interface PlanSink {
  /** Plans and prints records read on this thread, in order. */
  planHere(items: RecordItem[]): void | Promise<void>;
  /** Prints what a worker planned for a stretch (clean), in order. */
  show(result: Extract<PlanResult, { clean: true }>): void;
}

export interface ParallelPlanOptions {
  /** Threads that plan, this one included (workers started: one less). */
  jobs: number;
  /** Plans a stretch on this thread, as a worker would (src/parallel/stretch.ts). */
  planStretch: (task: PlanTask) => PlanResult | Promise<PlanResult>;
  init: PlanWorkerInit;
  /** The command's clock, read once per stretch sent (its records' `$now()`). */
  now: () => number;
  /** Plan nothing until every worker is ready or failed (`DATAMAP_DEBUG=parallel-wait`: the workers then surely take part). */
  waitForWorkers?: boolean;
  /** Workers started earlier (startPlanPool, with `jobs - 1` workers and the same init); closed at the end like one started here. */
  pool?: PlanPool;
  /** Told at the end how the work was shared (`DATAMAP_DEBUG=parallel` prints it). */
  report?: (stats: ParallelPlanStats) => void;
}

/** How a parallel plan shared its work. */
export interface ParallelPlanStats {
  /** Workers that started (became ready). */
  workers: number;
  /** Stretches of lines planned by workers and printed as they planned them. */
  stretches: number;
  /** Stretches this thread planned itself while the workers were busy or not yet started. */
  here: number;
  /** Stretches sent to a worker that this thread read again itself (a record over a stretch's end, a worker's failure). */
  readAgain: number;
}

interface Pending {
  segments: LineSegment[];
  start: ResumePoint;
  /** Where reading stands after the stretch if it holds one record per non-blank line. */
  end: ResumePoint;
  result: Promise<PlanResult>;
  /** The result has come (the stretch can be printed without waiting). */
  settled: boolean;
}

/**
 * Reads JSON or NDJSON input as `readRecordBatches` does and plans it with worker threads where
 * it can, printing the same records, in the same order, with the same line numbers, indexes and
 * errors as one thread would.
 *
 * This thread splits the input into lines and runs the record scanner. Where the scanner stands
 * between records of NDJSON (a resume point) and a worker is ready, the next chunk's lines go to
 * a worker instead, which reads them with a fresh scanner from that point and plans them; this
 * thread goes on from the point the stretch ends at if it holds one record per non-blank line
 * (the usual case). A worker that finds otherwise (a record spread over lines, two on one line,
 * an unclosed one at the end) says so, and this thread reads that stretch and every later one
 * sent again itself, from where it began: the output is never built on a guess. Anything else
 * (a JSON array, pretty-printed records, the first chunk, long lines) is read on this thread,
 * and so is everything when no worker could start.
 * At most a few stretches per worker are open at once: memory stays flat.
 */
export async function planLinesInParallel(chunks: AsyncIterable<string | Buffer>, options: ParallelPlanOptions, sink: PlanSink): Promise<void> {
  const readOptions = { source: options.init.source };
  const workers = options.jobs - 1;
  const pool = options.pool ?? new PlanPool(workers, options.init);
  // stretches open per worker, and in all (memory stays flat)
  const perWorker = 2;
  const maxOpen = workers * perWorker + 2;
  const pending: Pending[] = [];
  const stats: ParallelPlanStats = { workers: 0, stretches: 0, here: 0, readAgain: 0 };
  let nextLocal = 0;
  const splitter = new LineSplitter();
  let scanner = new RecordScanner(readOptions, false);

  /** Takes the oldest open stretch: prints it, or reads it and every later one here. */
  const settleOldest = async (): Promise<void> => {
    const p = pending.shift()!;
    const r = await p.result;
    if (r.clean && r.end.line === p.end.line && r.end.index === p.end.index) {
      sink.show(r);
      if (r.id >= 0) stats.stretches++;
      else stats.here++;
      return;
    }
    const again = [p, ...pending.splice(0)];
    stats.readAgain += again.length;
    const here = RecordScanner.resumeAt(readOptions, false, p.start);
    for (const q of again) {
      here.lines(q.segments);
      await sink.planHere(here.take());
    }
    scanner = here;
  };
  const settleAll = async (): Promise<void> => {
    while (pending.length > 0) await settleOldest();
  };

  /** Reads the segments one chunk completed; true once nothing more is to be read. */
  const read = async (segments: LineSegment[]): Promise<boolean> => {
    if (segments.length === 0) return false;
    const start = scanner.resumePoint();
    if (start && segments.every((s) => s.complete)) {
      const lines: string[] = [];
      const invalid: number[] = [];
      let records = 0;
      for (let i = 0; i < segments.length; i++) {
        const s = segments[i]!;
        lines.push(s.text);
        if (s.invalid) invalid.push(i);
        if (s.invalid || !isBlank(s.text)) records++;
      }
      const task = { lines, invalid, start, now: options.now() };
      // to a worker with room; else planned here, as a worker would (ids below 0 tell them apart)
      const result = pool.submit(task, perWorker) ?? Promise.resolve(options.planStretch({ ...task, id: --nextLocal }));
      const end = { line: start.line + lines.length, index: start.index + records };
      const p: Pending = { segments, start, end, result, settled: false };
      void result.then(() => {
        p.settled = true;
      });
      pending.push(p);
      scanner = RecordScanner.resumeAt(readOptions, false, end);
      // print what is done, in order; wait only when too much is open
      while (pending.length > 0 && (pending[0]!.settled || pending.length >= maxOpen)) await settleOldest();
      return false;
    }
    await settleAll();
    const done = scanner.lines(segments);
    await sink.planHere(scanner.take());
    return done;
  };

  try {
    if (options.waitForWorkers) await pool.started();
    let done = false;
    for await (const chunk of chunks) {
      if ((done = await read(splitter.push(chunk)))) break;
    }
    if (!done) done = await read(splitter.end());
    await settleAll();
    if (!done) scanner.end();
    await sink.planHere(scanner.take());
  } finally {
    stats.workers = pool.everReady;
    await pool.close();
  }
  options.report?.(stats);
}

/** A line the scanner skips as blank (trim() leaves nothing). */
function isBlank(text: string): boolean {
  const c = text.charCodeAt(0);
  if (c === 0x7b) return false;
  return text.trim() === '';
}

/**
 * Starts the worker threads of a parallel plan ahead of {@link planLinesInParallel} (each loads
 * the map itself, some 100 ms: the command starts them before it compiles the map on its own
 * thread). The caller passes the pool on, or closes it when the plan does not go ahead.
 */
export function startPlanPool(jobs: number, init: PlanWorkerInit): PlanPool {
  return new PlanPool(jobs - 1, init);
}
