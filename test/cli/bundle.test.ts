/**
 * The bundled command line (dist/cli-bundle/main.cjs, what bin/datamap.js starts, compiled from
 * the V8 code cache beside it) answers exactly as the modules it was bundled from (dist/cli): the
 * same text, the same exit codes, for help, validate in every format over the shipped maps, their
 * tests and the invalid fixtures, plan, explain, test, providers and usage errors — loaded as a
 * plain module and through the launcher with its code cache. The launcher uses the cache (V8
 * accepts it), still starts when V8 refuses it, and falls back to the modules when the bundle is
 * older than them (a `tsc` alone does not rebuild it).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function node(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, args, { cwd, env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => res({ code: typeof err?.code === 'number' ? err.code : err ? -1 : 0, stdout, stderr }));
  });
}

/** Runs CLI commands in one process through the given entry's main(), with a frozen clock and no environment. */
const PROBE = `
  const entry = process.argv[1];
  let main;
  if (entry.endsWith('launch.cjs')) {
    // as bin/datamap.js starts it: the bundle compiled with its code cache
    const vm = await import('node:vm');
    const Script = vm.default.Script;
    let rejected;
    vm.default.Script = class extends Script { constructor(...a) { super(...a); rejected = a[1]?.cachedData ? this.cachedDataRejected : 'no cache'; } };
    const { createRequire } = await import('node:module');
    main = await createRequire(import.meta.url)(entry).loadMain();
    vm.default.Script = Script;
    if (rejected !== false) throw new Error('code cache not used: ' + rejected);
  } else {
    ({ main } = await import(entry));
  }
  const { Readable } = await import('node:stream');
  const out = [];
  for (const cmd of JSON.parse(process.argv[2])) {
    let stdout = '';
    let stderr = '';
    const io = { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, stdin: Readable.from([]), env: {}, now: () => Date.UTC(2026, 10, 5) };
    const code = await main(cmd, io);
    out.push({ cmd, code, stdout, stderr });
  }
  process.stdout.write(JSON.stringify(out));
`;

const maps = readdirSync(join(root, 'mappings')).filter((f) => f.endsWith('.yaml')).map((f) => join(root, 'mappings', f));
const invalid = readdirSync(join(root, 'test', 'fixtures', 'invalid')).map((d) => join(root, 'test', 'fixtures', 'invalid', d));
const fs = join(root, 'mappings', 'field-service-to-revolv3.yaml');
const invoices = join(root, 'examples', 'field-service', 'invoices.json');
const COMMANDS = [
  ['--help'], ['--version'], ['validate', '--help'], ['run', '--help'], ['nope'], ['plan', fs],
  ['validate', ...maps], ['validate', '--json', ...maps], ['validate', '--format', 'sarif', ...maps], ['validate', '--format', 'junit', ...maps], ['validate', '--format', 'github', ...maps],
  ['validate', ...invalid], ['validate', '--json', ...invalid],
  ['plan', fs, '--input', invoices], ['plan', fs, '--input', invoices, '--json'], ['plan', fs, '--input', invoices, '--summary'],
  ['plan', join(root, 'mappings', 'shopify-to-invoiss.yaml'), '--input', join(root, 'examples', 'shopify', 'orders.json'), '--json'],
  ['explain', fs, '--input', invoices], ['test', join(root, 'mappings')], ['providers'], ['providers', 'revolv3', 'payments.sale'],
];

