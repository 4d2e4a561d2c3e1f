/**
 * Crash-point sweep with real processes and a real SIGKILL: `datamap run` kills itself at each
 * boundary of a call (DATAMAP_TEST_CRASH_AT), then the same command runs again over the same
 * journal. The sandbox (in this process) is the truth: exactly one charge per chargeable
 * record, no second Invoiss client or order, every record reported across the runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { countChargesByReference, startSandbox, type Sandbox } from '../../src/index.js';
import { resultLines, runCliProcess } from '../helpers/spawn-cli.js';

// real processes on a shared 2-core machine: generous bounds (the assertions are about money, not speed)
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'crash', rateLimitPerSecond: 0 });
  dir = mkdtempSync(join(tmpdir(), 'datamap-crash-'));
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

const BOUNDARIES = ['before-intent', 'after-intent', 'after-send', 'after-response', 'after-outcome'] as const;
const MAPS = [
  { file: 'mappings/field-service-to-revolv3.yaml', provider: 'revolv3' as const, calls: [1, 2] },
  { file: 'mappings/field-service-to-invoiss.yaml', provider: 'invoiss' as const, calls: [1, 3, 4, 6] },
];
const INPUT = 'examples/field-service/invoices.json';

interface Truth {
  charges: Record<string, number>;
  clients: number;
  orders: number;
  payments: number;
}

function truth(): Truth {
  const s = sandbox.state();
  return { charges: countChargesByReference(sandbox.ledger()), clients: s.invoiss.clients, orders: s.invoiss.orders, payments: s.invoiss.payments };
}

function args(map: string, provider: 'revolv3' | 'invoiss', journal: string): string[] {
  return ['run', map, '--input', INPUT, '--base-url', sandbox.baseUrls[provider], '--journal', journal, '--json', '--timeout', '1500', '--settle-window', '200'];
}

describe.each(MAPS)('$file', ({ file, provider, calls }) => {
  let expected: Truth;
  let keys: string[];
  beforeAll(async () => {
    sandbox.reset();
    sandbox.clearFaults();
    const clean = await runCliProcess(args(file, provider, join(dir, `${provider}-clean.db`)), { ...sandbox.env });
    expect(clean.code, clean.stderr).toBeLessThanOrEqual(1);
    expected = truth();
    keys = resultLines(clean.stdout).map((r) => r.key as string);
    expect(keys.length).toBe(3);
  });

  // after-outcome is reached once per record (3 records), the others once per call
  const cases = BOUNDARIES.flatMap((b) => (b === 'after-outcome' ? [1, 2] : calls).map((n) => [b, n] as const));
  it.each(cases)('killed at %s of call %i, then re-run: one charge each, nothing created twice, every record reported', async (boundary, n) => {
    sandbox.reset();
    sandbox.clearFaults();
    // slow answers, so a kill "after-send" lands while the request is on the wire
    sandbox.injectFault({ kind: 'latency', provider, latencyMs: 250 });
    const journal = join(dir, `${provider}-${boundary}-${n}.db`);
    const crashed = await runCliProcess(args(file, provider, journal), { ...sandbox.env, DATAMAP_TEST_CRASH_AT: `${boundary}:${n}` });
    expect(crashed.signal, `the run reached ${boundary}:${n}\n${crashed.stdout}\n${crashed.stderr}`).toBe('SIGKILL');
    await new Promise((r) => setTimeout(r, 300)); // let a request sent before the kill land
    sandbox.clearFaults();
    const resumed = await runCliProcess(args(file, provider, journal), { ...sandbox.env });
    expect(resumed.signal).toBeNull();
    expect([0, 1]).toContain(resumed.code);

    expect(truth()).toEqual(expected);
    const reports = [...resultLines(crashed.stdout), ...resultLines(resumed.stdout)];
    for (const key of keys) {
      const mine = reports.filter((r) => r.key === key);
      expect(mine.length, key).toBeGreaterThanOrEqual(1);
      expect(mine.filter((r) => !r.replayed && r.outcome !== 'skipped').length, key).toBeLessThanOrEqual(1);
    }
    // nothing is left in flight or for review: the resume settled everything with proof
    expect(resultLines(resumed.stdout).map((r) => r.outcome)).not.toContain('needs-review');
  });
});
