/**
 * Totals: a run reports the Data Map's total (the host's) next to what the provider says it
 * charged (total, taxAmount), and a difference is a warning in the result and in the run report.
 * The shipped Shopify → Revolv3 map follows Revolv3's docs on tax: Revolv3 adds it, so no tax
 * line is sent unless taxBy=host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataMap, openMemoryJournal, recordItems, runRecords, startSandbox, type HttpRequest, type RecordResult, type RunOptions, type Sandbox } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';

const MAP = 'mappings/shopify-to-revolv3.yaml';
const ORDERS = JSON.parse(readFileSync('examples/shopify/orders.json', 'utf8')) as Array<Record<string, unknown>>;

let sandbox: Sandbox;
beforeAll(async () => { sandbox = await startSandbox({ rateLimitPerSecond: 0 }); });
afterAll(async () => { await sandbox.close(); });

async function run(env: Record<string, string>, options: RunOptions = {}): Promise<RecordResult> {
  const out: RecordResult[] = [];
  for await (const r of runRecords(loadDataMap({ file: MAP }), recordItems([ORDERS[0]]), { baseUrl: sandbox.baseUrls.revolv3, credentials: { ...sandbox.credentials }, env, journal: openMemoryJournal(), settleMs: 0, preflight: false, ...options })) out.push(r);
  return out[0]!;
}

describe('totals', () => {
  it('by default no tax line is sent (Revolv3 adds tax); a provider that adds none charges less: a warning with both totals', async () => {
    const r = await run({});
    expect(r.outcome).toBe('succeeded');
    const lines = (r.steps[0]!.request!.body as { invoice: { invoiceLineItems: Array<{ name: string }> } }).invoice.invoiceLineItems;
    expect(lines.map((l) => l.name)).not.toContain('Sales tax');
    // the sandbox computes no tax: it charged the lines only
    expect(r.totals).toEqual({ host: 80.03, charged: { step: 'payment', total: 74.5, tax: 0 } });
    const w = r.diagnostics.find((d) => d.code === 'run/total-mismatch')!;
    expect(w.severity).toBe('warning');
    expect(w.message).toBe('The provider charged 74.5 (tax 0) in step payment, but the host total is 80.03');
  });

  it('a replayed record reports the totals of its first run, from the journal, and the same warning', async () => {
    const journal = openMemoryJournal();
    const first = await run({}, { journal });
    const again = await run({}, { journal });
    expect(again.replayed).toBe(true);
    expect(again.totals).toEqual(first.totals);
    expect(again.totals).toEqual({ host: 80.03, charged: { step: 'payment', total: 74.5, tax: 0 } });
    expect(again.diagnostics.filter((d) => d.code === 'run/total-mismatch').map((d) => d.message)).toEqual(['The provider charged 74.5 (tax 0) in step payment, but the host total is 80.03']);
  });

  it('taxBy=host sends the tax as a line: the totals agree, no warning', async () => {
    const r = await run({ REVOLV3_TAX_BY: 'host' });
    expect(r.totals).toEqual({ host: 80.03, charged: { step: 'payment', total: 80.03, tax: 0 } });
    expect(r.diagnostics.map((d) => d.code)).not.toContain('run/total-mismatch');
  });

  it('a tax added twice (a tax line and the provider\'s own) is caught', async () => {
    // the provider answers with its own tax on top of the lines (as Revolv3's docs example does)
    const transport = async (req: HttpRequest) => {
      const body = JSON.parse(req.body ?? '{}') as { invoice: { merchantInvoiceRefId: string; invoiceLineItems: Array<{ value: number }> } };
      const lines = body.invoice.invoiceLineItems.reduce((a, l) => a + l.value, 0);
      return { status: 200, headers: {}, body: { invoiceId: 9, merchantInvoiceRefId: body.invoice.merchantInvoiceRefId, invoiceStatus: 'Paid', subtotal: lines, taxAmount: 5.53, total: Math.round((lines + 5.53) * 100) / 100 } };
    };
    const r = await run({ REVOLV3_TAX_BY: 'host' }, { transport });
    expect(r.totals).toEqual({ host: 80.03, charged: { step: 'payment', total: 85.56, tax: 5.53 } });
    expect(r.diagnostics.find((d) => d.code === 'run/total-mismatch')!.message).toContain('charged 85.56 (tax 5.53)');
  });

  it('the run report lists each record\'s totals and warning codes; the CLI line shows the warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datamap-totals-'));
    try {
      const input = join(dir, 'orders.json');
      writeFileSync(input, JSON.stringify([ORDERS[0]]));
      const report = join(dir, 'report.json');
      const res = await runCli(['run', MAP, '-i', input, '--base-url', sandbox.baseUrls.revolv3, '--no-journal', '--no-preflight', '--report', report], { env: { ...sandbox.credentials } });
      expect(res.code).toBe(0);
      expect(res.stdout).toContain('run/total-mismatch');
      const rep = JSON.parse(readFileSync(report, 'utf8')) as { records: Array<{ totals: unknown; warnings: string[] }> };
      expect(rep.records[0]).toMatchObject({ totals: { host: 80.03, charged: { total: 74.5 } }, warnings: expect.arrayContaining(['run/total-mismatch']) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
