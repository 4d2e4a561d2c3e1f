/**
 * `datamap test`: the shipped Data Map tests pass through the real CLI; a failing case prints a
 * readable, redacted diff and exits 1; --json parses; invalid test files get coded errors with
 * line:column (from `test` and from `validate`); a call without a mocked response names its step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { findCardNumbers, findDataMapTests, subsetDifferences, type DataMapTestFileReport } from '../../src/index.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const mappings = join(root, 'mappings');
const SHIPPED_MAPS = ['field-service-to-invoiss', 'field-service-to-revolv3', 'quickbooks-csv-to-revolv3', 'shopify-to-invoiss', 'shopify-to-revolv3'];

/** Every security code of the sample records (cvv, credit_card_cvv). */
function sampleSecurityCodes(): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (/^(cvv|credit_card_cvv)$/i.test(k) && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  for (const f of ['examples/field-service/invoices.json', 'examples/shopify/orders.json']) walk(JSON.parse(readFileSync(join(root, f), 'utf8')));
  return out;
}

function expectNoCardData(text: string): void {
  expect(findCardNumbers(text)).toEqual([]);
  // how long a case took (`"durationMs": 552`, `552 ms`) and a run id's random hex (`r-…-0bf456`) can hold a security code by chance on a
  // loaded machine and is no leak: such figures are left out of the security-code scan
  const scanned = text.replace(/"\w*Ms":\s*\d+(\.\d+)?/g, '"ms":0').replace(/(?<![\d.])\d+(\.\d+)?\s?ms\b/g, '0 ms').replace(/\br-[a-z0-9]+-[0-9a-f]+\b/g, 'r-RUN');
  for (const code of sampleSecurityCodes()) expect(scanned).not.toMatch(new RegExp(`(?<![\\d])${code}(?![\\d])`));
}

const lastLine = (s: string): string => s.trimEnd().split('\n').pop() ?? '';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'datamap-test-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Copies a shipped map and its test file into a fresh folder, the test's record paths made absolute. */
function copyShipped(name: string, edit: (text: string) => string = (t) => t): { dir: string; testFile: string } {
  const dir = mkdtempSync(join(tmp, `${name}-`));
  copyFileSync(join(mappings, `${name}.yaml`), join(dir, `${name}.yaml`));
  const text = readFileSync(join(mappings, `${name}.test.yaml`), 'utf8').replaceAll('../examples/', `${join(root, 'examples')}/`);
  const testFile = join(dir, `${name}.test.yaml`);
  writeFileSync(testFile, edit(text));
  return { dir, testFile };
}

