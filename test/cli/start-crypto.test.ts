/**
 * A `datamap validate` or `plan` start does not load node:crypto (some 5 ms of every start): the
 * build's packs and validators are matched by their exact text, not by a hash, and in the bundle
 * the modules that use crypto load it on its first use. Each command runs as a user starts it
 * (bin/datamap.js, the bundle) in a fresh process, with a preload that reports at exit whether
 * Node loaded its crypto module. A `demo` (a real run against the sandbox: run ids from
 * randomBytes) does load it, and works. And, through the bundle too, a schema or a pack edited
 * after the build is answered from the file, never from the build's output.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const scratch = mkdtempSync(join(tmpdir(), 'datamap-crypto-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// a file, not `node -e`: Node's eval loads crypto itself
const preload = join(scratch, 'report-crypto.cjs');
writeFileSync(preload, "process.on('exit', () => process.stderr.write(`\\ncrypto loaded: ${process.moduleLoadList.includes('NativeModule crypto')}\\n`));\n");

interface Started { code: number; stdout: string; stderr: string; crypto: boolean }

/** `node bin/datamap.js <args>` of the package at `pkg`, in `cwd`, and whether it loaded node:crypto. */
function start(pkg: string, args: string[], cwd = scratch): Promise<Started> {
  return new Promise((res, rej) => {
    execFile(process.execPath, ['--require', preload, join(pkg, 'bin', 'datamap.js'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 }, (err, stdout, stderr) => {
      const m = /\ncrypto loaded: (true|false)\n$/.exec(stderr);
      if (!m) return rej(new Error(`no report from the preload: ${err?.message}\n${stderr}`));
      res({ code: typeof err?.code === 'number' ? err.code : err ? -1 : 0, stdout, stderr: stderr.slice(0, m.index), crypto: m[1] === 'true' });
    });
  });
}

const map = join(root, 'mappings', 'field-service-to-revolv3.yaml');
const invoices = join(root, 'examples', 'field-service', 'invoices.json');

describe('a start of the command line', () => {
  it('validate of a shipped map does not load node:crypto', async () => {
    const r = await start(root, ['validate', map]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('0 errors');
    expect(r.crypto).toBe(false);
  });

  it('plan of a shipped map over its sample records does not load node:crypto', async () => {
    const r = await start(root, ['plan', map, '--input', invoices, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(1000);
    expect(r.crypto).toBe(false);
  });

  it('a run loads it on its first use: the demo runs every shipped map against the sandbox, with random run ids', async () => {
    const cwd = mkdtempSync(join(scratch, 'demo-'));
    const r = await start(root, ['demo'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/replayed from r-[a-z0-9]+-[0-9a-f]{6}/);
    expect(r.crypto).toBe(true);
  });
});

describe('a start of the command line in a package edited after the build', () => {
  const copy = join(scratch, 'pkg');
  beforeAll(() => {
    // timestamps kept: bin/datamap.js starts the bundle only while it is not older than dist/cli
    for (const d of ['dist', 'schemas', 'providers', 'mappings', 'examples', 'bin']) cpSync(join(root, d), join(copy, d), { recursive: true, preserveTimestamps: true });
    cpSync(join(root, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  });
  const copyMap = join(copy, 'mappings', 'field-service-to-revolv3.yaml');
  const copyInvoices = join(copy, 'examples', 'field-service', 'invoices.json');

  it('reads a pack from the built JSON while its YAML is the build\'s, and from the edited YAML once it is not', async () => {
    // a marked title in the built invoiss JSON shows that it is what a start reads
    const json = join(copy, 'dist', 'packs', 'invoiss.json');
    const built = JSON.parse(readFileSync(json, 'utf8')) as { pack: { title: string } };
    built.pack.title = 'Invoiss (from the build)';
    writeFileSync(json, JSON.stringify(built));
    const yaml = join(copy, 'providers', 'revolv3.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/^title: Revolv3$/m, 'title: Revolv3 (edited)'));
    const r = await start(copy, ['providers']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('invoiss — Invoiss (from the build)');
    expect(r.stdout).toContain('revolv3 — Revolv3 (edited)');
  });

  it('validates with the edited shipped schema, not the generated validator', async () => {
    // the Revolv3 sale schema now allows one top-level key only (only the payload validator can refuse it)
    const file = join(copy, 'schemas', 'revolv3', 'payments.sale.request.json');
    const text = readFileSync(file, 'utf8');
    const before = await start(copy, ['plan', copyMap, '--input', copyInvoices]);
    expect(before.code, before.stderr).toBe(0);
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(text) as object), maxProperties: 1 }, null, 2));
    try {
      const r = await start(copy, ['plan', copyMap, '--input', copyInvoices]);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toContain('must NOT have more than 1 properties');
    } finally {
      writeFileSync(file, text);
    }
  });
});
