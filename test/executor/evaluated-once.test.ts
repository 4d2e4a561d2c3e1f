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

/**
 * How often a dry run and a run read the record's `a` and `b`. Other stages read every field
 * too (the forbidden-key check, the record's scrubber), so each figure is taken against a
 * baseline map of the same shape whose expressions do not read `a` or `b`.
 */
async function reads(text: string, values: { a: string; b: string }, replies: Array<[string, number]>) {
  const dry = counting(values.a, values.b);
  const view = await dryRun(inlineMap(text), dry.record);
  expect(view.ok).toBe(true);
  const seen: Seen[] = [];
  const scope = api(REVOLV3, seen);
  for (const [path, id] of replies) scope.get(path).reply(200, paid(id, 'R-1'));
  const live = counting(values.a, values.b);
  const [r] = await run(inlineMap(text), [live.record], { clock: fakeClock() });
  expect(r!.outcome).toBe('succeeded');
  expect(seen.map((x) => x.path)).toEqual(replies.map(([path]) => path));
  return { dry: dry.reads, live: live.reads, steps: r!.steps.map((x) => [x.id, x.decision]) };
}

describe('run evaluates a step that reads no $steps once', () => {
  it('the plan\'s evaluation of a step without $steps is the one sent; a step with $steps is evaluated again with the real output', async () => {
    const replies: Array<[string, number]> = [['/api/Invoices/41', 77], ['/api/Invoices/977', 977]];
    const m = await reads(TWO_STEPS, { a: '41', b: '9' }, replies);
    const base = await reads(TWO_STEPS.replace(`when: 'a != "skip"'`, 'when: \'"41" != "skip"\'').replace("invoiceId: 'a'", 'invoiceId: \'"41"\'').replace("'b & $string", '\'"9" & $string'), { a: '41', b: '9' }, replies);
    // reads by the expressions of one evaluation of each step
    const perEvalA = m.dry.a - base.dry.a;
    const perEvalB = m.dry.b - base.dry.b;
    expect(perEvalA).toBeGreaterThan(0);
    expect(perEvalB).toBeGreaterThan(0);
    // `first` (when and params) was evaluated once, by the whole-record plan
    expect(m.live.a - base.live.a).toBe(perEvalA);
    // `second` reads $steps: planned with a placeholder, then evaluated again with invoiceId 77
    expect(m.live.b - base.live.b).toBe(2 * perEvalB);
  });

  it('a false `when` decided by the plan skips the step without evaluating it again', async () => {
    const text = TWO_STEPS.replace("params: { invoiceId: 'b & $string($steps.first.invoiceId)' }", "params: { invoiceId: 'b' }");
    const m = await reads(text, { a: 'skip', b: '5' }, [['/api/Invoices/5', 5]]);
    const base = await reads(text.replace(`when: 'a != "skip"'`, 'when: \'"skip" != "skip"\'').replace("invoiceId: 'b'", 'invoiceId: \'"5"\''), { a: 'skip', b: '5' }, [['/api/Invoices/5', 5]]);
    expect(m.steps).toEqual([['first', 'skip'], ['second', 'run']]);
    expect(m.dry.a - base.dry.a).toBeGreaterThan(0);
    expect(m.live.a - base.live.a).toBe(m.dry.a - base.dry.a);
    expect(m.live.b - base.live.b).toBe(m.dry.b - base.dry.b);
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
