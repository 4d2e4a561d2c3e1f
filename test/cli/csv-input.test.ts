/**
 * CSV input through the CLI (`plan`, `explain`, `run` against the sandbox), `--format`,
 * `plan --summary` and plan's exit codes, and `datamap sandbox --rate-limit`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { findCardNumbers, startSandbox, type RecordPlanView, type Sandbox } from '../../src/index.js';
import { DEFAULT_CREDENTIALS } from '../../src/sandbox/index.js';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { runCli, type CliResult } from '../helpers/cli.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAP = join(repoRoot, 'mappings/quickbooks-csv-to-revolv3.yaml');
const CSV = join(repoRoot, 'examples/quickbooks-csv/invoices.csv');
const FS_MAP = join(repoRoot, 'mappings/field-service-to-revolv3.yaml');
const FS_JSON = join(repoRoot, 'examples/field-service/invoices.json');
const CVVS = ['123', '456', '737', '321'];

async function run(argv: string[], stdin: string[] = [], env: Record<string, string> = {}): Promise<CliResult> {
  const r = await runCli(argv, { stdin, env, now: () => Date.UTC(2026, 10, 21) });
  expect(r.stdout + r.stderr, 'no stack trace').not.toContain('    at ');
  return r;
}

function expectNoCardData(text: string): void {
  expect(findCardNumbers(text)).toEqual([]);
  for (const cvv of CVVS) expect(text).not.toMatch(new RegExp(`(?<![0-9A-Za-z.-])${cvv}(?![0-9])`));
}

interface PlanJson {
  records: RecordPlanView[];
  summary: { records: number; valid: number; invalid: number; steps?: Record<string, { operation: string; run: number; skipped: number; deferred: number }> };
}

let dir: string;
const write = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
/** The shipped export with one ragged row (line 4) and one row short of a column (line 6) put in. */
let ragged: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'datamap-csv-cli-'));
  const lines = readFileSync(CSV, 'utf8').split('\r\n');
  // shipped rows: header, QB-2001, QB-2002 (a quoted newline inside), QB-2003, QB-2004. Here:
  // header (1), QB-2001 (2), QB-9001 with 7 fields (3), QB-2002 (4-5), QB-2003 (6), QB-2004 (7),
  // QB-9002 one field short (8)
  const text = [lines[0], lines[1], 'QB-9001,open,2026-11-09,,10.00,QBC-1,Zed', lines[2], lines[3], lines[4], lines[1]!.replace('QB-2001', 'QB-9002').replace(/,[^,]*$/, '')].join('\r\n') + '\r\n';
  ragged = write('ragged.csv', text);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plan reads CSV', () => {
  it('chooses CSV by the .csv extension: every row of the shipped export plans valid, typed, masked; exit 0', async () => {
    const r = await run(['plan', MAP, '--input', CSV, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as PlanJson;
    expect(p.summary).toEqual({ records: 4, valid: 4, invalid: 0 });
    expect(p.records.map((x) => [x.key, x.line])).toEqual([['QB-2001', 2], ['QB-2002', 3], ['QB-2003', 5], ['QB-2004', 6]]);
    const body = p.records[0]!.steps[0]!.request!.body as { invoice: { amount: { value: unknown } }; paymentMethod: { billingAddress: { postalCode: unknown }; creditCard: Record<string, unknown> } };
    expect(body.invoice.amount.value).toBe(229.5);
    expect(body.paymentMethod.billingAddress.postalCode).toBe('04101');
    expect(body.paymentMethod.creditCard).toEqual({ paymentAccountNumber: '411111******1111', expirationDate: '0929', securityCode: '[redacted]' });
    expectNoCardData(r.stdout);
    const text = await run(['plan', MAP, '-i', CSV]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('4 records: 4 valid, 0 invalid');
    expectNoCardData(text.stdout);
  });

  it('--format csv reads standard input and files of any extension', async () => {
    const csv = readFileSync(CSV, 'utf8');
    const stdin = await run(['plan', MAP, '-i', '-', '--format', 'csv', '--json'], [csv.slice(0, 700), csv.slice(700)]);
    expect(stdin.code).toBe(0);
    expect((JSON.parse(stdin.stdout) as PlanJson).summary).toEqual({ records: 4, valid: 4, invalid: 0 });
    const txt = await run(['plan', MAP, '-i', write('export.txt', csv), '--format', 'CSV', '--json']);
    expect(txt.code).toBe(0);
    expect((JSON.parse(txt.stdout) as PlanJson).summary.valid).toBe(4);
  });

  it('--format json on a CSV file reads it as JSON (and says so per record); --format ndjson reads NDJSON', async () => {
    const r = await run(['plan', MAP, '-i', CSV, '--format', 'json', '--json']);
    expect(r.code).toBe(1);
    const p = JSON.parse(r.stdout) as PlanJson;
    expect(p.records[0]!.diagnostics[0]!.code).toBe('source/json-syntax');
    const nd = await run(['plan', FS_MAP, '-i', write('fs.data', (JSON.parse(readFileSync(FS_JSON, 'utf8')) as unknown[]).map((x) => JSON.stringify(x)).join('\n')), '--format', 'ndjson', '--json']);
    expect(nd.code).toBe(0);
    expect((JSON.parse(nd.stdout) as PlanJson).summary.valid).toBe(3);
  });

  it.each([['plan'], ['run'], ['explain']])('%s: an unknown --format is usage/invalid-argument, exit 2, before any record is read', async (cmd) => {
    const r = await run([cmd, MAP, '-i', CSV, '--format', 'xlsx']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage/invalid-argument');
    expect(r.stderr).toContain('--format must be one of csv, ndjson, json, not "xlsx"');
    expect(r.stdout).not.toContain('QB-2001');
  });

  it('a ragged row is one record/csv-ragged error with its line; every other row still plans; exit 1', async () => {
    const r = await run(['plan', MAP, '-i', ragged, '--json']);
    expect(r.code).toBe(1);
    const p = JSON.parse(r.stdout) as PlanJson;
    expect(p.summary).toEqual({ records: 6, valid: 4, invalid: 2 });
    expect(p.records.map((x) => x.ok)).toEqual([true, false, true, true, true, false]);
    expect(p.records[1]).toMatchObject({ index: 1, line: 3, ok: false, steps: [] });
    expect(p.records[1]!.diagnostics[0]).toMatchObject({ code: 'record/csv-ragged', message: 'Row at line 3 has 7 fields but the header has 24', location: { line: 3, column: 1 } });
    expect(p.records[5]!.diagnostics[0]).toMatchObject({ code: 'record/csv-ragged', message: 'Row at line 8 has 23 fields but the header has 24', location: { line: 8 } });
    expect(p.records.map((x) => x.line)).toEqual([2, 3, 4, 6, 7, 8]);
    const text = await run(['plan', MAP, '-i', ragged]);
    expect(text.stdout).toMatch(/Record 2 \(line 3\) {2}INVALID/);
    expect(text.stdout).toContain('error record/csv-ragged');
    expect(text.stdout).toContain(`${ragged}:3:1`);
  });

  it('a row in error is located by its line and never shown: no card number or security code from it in any output', async () => {
    const header = readFileSync(CSV, 'utf8').split('\r\n')[0]!;
    const file = write('secret-row.csv', `${header}\nQB-9,open,2026-11-09,,10.00,QBC-1,Zed,4111111111111111,987\n`);
    for (const args of [['plan', MAP, '-i', file], ['plan', MAP, '-i', file, '--json'], ['plan', MAP, '-i', file, '--summary']]) {
      const r = await run(args);
      expect(r.code).toBe(1);
      const all = r.stdout + r.stderr;
      expect(all).toContain('record/csv-ragged');
      expect(all).toMatch(/secret-row\.csv:2:1|"line":2/);
      expect(all).not.toMatch(/4111111111111111|411111\*+1111|\b987\b/);
    }
  });

  it('an unusable header is source/csv-header, exit 2', async () => {
    const r = await run(['plan', MAP, '-i', write('dup.csv', 'invoiceNumber,status,invoiceNumber\nA,open,B\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('source/csv-header');
    expect(r.stderr).toContain('"invoiceNumber" appears twice');
  });
});

describe('plan --summary and exit codes', () => {
  it('prints counts per record and per step, and the details of the invalid records only', async () => {
    const r = await run(['plan', MAP, '-i', ragged, '--summary']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('6 records: 4 valid, 2 invalid');
    expect(r.stdout).toMatch(/step sale {2}payments\.sale: 3 run, 1 skipped\n/);
    expect(r.stdout).toMatch(/Record 2 \(line 3\) {2}INVALID/);
    expect(r.stdout).toMatch(/Record 6 \(line 8\) {2}INVALID/);
    expect(r.stdout).not.toMatch(/(?<!IN)VALID\n/);
    expect(r.stdout).not.toMatch(/Record 1 /);
    expect(r.stdout).not.toContain('POST ');
    expectNoCardData(r.stdout);
  });

  it('--summary --json: only invalid records, and the counts with steps', async () => {
    const r = await run(['plan', MAP, '-i', ragged, '--summary', '--json']);
    expect(r.code).toBe(1);
    const p = JSON.parse(r.stdout) as PlanJson;
    expect(p.records.map((x) => x.index)).toEqual([1, 5]);
    expect(p.summary).toEqual({ records: 6, valid: 4, invalid: 2, steps: { sale: { operation: 'payments.sale', run: 3, skipped: 1, deferred: 0 } } });
  });

  it('--summary over a clean input: exit 0, no record details; deferred steps counted', async () => {
    const r = await run(['plan', MAP, '-i', CSV, '--summary']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('4 records: 4 valid, 0 invalid');
    expect(r.stdout).not.toContain('Record ');
    const inv = await run(['plan', join(repoRoot, 'mappings/field-service-to-invoiss.yaml'), '-i', FS_JSON, '--summary', '--json']);
    expect(inv.code).toBe(0);
    const steps = (JSON.parse(inv.stdout) as PlanJson).summary.steps!;
    expect(steps.findClient).toMatchObject({ run: 2, skipped: 1 });
    // createClient reads $steps.findClient, so a dry run cannot decide it, paid invoice or not
    expect(steps.createClient!.deferred).toBe(3);
  });

  it('exit 2 for an unusable map or input; the codes are in --help', async () => {
    expect((await run(['plan', join(dir, 'missing.yaml'), '-i', CSV])).code).toBe(2);
    expect((await run(['plan', MAP, '-i', join(dir, 'missing.csv')])).code).toBe(2);
    const help = await run(['plan', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 every record valid; 1 any record invalid; 2 unusable Data Map, input or options.');
    expect(help.stdout).toContain('--summary');
    expect(help.stdout).toContain('--format <format>');
  });
});

describe('explain and run read CSV', () => {
  it('explain --record 2 of a CSV: the quoted multi-line row, by its line', async () => {
    const r = await run(['explain', MAP, '-i', CSV, '--record', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(line 3)');
    expect(r.stdout).toContain('QB-2002');
    expectNoCardData(r.stdout);
  });

  describe('run against the sandbox', () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await startSandbox({ seed: 'csv' });
    });
    afterAll(() => sandbox.close());

    it('runs every row for real: approval, decline, skip, approval; a ragged row fails alone', async () => {
      const r = await run(['run', MAP, '-i', ragged, '--base-url', sandbox.baseUrls.revolv3, '--no-journal', '--settle-window', '0', '--json'], [], { ...sandbox.credentials });
      expect(r.code).toBe(1);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { key?: string; outcome?: string; index?: number; diagnostics?: Array<{ code: string }> });
      // results stream as records end (several may be in flight): put them back in input order
      const results = lines.filter((l) => l.outcome !== undefined).sort((a, b) => a.index! - b.index!);
      expect(results.map((x) => x.index)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(results.map((x) => [x.key ?? null, x.outcome])).toEqual([
        ['QB-2001', 'succeeded'],
        [null, 'failed'],
        ['QB-2002', 'declined'],
        ['QB-2003', 'skipped'],
        ['QB-2004', 'succeeded'],
        [null, 'failed'],
      ]);
      expect(JSON.stringify(results[1])).toContain('record/csv-ragged');
      const charges = sandbox.ledger().filter((e) => e.kind === 'charge');
      expect(charges.map((e) => [e.merchantReference, e.approved]).sort()).toEqual([['QB-2001', true], ['QB-2002', false], ['QB-2004', true]]);
      expectNoCardData(r.stdout + r.stderr);
    });
  });
});

describe('datamap sandbox --rate-limit', () => {
  /** Starts `datamap sandbox` in-process; resolves once it printed its banner. */
  async function startCli(args: string[]): Promise<{ out: () => string; stop: () => Promise<number> }> {
    let out = '';
    let signal: ((s: 'SIGINT' | 'SIGTERM') => void) | undefined;
    let printed: () => void = () => {};
    const banner = new Promise<void>((r) => { printed = r; });
    const io: CliIo = {
      stdout: (t) => { out += t; printed(); },
      stderr: (t) => { out += t; printed(); },
      stdin: Readable.from([]),
      env: {},
      now: Date.now,
      onSignal: (h) => { signal = h; return () => { signal = undefined; }; },
    };
    const done = main(['sandbox', ...args], io);
    await Promise.race([banner, done]);
    return { out: () => out, stop: async () => { signal?.('SIGINT'); return done; } };
  }

  /** n GETs in a row with the Revolv3 sandbox credential (fixed and public, see docs/sandbox.md). */
  async function burst(url: string, n: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${url}/api/Invoices/999999`, { headers: { 'x-revolv3-token': DEFAULT_CREDENTIALS.REVOLV3_TOKEN } });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await res.arrayBuffer();
    }
    return statuses;
  }

  const urlOf = (out: string): string => /Revolv3 base URL: (\S+)/.exec(out)![1]!;

  it('--rate-limit 3: the fourth request within a second gets 429 with Retry-After; the banner says so', async () => {
    const cli = await startCli(['--rate-limit', '3']);
    try {
      expect(cli.out()).toContain('rate limit: 3 requests per second per credential');
      const statuses = await burst(urlOf(cli.out()), 4);
      expect(statuses.slice(0, 3)).not.toContain(429);
      expect(statuses.slice(0, 3)).not.toContain(401);
      expect(statuses[3]).toBe(429);
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });

  it('--rate-limit 0 turns the limit off; the default is 20', async () => {
    const off = await startCli(['--rate-limit', '0']);
    try {
      expect(off.out()).toContain('rate limit: off');
      expect((await burst(urlOf(off.out()), 30)).filter((s) => s === 429)).toEqual([]);
    } finally {
      await off.stop();
    }
    const def = await startCli([]);
    try {
      expect(def.out()).toContain('rate limit: 20 requests per second per credential');
    } finally {
      await def.stop();
    }
  });

  it.each([['-1'], ['2.5'], ['fast'], ['1000001']])('--rate-limit %s is usage/invalid-argument, exit 2, nothing listens', async (v) => {
    const r = await run(['sandbox', '--rate-limit', v]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage/invalid-argument');
    expect(r.stderr).toContain('--rate-limit must be a whole number from 0 to 1000000');
    expect(r.stdout).not.toContain('listening');
  });
});
