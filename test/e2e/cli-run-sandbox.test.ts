import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { countChargesByReference, findCardNumbers, startSandbox, type FaultKind, type Sandbox } from '../../src/index.js';

// End to end: the CLI's `run` over real HTTP on 127.0.0.1 against the built-in sandbox,
// with the ledger as the witness that each record was charged exactly once.

let sandbox: Sandbox;
const dir = mkdtempSync(join(tmpdir(), 'datamap-e2e-'));

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'e2e' });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

/** The CLI in-process with the sandbox's credentials and a frozen clock. */
// the sandbox's lookups show a write at once: no settle window is needed against it
const cli = (args: string[]): Promise<CliResult> => runCli(args[0] === 'run' && !args.includes('--settle-window') ? [...args, '--settle-window', '0'] : args, { env: { ...sandbox.env }, now: () => Date.parse('2026-11-21T12:00:00Z') });

function card(number: string, invoice: string, total = 25) {
  return {
    invoiceNumber: invoice,
    status: 'open',
    customer: { id: `C-${invoice}`, firstName: 'Ada', lastName: 'Byron', email: `${invoice.toLowerCase()}@example.com`, address: { street: '1 Loop Rd', city: 'Irvine', state: 'CA', zip: '92618', country: 'US' } },
    lines: [{ sku: 'SKU-1', description: 'Service', qty: 1, unitPrice: total }],
    payment: { method: 'card', card: { number, expMonth: 12, expYear: 2030, cvv: '987', holder: 'Ada Byron' } },
  };
}

function writeRecords(name: string, records: unknown[]): string {
  const file = join(dir, name);
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n'));
  return file;
}

