/**
 * `npm run bench -- --json` prints one JSON object on standard output (the figures as lines go to
 * standard error), with the keys the issue tracker and CONTRIBUTING name. The bench asserts
 * nothing about speed; this runs it with tiny sizes (the figures are meaningless) to check that
 * it runs to the end and what it prints can be read by a program. The build step of `npm run
 * bench` is quiet too (scripts/build-studio-page.mjs --quiet prints nothing).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/spawn-cli.js';

function run(file: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const TINY = { BENCH_PLAN: '300', BENCH_RUN: '300', BENCH_CLI: '300', BENCH_CLI_LARGE: '0', BENCH_HTTP: '10', BENCH_JOURNAL: '50', BENCH_JOURNAL_FLAT: '200', BENCH_ROUNDS: '1' };

describe('npm run bench -- --json', () => {
  it('prints one JSON object with every figure, and its lines on standard error', async () => {
    const r = await run(join(ROOT, 'bench', 'run.mjs'), ['--json'], TINY);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      plan: Record<string, { usPerRecord: number; jsonataUsPerRecord: number; handwrittenUsPerRecord: number; firstRoundUsPerRecord: number }>;
      run: { usPerCall: number; usPerRecord: number };
      cli: { planRecordsPerSecond: number; planRecordsPerSecondWorkers: number };
      startup: { validateMs: number };
    };
    for (const map of ['field-service-to-revolv3.yaml', 'shopify-to-invoiss.yaml']) {
      const p = out.plan[map]!;
      for (const k of ['usPerRecord', 'jsonataUsPerRecord', 'handwrittenUsPerRecord', 'firstRoundUsPerRecord'] as const) expect(p[k], `${map} ${k}`).toBeGreaterThan(0);
    }
    expect(out.run.usPerCall).toBeGreaterThan(0);
    expect(out.cli.planRecordsPerSecond).toBeGreaterThan(0);
    expect(out.cli.planRecordsPerSecondWorkers).toBeGreaterThan(0);
    expect(out.startup.validateMs).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/^plan {6}field-service-to-revolv3\.yaml/m);
    expect(r.stderr).toMatch(/^cli {7}datamap plan/m);
  }, 120_000);

  it('the build step it runs first prints nothing on standard output', async () => {
    // the studio page build is the one step that printed a line (the others take --quiet too);
    // it writes to a temporary directory first and renames, so running it beside other tests is safe
    const r = await run(join(ROOT, 'scripts', 'build-studio-page.mjs'), ['--quiet'], {});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
  }, 120_000);
});
