import type { ClaimResult, EventRow, JournalStore, RecordRow, RunRecordRow, RunRow, StepRow, WriteBatch } from './types.js';
import { jsonCopy } from './json-copy.js';
import { holderIsGone } from './liveness.js';

// rows are kept as JSON would store them: a copy, never the caller's objects
const clone = jsonCopy;

/**
 * A journal store in memory: nothing survives the process. The reference for the conformance
 * suite; with `transient: true` (what a run without a journal uses, and `--no-journal`) it
 * forgets a record as soon as the record is finished, so memory stays flat in the input size —
 * duplicates within one input are caught by the run itself.
 */
export function createMemoryStore(options: { transient?: boolean } = {}): JournalStore {
  const runs = new Map<string, RunRow>();
  const records = new Map<string, RecordRow>();
  const steps = new Map<string, Map<string, StepRow>>();
  const runRecords = new Map<string, RunRecordRow>();
  const events: EventRow[] = [];
  const deliveries = new Set<string>();
  // a Map key per (scope, key): the scope's length keeps any two pairs apart
  const rk = (scope: string, key: string) => `${scope.length}:${scope}${key}`;
  const stepsOf = (scope: string, key: string) => [...(steps.get(rk(scope, key))?.values() ?? [])].map(clone);
  return {
    kind: 'memory',
    location: '(memory)',
    async createRun(run) {
      if (runs.has(run.runId)) throw new Error(`run ${run.runId} exists`);
      runs.set(run.runId, clone(run));
    },
    async updateRun(runId, patch) {
      const r = runs.get(runId);
      if (r) runs.set(runId, { ...r, ...clone(patch) });
    },
    async getRun(runId) {
      return clone(runs.get(runId));
    },
    async listRuns(options = {}) {
      const all = [...runs.values()].filter((r) => !options.mapName || r.mapName === options.mapName).sort((a, b) => b.startedAt - a.startedAt || (a.runId < b.runId ? 1 : -1));
      return clone(all.slice(0, options.limit ?? all.length));
    },
    async claimRecord(scope, key, runId, now, staleMs): Promise<ClaimResult> {
      const r = records.get(rk(scope, key));
      if (r && r.leaseRun && r.leaseRun !== runId && !holderIsGone(runs.get(r.leaseRun), now, staleMs)) return { ok: false, heldBy: r.leaseRun };
      if (r) {
        // a new row, not a change in place: a row written `plain` is the caller's object
        const held: RecordRow = { ...r, leaseRun: runId };
        records.set(rk(scope, key), held);
        return { ok: true, record: clone(held), steps: stepsOf(scope, key) };
      }
      records.set(rk(scope, key), { scope, key, state: 'planned', runId, mapHash: '', createdAt: now, updatedAt: now, ids: {}, leaseRun: runId });
      return { ok: true, steps: [] };
    },
    async getRecord(scope, key) {
      const r = records.get(rk(scope, key));
      return r ? { record: clone(r), steps: stepsOf(scope, key) } : undefined;
    },
    async write(input: WriteBatch) {
      // all rows or none: copy the whole batch first (a row that cannot be stored, e.g. a
      // circular output, throws here), then apply it, which cannot fail. A transient store
      // keeps no run records and no events: only the rows it keeps are copied. Rows the caller
      // marks `plain` (built for this write, JSON data, never changed after) are kept as they
      // are: reads copy them as JSON would anyway
      const batch: WriteBatch = input.plain ? input : options.transient ? { ...(input.steps ? { steps: clone(input.steps) } : {}), ...(input.records ? { records: clone(input.records) } : {}) } : clone(input);
      for (const s of batch.steps ?? []) {
        const k = rk(s.scope, s.key);
        let m = steps.get(k);
        if (!m) steps.set(k, (m = new Map()));
        m.set(s.stepId, s);
      }
      for (const r of batch.records ?? []) {
        if (options.transient && !r.leaseRun) {
          records.delete(rk(r.scope, r.key));
          steps.delete(rk(r.scope, r.key));
        } else records.set(rk(r.scope, r.key), r);
      }
      if (options.transient) return;
      for (const x of batch.runRecords ?? []) runRecords.set(JSON.stringify([x.runId, x.scope, x.key, x.index]), x);
      for (const e of batch.events ?? []) events.push(e);
    },
    async listRunRecords(runId) {
      return clone([...runRecords.values()].filter((r) => r.runId === runId).sort((a, b) => a.index - b.index));
    },
    async listRecords(filter = {}) {
      return clone([...records.values()].filter((r) => (!filter.scope || r.scope === filter.scope) && (!filter.states || filter.states.includes(r.state)) && (!filter.runId || r.runId === filter.runId)).sort((a, b) => (a.scope + a.key < b.scope + b.key ? -1 : 1)));
    },
    async listEvents(scope, key) {
      return clone(events.filter((e) => e.scope === scope && e.key === key));
    },
    async markDelivery(id) {
      if (deliveries.has(id)) return false;
      deliveries.add(id);
      return true;
    },
    async close() {},
  };
}
