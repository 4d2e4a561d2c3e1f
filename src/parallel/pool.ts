import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';
import type { PlanResult, PlanTask, PlanWorkerInit, WorkerMessage } from './protocol.js';

/** The script a plan worker runs: it loads the command line as bin/datamap.js does (the bundle when fresh) and calls planWorker. */
export const PLAN_WORKER_FILE = join(PACKAGE_ROOT, 'bin', 'plan-worker.cjs');

interface Slot {
  /** Resolves when the worker is ready or has failed. */
  started: Promise<void>;
  settle: () => void;
  worker: Worker;
  ready: boolean;
  dead: boolean;
  inFlight: Map<number, (r: PlanResult) => void>;
}

/**
 * Plan worker threads. They start in the background (each loads the map, some 100 ms); while
 * none is ready, or all have enough to do, `submit` gives undefined and the caller plans on its
 * own thread. A worker that
 * fails (cannot start, crashes) answers its open tasks with `clean: false`, which the caller
 * reads again itself: a worker's trouble never loses a record.
 */
export class PlanPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  /** Workers that became ready at some time. */
  everReady = 0;

  constructor(size: number, init: PlanWorkerInit) {
    for (let i = 0; i < size; i++) this.slots.push(this.start(init));
  }

  private start(init: PlanWorkerInit): Slot {
    // its output is the parent's to keep: a worker prints nothing, and never to the command's output
    const worker = new Worker(PLAN_WORKER_FILE, { workerData: init, stdout: true, stderr: true });
    worker.stdout.resume();
    worker.stderr.resume();
    let settle!: () => void;
    const started = new Promise<void>((resolve) => (settle = resolve));
    const slot: Slot = { started, settle, worker, ready: false, dead: false, inFlight: new Map() };
    const fail = (): void => {
      slot.settle();
      if (slot.dead) return;
      slot.dead = true;
      slot.ready = false;
      for (const [id, resolve] of slot.inFlight) resolve({ id, clean: false });
      slot.inFlight.clear();
      void worker.terminate();
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') {
        slot.ready = !slot.dead;
        if (slot.ready) this.everReady++;
        slot.settle();
      }
      else if (m.type === 'failed') fail();
      else {
        const resolve = slot.inFlight.get(m.result.id);
        slot.inFlight.delete(m.result.id);
        resolve?.(m.result);
      }
    });
    worker.on('error', fail);
    worker.on('exit', fail);
    return slot;
  }

  /** Resolves once every worker is ready or has failed. */
  async started(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.started));
  }

  /** Workers ready for tasks. */
  get ready(): number {
    let n = 0;
    for (const s of this.slots) if (s.ready) n++;
    return n;
  }

  /** Sends a task to the ready worker with the fewest open ones, if it has fewer than `maxOpen`; else undefined. */
  submit(task: Omit<PlanTask, 'id'>, maxOpen: number): Promise<PlanResult> | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) if (s.ready && s.inFlight.size < maxOpen && (!best || s.inFlight.size < best.inFlight.size)) best = s;
    if (!best) return undefined;
    const slot = best;
    const id = this.nextId++;
    return new Promise<PlanResult>((resolve) => {
      slot.inFlight.set(id, resolve);
      slot.worker.postMessage({ ...task, id } satisfies PlanTask);
    });
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => {
      s.dead = true;
      s.ready = false;
      return s.worker.terminate();
    }));
  }
}
