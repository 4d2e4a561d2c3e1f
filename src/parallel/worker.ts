import { parentPort, workerData } from 'node:worker_threads';
import { loadDataMap } from '../datamap/load.js';
import { isThenable } from '../expressions/plain-json.js';
import { RecordPlanner, type PlanRunOptions } from '../plan/plan-stream.js';
import { RecordScanner } from '../source/read-records.js';
import type { LineSegment } from '../source/split-lines.js';
import { PlanTally, printRecord } from '../cli/plan-print.js';
import type { PlanResult, PlanTask, PlanWorkerInit, WorkerMessage } from './protocol.js';

/**
 * The body of a plan worker thread (started by bin/plan-worker.cjs): loads the map as the command
 * did, says it is ready, then plans each stretch of lines it is sent, in order, and sends back
 * what the command would have printed for them. Nothing is written to the process's output here.
 */
export function planWorker(): void {
  if (!parentPort) throw new Error('planWorker runs in a worker thread');
  const port = parentPort;
  const init = workerData as PlanWorkerInit;
  const send = (m: WorkerMessage): void => port.postMessage(m);
  let plan: (task: PlanTask) => PlanResult | Promise<PlanResult>;
  try {
    plan = stretchPlanner(init);
  } catch (err) {
    send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    return;
  }
  // tasks are planned one after another (an expression may answer with a promise)
  let queue: Promise<unknown> = Promise.resolve();
  port.on('message', (task: PlanTask) => {
    queue = queue.then(async () => {
      let result: PlanResult;
      try {
        result = await plan(task);
      } catch {
        // the main thread reads the stretch again itself (and meets the same error there)
        result = { id: task.id, clean: false };
      }
      send({ type: 'result', result });
    });
  });
  send({ type: 'ready' });
}

/** Plans a stretch of lines: read from its resume point, planned and printed as the command would. */
function stretchPlanner(init: PlanWorkerInit): (task: PlanTask) => PlanResult | Promise<PlanResult> {
  const map = loadDataMap({ file: init.mapFile });
  let now = 0;
  const options: PlanRunOptions = { clock: { now: () => now }, settings: { set: init.set, env: init.env } };
  if (init.baseUrl) options.baseUrl = init.baseUrl;
  const planner = new RecordPlanner(map, options);
  const print = { json: init.json, summary: init.summary };
  return (task) => {
    const scanner = RecordScanner.resumeAt({ source: init.source }, false, task.start);
    const segments: LineSegment[] = task.lines.map((text) => ({ text, complete: true, invalid: false }));
    for (const i of task.invalid) segments[i]!.invalid = true;
    scanner.lines(segments);
    const items = scanner.take();
    const end = scanner.resumePoint();
    if (!end) return { id: task.id, clean: false };
    now = task.now;
    const tally = new PlanTally(map);
    const parts: string[] = [];
    const finish = (): PlanResult => ({ id: task.id, clean: true, end, text: parts.join(init.json ? ',' : ''), total: tally.total, valid: tally.valid, shown: tally.shown, steps: tally.steps });
    for (let i = 0; i < items.length; i++) {
      const view = planner.plan(items[i]!, true);
      if (isThenable(view)) return finishAsync(view, i + 1);
      const text = printRecord(map, view, print, tally);
      if (text !== undefined) parts.push(text);
    }
    return finish();
    // the rest of the stretch once an expression answered with a promise
    async function finishAsync(pending: Promise<Parameters<typeof printRecord>[1]>, from: number): Promise<PlanResult> {
      const first = printRecord(map, await pending, print, tally);
      if (first !== undefined) parts.push(first);
      for (let i = from; i < items.length; i++) {
        let view = planner.plan(items[i]!, true);
        if (isThenable(view)) view = await view;
        const text = printRecord(map, view, print, tally);
        if (text !== undefined) parts.push(text);
      }
      return finish();
    }
  };
}
