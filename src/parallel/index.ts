/**
 * Parallel dry runs: `datamap plan` over a large JSON/NDJSON input plans stretches of lines on
 * worker threads and prints exactly what one thread would (src/parallel/plan-lines.ts).
 */
export { planLinesInParallel, startPlanPool, type ParallelPlanOptions, type ParallelPlanStats, type PlanSink } from './plan-lines.js';
export type { PlanPool } from './pool.js';
export { planWorker } from './worker.js';
export { stretchPlanner } from './stretch.js';
export type { PlanWorkerInit, PlanResult } from './protocol.js';
