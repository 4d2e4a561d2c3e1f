/**
 * No double work in `run`: the whole record is planned before the first call, and a step that
 * reads no `$steps` keeps that evaluation instead of being evaluated again. A step that reads
 * `$steps` is evaluated again with the real outputs. The record's fields are getters that count
 * how often the expressions read them; a dry run (`planRecord`) gives the baseline.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { planRecords, recordItems, type CompiledMap, type RecordPlanView } from '../../src/index.js';
import { api, fakeClock, inlineMap, paid, resetNock, REVOLV3, run, T0, type Seen } from './helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(resetNock);
afterAll(() => nock.enableNetConnect());

// `first` reads only the record; `second` reads the record and $steps (its id comes from `first`)
const TWO_STEPS = `
version: 1
name: two lookups
provider: { name: revolv3 }
key: id
steps:
  - id: first
    operation: invoices.get
    when: 'a != "skip"'
    params: { invoiceId: 'a' }
    output: '{ "invoiceId": invoiceId }'
  - id: second
    operation: invoices.get
    params: { invoiceId: 'b & $string($steps.first.invoiceId)' }
`;

/** The dry run of one record, read as run reads it (through recordItems). */
async function dryRun(map: CompiledMap, record: unknown): Promise<RecordPlanView> {
  const views: RecordPlanView[] = [];
  for await (const v of planRecords(map, recordItems([record]), { clock: () => T0 })) views.push(v);
  return views[0]!;
}

/** A record whose fields `a` and `b` count their reads. */
function counting(a: string, b: string) {
  const reads = { a: 0, b: 0 };
  const record = { id: 'R-1' } as Record<string, unknown>;
  Object.defineProperty(record, 'a', { enumerable: true, get: () => (reads.a++, a) });
  Object.defineProperty(record, 'b', { enumerable: true, get: () => (reads.b++, b) });
  return { record, reads };
}

describe('run evaluates a step that reads no $steps once', () => {
  it('the plan\'s evaluation of a step without $steps is the one sent; a step with $steps is evaluated again with the real output', async () => {
    const map = inlineMap(TWO_STEPS);
    const dry = counting('41', '9');
    const view = await dryRun(map, dry.record);
    expect(view.ok).toBe(true);
    expect(dry.reads.a).toBeGreaterThan(0);
    expect(dry.reads.b).toBeGreaterThan(0);

    const seen: Seen[] = [];
    api(REVOLV3, seen).get('/api/Invoices/41').reply(200, paid(77, 'R-1')).get('/api/Invoices/977').reply(200, paid(977, 'R-1'));
    const live = counting('41', '9');
    const [r] = await run(map, [live.record], { clock: fakeClock() });

    expect(r!.outcome).toBe('succeeded');
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /api/Invoices/41', 'GET /api/Invoices/977']);
    // `first` (when and params) was evaluated by the plan only: `a` read as often as in a dry run
    expect(live.reads.a).toBe(dry.reads.a);
    // `second` reads $steps: planned with a placeholder, then evaluated again with invoiceId 77
    // (the forbidden-key walk when the record is read counts one read of each field, once)
    const walked = counting('41', '9');
    Array.from(recordItems([walked.record]));
    expect(walked.reads).toEqual({ a: 1, b: 1 });
    expect(live.reads.b).toBe(dry.reads.b + (dry.reads.b - walked.reads.b));
  });

  it('a false `when` decided by the plan skips the step without evaluating it again', async () => {
    const map = inlineMap(TWO_STEPS.replace("params: { invoiceId: 'b & $string($steps.first.invoiceId)' }", "params: { invoiceId: 'b' }"));
    const dry = counting('skip', '5');
    await dryRun(map, dry.record);

    const seen: Seen[] = [];
    api(REVOLV3, seen).get('/api/Invoices/5').reply(200, paid(5, 'R-1'));
    const live = counting('skip', '5');
    const [r] = await run(map, [live.record], { clock: fakeClock() });

    expect(r!.steps.map((s) => [s.id, s.decision])).toEqual([['first', 'skip'], ['second', 'run']]);
    expect(seen.map((s) => s.path)).toEqual(['/api/Invoices/5']);
    expect(live.reads).toEqual(dry.reads);
  });

  it('a `let` that builds a function over $steps makes every step evaluate again (the output is real, not a placeholder)', async () => {
    const map = inlineMap(TWO_STEPS
      .replace('key: id\n', 'key: id\nlet:\n  firstId: \'function() { $string($lookup($steps, "first").invoiceId) }\'\n')
      .replace("params: { invoiceId: 'b & $string($steps.first.invoiceId)' }", "params: { invoiceId: 'b & $firstId()' }"));
    const seen: Seen[] = [];
    api(REVOLV3, seen).get('/api/Invoices/41').reply(200, paid(77, 'R-1')).get('/api/Invoices/977').reply(200, paid(977, 'R-1'));
    const [r] = await run(map, [counting('41', '9').record], { clock: fakeClock() });
    expect(r!.outcome).toBe('succeeded');
    expect(seen.map((s) => s.path)).toEqual(['/api/Invoices/41', '/api/Invoices/977']);
  });
});