describe('the bundled command line', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'datamap-bundle-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('gives the same output and exit codes as the modules it was bundled from', async () => {
    const run = (entry: string) => node(['--input-type=module', '-e', PROBE, entry, JSON.stringify(COMMANDS)], scratch);
    const [bundled, launched, modules] = await Promise.all([run(join(root, 'dist', 'cli-bundle', 'main.cjs')), run(join(root, 'bin', 'launch.cjs')), run(join(root, 'dist', 'cli', 'main.js'))]);
    expect(bundled.stderr).toBe('');
    expect(launched.stderr).toBe('');
    const a = JSON.parse(bundled.stdout) as Array<{ cmd: string[]; code: number; stdout: string; stderr: string }>;
    const c = JSON.parse(launched.stdout) as typeof a;
    const b = JSON.parse(modules.stdout) as typeof a;
    expect(a).toHaveLength(COMMANDS.length);
    for (let i = 0; i < a.length; i++) {
      expect(a[i], a[i]!.cmd.join(' ')).toEqual(b[i]);
      expect(c[i], c[i]!.cmd.join(' ')).toEqual(b[i]);
    }
    // the commands did something: valid and invalid maps, records planned, tests run
    expect(a.map((r) => r.code)).toContain(0);
    expect(a.map((r) => r.code)).toContain(2);
    expect(a.find((r) => r.cmd[0] === 'plan' && r.cmd.includes('--json'))!.stdout.length).toBeGreaterThan(1000);
  }, 120_000);

  it('is what bin/datamap.js starts, with its code cache; not when it is older than the modules', async () => {
    const copy = join(scratch, 'pkg');
    for (const d of ['dist', 'schemas', 'providers', 'mappings', 'bin']) cpSync(join(root, d), join(copy, d), { recursive: true, preserveTimestamps: true });
    cpSync(join(root, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
    // reports which entry modules are resolved and whether V8 took the bundle's code cache
    const probe = [
      `import { register } from 'node:module'; import vm from 'node:vm';`,
      `register('data:text/javascript,' + encodeURIComponent('export async function resolve(s, c, next) { const r = await next(s, c); if (/dist\\\\/cli\\\\/main\\\\.js$/.test(r.url)) process.stderr.write("entry " + r.url + "\\\\n"); return r; }'));`,
      `const Script = vm.Script; vm.Script = class extends Script { constructor(...a) { super(...a); process.stderr.write('script ' + a[1].filename + ' cache ' + (a[1].cachedData ? (this.cachedDataRejected ? 'refused' : 'used') : 'none') + '\\\\n'); } };`,
    ].join('\n');
    const start = () => node(['--import', `data:text/javascript,${encodeURIComponent(probe)}`, join(copy, 'bin', 'datamap.js'), 'validate', join(copy, 'mappings', 'field-service-to-revolv3.yaml')], scratch);
    const fresh = await start();
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toContain('0 errors');
    expect(fresh.stderr).toMatch(/script .*\/dist\/cli-bundle\/main\.cjs cache used/);
    expect(fresh.stderr).not.toMatch(/\/dist\/cli\/main\.js/);
    // the generated validators it loads come from their code caches too (dist/validators/*.cjs.cache)
    expect(fresh.stderr).toMatch(/script .*\/dist\/validators\/[^ ]+\.cjs cache used/);
    expect(fresh.stderr).not.toMatch(/validators\/[^ ]+ cache (refused|none)/);
    // a validator's cache refused or missing: the same answer, compiled from its file
    const validatorCaches = readdirSync(join(copy, 'dist', 'validators')).filter((f) => f.endsWith('.cjs.cache'));
    expect(validatorCaches.length).toBeGreaterThan(10);
    for (const [i, f] of validatorCaches.entries()) {
      const path = join(copy, 'dist', 'validators', f);
      if (i % 2 === 0) writeFileSync(path, Buffer.from(readFileSync(path).subarray(0, 4096)).fill(7, 64));
      else rmSync(path);
    }
    const noValidatorCache = await start();
    expect(noValidatorCache.code, noValidatorCache.stderr).toBe(0);
    expect(noValidatorCache.stdout).toBe(fresh.stdout);
    expect(noValidatorCache.stderr).toMatch(/validators\/[^ ]+ cache (refused|none)/);
    expect(noValidatorCache.stderr).not.toMatch(/validators\/[^ ]+ cache used/);
    // a cache V8 refuses (another Node, or damaged): the bundle still starts, compiled as usual
    const cache = join(copy, 'dist', 'cli-bundle', 'main.cjs.cache');
    const good = readFileSync(cache);
    writeFileSync(cache, Buffer.from(good.subarray(0, 4096)).fill(7, 64));
    const refused = await start();
    expect(refused.code, refused.stderr).toBe(0);
    expect(refused.stdout).toBe(fresh.stdout);
    expect(refused.stderr).toMatch(/cli-bundle\/main\.cjs cache refused/);
    rmSync(cache);
    const none = await start();
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe(fresh.stdout);
    expect(none.stderr).toMatch(/cli-bundle\/main\.cjs cache none/);
    // the modules rebuilt after the bundle (tsc alone): the launcher takes them
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(copy, 'dist', 'cli', 'main.js'), later, later);
    const stale = await start();
    expect(stale.code, stale.stderr).toBe(0);
    expect(stale.stdout).toBe(fresh.stdout);
    expect(stale.stderr).toMatch(/entry file:.*\/dist\/cli\/main\.js/);
    expect(stale.stderr).not.toMatch(/cli-bundle/);
  }, 120_000);
});
