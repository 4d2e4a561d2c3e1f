/**
 * When standard output is a regular file, the command line writes its text straight to the file
 * (fs.writeSync) instead of through process.stdout. What lands in the file must be byte for byte
 * what a pipe receives: JSON and text (which holds non-ASCII characters), on one thread and with
 * worker threads (`--jobs 2`), and the output of other commands too. Each command
 * runs as a user starts it: bin/datamap.js in a fresh process.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin', 'datamap.js');
const scratch = mkdtempSync(join(tmpdir(), 'datamap-stdout-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const map = join(root, 'mappings', 'field-service-to-revolv3.yaml');
const invoices = JSON.parse(readFileSync(join(root, 'examples', 'field-service', 'invoices.json'), 'utf8')) as Array<Record<string, unknown>>;
// over 1 MiB (planned with `--jobs 2` on worker threads); every 97th record lacks its customer (invalid)
const big = join(scratch, 'big.ndjson');
const lines: string[] = [];
for (let i = 0; lines.join('\n').length < 1_300_000 && i < 20_000; i++) {
  const r: Record<string, unknown> = { ...invoices[i % invoices.length]!, invoiceNumber: `OUT-${i}` };
  if (i % 97 === 0) delete r.customer;
  lines.push(JSON.stringify(r));
}
writeFileSync(big, lines.join('\n') + '\n');

interface Ran { code: number; stdout: Buffer; stderr: string }

/** Runs the command with stdout to a pipe, or to the file `toFile`. */
function run(args: string[], toFile?: string): Promise<Ran> {
  return new Promise((res, rej) => {
    const fd = toFile === undefined ? undefined : openSync(toFile, 'w');
    const child = spawn(process.execPath, [bin, ...args], { cwd: scratch, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', fd ?? 'pipe', 'pipe'] });
    if (fd !== undefined) closeSync(fd);
    const out: Buffer[] = [];
    let err = '';
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code: code ?? -1, stdout: toFile === undefined ? Buffer.concat(out) : readFileSync(toFile), stderr: err }));
  });
}

async function samePipedAndFiled(args: string[], name: string): Promise<Ran> {
  const piped = await run(args);
  const filed = await run(args, join(scratch, `${name}.out`));
  expect(filed.code).toBe(piped.code);
  expect(filed.stderr).toBe(piped.stderr);
  expect(filed.stdout.length).toBe(piped.stdout.length);
  expect(filed.stdout.equals(piped.stdout)).toBe(true);
  return filed;
}

describe('standard output to a file', () => {
  it('datamap plan --json over a large NDJSON file (worker threads): the same bytes as through a pipe', async () => {
    const r = await samePipedAndFiled(['plan', map, '--input', big, '--json', '--jobs', '2'], 'plan-json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout.toString('utf8')) as { records: unknown[]; summary: { records: number; invalid: number } };
    expect(doc.records).toHaveLength(lines.length);
    expect(doc.summary.records).toBe(lines.length);
    expect(doc.summary.invalid).toBe(Math.ceil(lines.length / 97));
  }, 120_000);

  it('datamap plan as text, one thread: the same bytes (non-ASCII included) as through a pipe', async () => {
    const r = await samePipedAndFiled(['plan', map, '--input', big, '--jobs', '1'], 'plan-text');
    const text = r.stdout.toString('utf8');
    expect(text).toContain('—');
    expect(text).toContain(`${lines.length} records:`);
  }, 120_000);

  it('datamap validate and --help: the same bytes as through a pipe', async () => {
    const v = await samePipedAndFiled(['validate', map], 'validate');
    expect(v.code).toBe(0);
    expect(v.stdout.length).toBeGreaterThan(0);
    const h = await samePipedAndFiled(['--help'], 'help');
    expect(h.stdout.toString()).toContain('plan');
  }, 60_000);
});
