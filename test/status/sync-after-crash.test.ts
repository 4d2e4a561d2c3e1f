/**
 * `datamap runs sync` after a real `kill -9`: a run killed while its sale is on the wire leaves
 * the step in flight; the sync (no host record, no re-run) finds the charge by the reference the
 * intent kept and adopts it, so `datamap runs` shows the truth at once; a re-run then charges
 * nothing. A run killed before its request left is proven absent once the settle window is over,
 * and a re-run sends it once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { countChargesByReference, openJournal, startSandbox, type Sandbox } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { resultLines, ROOT, runCliProcess } from '../helpers/spawn-cli.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const MAP = 'mappings/field-service-to-revolv3.yaml';
const INPUT = 'examples/field-service/invoices.json';
let sandbox: Sandbox;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'sync-crash', rateLimitPerSecond: 0 });
  dir = mkdtempSync(join(tmpdir(), 'datamap-sync-crash-'));
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

const runArgs = (journal: string) => ['run', MAP, '--input', INPUT, '--base-url', sandbox.baseUrls.revolv3, '--journal', journal, '--json', '--timeout', '1500', '--concurrency', '1'];
const sync = (journal: string, now?: number) => runCli(['runs', 'sync', '--journal', journal, '--base-url', sandbox.baseUrls.revolv3, '--json'], { env: { ...sandbox.env }, cwd: ROOT, ...(now ? { now: () => now } : {}) });

interface SyncJson { maps: Array<{ map: string; report: { changes: Array<Record<string, unknown>>; unchanged: Array<Record<string, unknown>>; skipped: unknown[]; failed: unknown[] } }> }

describe('runs sync after kill -9', () => {
  it('killed after the sale left: the sync adopts the charge; the re-run replays it and charges nothing', async () => {
    sandbox.reset();
    sandbox.injectFault({ kind: 'latency', provider: 'revolv3', latencyMs: 250, times: 100 });
    const journal = join(dir, 'after-send.db');
    const crashed = await runCliProcess(runArgs(journal), { ...sandbox.env, DATAMAP_TEST_CRASH_AT: 'after-send:1' });
    expect(crashed.signal).toBe('SIGKILL');
    await new Promise((r) => setTimeout(r, 400)); // the request sent before the kill lands
    sandbox.clearFaults();
    const charged = countChargesByReference(sandbox.ledger());
    expect(Object.values(charged)).toEqual([1]);
    const [ref] = Object.keys(charged);

    const j = openJournal(journal);
    const before = await j.store.getRecord('field-service to revolv3', ref!).catch(() => undefined);
    await j.close();

    const r = await sync(journal);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as SyncJson;
    const changes = out.maps.flatMap((m) => m.report.changes);
    expect(changes).toEqual([expect.objectContaining({ key: ref, stepId: 'sale', from: 'in-flight', to: 'succeeded' })]);
    if (before) expect(before.steps.find((s) => s.stepId === 'sale')?.state).toBe('in-flight');

    // the killed run shows the record as the provider has it
    const j2 = openJournal(journal);
    const killedRun = (await j2.store.listRuns()).find((x) => x.input !== '(runs sync)')!.runId;
    await j2.close();
    const shown = await runCli(['runs', 'show', killedRun, '--journal', journal], { env: { ...sandbox.env }, cwd: ROOT });
    expect(shown.stdout).toMatch(/^r-\S+ +\S+ +interrupted /);
    expect(shown.stdout).toMatch(new RegExp(`^SUCCEEDED +${ref} +sale\\.invoiceId=\\d+.*\\(not reported: the run was interrupted\\)$`, 'm'));

    const resumed = await runCliProcess(runArgs(journal), { ...sandbox.env });
    expect([0, 1]).toContain(resumed.code);
    const lines = resultLines(resumed.stdout);
    expect(lines.find((l) => l.key === ref)).toMatchObject({ outcome: 'succeeded', replayed: true });
    // every chargeable record charged exactly once across the killed run, the sync and the re-run
    expect(Object.values(countChargesByReference(sandbox.ledger())).every((n) => n === 1)).toBe(true);
    expect(countChargesByReference(sandbox.ledger())[ref!]).toBe(1);
  });

  it('killed before the request left: unchanged within the settle window, not applied after it; the re-run sends it once', async () => {
    sandbox.reset();
    sandbox.clearFaults();
    const journal = join(dir, 'after-intent.db');
    const crashed = await runCliProcess(runArgs(journal), { ...sandbox.env, DATAMAP_TEST_CRASH_AT: 'after-intent:1' });
    expect(crashed.signal).toBe('SIGKILL');
    expect(countChargesByReference(sandbox.ledger())).toEqual({});

    const soon = JSON.parse((await sync(journal)).stdout) as SyncJson;
    const waiting = soon.maps.flatMap((m) => m.report.unchanged);
    expect(waiting).toEqual([expect.objectContaining({ stepId: 'sale', state: 'in-flight', reason: expect.stringMatching(/proves it absent only after/) })]);
    const key = waiting[0]!.key as string;

    const late = await sync(journal, Date.now() + 60_000);
    expect(late.code).toBe(0);
    const changes = (JSON.parse(late.stdout) as SyncJson).maps.flatMap((m) => m.report.changes);
    expect(changes).toEqual([expect.objectContaining({ key, from: 'in-flight', to: 'failed' })]);

    const resumed = await runCliProcess(runArgs(journal), { ...sandbox.env });
    expect([0, 1]).toContain(resumed.code);
    expect(countChargesByReference(sandbox.ledger())[key]).toBe(1);
  });
});
