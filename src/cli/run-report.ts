import type { Outcome, RecordResult } from '../executor/types.js';

/** What `--report run.json` holds. No card number, security code or secret: results are redacted. */
export interface RunReport {
  runId: string;
  map: { name: string; file: string };
  input: string;
  startedAt: string;
  endedAt?: string;
  interrupted: boolean;
  counts: Record<Outcome, number> & { total: number; replayed: number };
  /** Latency of the calls made, per operation (ms). */
  latency: Record<string, { calls: number; p50: number; p90: number; p99: number; max: number }>;
  /** Extra attempts (retries) and 429 answers, over all calls. */
  retries: number;
  rateLimited: number;
  records: Array<{ index: number; key?: string; outcome: Outcome; replayed?: boolean; ids: Record<string, string | number>; card?: string; errorCode?: string; totals?: RecordResult['totals']; warnings?: string[] }>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Collects a run's results into its report. */
export function createReportBuilder(meta: { map: { name: string; file: string }; input: string; startedAt: number }) {
  const durations = new Map<string, number[]>();
  const counts = { total: 0, replayed: 0, succeeded: 0, declined: 0, pending: 0, failed: 0, unknown: 0, 'needs-review': 0, skipped: 0 } as RunReport['counts'];
  const records: RunReport['records'] = [];
  let retries = 0;
  let rateLimited = 0;
  let runId = '';
  return {
    setRun(id: string) {
      runId = id;
    },
    add(r: RecordResult) {
      counts.total++;
      counts[r.outcome]++;
      if (r.replayed) counts.replayed++;
      for (const s of r.steps) {
        if (s.decision !== 'run' || s.replayed) continue;
        if (s.attempts > 0) {
          const list = durations.get(s.operation) ?? [];
          list.push(s.durationMs);
          durations.set(s.operation, list);
        }
        retries += Math.max(0, s.attempts - 1);
        rateLimited += s.rateLimited ?? 0;
      }
      const rec: RunReport['records'][number] = { index: r.index, outcome: r.outcome, ids: r.ids };
      if (r.key !== undefined) rec.key = r.key;
      if (r.replayed) rec.replayed = true;
      if (r.card) rec.card = r.card;
      if (r.error) rec.errorCode = r.error.code;
      if (r.totals) rec.totals = r.totals;
      const warnings = [...r.diagnostics, ...r.steps.flatMap((s) => s.warnings)].filter((d) => d.severity === 'warning').map((d) => d.code);
      if (warnings.length) rec.warnings = [...new Set(warnings)];
      records.push(rec);
    },
    build(endedAt: number, interrupted: boolean): RunReport {
      const latency: RunReport['latency'] = {};
      for (const [op, list] of durations) {
        const sorted = [...list].sort((a, b) => a - b);
        latency[op] = { calls: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 };
      }
      return { runId, map: meta.map, input: meta.input, startedAt: new Date(meta.startedAt).toISOString(), endedAt: new Date(endedAt).toISOString(), interrupted, counts, latency, retries, rateLimited, records: [...records].sort((a, b) => a.index - b.index) };
    },
  };
}
