/**
 * Validators generated at build time (`npm run build` → dist/validators, AJV standalone code):
 * they answer exactly as validators compiled at run time; a start that finds them does not load
 * AJV's compiler at all (`validate` and `plan` of every shipped map); and a schema edited after
 * the build is compiled from the file, never answered by a stale generated validator.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataMap } from '../../src/index.js';
import { createAjv } from '../../src/schemas/ajv-config.js';
import { rng } from '../helpers/seeded.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const generated = join(root, 'dist', 'validators');
const require = createRequire(import.meta.url);
type Validate = ((data: unknown) => boolean) & { errors?: unknown };

interface Index { shippedHash: string; ajvConfigId: string; files: Record<string, string>; standalone: Record<string, string> }
const index = JSON.parse(readFileSync(join(generated, 'index.json'), 'utf8')) as Index;

function listJson(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listJson(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : []));
}
const shipped = listJson(join(root, 'schemas')).map((f) => ({ rel: f.slice(join(root, 'schemas').length + 1), schema: JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown> }));

/**
 * Values shaped by a schema (its properties, items, enums, types), mostly close to valid, often
 * not: wrong types, missing and extra keys, long strings, numbers with a float artifact.
 */
function sample(schema: unknown, doc: Record<string, unknown>, r: () => number, depth = 0): unknown {
  let s = schema as Record<string, unknown> | undefined;
  for (let i = 0; i < 5 && s && typeof s.$ref === 'string'; i++) {
    const [file, pointer] = (s.$ref as string).split('#');
    const target = file ? shipped.find((x) => x.rel.endsWith(file))?.schema : doc;
    s = (pointer ?? '').split('/').filter(Boolean).reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], target) as Record<string, unknown> | undefined;
  }
  const scalars = [null, true, 0, -1, 12.5, 30.990000000000002, 1e21, '', 'x', 'a'.repeat(300), '2026-11-05', 'dana@example.com', '4111111111111111'];
  if (!s || depth > 6 || r() < 0.08) return scalars[Math.floor(r() * scalars.length)];
  const pick = (s.oneOf ?? s.anyOf ?? s.allOf) as unknown[] | undefined;
  if (pick && r() < 0.7) return sample(pick[Math.floor(r() * pick.length)], doc, r, depth + 1);
  if (Array.isArray(s.enum) && r() < 0.8) return s.enum[Math.floor(r() * s.enum.length)];
  if (s.const !== undefined && r() < 0.8) return s.const;
  const type = Array.isArray(s.type) ? s.type[Math.floor(r() * s.type.length)] : s.type ?? (s.properties ? 'object' : s.items ? 'array' : undefined);
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, sub] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) if (r() < 0.85) out[k] = sample(sub, doc, r, depth + 1);
      if (r() < 0.1) out.unexpectedKey = 1;
      return out;
    }
    case 'array':
      return Array.from({ length: Math.floor(r() * 3) }, () => sample(s.items, doc, r, depth + 1));
    case 'integer': return Math.floor(r() * 2000) - 100;
    case 'number': return [Math.round(r() * 100_000) / 100, 30.990000000000002, -5, 0.005][Math.floor(r() * 4)];
    case 'boolean': return r() < 0.5;
    case 'string': return ['', 'x', 'A1', 'US', 'USD', '2026-11-05', 'dana@example.com', 'b'.repeat(60), '12345'][Math.floor(r() * 9)];
    default: return scalars[Math.floor(r() * scalars.length)];
  }
}

describe('generated validators', () => {
  it('exist for every shipped schema, from the schemas on disk now', () => {
    for (const { rel } of shipped) expect(index.files[`shipped:${rel}`], rel).toBeDefined();
  });

  it('answer every value exactly as a validator compiled now: valid or not, and the same errors (seeded values, 300 per schema)', () => {
    const ajv = createAjv();
    for (const { schema } of shipped) ajv.addSchema(schema);
    let invalid = 0;
    for (const [n, { rel, schema }] of shipped.entries()) {
      const compiled = ajv.getSchema(schema.$id as string) as Validate;
      const fromBuild = require(join(generated, index.files[`shipped:${rel}`]!)) as Validate;
      const r = rng(1000 + n);
      for (let i = 0; i < 300; i++) {
        const value = sample(schema, schema, r);
        const a = compiled(value);
        const errorsA = structuredClone(compiled.errors ?? null);
        const b = fromBuild(value);
        expect({ rel, i, valid: b, errors: fromBuild.errors ?? null }).toEqual({ rel, i, valid: a, errors: errorsA });
        if (!a) invalid++;
      }
    }
    // the values test both answers, not only one
    expect(invalid).toBeGreaterThan(1000);
    expect(invalid).toBeLessThan(shipped.length * 300);
  });
});

function node(args: string[], cwd: string): Promise<string> {
  return new Promise((res, rej) => {
    execFile(process.execPath, args, { cwd, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 }, (err, stdout, stderr) => (err && !stdout ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout)));
  });
}

/** Runs CLI commands in one process, then says which AJV modules it loaded (and, with a log file, every module URL it resolved). */
const PROBE = `
  if (process.argv[3]) {
    const { register } = await import('node:module');
    const hook = 'import { appendFileSync } from "node:fs"; export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(' + JSON.stringify(process.argv[3]) + ', r.url + "\\\\n"); return r; }';
    register('data:text/javascript,' + encodeURIComponent(hook));
  }
  const { main } = await import(process.argv[1] + '/dist/cli/main.js');
  const { createRequire } = await import('node:module');
  const { Readable } = await import('node:stream');
  let text = '';
  const io = { stdout: (s) => { text += s; }, stderr: (s) => { text += s; }, stdin: Readable.from([]), env: {}, now: () => Date.UTC(2026, 10, 5) };
  const codes = [];
  for (const cmd of JSON.parse(process.argv[2])) codes.push(await main(cmd, io));
  const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => /node_modules\\/ajv\\/dist\\/(core|compile\\/index)\\.js$/.test(k));
  console.log(JSON.stringify({ codes, compilerLoaded: loaded.length > 0, text }));
`;

