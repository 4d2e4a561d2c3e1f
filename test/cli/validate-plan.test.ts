/**
 * `datamap validate` and `datamap plan`, run in-process with an injected io (no network, no
 * process.exit): output formats, exit codes, input formats and the base-URL override.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic, RecordPlanView } from '../../src/index.js';
import { runCli, type CliResult } from '../helpers/cli.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAP = join(repoRoot, 'mappings/field-service-to-revolv3.yaml');
const INVOICES = join(repoRoot, 'examples/field-service/invoices.json');
const RECORDS = JSON.parse(readFileSync(INVOICES, 'utf8')) as Array<Record<string, unknown>>;

/** The CLI in-process with a frozen clock; it must never print a stack trace. */
async function run(argv: string[], stdin: string[] = []): Promise<CliResult> {
  const r = await runCli(argv, { stdin, now: () => Date.UTC(2026, 10, 5) });
  expect(r.stdout + r.stderr, 'no stack trace').not.toContain('    at ');
  return r;
}

interface ValidateJson {
  valid: boolean;
  errors: number;
  warnings: number;
  files: Array<{ file: string; valid: boolean; diagnostics: Diagnostic[] }>;
}

interface PlanJson {
  map: string;
  name: string;
  provider: string;
  environment: string;
  records: RecordPlanView[];
  summary: { records: number; valid: number; invalid: number };
}

