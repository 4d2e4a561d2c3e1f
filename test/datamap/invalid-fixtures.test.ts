/**
 * Data-driven suite of invalid Data Maps.
 *
 * Every `test/fixtures/invalid/<code with / as __>/<case>.yaml` has a sibling
 * `<case>.expected.json`: `{ "code", "line", "column" }` plus, optionally,
 * `messageIncludes`, `hintIncludes` and `neverPrinted` (texts, e.g. a literal secret, that the
 * CLI must never print for this file). Adding a case is adding those two files.
 *
 * The suite also checks that every user-facing code a Data Map file can cause has at least one
 * case (a folder, or one of the generated cases below for conditions a committed file cannot
 * show: a missing file and a file over the size limit).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOGUE, DEFAULT_LIMITS, checkDataMap, type Diagnostic, type ErrorCode } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fixturesRoot = join(repoRoot, 'test/fixtures/invalid');

interface Expected {
  code: string;
  line: number;
  column: number;
  messageIncludes?: string;
  hintIncludes?: string;
  neverPrinted?: string[];
}

interface FixtureCase {
  folder: string;
  /** The code the folder stands for. */
  code: string;
  name: string;
  file: string;
  expectedFile: string;
}

/** `datamap__unknown-operation` → `datamap/unknown-operation`. */
function codeOfFolder(folder: string): string {
  return folder.replace(/__/g, '/');
}

function discover(): FixtureCase[] {
  const cases: FixtureCase[] = [];
  for (const folder of readdirSync(fixturesRoot, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const f of readdirSync(join(fixturesRoot, folder)).filter((n) => n.endsWith('.yaml')).sort()) {
      const name = f.slice(0, -'.yaml'.length);
      cases.push({
        folder,
        code: codeOfFolder(folder),
        name,
        file: join(fixturesRoot, folder, f),
        expectedFile: join(fixturesRoot, folder, `${name}.expected.json`),
      });
    }
  }
  return cases;
}

const cases = discover();

function readExpected(c: FixtureCase): Expected {
  return JSON.parse(readFileSync(c.expectedFile, 'utf8')) as Expected;
}

function where(d: Diagnostic): string {
  return `${d.code} ${d.location ? `${d.location.line}:${d.location.column}` : '(no location)'}`;
}

describe('invalid Data Map fixtures', () => {
  it('has cases, each with an expected file whose code matches its folder', () => {
    expect(cases.length).toBeGreaterThan(40);
    for (const c of cases) {
      expect(existsSync(c.expectedFile), `${relative(repoRoot, c.expectedFile)} is missing`).toBe(true);
      const exp = readExpected(c);
      expect(exp.code, `${c.folder}/${c.name}.expected.json`).toBe(c.code);
      expect(Number.isInteger(exp.line) && exp.line >= 1, `${c.folder}/${c.name}: line`).toBe(true);
      expect(Number.isInteger(exp.column) && exp.column >= 1, `${c.folder}/${c.name}: column`).toBe(true);
    }
  });

  it('has no expected file without its Data Map, and only folders named after catalogue codes', () => {
    for (const folder of readdirSync(fixturesRoot)) {
      expect(Object.keys(CATALOGUE), `folder ${folder}`).toContain(codeOfFolder(folder));
      for (const f of readdirSync(join(fixturesRoot, folder)).filter((n) => n.endsWith('.expected.json'))) {
        expect(existsSync(join(fixturesRoot, folder, f.replace(/\.expected\.json$/, '.yaml'))), `${folder}/${f} has no .yaml`).toBe(true);
      }
    }
  });

  describe.each(cases.map((c) => [`${c.folder}/${c.name}`, c] as const))('%s', (_label, c) => {
    it('reports the expected code at the expected line and column', () => {
      const exp = readExpected(c);
      const { map, diagnostics } = checkDataMap({ file: c.file });
      expect(map, 'an invalid Data Map must not compile').toBeUndefined();
      expect(diagnostics.map(where)).toContain(`${exp.code} ${exp.line}:${exp.column}`);
      const hit = diagnostics.find((d) => d.code === exp.code && d.location?.line === exp.line && d.location.column === exp.column)!;
      expect(hit.severity).toBe('error');
      expect(hit.location?.file).toBe(c.file);
      if (exp.messageIncludes) expect(hit.message).toContain(exp.messageIncludes);
      if (exp.hintIncludes) expect(hit.hint).toContain(exp.hintIncludes);
    });

    it('gives only catalogue codes, never an internal error, each with a usable location', () => {
      const { diagnostics } = checkDataMap({ file: c.file });
      for (const d of diagnostics) {
        expect(Object.keys(CATALOGUE)).toContain(d.code);
        expect(d.code).not.toBe('internal/error');
        expect(d.hint.length).toBeGreaterThan(0);
        expect(d.location, where(d)).toBeDefined();
        expect(d.location!.line).toBeGreaterThanOrEqual(1);
        expect(d.location!.column).toBeGreaterThanOrEqual(1);
        // a location past the end of the file would show an empty code frame
        const lines = readFileSync(c.file, 'utf8').split(/\r?\n/);
        expect(d.location!.line, where(d)).toBeLessThanOrEqual(lines.length);
      }
    });

    it('is rejected by `datamap validate` (exit 2) without a stack trace or a secret in its output', async () => {
      const exp = readExpected(c);
      const text = await runCli(['validate', c.file]);
      expect(text.code).toBe(2);
      expect(text.stdout).toContain(`${c.file}:${exp.line}:${exp.column}`);
      const json = await runCli(['validate', '--json', c.file]);
      expect(json.code).toBe(2);
      const parsed = JSON.parse(json.stdout) as { valid: boolean; files: Array<{ diagnostics: Diagnostic[] }> };
      expect(parsed.valid).toBe(false);
      expect(parsed.files[0]!.diagnostics.map((d) => d.code)).toContain(exp.code);
      for (const out of [text.stdout, text.stderr, json.stdout, json.stderr]) {
        expect(out).not.toContain('    at ');
        for (const secret of exp.neverPrinted ?? []) expect(out).not.toContain(secret);
      }
    });
  });
});