describe('the shipped Data Map tests', () => {
  it('ship a test file beside every shipped map, with a success and a decline case', () => {
    const files = readdirSync(mappings).filter((f) => f.endsWith('.test.yaml')).sort();
    expect(files).toEqual(SHIPPED_MAPS.map((m) => `${m}.test.yaml`));
    for (const f of files) {
      const text = readFileSync(join(mappings, f), 'utf8');
      expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schemas/datamap-test.schema.json');
      const spec = parse(text) as { cases: Array<{ expect: { outcome: string } }> };
      const outcomes = spec.cases.map((c) => c.expect.outcome);
      expect(outcomes, f).toContain('succeeded');
      expect(outcomes, f).toContain('declined');
      expect(outcomes, f).toContain('skipped');
      expect(outcomes, f).toContain('failed');
    }
  });

  it('all pass: exit 0, a PASS line per case and the closing line, no card data', async () => {
    const r = await runCli(['test', mappings]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('FAIL');
    expect(r.stdout).not.toContain('warning');
    const passes = r.stdout.split('\n').filter((l) => /^ {2}PASS {2}/.test(l)).length;
    expect(passes).toBeGreaterThanOrEqual(16);
    expect(lastLine(r.stdout)).toBe(`${passes} passed, 0 failed`);
    expectNoCardData(r.stdout);
  });

  it('--json parses and reports every case of the shipped files as passed', async () => {
    const r = await runCli(['test', mappings, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; passed: number; failed: number; invalid: number; files: DataMapTestFileReport[] };
    expect(report.ok).toBe(true);
    expect(report.failed).toBe(0);
    expect(report.invalid).toBe(0);
    expect(report.files.map((f) => f.file.split('/').pop())).toEqual(SHIPPED_MAPS.map((m) => `${m}.test.yaml`));
    for (const f of report.files) {
      expect(f.valid).toBe(true);
      for (const c of f.cases) {
        expect(c.passed, `${f.file}: ${c.name}`).toBe(true);
        expect(c.warnings, `${f.file}: ${c.name}: mocked responses match the provider schemas`).toEqual([]);
      }
    }
    expect(report.passed).toBe(report.files.reduce((n, f) => n + f.cases.length, 0));
    expectNoCardData(r.stdout);
  });

  it('a Data Map path runs its sibling test file, and --filter selects cases by name', async () => {
    const r = await runCli(['test', join(mappings, 'field-service-to-revolv3.yaml'), '--filter', 'DECLINED']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('field-service-to-revolv3.test.yaml');
    expect(lastLine(r.stdout)).toBe('1 passed, 0 failed');
  });

  it('with no path, looks for mappings/**/*.test.yaml', () => {
    const found = findDataMapTests([], { cwd: root });
    expect(found.diagnostics).toEqual([]);
    expect(found.files.map((f) => f.split('/').pop())).toEqual(SHIPPED_MAPS.map((m) => `${m}.test.yaml`));
  });

  it('validate accepts the shipped test files', async () => {
    const r = await runCli(['validate', ...SHIPPED_MAPS.map((m) => join(mappings, `${m}.test.yaml`))]);
    expect(r.stdout).toContain(`${SHIPPED_MAPS.length} files: 0 errors`);
    expect(r.code).toBe(0);
  });
});

describe('a failing case', () => {
  it('prints a diff of expected vs actual with locations, masked, and exits 1', async () => {
    const { testFile } = copyShipped('shopify-to-revolv3', (t) => t
      // the first case now expects another card, amount and outcome
      .replace('paymentAccountNumber: "4111111111111111"', 'paymentAccountNumber: "4242424242424242"')
      .replace('- { name: "Shipping: Standard Shipping", value: 7.5, valueType: Standard }', '- { name: "Shipping: Standard Shipping", value: 7.6, valueType: Standard }')
      .replace('      outcome: succeeded\n      calls: [payment]\n      urls:', '      outcome: declined\n      calls: [payment]\n      urls:'));
    const r = await runCli(['test', testFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL  a pending order is paid with one line per item and shipping; Revolv3 adds the tax');
    expect(r.stdout).toContain('error test/failed:');
    expect(r.stdout).toMatch(/outcome {2}\(.*shopify-to-revolv3\.test\.yaml:\d+:\d+\)\n\s+expected: "declined"\n\s+actual: {3}"succeeded"/);
    expect(r.stdout).toMatch(/requests\.payment\.invoice\.invoiceLineItems\[2\]\.value {2}\(.*:\d+:\d+\)\n\s+expected: 7\.6\n\s+actual: {3}7\.5/);
    // the card numbers are compared and shown masked, on both sides
    expect(r.stdout).toMatch(/requests\.payment\.paymentMethod\.creditCard\.paymentAccountNumber.*\n\s+expected: "424242\*{6}4242"\n\s+actual: {3}"411111\*{6}1111"/);
    expect(lastLine(r.stdout)).toMatch(/^\d+ passed, 1 failed$/);
    expectNoCardData(r.stdout + r.stderr);

    const json = await runCli(['test', testFile, '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { failed: number; files: DataMapTestFileReport[] };
    expect(report.failed).toBe(1);
    const failed = report.files[0]!.cases.find((c) => !c.passed)!;
    expect(failed.diagnostics.map((d) => d.code)).toEqual(['test/failed']);
    expect(failed.mismatches.map((m) => m.path)).toEqual([
      'outcome',
      'requests.payment.invoice.invoiceLineItems[2].value',
      'requests.payment.paymentMethod.creditCard.paymentAccountNumber',
    ]);
    expect(failed.mismatches[0]!.location).toMatchObject({ file: testFile, line: expect.any(Number), column: expect.any(Number) });
    expectNoCardData(json.stdout);
  });

  it('a call with no mocked response fails the case and names the step', async () => {
    const { testFile } = copyShipped('field-service-to-invoiss', (t) => t.replace('      payment:\n        body: { success: true, message: Payment processed }\n', ''));
    const r = await runCli(['test', testFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error test/no-mock: Case "a new customer is created as a client, then the order is created and paid": step "payment" (payments.process, POST /public/payments/process) was called, but the case has no mocked response for "payment"');
    expect(r.stdout).toMatch(/--> .*field-service-to-invoiss\.test\.yaml:\d+:\d+/);
    expect(r.stdout).toContain('hint: Add a response under responses.payment');
    expect(lastLine(r.stdout)).toMatch(/^\d+ passed, 1 failed$/);
    expectNoCardData(r.stdout);
  });
});

describe('invalid test files', () => {
  const write = (name: string, text: string): string => {
    const dir = mkdtempSync(join(tmp, 'invalid-'));
    copyFileSync(join(mappings, 'field-service-to-revolv3.yaml'), join(dir, 'field-service-to-revolv3.yaml'));
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('a schema violation gets test/invalid-file with file:line:column, from test (exit 2) and validate (exit 2)', async () => {
    const file = write('field-service-to-revolv3.test.yaml', [
      'cases:',
      '  - name: typo in the outcome',
      '    record: { invoiceNumber: X }',
      '    expect:',
      '      outcome: succeded',
      '',
    ].join('\n'));
    const t = await runCli(['test', file]);
    expect(t.code).toBe(2);
    expect(t.stdout).toContain('error test/invalid-file: cases[0].expect.outcome: must be one of "succeeded"');
    expect(t.stdout).toContain(`--> ${file}:5:16`);
    expect(t.stdout).toContain('hint: See schemas/datamap-test.schema.json');
    expect(lastLine(t.stdout)).toBe('0 passed, 0 failed');

    const v = await runCli(['validate', file, '--json']);
    expect(v.code).toBe(2);
    const report = JSON.parse(v.stdout) as { files: Array<{ diagnostics: Array<{ code: string; location: { line: number; column: number } }> }> };
    expect(report.files[0]!.diagnostics[0]).toMatchObject({ code: 'test/invalid-file', location: { line: 5, column: 16 } });
  });

  it('names of unknown steps get test/unknown-step with a did-you-mean, at their line', async () => {
    const file = write('field-service-to-revolv3.test.yaml', [
      'cases:',
      '  - name: unknown step',
      '    recordFile: nowhere.json',
      '    responses:',
      '      sael: { body: {} }',
      '    expect: { outcome: succeeded, skipped: [nope] }',
      '',
    ].join('\n'));
    const v = await runCli(['validate', file]);
    expect(v.code).toBe(2);
    expect(v.stdout).toContain('error test/unknown-step: field-service invoices to Revolv3 sale has no step "sael"');
    expect(v.stdout).toContain(`--> ${file}:5:7`);
    expect(v.stdout).toContain('hint: Did you mean "sale"?');
    expect(v.stdout).toContain('error test/unknown-step: field-service invoices to Revolv3 sale has no step "nope"');
    expect(v.stdout).toContain(`--> ${file}:6:45`);
    expect(v.stdout).toContain('error source/file-not-found: Cannot read the record file');
    expect(v.stdout).toContain(`--> ${file}:3:17`);
  });

  it('a map that does not exist is reported at the `map` key', async () => {
    const file = write('other.test.yaml', ['map: ./missing.yaml', 'cases:', '  - name: x', '    record: {}', '    expect: { outcome: failed }', ''].join('\n'));
    const t = await runCli(['test', file, '--json']);
    expect(t.code).toBe(2);
    const report = JSON.parse(t.stdout) as { invalid: number; files: DataMapTestFileReport[] };
    expect(report.invalid).toBe(1);
    expect(report.files[0]!.diagnostics[0]).toMatchObject({ code: 'source/file-not-found', location: { line: 1, column: 6 } });
  });

  it('a path with no tests is an error (test/no-tests)', async () => {
    const dir = mkdtempSync(join(tmp, 'empty-'));
    const r = await runCli(['test', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('error test/no-tests');
  });
});

describe('deep-subset matching', () => {
  it('compares only what is expected; null matches a missing value; arrays keep their length', () => {
    expect(subsetDifferences({ a: 1, b: { c: 'x' } }, { a: 1, b: { c: 'x', d: 2 }, e: 3 })).toEqual([]);
    expect(subsetDifferences({ gone: null }, {})).toEqual([]);
    expect(subsetDifferences({ a: '1' }, { a: 1 })).toEqual([{ path: ['a'], expected: '1', actual: 1 }]);
    expect(subsetDifferences([{ v: 1 }], [{ v: 1 }, { v: 2 }])[0]).toMatchObject({ path: [], message: 'expected 1 item, got 2' });
    expect(subsetDifferences({ l: [{ v: 1 }, { v: 2 }] }, { l: [{ v: 1, w: 0 }, { v: 3 }] })).toEqual([{ path: ['l', 1, 'v'], expected: 2, actual: 3 }]);
  });
});
