/** The transient memory store (a run without a journal): a finished record is forgotten, so memory stays flat. */
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/index.js';

describe('createMemoryStore({ transient: true })', () => {
  it('keeps a record while it is claimed and forgets it, with its steps, once it is finished', async () => {
    const store = createMemoryStore({ transient: true });
    const claim = await store.claimRecord('map', 'K-1', 'r-1', 1000, 60_000);
    expect(claim.ok).toBe(true);
    await store.write({ steps: [{ scope: 'map', key: 'K-1', stepId: 'sale', operation: 'payments.sale', state: 'in-flight', attempts: 1, runId: 'r-1', createdAt: 1000, updatedAt: 1000, ids: {} }] });
    expect((await store.getRecord('map', 'K-1'))?.steps).toHaveLength(1);
    await store.write({
      records: [{ scope: 'map', key: 'K-1', state: 'succeeded', runId: 'r-1', mapHash: 'h', createdAt: 1000, updatedAt: 1001, ids: {}, leaseRun: null }],
      runRecords: [{ runId: 'r-1', scope: 'map', key: 'K-1', index: 0, outcome: 'succeeded', replayed: false, ids: {}, at: 1001 }],
    });
    expect(await store.getRecord('map', 'K-1')).toBeUndefined();
    expect(await store.listRunRecords('r-1')).toEqual([]);
  });
});