describe('generated invalid Data Maps (conditions a committed file cannot show)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'datamap-invalid-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('source/file-not-found for a missing file, at 1:1', () => {
    const file = join(dir, 'no-such-map.yaml');
    const { map, diagnostics } = checkDataMap({ file });
    expect(map).toBeUndefined();
    expect(diagnostics.map(where)).toEqual(['source/file-not-found 1:1']);
    expect(diagnostics[0]!.location?.file).toBe(file);
  });

  it('source/file-not-found for a directory given as a Data Map', () => {
    const { diagnostics } = checkDataMap({ file: dir });
    expect(diagnostics.map((d) => d.code)).toEqual(['source/file-not-found']);
  });

  it('source/too-large for a file one byte over the limit, at 1:1, without reading it', () => {
    const file = join(dir, 'too-large.yaml');
    const head = 'provider: revolv3\nkey: invoiceNumber\n# ';
    writeFileSync(file, head + 'x'.repeat(DEFAULT_LIMITS.maxBytes - head.length) + '\n');
    const { map, diagnostics } = checkDataMap({ file });
    expect(map).toBeUndefined();
    expect(diagnostics.map(where)).toEqual(['source/too-large 1:1']);
    expect(diagnostics[0]!.message).toContain(String(DEFAULT_LIMITS.maxBytes));
  });

  it('source/too-large for text over a smaller maxBytes limit', () => {
    const { diagnostics } = checkDataMap({ text: 'provider: revolv3\nkey: x\nsteps: []\n' }, { ...DEFAULT_LIMITS, maxBytes: 10 });
    expect(diagnostics.map((d) => d.code)).toEqual(['source/too-large']);
  });
});

/** Codes produced by the generated cases above. */
const GENERATED: ErrorCode[] = ['source/file-not-found', 'source/too-large'];

/** Every user-facing code a Data Map file can cause. */
function dataMapCodes(): string[] {
  const all = Object.keys(CATALOGUE);
  return [
    'source/yaml-syntax', 'source/duplicate-key', 'source/alias-not-allowed', 'source/unknown-tag',
    'source/too-deep', 'source/forbidden-key', 'source/too-large', 'source/file-not-found',
    ...all.filter((c) => c.startsWith('datamap/')),
    'expression/syntax', 'expression/forbidden-function',
  ];
}

describe('coverage of error codes', () => {
  it('has a case for every user-facing code a Data Map file can cause', () => {
    const covered = new Set<string>([...cases.map((c) => c.code), ...GENERATED]);
    const missing = dataMapCodes().filter((c) => !covered.has(c));
    expect(missing).toEqual([]);
  });

  it('names only codes that exist in the catalogue', () => {
    for (const c of dataMapCodes()) expect(Object.keys(CATALOGUE)).toContain(c);
  });

  it('the shipped example Data Map is valid (the fixtures fail for their own reason)', () => {
    const { map, diagnostics } = checkDataMap({ file: join(repoRoot, 'mappings/field-service-to-revolv3.yaml') });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(map).toBeDefined();
  });
});