let dir: string;
/** A Data Map with five findings on known lines. */
let bad: string;
const BAD = [
  'provider: revolv3', // 1
  'key: invoiceNumber', // 2
  'steps:', // 3
  '  - id: sale', // 4
  '    operation: payments.sael', // 5
  '    request: |', // 6
  '      { "invoice": { "amount": { "value": total + } } }', // 7
  '  - id: sale', // 8
  '    operation: invoices.get', // 9
  '    params: { invoiceId: id, bogus: 1 }', // 10
  '    request: "{}"', // 11
  '',
].join('\n');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'datamap-cli-'));
  bad = join(dir, 'bad.yaml');
  writeFileSync(bad, BAD);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('datamap validate', () => {
  it('a valid Data Map: "ok", a closing count without errors, exit 0', async () => {
    const r = await run(['validate', MAP]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ok ${MAP.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    expect(r.stdout).toMatch(/^1 file: 0 errors, \d+ warnings?\n$/m);
  });

  it('prints every finding at once with file:line:column, a code frame with a caret, the hint, and a closing count', async () => {
    const r = await run(['validate', bad]);
    expect(r.code).toBe(2);
    const out = r.stdout;
    // every finding, each with its location
    for (const [code, loc] of [
      ['datamap/unknown-operation', '5:16'],
      ['expression/syntax', '7:51'],
      ['datamap/duplicate-step-id', '8:9'],
      ['datamap/unknown-param', '10:30'],
      ['datamap/unexpected-request', '11:5'],
    ] as const) {
      expect(out).toContain(`error ${code}: `);
      expect(out).toContain(`--> ${bad}:${loc}`);
    }
    // a code frame: the source line and a caret under the offending text
    expect(out).toContain('   5 |     operation: payments.sael\n');
    expect(out).toContain(`     | ${' '.repeat(15)}${'^'.repeat('payments.sael'.length)}\n`);
    expect(out).toContain('   7 |       { "invoice": { "amount": { "value": total + } } }\n');
    expect(out).toContain(`     | ${' '.repeat(50)}^\n`);
    // the hints, including the did-you-mean
    expect(out).toContain('  hint: Did you mean payments.sale?');
    expect(out).toContain('  hint: Parameters of invoices.get: invoiceId, includeRawProcessorResponse.');
    expect(out.match(/^ {2}hint: /gm)).toHaveLength(5);
    // the file verdict and the closing count
    expect(out).toContain(`invalid ${bad}\n`);
    expect(out.trimEnd().split('\n').at(-1)).toBe('1 file: 5 errors, 0 warnings');
    // findings come in file order
    const lines = [...out.matchAll(/--> .*:(\d+):\d+/g)].map((m) => Number(m[1]));
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it('--json parses and has the same codes as the text output', async () => {
    const text = await run(['validate', bad]);
    const json = await run(['validate', '--json', bad]);
    expect(json.code).toBe(2);
    const parsed = JSON.parse(json.stdout) as ValidateJson;
    expect(parsed.valid).toBe(false);
    expect(parsed.errors).toBe(5);
    expect(parsed.warnings).toBe(0);
    expect(parsed.files).toHaveLength(1);
    expect(parsed.files[0]).toMatchObject({ file: bad, valid: false });
    const jsonCodes = parsed.files[0]!.diagnostics.map((d) => d.code);
    const textCodes = [...text.stdout.matchAll(/^error (\S+): /gm)].map((m) => m[1]);
    expect(jsonCodes).toEqual(textCodes);
    const first = parsed.files[0]!.diagnostics[0]!;
    expect(first).toMatchObject({ severity: 'error', location: { file: bad, line: 5, column: 16, pointer: '/steps/0/operation' } });
    expect(first.hint).toBe('Did you mean payments.sale?');
  });

  it('several files: each gets a verdict, the count covers them all, exit 2 when any has an error', async () => {
    const r = await run(['validate', MAP, bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`ok ${MAP}\n`);
    expect(r.stdout).toContain(`invalid ${bad}\n`);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^2 files: 5 errors, \d+ warnings?$/);
    const json = JSON.parse((await run(['validate', '--json', MAP, bad])).stdout) as ValidateJson;
    expect(json.files.map((f) => f.valid)).toEqual([true, false]);
  });

  it('a missing file is a finding (source/file-not-found), exit 2', async () => {
    const missing = join(dir, 'missing.yaml');
    const r = await run(['validate', missing]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('error source/file-not-found');
    expect(r.stdout).toContain(`--> ${missing}:1:1`);
  });

  it('without a file it is a usage error, exit 2', async () => {
    const r = await run(['validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing required argument');
  });
});

describe('datamap plan', () => {
  const object = () => write('one.json', JSON.stringify(RECORDS[0], null, 2));
  const ndjson = () => write('invoices.ndjson', RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n');

  function keys(p: PlanJson): Array<string | undefined> {
    return p.records.map((r) => r.key);
  }

  it('reads a JSON array (text output: header, each record, redacted card, summary; exit 0)', async () => {
    const r = await run(['plan', MAP, '--input', INVOICES]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Plan for field-service invoices to Revolv3 sale');
    expect(r.stdout).toContain('No calls are made.');
    expect(r.stdout).toMatch(/Record 1 \(line 2\) {2}key FS-10042 {2}VALID/);
    expect(r.stdout).toContain('POST https://api-sandbox.revolv3.com/api/Payments/sale');
    expect(r.stdout).toContain('skipped: condition is false');
    expect(r.stdout).toContain('411111******1111');
    expect(r.stdout).not.toContain('4111111111111111');
    expect(r.stdout).toContain('x-revolv3-token: [redacted');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('3 records: 3 valid, 0 invalid');
  });

  it('reads a JSON array (--json parses)', async () => {
    const r = await run(['plan', MAP, '--input', INVOICES, '--json']);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as PlanJson;
    expect(p).toMatchObject({ provider: 'revolv3', environment: 'sandbox', summary: { records: 3, valid: 3, invalid: 0 } });
    expect(keys(p)).toEqual(['FS-10042', 'FS-10043', 'FS-10044']);
    expect(p.records[0]!.steps[0]).toMatchObject({ id: 'sale', operation: 'payments.sale', decision: 'run', verdict: 'valid' });
    expect(p.records[2]!.steps[0]).toMatchObject({ decision: 'skip', verdict: 'skipped' });
    expect(JSON.stringify(p)).not.toContain('4111111111111111');
  });

  it('reads a single JSON object', async () => {
    const r = await run(['plan', MAP, '--input', object(), '--json']);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as PlanJson;
    expect(keys(p)).toEqual(['FS-10042']);
    expect(p.records[0]!.line).toBe(1);
  });

  it('reads NDJSON', async () => {
    const r = await run(['plan', MAP, '--input', ndjson(), '--json']);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as PlanJson;
    expect(keys(p)).toEqual(['FS-10042', 'FS-10043', 'FS-10044']);
    expect(p.records.map((x) => x.line)).toEqual([1, 2, 3]);
  });

  it('reads standard input with --input -', async () => {
    const text = RECORDS.map((x) => JSON.stringify(x)).join('\n');
    // delivered in small pieces, as a pipe would
    const pieces = text.match(/[\s\S]{1,100}/g)!;
    const r = await run(['plan', MAP, '--input', '-', '--json'], pieces);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as PlanJson;
    expect(keys(p)).toEqual(['FS-10042', 'FS-10043', 'FS-10044']);
    const txt = await run(['plan', MAP, '-i', '-'], [JSON.stringify(RECORDS)]);
    expect(txt.code).toBe(0);
    expect(txt.stdout).toContain('3 records: 3 valid, 0 invalid');
  });

  it('exit 1 when any record is invalid; the valid ones are still planned', async () => {
    const input = write('mixed.json', JSON.stringify([RECORDS[0], { invoiceNumber: 'X-1', status: 'open' }, RECORDS[1]]));
    const r = await run(['plan', MAP, '--input', input, '--json']);
    expect(r.code).toBe(1);
    const p = JSON.parse(r.stdout) as PlanJson;
    expect(p.summary).toEqual({ records: 3, valid: 2, invalid: 1 });
    expect(p.records.map((x) => x.ok)).toEqual([true, false, true]);
    expect(p.records[1]!.diagnostics.map((d) => d.code)).toContain('record/invalid');
    const text = await run(['plan', MAP, '--input', input]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/Record 2 \(line 1\) {2}INVALID/);
    expect(text.stdout).toContain('error record/invalid');
    expect(text.stdout).toContain('3 records: 2 valid, 1 invalid');
  });

  it('an empty input plans nothing, exit 0', async () => {
    const r = await run(['plan', MAP, '--input', write('empty.json', '[]'), '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as PlanJson).summary).toEqual({ records: 0, valid: 0, invalid: 0 });
  });

  it('--base-url changes the URLs (text and JSON)', async () => {
    const text = await run(['plan', MAP, '--input', INVOICES, '--base-url', 'http://127.0.0.1:4010']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('POST http://127.0.0.1:4010/api/Payments/sale');
    expect(text.stdout).not.toContain('POST https://api-sandbox.revolv3.com');
    const json = JSON.parse((await run(['plan', MAP, '--input', INVOICES, '--json', '--base-url', 'http://127.0.0.1:4010/prefix/'])).stdout) as PlanJson;
    const urls = json.records.flatMap((r) => r.steps.map((s) => s.request?.url)).filter(Boolean);
    expect(urls.length).toBeGreaterThan(0);
    for (const u of urls) expect(u).toBe('http://127.0.0.1:4010/prefix/api/Payments/sale');
  });

  it('a missing input file: exit 2 with usage/input', async () => {
    const missing = join(dir, 'no-such-input.json');
    const r = await run(['plan', MAP, '--input', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage/input');
    expect(r.stderr).toContain(missing);
    expect(r.stdout).toBe('');
  });

  it('a directory as input: exit 2 with usage/input', async () => {
    const r = await run(['plan', MAP, '--input', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage/input');
  });

  it('an invalid Data Map: exit 2, its findings on stderr, nothing planned', async () => {
    const r = await run(['plan', bad, '--input', INVOICES]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('datamap/unknown-operation');
    expect(r.stderr).toContain(`--> ${bad}:5:16`);
    expect(r.stdout).toBe('');
  });

  it('without --input: usage error, exit 2', async () => {
    const r = await run(['plan', MAP]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '-i, --input <file>' not specified");
  });

  it('an unknown command: exit 2', async () => {
    const r = await run(['plam', MAP]);
    expect(r.code).toBe(2);
  });
});