describe('a start with the generated validators', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'datamap-validators-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const maps = readdirSync(join(root, 'mappings')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'));

  it('does not load AJV\'s compiler, nor the HTTP client: validate of every shipped map and a plan over the sample invoices', async () => {
    const cmds = [['validate', ...maps.map((m) => join(root, 'mappings', m))], ['plan', join(root, 'mappings', 'field-service-to-revolv3.yaml'), '--input', join(root, 'examples', 'field-service', 'invoices.json'), '--json']];
    const log = join(scratch, 'modules.log');
    const out = await node(['--input-type=module', '-e', PROBE, root, JSON.stringify(cmds), log], scratch);
    const last = JSON.parse(out.trim().split('\n').at(-1)!) as { codes: number[]; compilerLoaded: boolean; text: string };
    expect(last.codes).toEqual([0, 0]);
    expect(last.compilerLoaded).toBe(false);
    const modules = readFileSync(log, 'utf8').split('\n');
    expect(modules.some((u) => u.endsWith('/dist/cli/commands/plan.js'))).toBe(true);
    expect(modules.filter((u) => /\/node_modules\/axios\/|\/dist\/(sandbox|journal|authoring\/init)|axios-transport/.test(u))).toEqual([]);
  });

  it('compiles a schema edited after the build from the file (a stale generated validator is not used)', async () => {
    // a copy of the package whose Revolv3 sale schema now allows one top-level key only (the
    // static checks do not look at maxProperties: only the payload validator can refuse it)
    const copy = join(scratch, 'pkg');
    for (const d of ['dist', 'schemas', 'providers', 'mappings', 'examples', 'bin']) cpSync(join(root, d), join(copy, d), { recursive: true });
    cpSync(join(root, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const file = join(copy, 'schemas', 'revolv3', 'payments.sale.request.json');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), maxProperties: 1 }, null, 2));
    expect(existsSync(join(copy, 'dist', 'validators', 'index.json'))).toBe(true);

    const plan = ['plan', join(copy, 'mappings', 'field-service-to-revolv3.yaml'), '--input', join(copy, 'examples', 'field-service', 'invoices.json')];
    const out = await node(['--input-type=module', '-e', PROBE, copy, JSON.stringify([plan])], scratch);
    const last = JSON.parse(out.trim().split('\n').at(-1)!) as { codes: number[]; compilerLoaded: boolean; text: string };
    expect(last.compilerLoaded).toBe(true);
    expect(last.codes).toEqual([1]);
    expect(last.text).toContain('must NOT have more than 1 properties');
  });

  it('finds a stand-alone schema\'s validator by its exact text, and only with the AJV configuration of the build', async () => {
    // a copy of the package whose generated validator of the field-service map's input schema
    // accepts anything: a plan shows whether it was used (a record with too long an invoice
    // number passes) or the schema was compiled (the record is refused)
    const copy = join(scratch, 'pkg-standalone');
    for (const d of ['dist', 'schemas', 'providers', 'mappings', 'examples', 'bin']) cpSync(join(root, d), join(copy, d), { recursive: true });
    cpSync(join(root, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const mapFile = join(copy, 'mappings', 'field-service-to-revolv3.yaml');
    const file = index.standalone[JSON.stringify(loadDataMap({ file: mapFile }).spec.input)];
    expect(file).toBeDefined();
    writeFileSync(join(copy, 'dist', 'validators', file!), 'const v = () => { v.errors = null; return true; };\nmodule.exports = v;\nmodule.exports.default = v;\n');
    rmSync(join(copy, 'dist', 'validators', `${file!}.cache`), { force: true });
    const invoices = JSON.parse(readFileSync(join(copy, 'examples', 'field-service', 'invoices.json'), 'utf8')) as Array<Record<string, unknown>>;
    invoices[0]!.invoiceNumber = 'X'.repeat(150);
    const input = join(copy, 'invoices.json');
    writeFileSync(input, JSON.stringify(invoices));
    const plan = async () => {
      const out = await node(['--input-type=module', '-e', PROBE, copy, JSON.stringify([['plan', mapFile, '--input', input]])], scratch);
      return (JSON.parse(out.trim().split('\n').at(-1)!) as { text: string }).text;
    };
    const refused = 'invoiceNumber must NOT have more than 100 characters';

    // the same text: the build's validator answers
    expect(await plan()).not.toContain(refused);
    // the schema built with another AJV configuration: compiled now
    const indexFile = join(copy, 'dist', 'validators', 'index.json');
    const built = readFileSync(indexFile, 'utf8');
    writeFileSync(indexFile, JSON.stringify({ ...(JSON.parse(built) as Index), ajvConfigId: 'ajv 0.0.0 {}' }));
    expect(await plan()).toContain(refused);
    // the map's input schema edited after the build (one more property): compiled now
    writeFileSync(indexFile, built);
    writeFileSync(mapFile, readFileSync(mapFile, 'utf8').replace(/^ {2}properties:\n/m, '  properties:\n    note: { type: string }\n'));
    expect(await plan()).toContain(refused);
  });
});
