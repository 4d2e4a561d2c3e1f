import { parentPort, workerData } from 'node:worker_threads';
import { loadDataMap } from '../datamap/load.js';
import type { PlanRunOptions } from '../plan/plan-stream.js';
import { stretchPlanner } from './stretch.js';
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
    plan = initPlanner(init);
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

/** Plans a stretch of lines: the map loaded as the command loaded it, the same settings and printing. */
function initPlanner(init: PlanWorkerInit): (task: PlanTask) => PlanResult | Promise<PlanResult> {
  const map = loadDataMap({ file: init.mapFile });
  const options: Omit<PlanRunOptions, 'clock'> = { settings: { set: init.set, env: init.env } };
  if (init.baseUrl) options.baseUrl = init.baseUrl;
  return stretchPlanner(map, options, { json: init.json, summary: init.summary }, init.source);
}
