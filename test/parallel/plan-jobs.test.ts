/**
 * `datamap plan --jobs N`: worker threads plan stretches of NDJSON lines, and what is printed —
 * every record, its index and line, its errors, the counts and the exit code — is exactly what
 * one thread prints, whatever the input holds (blank lines, bad JSON, bytes that are not UTF-8,
 * a record over two lines, two on one line, a forbidden key, a record cut short), wherever it
 * falls. The workers must really take part (DATAMAP_DEBUG=parallel says how the work was shared),
 * and a stretch that is not one record per line is read again by the main thread.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { runCli } from '../helpers/cli.js';
import { runCliProcess, ROOT } from '../helpers/spawn-cli.js';
import { rng } from '../helpers/seeded.js';
import { findCardNumbers } from '../../src/index.js';

const MAP = join(ROOT, 'mappings', 'field-service-to-revolv3.yaml');
const base = (JSON.parse(readFileSync(join(ROOT, 'examples', 'field-service', 'invoices.json'), 'utf8')) as Array<Record<string, unknown>>);
const dir = mkdtempSync(join(tmpdir(), 'datamap-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record = (i: number): Record<string, unknown> => ({ ...base[i % base.length]!, invoiceNumber: `JOBS-${i}` });

/**
 * `n` NDJSON lines of records, with odd lines among them after the first `clean` ones (so that
 * they fall in stretches the workers are sent), as bytes.
 */
function input(n: number, clean: number, seed: number): Buffer {
  const r = rng(seed);
  const parts: Buffer[] = [];
  const line = (s: string): void => { parts.push(Buffer.from(s + '\n')); };
  for (let i = 0; i < n; i++) {
    if (i < clean || r() > 0.02) {
      line(JSON.stringify(record(i)));
      continue;
    }
    switch (Math.floor(r() * 9)) {
      case 0: line(''); line('   '); break; // blank lines
      case 1: line('not json at all'); break;
      case 2: parts.push(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d, 0x0a])); break; // {"\xff\xfe":1} not UTF-8
      case 3: { const t = JSON.stringify(record(i), null, 2); line(t); break; } // one record over many lines
      case 4: line(JSON.stringify(record(i)) + ' ' + JSON.stringify(record(i + 1))); break; // two on one line
      case 5: line('{"__proto__":{"x":1},"invoiceNumber":"P"}'); break; // forbidden key
      case 6: line(JSON.stringify(record(i)).slice(0, 40)); break; // cut short, next line starts a record
      case 7: line(JSON.stringify({ ...record(i), total: 'lots' })); break; // invalid against the map
      case 8: line('[1,2]'); break; // an array as a record
    }
  }
  return Buffer.concat(parts);
}