describe('datamap run against the sandbox', () => {
  it('runs the shipped Revolv3 map: an approval, a decline and a skip; each charged once', async () => {
    const { code, stdout: out } = await cli(['run', 'mappings/field-service-to-revolv3.yaml', '--input', 'examples/field-service/invoices.json', '--base-url', sandbox.baseUrls.revolv3]);
    expect(code).toBe(1); // a decline is not a success
    expect(out).toMatch(/SUCCEEDED\s+FS-10042/);
    expect(out).toMatch(/DECLINED\s+FS-10043/);
    expect(out).toMatch(/SKIPPED\s+FS-10044/);
    expect(out).toContain('411111******1111');
    expect(out).toMatch(/3 records: 1 succeeded, 1 declined, 1 skipped/);
    expect(countChargesByReference(sandbox.ledger())).toEqual({ 'FS-10042': 1 });
    expect(findCardNumbers(out)).toEqual([]);
    expect(out).not.toContain(sandbox.credentials.REVOLV3_TOKEN);
  });

  it('runs the shipped Invoiss map: find-or-create client, order, payment, with ids passed', async () => {
    const { code, stdout: out } = await cli(['run', 'mappings/field-service-to-invoiss.yaml', '--input', 'examples/field-service/invoices.json', '--base-url', sandbox.baseUrls.invoiss, '--json']);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const results = lines.filter((l) => 'outcome' in l) as Array<{ key: string; outcome: string; steps: Array<{ id: string; decision: string }> }>;
    expect(results.map((r) => [r.key, r.outcome])).toEqual([['FS-10042', 'succeeded'], ['FS-10043', 'succeeded'], ['FS-10044', 'skipped']]);
    expect(code).toBe(0);
    const charges = sandbox.ledger().filter((e) => e.kind === 'charge' && e.approved);
    expect(charges).toHaveLength(2);
    expect(out).not.toContain(sandbox.credentials.INVOISS_TOKEN);
    // a second run of the same records finds the client again instead of creating it
    const again = await cli(['run', 'mappings/field-service-to-invoiss.yaml', '--input', 'examples/field-service/invoices.json', '--base-url', sandbox.baseUrls.invoiss, '--json']);
    const second = again.stdout.trim().split('\n').map((l) => JSON.parse(l) as { outcome?: string; steps?: Array<{ id: string; decision: string }> }).filter((l) => l.outcome);
    expect(second[0]!.steps!.find((s) => s.id === 'createClient')!.decision).toBe('skip');
  });

  const postCommit: FaultKind[] = ['error-after', 'reset-after'];
  for (const kind of postCommit) {
    it(`survives ${kind} on a Revolv3 sale: reconciled, charged exactly once`, async () => {
      sandbox.injectFault({ kind, provider: 'revolv3', path: '/api/Payments/sale', method: 'POST', times: 1 });
      const input = writeRecords(`${kind}.ndjson`, [card('4111111111111111', `E2E-${kind}`)]);
      const { code, stdout: out } = await cli(['run', 'mappings/field-service-to-revolv3.yaml', '--input', input, '--base-url', sandbox.baseUrls.revolv3, '--json']);
      const result = JSON.parse(out.trim().split('\n')[0]!) as { outcome: string; steps: Array<{ reconciliation?: string }> };
      expect(result.outcome).toBe('succeeded');
      expect(result.steps[0]!.reconciliation).toBe('adopted');
      expect(code).toBe(0);
      expect(countChargesByReference(sandbox.ledger())).toEqual({ [`E2E-${kind}`]: 1 });
    });
  }

  it('survives a slow body after commit (timeout): reconciled, charged exactly once', async () => {
    sandbox.injectFault({ kind: 'slow-body', provider: 'revolv3', path: '/api/Payments/sale', method: 'POST', times: 1, latencyMs: 1500 });
    const input = writeRecords('slow.ndjson', [card('4111111111111111', 'E2E-SLOW')]);
    const { stdout: out } = await cli(['run', 'mappings/field-service-to-revolv3.yaml', '--input', input, '--base-url', sandbox.baseUrls.revolv3, '--timeout', '300', '--json']);
    const result = JSON.parse(out.trim().split('\n')[0]!) as { outcome: string; steps: Array<{ reconciliation?: string }> };
    expect(result.outcome).toBe('succeeded');
    expect(result.steps[0]!.reconciliation).toBe('adopted');
    expect(countChargesByReference(sandbox.ledger())).toEqual({ 'E2E-SLOW': 1 });
  });

  it('a 500 before processing is proven absent by the lookup: failed, not charged; the re-run over the journal charges it once', async () => {
    sandbox.injectFault({ kind: 'error-before', provider: 'revolv3', path: '/api/Payments/sale', method: 'POST', times: 1 });
    const input = writeRecords('before.ndjson', [card('4111111111111111', 'E2E-BEFORE')]);
    const journal = join(dir, 'before.db');
    const first = await cli(['run', 'mappings/field-service-to-revolv3.yaml', '--input', input, '--base-url', sandbox.baseUrls.revolv3, '--json', '--journal', journal]);
    const result = JSON.parse(first.stdout.trim().split('\n')[0]!) as { outcome: string; error?: { code: string }; steps: Array<{ reconciliation?: string; attempts: number }> };
    expect(first.code).toBe(1);
    expect(result.outcome).toBe('failed');
    expect(result.error?.code).toBe('run/not-applied');
    expect(result.steps[0]!.reconciliation).toBe('absent');
    expect(countChargesByReference(sandbox.ledger())).toEqual({});
    const second = await cli(['run', 'mappings/field-service-to-revolv3.yaml', '--input', input, '--base-url', sandbox.baseUrls.revolv3, '--json', '--journal', journal]);
    expect(second.code).toBe(0);
    expect((JSON.parse(second.stdout.trim().split('\n')[0]!) as { outcome: string }).outcome).toBe('succeeded');
    expect(countChargesByReference(sandbox.ledger())).toEqual({ 'E2E-BEFORE': 1 });
  });

  it('survives error-after on an Invoiss payment: reconciled through the order, paid once', async () => {
    sandbox.injectFault({ kind: 'error-after', provider: 'invoiss', path: '/public/payments/process', method: 'POST', times: 1 });
    const { stdout: out } = await cli(['run', 'mappings/field-service-to-invoiss.yaml', '--input', 'examples/field-service/invoices.json', '--base-url', sandbox.baseUrls.invoiss, '--json']);
    const results = out.trim().split('\n').map((l) => JSON.parse(l) as { key?: string; outcome?: string; steps?: Array<{ id: string; reconciliation?: string }> }).filter((r) => r.outcome);
    expect(results[0]!.outcome).toBe('succeeded');
    expect(results[0]!.steps!.find((s) => s.id === 'payment')!.reconciliation).toBe('adopted');
    const charges = sandbox.ledger().filter((e) => e.kind === 'charge' && e.approved);
    expect(charges).toHaveLength(2);
    expect(new Set(charges.map((c) => c.merchantReference)).size).toBe(2);
  });

  it('writes --output results without card data or secrets', async () => {
    const output = join(dir, 'results.ndjson');
    await cli(['run', 'mappings/field-service-to-revolv3.yaml', '--input', 'examples/field-service/invoices.json', '--base-url', sandbox.baseUrls.revolv3, '--output', output]);
    const text = readFileSync(output, 'utf8');
    expect(text.trim().split('\n')).toHaveLength(3);
    expect(findCardNumbers(text)).toEqual([]);
    expect(text).not.toMatch(/"123"|"456"|"737"/);
    expect(text).not.toContain(sandbox.credentials.REVOLV3_TOKEN);
  });
});
