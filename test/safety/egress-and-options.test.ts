/**
 * The egress policy and the run options that bound a call, through the real CLI in-process and
 * the public API: where card data may be sent, what is refused before anything is sent (with
 * exit 2 and a usage or egress code), and how an oversized provider answer ends a record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { checkDataMap, loadDataMap, recordItems, runRecords, type RecordResult, type Transport } from '../../src/index.js';
import { collect, runCli } from '../helpers/cli.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAP = join(repoRoot, 'mappings/field-service-to-revolv3.yaml');
const SAMPLES = join(repoRoot, 'examples/field-service/invoices.json');
const ENV = { REVOLV3_TOKEN: 'tok_egress_5d2e9a' };

let dir: string;
let hits = 0;
let server: http.Server;
let local: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'datamap-egress-'));
  server = http.createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ invoiceId: 1, invoiceStatus: 'Paid' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function mapWith(providerYaml: string): string {
  const file = join(dir, `map-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `provider:\n${providerYaml}\nkey: invoiceNumber\nsteps:\n  - id: sale\n    operation: payments.sale\n    request: |\n      { "invoice": { "merchantInvoiceRefId": invoiceNumber, "amount": { "currency": "USD", "value": 10 } },\n        "paymentMethod": { "creditCard": { "paymentAccountNumber": payment.card.number, "expirationDate": "1230", "securityCode": payment.card.cvv }, "billingFirstName": "A", "billingLastName": "B" } }\n`);
  return file;
}

describe('non-HTTP schemes are refused up front', () => {
  it.each(['file:///etc/passwd', 'gopher://127.0.0.1:70/_x', 'ftp://example.com/', 'javascript:alert(1)', 'not a url'])('--base-url %s: usage error, exit 2, nothing sent', async (url) => {
    const before = hits;
    const r = await runCli(['run', MAP, '--input', SAMPLES, '--base-url', url], { env: ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage/invalid-argument');
    expect(r.stdout).not.toMatch(/UNKNOWN|FAILED|SUCCEEDED/);
    expect(hits).toBe(before);
  });

  it('plan refuses them the same way', async () => {
    const r = await runCli(['plan', MAP, '--input', SAMPLES, '--base-url', 'file:///etc/passwd']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage/invalid-argument');
  });
});

describe('production', () => {
  it('refuses a --base-url that is not a pack host, before any call (transport/egress-denied, exit 2)', async () => {
    const before = hits;
    const r = await runCli(['run', MAP, '--input', SAMPLES, '--env', 'production', '--base-url', local], { env: ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('transport/egress-denied');
    expect(hits).toBe(before);
  });

  it('refuses plain http even to an allowed host', async () => {
    const host = new URL(local).host;
    const r = await runCli(['run', MAP, '--input', SAMPLES, '--env', 'production', '--base-url', local, '--allow-host', host], { env: ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('transport/egress-denied');
    expect(r.stderr).toContain('https');
  });

  it('refuses a Data Map override to another host unless the map allows it by name', async () => {
    const other = mapWith('  name: revolv3\n  environment: production\n  baseUrl: https://payments.attacker.example');
    const r = await runCli(['run', other, '--input', SAMPLES], { env: ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('transport/egress-denied');
    expect(r.stderr).toContain('payments.attacker.example');
    // allowed by name in the map: the policy lets it through (the transport is injected: no network)
    const allowed = loadDataMap({ file: mapWith('  name: revolv3\n  environment: production\n  baseUrl: https://pay.partner.example\n  allowHosts: [pay.partner.example]') });
    const seen: string[] = [];
    const transport: Transport = async (req) => { seen.push(req.url); return { status: 200, headers: {}, body: { invoiceId: 7, invoiceStatus: 'Paid' } }; };
    const results: RecordResult[] = await collect(runRecords(allowed, recordItems([{ invoiceNumber: 'E-1', payment: { card: { number: '4111111111111111', cvv: '987' } } }]), { transport, credentials: ENV, env: {} }));
    expect(results[0]!.outcome).toBe('succeeded');
    expect(seen[0]).toMatch(/^https:\/\/pay\.partner\.example\//);
  });

  it('--allow-host lets an https host of the command line through', async () => {
    const m = loadDataMap({ file: MAP });
    const seen: string[] = [];
    const transport: Transport = async (req) => { seen.push(req.url); return { status: 200, headers: {}, body: { invoiceId: 7, invoiceStatus: 'Paid' } }; };
    await expect(collect(runRecords(m, recordItems([]), { transport, environment: 'production', baseUrl: 'https://proxy.example:8443', credentials: ENV, env: {} }))).rejects.toMatchObject({ code: 'transport/egress-denied' });
    const ok = await collect(runRecords(m, recordItems([{ invoiceNumber: 'E-2', status: 'open', customer: { id: 'c', firstName: 'Dana', lastName: 'Reyes', address: { street: '1 Main St', city: 'Santa Ana', state: 'CA', zip: '92701', country: 'US' } }, lines: [{ description: 'Repair', qty: 1, unitPrice: 10 }], payment: { method: 'card', card: { number: '4111111111111111', expMonth: 1, expYear: 2030, cvv: '987' } } }]), { transport, environment: 'production', baseUrl: 'https://proxy.example:8443', allowHosts: ['proxy.example:8443'], credentials: ENV, env: {} }));
    expect(ok[0]!.diagnostics).toEqual([]);
    expect(ok[0]!.outcome).toBe('succeeded');
    expect(seen[0]).toMatch(/^https:\/\/proxy\.example:8443\//);
  });
});

describe('outside production', () => {
  it('an explicit --base-url to a local sandbox is called', async () => {
    const before = hits;
    const r = await runCli(['run', MAP, '--input', SAMPLES, '--base-url', local], { env: ENV });
    expect(r.stdout).toContain('SUCCEEDED');
    expect(hits).toBeGreaterThan(before);
  });

  it('link-local and cloud metadata addresses are refused unless allowed by name', async () => {
    const r = await runCli(['run', MAP, '--input', SAMPLES, '--base-url', 'http://169.254.169.254/latest'], { env: ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('transport/egress-denied');
    expect(r.stderr).toContain('metadata');
  });
});

describe('validate warns about overrides that send card data elsewhere', () => {
  it('a provider base URL override to another host', () => {
    const { map, diagnostics } = checkDataMap({ file: mapWith('  name: revolv3\n  baseUrl: https://collector.example') });
    expect(map).toBeDefined();
    const w = diagnostics.filter((d) => d.code === 'check/egress-override');
    expect(w).toHaveLength(1);
    expect(w[0]!.severity).toBe('warning');
    expect(w[0]!.message).toContain('collector.example');
    expect(w[0]!.location?.line).toBe(3);
  });

  it('an operation override over plain http to a pack host, and the CLI shows it', async () => {
    const file = mapWith('  name: revolv3\n  operations:\n    payments.sale:\n      baseUrl: http://api.revolv3.com');
    const { diagnostics } = checkDataMap({ file });
    expect(diagnostics.filter((d) => d.code === 'check/egress-override').map((d) => d.message)).toEqual([expect.stringContaining('plain http')]);
    const r = await runCli(['validate', file]);
    expect(r.stdout + r.stderr).toContain('check/egress-override');
  });

  it('no warning when the map allows the host by name, nor for the shipped maps', () => {
    const { diagnostics } = checkDataMap({ file: mapWith('  name: revolv3\n  baseUrl: https://pay.partner.example\n  allowHosts: [pay.partner.example]') });
    expect(diagnostics.filter((d) => d.code === 'check/egress-override')).toEqual([]);
    expect(checkDataMap({ file: MAP }).diagnostics.filter((d) => d.code === 'check/egress-override')).toEqual([]);
  });
});

describe('--timeout and --max-response-bytes', () => {
  it.each(['0', 'abc', '-5', '1.5', '1e3', '', ' '])('--timeout "%s" is usage/invalid-argument, exit 2', async (v) => {
    const r = await runCli(['run', MAP, '--input', SAMPLES, '--base-url', local, '--timeout', v], { env: ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage/invalid-argument');
    expect(r.stderr).toContain('--timeout');
  });

  it('--max-response-bytes 0 is refused too', async () => {
    const r = await runCli(['run', MAP, '--input', SAMPLES, '--max-response-bytes', '0'], { env: ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--max-response-bytes');
  });

  it('a response over --max-response-bytes ends the sale as unknown with a coded error, its body never printed', async () => {
    const big = http.createServer((req, res) => { req.resume(); res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ invoiceId: 1, invoiceStatus: 'Paid', pad: 'Q'.repeat(200_000) })); });
    await new Promise<void>((r) => big.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(big.address() as AddressInfo).port}`;
    try {
      // (no pre-flight lookup: it would meet the same oversized answer and send nothing)
      const r = await runCli(['run', MAP, '--input', SAMPLES, '--base-url', url, '--max-response-bytes', '100000', '--json', '--no-preflight', '--settle-window', '0'], { env: ENV });
      expect(r.code).toBe(3);
      const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as RecordResult & { summary?: unknown }).filter((x) => !x.summary);
      const sale = results.find((x) => x.steps.some((s) => s.decision === 'run'))!;
      expect(sale.outcome).toBe('unknown');
      // the sale may have taken effect: unknown (never resent), saying why
      expect(sale.error).toMatchObject({ code: 'run/unknown-outcome', message: expect.stringContaining('larger than 100000 bytes') });
      expect(r.stdout + r.stderr).not.toContain('QQQQ');
    } finally {
      big.closeAllConnections();
      await new Promise<void>((r) => big.close(() => r()));
    }
  });
});