function file(name: string, bytes: Buffer | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

// the workers start before anything is planned (else a fast main thread may plan all by itself)
const DEBUG = { DATAMAP_DEBUG: 'parallel-wait' };
// the README: a JSON/NDJSON file of 24 MiB or more is planned on worker threads by default
const PARALLEL_MIN_BYTES = 24 * 1024 * 1024;
const shared = (stderr: string): { workers: number; stretches: number; here: number; readAgain: number } => {
  const m = /plan used (\d+) of \d+ worker threads: (\d+) stretches planned by workers, (\d+) on the main thread, (\d+) read again on the main thread/.exec(stderr);
  if (!m) throw new Error(`no parallel report in: ${stderr}`);
  return { workers: Number(m[1]), stretches: Number(m[2]), here: Number(m[3]), readAgain: Number(m[4]) };
};

describe('datamap plan --jobs', () => {
  const mixed = file('mixed.ndjson', input(3000, 400, 7));

  it('prints exactly what one thread prints over odd input (JSON output), and the workers take part', async () => {
    const one = await runCli(['plan', MAP, '--input', mixed, '--json', '--jobs', '1']);
    const two = await runCli(['plan', MAP, '--input', mixed, '--json', '--jobs', '3'], { env: DEBUG });
    expect(one.code).toBe(1);
    expect(two.code).toBe(one.code);
    expect(two.stdout).toBe(one.stdout);
    const out = JSON.parse(one.stdout) as { records: Array<{ diagnostics: Array<{ code: string }> }>; summary: { records: number; invalid: number } };
    // the odd lines are there and reported
    const codes = new Set(out.records.flatMap((r) => r.diagnostics.map((d) => d.code)));
    for (const c of ['source/json-syntax', 'record/invalid-utf8', 'record/forbidden-key']) expect(codes.has(c), c).toBe(true);
    expect(out.summary.records).toBeGreaterThan(2900);
    // what the workers printed is masked as the main thread masks it: no full card number, no security code
    expect(findCardNumbers(two.stdout)).toEqual([]);
    expect(two.stdout).not.toMatch(/"(123|456|737)"/);
    const s = shared(two.stderr);
    expect(s.workers).toBeGreaterThanOrEqual(1);
    expect(s.stretches).toBeGreaterThan(3);
    // a record over several lines or two on one line sends the main thread back over a stretch
    expect(s.readAgain).toBeGreaterThan(0);
  }, 60_000);

  it('prints the same text and summary output as one thread', async () => {
    for (const extra of [[], ['--summary'], ['--summary', '--json']]) {
      const one = await runCli(['plan', MAP, '--input', mixed, '--jobs', '1', ...extra]);
      const three = await runCli(['plan', MAP, '--input', mixed, '--jobs', '3', ...extra], { env: DEBUG });
      expect(three.stdout, extra.join(' ')).toBe(one.stdout);
      expect(three.code).toBe(one.code);
    }
  }, 90_000);

  it('over clean NDJSON, stretches are planned by the worker and the main thread and none is read again', async () => {
    const clean = file('clean.ndjson', input(2500, 2500, 1));
    const one = await runCli(['plan', MAP, '--input', clean, '--json', '--jobs', '1']);
    const two = await runCli(['plan', MAP, '--input', clean, '--json', '--jobs', '2'], { env: DEBUG });
    expect(two.stdout).toBe(one.stdout);
    expect(two.code).toBe(0);
    const s = shared(two.stderr);
    expect(s.readAgain).toBe(0);
    expect(s.stretches).toBeGreaterThan(0);
    // 2500 records of ~700 bytes in 64 KiB chunks: some 27 chunks, the first read line by line here
    expect(s.stretches + s.here).toBeGreaterThan(20);
  }, 60_000);

  it('a JSON array, a file without a final newline and CSV plan the same with --jobs', async () => {
    const array = file('array.json', JSON.stringify(Array.from({ length: 600 }, (_, i) => record(i)), null, 1));
    const noNewline = file('tail.ndjson', input(800, 800, 3).toString('utf8').trimEnd());
    for (const f of [array, noNewline]) {
      const one = await runCli(['plan', MAP, '--input', f, '--json', '--jobs', '1']);
      const two = await runCli(['plan', MAP, '--input', f, '--json', '--jobs', '2'], { env: DEBUG });
      expect(two.stdout, f).toBe(one.stdout);
      expect(two.code).toBe(one.code);
    }
    // CSV is always read on one thread
    const csvMap = join(ROOT, 'mappings', 'quickbooks-csv-to-revolv3.yaml');
    const csv = join(ROOT, 'examples', 'quickbooks-csv', 'invoices.csv');
    const one = await runCli(['plan', csvMap, '--input', csv, '--json', '--jobs', '1']);
    const two = await runCli(['plan', csvMap, '--input', csv, '--json', '--jobs', '2'], { env: DEBUG });
    expect(two.stdout).toBe(one.stdout);
    expect(two.code).toBe(0);
    expect(two.stderr).not.toMatch(/worker threads/);
  }, 60_000);

  it('rejects a --jobs that is not a whole number from 1 (exit 2, a usage error and a hint)', async () => {
    for (const bad of ['0', '-2', 'many', '1.5']) {
      const r = await runCli(['plan', MAP, '--input', mixed, '--jobs', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/--jobs/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('the real command line plans a large NDJSON file with workers by default and prints what --jobs 1 prints', async () => {
    // 24 MiB or more: workers start by themselves (one per CPU, at most 4)
    const big = file('big.ndjson', input(52_000, 52_000, 5));
    expect(readFileSync(big).length).toBeGreaterThanOrEqual(PARALLEL_MIN_BYTES);
    const auto = await runCliProcess(['plan', MAP, '--input', big, '--json'], DEBUG);
    const one = await runCliProcess(['plan', MAP, '--input', big, '--json', '--jobs', '1'], DEBUG);
    expect(auto.code).toBe(0);
    expect(one.code).toBe(0);
    // (the map reads no $now(), so the real clock changes nothing)
    expect(auto.stdout.length).toBeGreaterThan(1000);
    expect(auto.stdout).toBe(one.stdout);
    expect(one.stderr).not.toMatch(/worker threads/);
    expect(shared(auto.stderr).stretches).toBeGreaterThan(0);
  }, 120_000);

  it('a smaller file is planned on one thread by default (workers would cost more than they save), and --jobs still starts them', async () => {
    const mid = file('mid.ndjson', input(2200, 2200, 5));
    expect(readFileSync(mid).length).toBeGreaterThan(1024 * 1024);
    expect(readFileSync(mid).length).toBeLessThan(PARALLEL_MIN_BYTES);
    const auto = await runCliProcess(['plan', MAP, '--input', mid, '--json'], DEBUG);
    const two = await runCliProcess(['plan', MAP, '--input', mid, '--json', '--jobs', '2'], DEBUG);
    expect(auto.code).toBe(0);
    expect(auto.stderr).not.toMatch(/worker threads/);
    expect(two.stdout).toBe(auto.stdout);
    expect(shared(two.stderr).workers).toBe(1);
    // without DATAMAP_DEBUG nothing is said about threads
    const plain = await runCliProcess(['plan', MAP, '--input', mid, '--json', '--jobs', '2'], {});
    expect(plain.stdout).toBe(auto.stdout);
    expect(plain.stderr).toBe('');
  }, 60_000);

  it('workers start before the map is loaded: a map that cannot be used still exits 2 with what --jobs 1 says, and the process ends', async () => {
    const big = file('big-bad.ndjson', input(2200, 2200, 9));
    const broken = file('broken.yaml', readFileSync(MAP, 'utf8').replace('version: 1', 'version: [1'));
    const settings = join(ROOT, 'mappings', 'field-service-to-invoiss.yaml');
    const missing = join(dir, 'missing.ndjson');
    // the last: the map loads (in the worker too) but the input is missing
    for (const [map, input, extra] of [[broken, big, []], [settings, big, ['--set', 'nonsense']], [join(dir, 'missing.yaml'), big, []], [MAP, missing, []]] as Array<[string, string, string[]]>) {
      const started = Date.now();
      const two = await runCliProcess(['plan', map, '--input', input, '--json', '--jobs', '2', ...extra], {});
      const one = await runCliProcess(['plan', map, '--input', input, '--json', '--jobs', '1', ...extra], {});
      expect(two.code, map).toBe(2);
      expect(two.stderr, map).toBe(one.stderr);
      expect(two.stdout, map).toBe(one.stdout);
      expect(two.stderr).not.toMatch(/\n\s+at /);
      // the workers were stopped: the process does not wait on them
      expect(Date.now() - started).toBeLessThan(30_000);
    }
  }, 90_000);
});
