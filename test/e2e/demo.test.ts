import { describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS } from '../../src/sandbox/index.js';
import { findCardNumbers } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';

// The README's main job (`npm start` → `datamap demo`): it must run every shipped map end to
// end, show at least one decline, charge nothing twice, and print no card data or secret.
describe('datamap demo', () => {
  it('runs every shipped map against the in-process sandbox', async () => {
    const text = await runCli(['demo']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/DECLINED/);
    expect(text.stdout).toMatch(/none charged twice/);
    const json = await runCli(['demo', '--json']);
    const report = JSON.parse(json.stdout) as { runs: unknown[]; chargesPerReference: Record<string, number>; summary: { total: number; failed: number; unknown: number } };
    expect(report.runs.length).toBeGreaterThanOrEqual(4);
    expect(report.summary.failed + report.summary.unknown).toBe(0);
    expect(Object.values(report.chargesPerReference).every((n) => n === 1)).toBe(true);
    // the second pass over the same journal replays every record that did anything and sends nothing
    const full = JSON.parse(json.stdout) as { rerun: Array<{ results: Array<{ outcome: string; replayed?: boolean }> }>; rerunMoneyCalls: number; ledgerBeforeRerun: number; ledgerAfterRerun: number };
    expect(full.rerunMoneyCalls).toBe(0);
    expect(full.ledgerAfterRerun).toBe(full.ledgerBeforeRerun);
    const again = full.rerun.flatMap((r) => r.results);
    expect(again.filter((r) => r.outcome !== 'skipped').every((r) => r.replayed === true)).toBe(true);
    expect(again.filter((r) => r.replayed).length).toBeGreaterThanOrEqual(8);
    // 12 JSON records and the 4 rows of the QuickBooks CSV export; the 3 skipped ones do nothing to replay
    expect(text.stdout).toMatch(/Second pass: 16 records — .*; 13 replayed from the journal, 0 calls made/);
    expect(text.stdout).toMatch(/QuickBooks CSV invoices to Revolv3 sale {2}\(mappings\/quickbooks-csv-to-revolv3.yaml → revolv3\)/);
    for (const out of [text.stdout + text.stderr, json.stdout + json.stderr]) {
      expect(findCardNumbers(out)).toEqual([]);
      for (const cvv of ['"123"', '"456"', '"737"', ' 123 ', ' 737 ']) expect(out).not.toContain(cvv);
      for (const secret of Object.values(DEFAULT_CREDENTIALS)) expect(out).not.toContain(secret);
    }
  });
});
