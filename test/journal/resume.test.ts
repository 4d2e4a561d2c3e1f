/**
 * A re-run is a resume, with real processes against the sandbox: every shipped map run twice
 * makes no money-moving call the second time; a deleted journal is covered by the pre-flight
 * guard; a slow provider with a short timeout is never charged twice; random kill -9 during a
 * 500-record run, re-run until done: 0 double charges, 0 lost; duplicates, changed maps,
 * SIGINT and the operator commands.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { countChargesByReference, startSandbox, type Sandbox } from '../../src/index.js';
import { resultLines, runCliProcess, spawnCli } from '../helpers/spawn-cli.js';

// real processes on a shared 2-core machine: generous bounds (the assertions are about money, not speed)
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'resume', rateLimitPerSecond: 0 });
  dir = mkdtempSync(join(tmpdir(), 'datamap-resume-'));
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  sandbox.reset();
  sandbox.clearFaults();
});

const SAMPLE = JSON.parse(readFileSync(new URL('../../examples/field-service/invoices.json', import.meta.url), 'utf8')) as Array<Record<string, unknown>>;
const REVOLV3_MAP = 'mappings/field-service-to-revolv3.yaml';

/** n open invoices with unique numbers and an approving card. */
function invoices(n: number, prefix: string): string {
  const base = SAMPLE[0]!;
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ ...base, invoiceNumber: `${prefix}-${String(i).padStart(5, '0')}` }));
  const file = join(dir, `${prefix}.ndjson`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const run = (map: string, input: string, provider: 'revolv3' | 'invoiss', journal: string, extra: string[] = []) =>
  ['run', map, '--input', input, '--base-url', sandbox.baseUrls[provider], '--journal', journal, '--json', '--settle-window', '0', ...extra];

/** Money-moving requests the sandbox saw (its ledger counts charges, orders and clients separately). */
function moneyState() {
  const s = sandbox.state();
  return { ledger: sandbox.ledger().length, clients: s.invoiss.clients, orders: s.invoiss.orders };
}

describe('a re-run is a resume', () => {
  it('every shipped map run twice: the second run replays and makes no money-moving call', async () => {
    const maps = [
      ['mappings/field-service-to-revolv3.yaml', 'examples/field-service/invoices.json', 'revolv3'],
      ['mappings/field-service-to-invoiss.yaml', 'examples/field-service/invoices.json', 'invoiss'],
      ['mappings/shopify-to-revolv3.yaml', 'examples/shopify/orders.json', 'revolv3'],
      ['mappings/shopify-to-invoiss.yaml', 'examples/shopify/orders.json', 'invoiss'],
    ] as const;
    for (const [map, input, provider] of maps) {
      const journal = join(dir, `twice-${map.replace(/\W/g, '_')}.db`);
      const first = await runCliProcess(run(map, input, provider, journal), { ...sandbox.env });
      expect(first.signal).toBeNull();
      const before = moneyState();
      const second = await runCliProcess(run(map, input, provider, journal), { ...sandbox.env });
      expect(second.code, second.stderr).toBe(first.code);
      expect(moneyState(), map).toEqual(before);
      const firstIds = new Map(resultLines(first.stdout).map((r) => [r.key, r.ids]));
      for (const r of resultLines(second.stdout)) {
        if (r.outcome !== 'skipped') expect(r.replayed, `${map} ${String(r.key)}`).toBe(true);
        // a replay reports the provider ids the first run reported, nothing the journal keeps for itself
        expect(r.ids, `${map} ${String(r.key)}`).toEqual(firstIds.get(r.key));
      }
    }
  });

  it('a deleted journal: the pre-flight guard adopts every charge, 0 double charges', async () => {
    const input = invoices(20, 'DEL');
    const first = await runCliProcess(run(REVOLV3_MAP, input, 'revolv3', join(dir, 'del-1.db')), { ...sandbox.env });
    expect(first.code).toBe(0);
    expect(Object.values(countChargesByReference(sandbox.ledger()))).toEqual(Array(20).fill(1));
    // a second, empty journal (another machine, a deleted file)
    const second = await runCliProcess(run(REVOLV3_MAP, input, 'revolv3', join(dir, 'del-2.db')), { ...sandbox.env });
    expect(second.code).toBe(0);
    const results = resultLines(second.stdout);
    expect(results).toHaveLength(20);
    for (const r of results) expect((r.steps as Array<{ reconciliation?: string }>)[0]!.reconciliation).toBe('preflight-adopted');
    expect(Object.values(countChargesByReference(sandbox.ledger()))).toEqual(Array(20).fill(1));
  });

  it('the same key twice in one input: the second is a duplicate and is not charged', async () => {
    const file = join(dir, 'dup.ndjson');
    const rec = { ...SAMPLE[0]!, invoiceNumber: 'DUP-1' };
    writeFileSync(file, `${JSON.stringify(rec)}\n${JSON.stringify(rec)}\n`);
    const r = await runCliProcess(run(REVOLV3_MAP, file, 'revolv3', join(dir, 'dup.db')), { ...sandbox.env });
    // records run concurrently: whichever claims the key first runs, the other is the duplicate
    const results = resultLines(r.stdout);
    expect(results.map((x) => x.outcome).sort()).toEqual(['skipped', 'succeeded']);
    const ran = results.find((x) => x.outcome === 'succeeded')!;
    expect(results.find((x) => x.outcome === 'skipped')).toMatchObject({ duplicateOf: ran.index, error: { code: 'run/duplicate-key' } });
    expect(countChargesByReference(sandbox.ledger())).toEqual({ 'DUP-1': 1 });
  });

  it('a changed request after success is not charged again, and the result says what changed', async () => {
    const file = join(dir, 'chg.ndjson');
    const journal = join(dir, 'chg.db');
    writeFileSync(file, JSON.stringify({ ...SAMPLE[0]!, invoiceNumber: 'CHG-1' }) + '\n');
    await runCliProcess(run(REVOLV3_MAP, file, 'revolv3', journal), { ...sandbox.env });
    const lines = (SAMPLE[0]!.lines as Array<Record<string, unknown>>).map((l) => ({ ...l, unitPrice: 99 }));
    writeFileSync(file, JSON.stringify({ ...SAMPLE[0]!, invoiceNumber: 'CHG-1', lines }) + '\n');
    const r = await runCliProcess(run(REVOLV3_MAP, file, 'revolv3', journal), { ...sandbox.env });
    const [res] = resultLines(r.stdout);
    expect(res).toMatchObject({ outcome: 'succeeded', replayed: true });
    expect((res!.changed as string[]).join(' ')).toMatch(/the sale request differs from the one sent in run r-/);
    expect(countChargesByReference(sandbox.ledger())).toEqual({ 'CHG-1': 1 });
  });

  it('a slow provider (3 s) with --timeout 1000: every record adopted or held, 0 double charges', async () => {
    sandbox.injectFault({ kind: 'latency', provider: 'revolv3', path: '/api/Payments/sale', method: 'POST', latencyMs: 3000, times: 1000 });
    const input = invoices(20, 'SLOW');
    // the pack's own settle window (no --settle-window): the lookup is polled until the sale shows
    const r = await runCliProcess(['run', REVOLV3_MAP, '--input', input, '--base-url', sandbox.baseUrls.revolv3, '--journal', join(dir, 'slow.db'), '--json', '--timeout', '1000'], { ...sandbox.env });
    const results = resultLines(r.stdout);
    expect(results).toHaveLength(20);
    for (const x of results) {
      const ok = x.outcome === 'succeeded' && (x.steps as Array<{ reconciliation?: string }>)[0]!.reconciliation === 'adopted';
      expect(ok || x.outcome === 'needs-review', JSON.stringify(x.error)).toBe(true);
    }
    expect(Object.values(countChargesByReference(sandbox.ledger()))).toEqual(Array(20).fill(1));
  }, 150_000);

  it('random kill -9 during a 500-record run, re-run until done: 0 double charges, 0 lost', async () => {
    sandbox.injectFault({ kind: 'latency', provider: 'revolv3', latencyMs: 15, times: 100_000 });
    const input = invoices(500, 'RND');
    const journal = join(dir, 'rnd.db');
    let seed = 20261201;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const kills: number[] = [];
    let passes = 0;
    for (;;) {
      passes++;
      const p = spawnCli(run(REVOLV3_MAP, input, 'revolv3', journal, ['--timeout', '1500']), { ...sandbox.env });
      let timer: NodeJS.Timeout | undefined;
      if (kills.length < 5) {
        const at = 400 + Math.floor(rand() * 2500);
        timer = setTimeout(() => { kills.push(at); p.child.kill('SIGKILL'); }, at);
      }
      const res = await p.done;
      clearTimeout(timer);
      if (res.signal === null) {
        expect(res.code, res.stderr).toBe(0);
        break;
      }
      expect(passes).toBeLessThan(20);
    }
    expect(kills.length).toBe(5);
    const charges = countChargesByReference(sandbox.ledger());
    expect(Object.keys(charges)).toHaveLength(500);
    expect(Object.values(charges).every((n) => n === 1)).toBe(true);
  }, 240_000);

  it('SIGINT: no new records, the call in flight is recorded, exit 130 with the resume command; the re-run finishes', async () => {
    sandbox.injectFault({ kind: 'latency', provider: 'revolv3', latencyMs: 300, times: 1000 });
    const input = invoices(10, 'INT');
    const journal = join(dir, 'int.db');
    const p = spawnCli(run(REVOLV3_MAP, input, 'revolv3', journal), { ...sandbox.env });
    // once the first record is reported, a call of the second is on the wire
    p.child.stdout!.once('data', () => setTimeout(() => p.child.kill('SIGINT'), 100));
    const res = await p.done;
    expect(res.code).toBe(130);
    expect(res.stderr).toContain('Resume with the same command');
    const first = resultLines(res.stdout);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(10);
    sandbox.clearFaults();
    const again = await runCliProcess(run(REVOLV3_MAP, input, 'revolv3', journal), { ...sandbox.env });
    expect(again.code).toBe(0);
    expect(resultLines(again.stdout).filter((r) => r.replayed).length).toBe(first.length);
    expect(Object.values(countChargesByReference(sandbox.ledger()))).toEqual(Array(10).fill(1));
  }, 60_000);

  it('runs, runs show and runs resolve: a held record is settled by the operator and later runs act on it', async () => {
    // a lookup the provider answers 404 (here: a Data Map override of its path) cannot tell
    const map = join(dir, 'held.yaml');
    writeFileSync(map, readFileSync(new URL('../../mappings/field-service-to-revolv3.yaml', import.meta.url), 'utf8').replace('  environment: sandbox\n', '  environment: sandbox\n  operations:\n    invoices.find: { path: /api/NoSuchLookup }\n'));
    const file = join(dir, 'held.ndjson');
    writeFileSync(file, JSON.stringify({ ...SAMPLE[0]!, invoiceNumber: 'HELD-1' }) + '\n');
    const journal = join(dir, 'held.db');
    sandbox.injectFault({ kind: 'error-after', provider: 'revolv3', path: '/api/Payments/sale', method: 'POST', times: 1 });
    const first = await runCliProcess(run(map, file, 'revolv3', journal, ['--no-preflight']), { ...sandbox.env });
    expect(first.code, first.stdout + first.stderr).toBe(3);
    const [held] = resultLines(first.stdout);
    expect(held).toMatchObject({ outcome: 'needs-review', error: { code: 'run/needs-review' } });
    const runId = held!.runId as string;

    const list = await runCliProcess(['runs', '--journal', journal]);
    expect(list.stdout).toContain(runId);
    const show = await runCliProcess(['runs', 'show', runId, '--journal', journal, '--state', 'needs-review']);
    expect(show.stdout).toMatch(/NEEDS-REVIEW +HELD-1/);

    expect(countChargesByReference(sandbox.ledger())).toEqual({ 'HELD-1': 1 });
    const again = await runCliProcess(run(map, file, 'revolv3', journal, ['--no-preflight']), { ...sandbox.env });
    expect(again.code).toBe(3); // still held: never resent
    const ledger = sandbox.ledger().length;
    const resolved = await runCliProcess(['runs', 'resolve', runId, 'HELD-1', '--as', 'succeeded', '--journal', journal]);
    expect(resolved.code, resolved.stderr).toBe(0);
    const after = await runCliProcess(run(map, file, 'revolv3', journal, ['--no-preflight']), { ...sandbox.env });
    expect(after.code).toBe(0);
    expect(resultLines(after.stdout)[0]).toMatchObject({ outcome: 'succeeded', replayed: true });
    expect(sandbox.ledger().length).toBe(ledger);
    expect(countChargesByReference(sandbox.ledger())).toEqual({ 'HELD-1': 1 });

    const bad = await runCliProcess(['runs', 'resolve', runId, 'NOPE', '--as', 'succeeded', '--journal', journal]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('journal/unknown-record');
  }, 60_000);

  it('--output never silently replaces an earlier results file', async () => {
    const out = join(dir, 'results.ndjson');
    writeFileSync(out, '{"earlier":true}\n');
    const input = invoices(1, 'OUT');
    const refused = await runCliProcess([...run(REVOLV3_MAP, input, 'revolv3', join(dir, 'out.db')), '--output', out], { ...sandbox.env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('usage/output-exists');
    expect(readFileSync(out, 'utf8')).toBe('{"earlier":true}\n');
    const appended = await runCliProcess([...run(REVOLV3_MAP, input, 'revolv3', join(dir, 'out.db')), '--output', out, '--append'], { ...sandbox.env });
    expect(appended.code).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });
});
