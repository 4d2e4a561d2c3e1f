/**
 * Card-data scanner over everything the real CLI prints for the shipped Data Maps and sample
 * records: `validate` and `plan`, text and --json, stdout and stderr. No Luhn-valid card number
 * and no security code of the sample records may appear anywhere (PCI DSS 3.3.1, 3.4.1). The
 * scanner is proven able to fail: it must flag an unmasked card number and a security code put
 * into real output on purpose.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliResult } from '../helpers/cli.js';
import { findCardNumbers, luhnValid } from '../../src/index.js';
import { parse as parseCsv } from 'csv-parse/sync';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const mapFiles = readdirSync(join(root, 'mappings'))
  .filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'))
  .sort()
  .map((f) => join(root, 'mappings', f));
const SAMPLES: Record<string, string> = {
  'field-service': join(root, 'examples/field-service/invoices.json'),
  shopify: join(root, 'examples/shopify/orders.json'),
  'quickbooks-csv': join(root, 'examples/quickbooks-csv/invoices.csv'),
};
const sampleFiles = Object.values(SAMPLES);
const sampleFor = (map: string): string | undefined => SAMPLES[basename(map, '.yaml').replace(/-to-[a-z0-9]+$/, '')];

type Run = CliResult & { argv: string[] };

/** Runs the real CLI in-process with a frozen clock and no environment; the result keeps its argv. */
async function cli(argv: string[]): Promise<Run> {
  return { argv, ...(await runCli(argv, { now: () => Date.parse('2026-11-21T00:00:00Z') })) };
}

/** Every value under a security-code key (cvv, credit_card_cvv, securityCode...) in a JSON value. */
function collectSecurityCodes(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => collectSecurityCodes(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (/^(cvv2?|cvc2?|credit_card_cvv|security_?code|card_?code)$/i.test(k) && (typeof v === 'string' || typeof v === 'number')) out.add(String(v));
      else collectSecurityCodes(v, out);
    }
  }
  return out;
}

/**
 * Security codes that appear as a value of their own: `"123"` or `123` in JSON, a bare word in
 * text. Not flagged: the same digits inside a longer token (`FS-1230`, `A123`, `123.5`,
 * `5871234567893`), which is how they legitimately occur in ids and amounts.
 */
function findSecurityCodes(text: string, codes: Iterable<string>): string[] {
  const found: string[] = [];
  for (const code of codes) {
    const re = new RegExp(`(?<![0-9A-Za-z_.*])${code}(?![0-9A-Za-z_*]|\\.[0-9])`, 'g');
    for (const m of text.matchAll(re)) found.push(`${code} at ${m.index}: …${text.slice(Math.max(0, m.index - 30), m.index + code.length + 30)}…`);
  }
  return found;
}

// a CSV sample's rows, keyed by the last part of each dotted header (card.cvv → cvv)
const samples = sampleFiles.map((f) => f.endsWith('.csv')
  ? (parseCsv(readFileSync(f, 'utf8'), { columns: true, bom: true }) as Array<Record<string, string>>).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k.split('.').pop()!, v])))
  : JSON.parse(readFileSync(f, 'utf8')) as unknown);
const securityCodes = [...collectSecurityCodes(samples)];
const samplePans = sampleFiles.flatMap((f) => findCardNumbers(readFileSync(f, 'utf8')));

