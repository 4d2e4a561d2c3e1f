import type { CompiledMap } from '../datamap/types.js';
import { isThenable } from '../expressions/plain-json.js';
import { RecordPlanner, type PlanRunOptions } from '../plan/plan-stream.js';
import type { RecordPlanView } from '../plan/view.js';
import { RecordScanner } from '../source/read-records.js';
import type { LineSegment } from '../source/split-lines.js';
import { PlanTally, printRecord, type PlanPrintOptions } from '../cli/plan-print.js';
import type { PlanResult, PlanTask } from './protocol.js';

/**
 * Plans stretches of NDJSON lines as `datamap plan` prints them: each read with a fresh scanner
 * from its resume point, its records planned (their `$now()` the stretch's) and printed. Used by
 * the worker threads and by the main thread alike, so both give the same text.
 */
export function stretchPlanner(map: CompiledMap, options: Omit<PlanRunOptions, 'clock'>, print: PlanPrintOptions, source: string): (task: PlanTask) => PlanResult | Promise<PlanResult> {
  let now = 0;
  const planner = new RecordPlanner(map, { ...options, clock: { now: () => now } });
  return (task) => {
    const scanner = RecordScanner.resumeAt({ source }, false, task.start);
    const segments: LineSegment[] = task.lines.map((text) => ({ text, complete: true, invalid: false }));
    for (const i of task.invalid) segments[i]!.invalid = true;
    scanner.lines(segments);
    const items = scanner.take();
    const end = scanner.resumePoint();
    if (!end) return { id: task.id, clean: false };
    now = task.now;
    const tally = new PlanTally(map);
    const parts: string[] = [];
    const add = (view: RecordPlanView): void => {
      const text = printRecord(map, view, print, tally);
      if (text !== undefined) parts.push(text);
    };
    const finish = (): PlanResult => ({ id: task.id, clean: true, end, text: parts.join(print.json ? ',' : ''), total: tally.total, valid: tally.valid, shown: tally.shown, steps: tally.steps });
    for (let i = 0; i < items.length; i++) {
      const view = planner.plan(items[i]!, true);
      if (isThenable(view)) return finishAsync(view, i + 1);
      add(view);
    }
    return finish();
    // the rest of the stretch once an expression answered with a promise
    async function finishAsync(pending: Promise<RecordPlanView>, from: number): Promise<PlanResult> {
      add(await pending);
      for (let i = from; i < items.length; i++) {
        const view = planner.plan(items[i]!, true);
        add(isThenable(view) ? await view : view);
      }
      return finish();
    }
  };
}
