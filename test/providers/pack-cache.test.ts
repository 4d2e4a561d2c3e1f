/**
 * The shipped packs as `npm run build` writes them (dist/packs/<name>.json): exactly the packs
 * their YAML parses into, used only while the YAML file has the text they came from — a pack
 * edited after the build is parsed from its file, never answered by the stale JSON — and checked
 * again when the pack schema changed since the build.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { listProviders, loadPack } from '../../src/providers/registry.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function node(args: string[], cwd: string): Promise<string> {
  return new Promise((res, rej) => {
    execFile(process.execPath, args, { cwd, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 }, (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout)));
  });
}

describe('provider packs built into dist/packs', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'datamap-packs-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it.each(listProviders())('%s: the built JSON is the pack its YAML parses into', (name) => {
    const built = JSON.parse(readFileSync(join(root, 'dist', 'packs', `${name}.json`), 'utf8')) as { text: string; pack: unknown };
    expect(built.pack).toStrictEqual(loadPack(name, false));
    // the exact text it came from, which a start compares its file with
    expect(built.text).toBe(readFileSync(join(root, 'providers', `${name}.yaml`), 'utf8'));
    expect(loadPack(name, true)).toStrictEqual(loadPack(name, false));
  });

  it('is read only while the YAML is unchanged: an edited pack is parsed from its file', async () => {
    const copy = join(scratch, 'pkg');
    for (const d of ['dist', 'schemas', 'providers']) cpSync(join(root, d), join(copy, d), { recursive: true });
    cpSync(join(root, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const probe = `const m = await import(${JSON.stringify(join(copy, 'dist', 'providers', 'registry.js'))}); console.log(JSON.stringify(['revolv3', 'invoiss'].map((n) => m.getProvider(n).title)));`;
    // the built JSON is what a start reads: a marked title in it shows up
    const file = join(copy, 'dist', 'packs', 'invoiss.json');
    const built = JSON.parse(readFileSync(file, 'utf8')) as { text: string; pack: { title: string } };
    built.pack.title = 'Invoiss (from the build)';
    writeFileSync(file, JSON.stringify(built));
    // the revolv3 YAML is edited after the build: its built JSON no longer applies
    const yamlFile = join(copy, 'providers', 'revolv3.yaml');
    writeFileSync(yamlFile, readFileSync(yamlFile, 'utf8').replace(/^title: Revolv3$/m, 'title: Revolv3 (edited)'));
    const out = await node(['--input-type=module', '-e', probe], scratch);
    expect(JSON.parse(out.trim())).toEqual(['Revolv3 (edited)', 'Invoiss (from the build)']);
  });

  it('is checked again against a pack schema changed after the build', async () => {
    const copy = join(scratch, 'pkg2');
    for (const d of ['dist', 'schemas', 'providers']) cpSync(join(root, d), join(copy, d), { recursive: true });
    cpSync(join(root, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
    // the packs' titles are longer than the edited schema now allows
    const schemaFile = join(copy, 'schemas', 'provider-pack.schema.json');
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { properties: { title: Record<string, unknown> } };
    schema.properties.title.maxLength = 3;
    writeFileSync(schemaFile, JSON.stringify(schema, null, 2));
    const probe = `const m = await import(${JSON.stringify(join(copy, 'dist', 'providers', 'registry.js'))}); try { m.getProvider('invoiss'); console.log('loaded'); } catch (e) { console.log(JSON.stringify(e.diagnostics.map((d) => d.message))); }`;
    const out = await node(['--input-type=module', '-e', probe], scratch);
    expect(out.trim()).toMatch(/Provider pack invoiss: .*title.*3/);
  });
});