describe('card data in CLI output', () => {
  const runs: Run[] = [];
  let tmp = '';

  beforeAll(async () => {
    runs.push(await cli(['validate', ...mapFiles]));
    runs.push(await cli(['validate', '--json', ...mapFiles]));
    // Every map over every sample file: the matching pairs plan cleanly, the others fail the
    // input schema, which exercises the error paths (diagnostics must not echo record values).
    for (const map of mapFiles) {
      for (const sample of sampleFiles) {
        runs.push(await cli(['plan', map, '--input', sample]));
        runs.push(await cli(['plan', map, '--input', sample, '--json']));
      }
    }
    // Hostile variants of a Shopify order: the card number typed into the address, grouped
    // with spaces, mistyped (record refused by the input schema), and an order whose parts do
    // not add up (record refused by the map's own check).
    tmp = mkdtempSync(join(tmpdir(), 'datamap-card-scanner-'));
    type Order = Record<string, unknown> & { billing_address: object; payment_details: object };
    const order = (JSON.parse(readFileSync(SAMPLES.shopify!, 'utf8')) as Order[])[0]!;
    const variants = [
      { ...order, billing_address: { ...order.billing_address, address2: '4111 1111 1111 1111' } },
      { ...order, payment_details: { ...order.payment_details, credit_card_number: '4111 1111 1111 1111' } },
      { ...order, payment_details: { ...order.payment_details, credit_card_number: '4111111111111111x' } },
      { ...order, total_price: '99.99' },
    ];
    const hostile = join(tmp, 'hostile-orders.json');
    writeFileSync(hostile, JSON.stringify(variants, null, 2));
    for (const map of mapFiles.filter((m) => basename(m).startsWith('shopify-'))) {
      runs.push(await cli(['plan', map, '--input', hostile]));
      runs.push(await cli(['plan', map, '--input', hostile, '--json']));
    }
    rmSync(tmp, { recursive: true, force: true });
  }, 180_000);

  const all = (): string => runs.map((r) => `${r.stdout}\n${r.stderr}`).join('\n');

  it('the sample files hold the sandbox test cards and their security codes (so the scan means something)', () => {
    expect(new Set(samplePans)).toEqual(new Set(['4111111111111111', '4000000000000002', '2222400010000008']));
    expect(securityCodes.sort()).toEqual(['123', '318', '321', '456', '552', '737', '904']);
  });

  it('the CLI ran as expected: validate clean, matching plans valid, the others invalid', () => {
    for (const r of runs.filter((x) => x.argv[0] === 'validate')) {
      expect(r.code, r.argv.join(' ')).toBe(0);
      expect(r.stderr).toBe('');
    }
    expect(runs[0]!.stdout).toContain(`${mapFiles.length} files: 0 errors, 0 warnings`);
    expect(JSON.parse(runs[1]!.stdout)).toMatchObject({ valid: true, errors: 0, warnings: 0 });
    for (const r of runs.filter((x) => x.argv[0] === 'plan')) {
      const matching = sampleFor(r.argv[1]!) === r.argv[3];
      expect(r.code, r.argv.join(' ')).toBe(matching ? 0 : 1);
      if (r.argv.includes('--json')) {
        const summary = (JSON.parse(r.stdout) as { summary: { invalid: number; records: number } }).summary;
        expect(summary.records).toBeGreaterThan(0);
        if (matching) expect(summary.invalid).toBe(0);
      }
    }
    // The cards did pass through the plans: shown masked, security codes redacted.
    const plans = runs.filter((r) => r.argv[0] === 'plan').map((r) => r.stdout).join('\n');
    for (const masked of ['411111******1111', '400000******0002', '222240******0008']) expect(plans).toContain(masked);
    expect(plans).toContain('"securityCode": "[redacted]"');
    expect(plans).toContain('"securityCode":"[redacted]"');
  });

  it('no Luhn-valid card number appears in any output', () => {
    expect(runs.length).toBe(2 + mapFiles.length * sampleFiles.length * 2 + 2 * 2);
    expect(findCardNumbers(all())).toEqual([]);
  });

  it('no security code of the sample records appears as a value in any output', () => {
    expect(findSecurityCodes(all(), securityCodes)).toEqual([]);
  });

  describe('self-check: the scanner fails on leaked data', () => {
    const realJson = (): string => runs.find((r) => r.argv[0] === 'plan' && r.argv[1]!.endsWith('shopify-to-revolv3.yaml') && r.argv[3] === SAMPLES.shopify && r.argv.includes('--json'))!.stdout;
    const realText = (): string => runs.find((r) => r.argv[0] === 'plan' && r.argv[1]!.endsWith('shopify-to-revolv3.yaml') && r.argv[3] === SAMPLES.shopify && !r.argv.includes('--json'))!.stdout;

    it('flags an unmasked card number and a security code inserted into real JSON output', () => {
      const json = realJson();
      expect(json).toContain('"paymentAccountNumber":"411111******1111"');
      const leaked = json
        .replace('"paymentAccountNumber":"411111******1111"', '"paymentAccountNumber":"4111111111111111"')
        .replace('"securityCode":"[redacted]"', '"securityCode":"318"');
      expect(findCardNumbers(leaked)).toEqual(['4111111111111111']);
      expect(findSecurityCodes(leaked, securityCodes)).toHaveLength(1);
      expect(findSecurityCodes(leaked, securityCodes)[0]).toMatch(/^318 /);
      // and a security code sent as a JSON number
      expect(findSecurityCodes(json.replace('"securityCode":"[redacted]"', '"securityCode":904'), securityCodes)[0]).toMatch(/^904 /);
    });

    it('flags them in real text output too, also when the card number is grouped', () => {
      const text = realText();
      const leaked = text.replace('411111******1111', '4111 1111 1111 1111').replace('"[redacted]"', '"552"') + '\nCVV: 737\n';
      expect(findCardNumbers(leaked)).toEqual(['4111111111111111']);
      expect(findSecurityCodes(leaked, securityCodes).map((f) => f.slice(0, 3)).sort()).toEqual(['552', '737']);
      expect(findCardNumbers('card 2222-4000-1000-0008 on file')).toEqual(['2222400010000008']);
    });

    it('does not flag masked cards or the same digits inside longer tokens', () => {
      expect(luhnValid('4111111111111111')).toBe(true);
      expect(findCardNumbers('411111******1111 222240******0008 411111…1111')).toEqual([]);
      expect(findSecurityCodes('FS-1230 A318 318.50 pay-shopify-5871234567893 9040 0.552 x552y', securityCodes)).toEqual([]);
    });
  });
});
