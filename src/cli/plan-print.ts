import type { CompiledMap } from '../datamap/types.js';
import type { RecordPlanView } from '../plan/view.js';
import { formatDiagnostic } from './format-diagnostic.js';

/** How `datamap plan` prints records: JSON (one object per record) or text, and all or only the invalid ones. */
export interface PlanPrintOptions {
  json?: boolean | undefined;
  summary?: boolean | undefined;
}

/**
 * What `datamap plan` counts of the records it printed: records, valid ones, records shown,
 * and per step of the map (in the map's order) how many would run it, skip it, or decide at
 * run time. Added up across the workers of a parallel plan (src/parallel), the same as one.
 */
export class PlanTally {
  total = 0;
  valid = 0;
  shown = 0;
  /** Per step of the map: run, skipped, deferred (three numbers per step, in the map's order). */
  readonly steps: number[];
  private readonly stepIndex = new Map<string, number>();

  constructor(map: CompiledMap) {
    this.steps = new Array<number>(map.steps.length * 3).fill(0);
    map.steps.forEach((s, i) => {
      if (!this.stepIndex.has(s.id)) this.stepIndex.set(s.id, i);
    });
  }

  /** Counts one record's view. */
  count(rec: RecordPlanView): void {
    this.total++;
    if (rec.ok) this.valid++;
    for (const s of rec.steps) {
      const i = this.stepIndex.get(s.id);
      if (i === undefined) continue;
      this.steps[i * 3 + (s.decision === 'run' ? 0 : s.decision === 'skip' ? 1 : 2)]!++;
    }
  }

  /** Adds counts made elsewhere (another tally of the same map). */
  add(other: { total: number; valid: number; shown: number; steps: number[] }): void {
    this.total += other.total;
    this.valid += other.valid;
    this.shown += other.shown;
    for (let i = 0; i < this.steps.length; i++) this.steps[i]! += other.steps[i] ?? 0;
  }
}

/**
 * Counts a record and gives its printed form, or undefined when it is not shown (`--summary`
 * shows only invalid records). JSON: the record's object, without a separating comma.
 */
export function printRecord(map: CompiledMap, rec: RecordPlanView, opts: PlanPrintOptions, tally: PlanTally): string | undefined {
  tally.count(rec);
  if (opts.summary && rec.ok) return undefined;
  tally.shown++;
  return opts.json ? JSON.stringify(rec) : formatRecord(map, rec);
}

function formatRecord(map: CompiledMap, rec: RecordPlanView): string {
  const lines: string[] = [];
  const where = rec.line ? ` (line ${rec.line})` : '';
  lines.push(`Record ${rec.index + 1}${where}${rec.key !== undefined ? `  key ${rec.key}` : ''}  ${rec.ok ? 'VALID' : 'INVALID'}`);
  for (const d of rec.diagnostics) lines.push(indent(formatDiagnostic(d), 2));
  rec.steps.forEach((s, i) => {
    const decision = s.decision === 'deferred' ? 'runs if its condition holds at run time' : s.decision === 'skip' ? 'skipped: condition is false' : 'runs';
    lines.push(`  ${i + 1}. ${s.id}  ${s.operation}  — ${decision}`);
    if (s.when) lines.push(`     when: ${s.when.replace(/\s+/g, ' ')}`);
    if (s.request) {
      lines.push(`     ${s.request.method} ${s.request.url}`);
      for (const [k, v] of Object.entries(s.request.headers)) lines.push(`     ${k}: ${v}`);
      if (s.request.body !== undefined) lines.push(indent(JSON.stringify(s.request.body, null, 2), 5));
    }
    if (s.verdict === 'valid') lines.push(`     ✓ payload valid against ${map.provider.pack.name} ${s.operation}`);
    for (const d of s.diagnostics) lines.push(indent(formatDiagnostic(d), 5));
  });
  return lines.join('\n') + '\n\n';
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text.split('\n').map((l) => pad + l).join('\n');
}
