/**
 * The package as a stranger gets it: `npm pack`, the tarball unpacked into a scratch project's
 * node_modules (its dependencies linked from ours: no network), then the shipped examples —
 * which import the package by its name — typechecked with tsc --strict and run, as an ES
 * module and as CommonJS. Also: what the tarball holds (and does not), its package.json,
 * the subpath exports, source maps, and the `datamap` command from the tarball.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };
const scratch = mkdtempSync(join(tmpdir(), 'datamap-consumer-'));
const installed = join(scratch, 'node_modules', pkg.name);
let files: string[] = [];

async function node(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return stdout;
}

beforeAll(async () => {
  // dist/ is fresh: test/global-setup.ts rebuilt it if any source is newer
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], { cwd: root, encoding: 'utf8' });
  const report = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  files = report[0]!.files.map((f) => f.path).sort();
  mkdirSync(join(scratch, 'node_modules'), { recursive: true });
  await run('tar', ['-xzf', join(scratch, report[0]!.filename), '-C', join(scratch, 'node_modules')]);
  renameSync(join(scratch, 'node_modules', 'package'), installed);
  // the package's dependencies (and @types/node for tsc), linked from this repository's install
  for (const dep of [...Object.keys(pkg.dependencies), '@types/node']) {
    const target = join(scratch, 'node_modules', dep);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(root, 'node_modules', dep), target, 'dir');
  }
  mkdirSync(join(scratch, 'esm'));
  mkdirSync(join(scratch, 'cjs'));
  writeFileSync(join(scratch, 'esm', 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(join(scratch, 'cjs', 'package.json'), JSON.stringify({ type: 'commonjs' }));
  copyFileSync(join(installed, 'examples', 'embed-plan.ts'), join(scratch, 'esm', 'embed-plan.ts'));
  copyFileSync(join(installed, 'examples', 'embed-validate.cts'), join(scratch, 'cjs', 'embed-validate.cts'));
  writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', outDir: 'out', rootDir: '.', types: ['node'], skipLibCheck: false, noUncheckedIndexedAccess: true },
    include: ['esm', 'cjs'],
  }));
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { [pkg.name]: pkg.version } }));
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm pack', () => {
  it('ships the build, the command, packs, schemas, maps, examples, licence and docs', () => {
    for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'SECURITY.md', 'docs/providers.md', 'docs/safety.md', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'bin/datamap.js', 'providers/revolv3.yaml', 'providers/invoiss.yaml', 'schemas/datamap.schema.json', 'schemas/revolv3/payments.sale.request.json', 'mappings/shopify-to-revolv3.yaml', 'examples/embed-plan.ts', 'examples/embed-validate.cts', 'examples/shopify/orders.json']) {
      expect(files, f).toContain(f);
    }
  });

  it('ships no sources, tests, CI files, or source maps (whose sources would be missing)', () => {
    expect(files.filter((f) => /^(src|test|bench|\.ci|scripts)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const withMapComment = files.filter((f) => f.endsWith('.js') && /sourceMappingURL=/.test(readFileSync(join(installed, f), 'utf8')));
    expect(withMapComment).toEqual([]);
  });

  it('has a package.json a stranger can publish: free name, MIT, repository, bugs, homepage, engines, bin', () => {
    const p = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(p).toMatchObject({ name: 'datamap-engine', license: 'MIT', bin: { datamap: 'bin/datamap.js' }, engines: { node: '>=20.19' } });
    expect(p.private).toBeUndefined();
    expect(p.repository).toMatchObject({ type: 'git', url: expect.stringMatching(/^git\+https:\/\//) });
    expect(p.bugs).toMatchObject({ url: expect.stringMatching(/^https:\/\//) });
    expect(p.homepage).toMatch(/^https:\/\//);
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });
});

describe('a scratch consumer project', () => {
  it('typechecks both examples with tsc --strict against the packed types', async () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await run(process.execPath, [tsc, '-p', scratch], { cwd: scratch, encoding: 'utf8' }).catch((e: { stdout: string; code: number }) => e);
    expect((r as { stdout: string }).stdout).toBe('');
    expect(existsSync(join(scratch, 'out', 'esm', 'embed-plan.js'))).toBe(true);
    expect(existsSync(join(scratch, 'out', 'cjs', 'embed-validate.cjs'))).toBe(true);
  }, 60_000);

  it('runs the ES module example: a dry run of the shipped map over the shipped orders', async () => {
    const out = await node([join('out', 'esm', 'embed-plan.js')], scratch);
    expect(out.trim().split('\n')).toEqual([
      'shopify-5871234567893  payment:run/valid  VALID',
      'shopify-5871234567904  payment:run/valid  VALID',
      'shopify-5871234567915  payment:run/valid  VALID',
    ]);
  });

  // src/expressions must stay free of top-level await: require() of such a module fails with
  // ERR_REQUIRE_ASYNC_MODULE.
  it('runs the CommonJS example: require() of the package checks every shipped map', async () => {
    const out = await node([join('out', 'cjs', 'embed-validate.cjs')], scratch);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('providers: invoiss, revolv3');
    expect(lines.slice(1).length).toBeGreaterThanOrEqual(4);
    for (const l of lines.slice(1)) expect(l).toMatch(/\.yaml: ok \((invoiss|revolv3), \d+ steps?\)$/);
  });

  it('resolves the subpath exports: package.json, schemas, packs', async () => {
    const script = `
      const p = require('datamap-engine/package.json');
      const s = require('datamap-engine/schemas/datamap.schema.json');
      const pack = require.resolve('datamap-engine/providers/revolv3.yaml');
      console.log(JSON.stringify({ version: p.version, schema: s.title, pack: require('node:fs').existsSync(pack) }));`;
    const out = await node(['-e', script], join(scratch, 'cjs'));
    expect(JSON.parse(out)).toEqual({ version: pkg.version, schema: 'datamap Data Map', pack: true });
    const esm = await node(['--input-type=module', '-e', "const m = await import('datamap-engine'); console.log(typeof m.loadDataMap, typeof m.runRecords, typeof m.startSandbox)"], join(scratch, 'esm'));
    expect(esm.trim()).toBe('function function function');
  });

  it('runs the datamap command from the tarball (version, validate of the shipped maps)', async () => {
    const bin = join(installed, 'bin', 'datamap.js');
    expect((await node([bin, '--version'], scratch)).trim()).toBe(pkg.version);
    const out = await node([bin, 'validate', join(installed, 'mappings')], scratch);
    expect(out.trim().split('\n').at(-1)).toMatch(/^\d+ files: 0 errors, 0 warnings$/);
  });
});
