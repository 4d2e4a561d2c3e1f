/**
 * Hostile input: every case must end in a coded error, quickly, without throwing, crashing,
 * polluting prototypes or printing a stack trace. Uses the public API and the CLI in-process.
 *
 * Time limits are 3000 ms (the engine's own limit is about a second) to stay robust on a slow
 * CI machine; the time to generate big inputs is not counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_LIMITS, checkDataMap, loadDataMap, planRecord, planRecords, readRecords,
  type CompiledMap, type Diagnostic, type RecordItem, type RecordPlanView,
} from '../../src/index.js';
import { collect, runCli, type CliResult } from '../helpers/cli.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAP_FILE = join(repoRoot, 'mappings/field-service-to-revolv3.yaml');
const LIMIT_MS = 3000;
const MB = 1024 * 1024;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'datamap-hostile-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI run in-process; it must never print a stack trace or an internal error. */
async function cli(argv: string[], stdin: string[] = []): Promise<CliResult> {
  const r = await runCli(argv, { stdin });
  expect(r.stdout + r.stderr).not.toContain('    at ');
  expect(r.stdout + r.stderr).not.toContain('internal/error');
  return r;
}

/** checkDataMap on text, timed; it must not throw. */
function check(text: string, limits = DEFAULT_LIMITS): { codes: string[]; diagnostics: Diagnostic[]; ms: number; compiled: boolean } {
  const t = Date.now();
  const { map, diagnostics } = checkDataMap({ text, file: 'hostile.yaml' }, limits);
  return { codes: [...new Set(diagnostics.map((d) => d.code))], diagnostics, ms: Date.now() - t, compiled: map !== undefined };
}

function writeTemp(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function codesOf(v: RecordPlanView): string[] {
  return [...v.diagnostics, ...v.steps.flatMap((s) => s.diagnostics)].map((d) => d.code);
}

function assertNotPolluted(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
}

const STEPS = 'steps:\n  - id: get\n    operation: invoices.get\n    params: { invoiceId: id }\n';

describe('YAML alias bomb (billion laughs)', () => {
  const bomb = (() => {
    const names = 'abcdefghij';
    let s = 'provider: revolv3\nkey: invoiceNumber\ninput:\n';
    s += `  a: &a [${Array(10).fill('"lol"').join(', ')}]\n`;
    for (let i = 1; i < names.length; i++) s += `  ${names[i]}: &${names[i]} [${Array(10).fill('*' + names[i - 1]).join(', ')}]\n`;
    return s + STEPS;
  })();

  it('is refused with source/alias-not-allowed without expanding it', () => {
    const r = check(bomb);
    expect(r.ms).toBeLessThan(LIMIT_MS);
    expect(r.compiled).toBe(false);
    expect(r.codes).toEqual(['source/alias-not-allowed']);
    expect(r.diagnostics[0]!.location).toBeDefined();
  });

  it('datamap validate exits 2', async () => {
    const r = await cli(['validate', writeTemp('bomb.yaml', bomb)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('source/alias-not-allowed');
    expect(r.ms).toBeLessThan(LIMIT_MS);
  });
});

describe('10,000-deep nesting', () => {
  const N = 10_000;
  it.each([
    ['flow sequences', `provider: revolv3\nkey: x\ninput: ${'['.repeat(N)}${']'.repeat(N)}\n${STEPS}`],
    ['flow mappings', `provider: revolv3\nkey: x\ninput: ${'{a: '.repeat(N)}1${'}'.repeat(N)}\n${STEPS}`],
    ['compact block sequences', `provider: revolv3\nkey: x\ninput:\n  ${'- '.repeat(N)}x\n${STEPS}`],
    ['mixed flow', `provider: revolv3\nkey: x\ninput: ${'[{a: '.repeat(N / 2)}1${'}]'.repeat(N / 2)}\n${STEPS}`],
  ])('%s give source/too-deep', (_label, text) => {
    const r = check(text);
    expect(r.ms).toBeLessThan(LIMIT_MS);
    expect(r.compiled).toBe(false);
    expect(r.codes).toEqual(['source/too-deep']);
    expect(r.diagnostics).toHaveLength(1);
  });

  it('block mappings nested by indentation (50 MB of indentation) give source/too-large, or source/too-deep under a bigger size limit', () => {
    let text = 'provider: revolv3\nkey: x\ninput:\n';
    for (let i = 1; i <= N; i++) text += `${' '.repeat(i + 1)}k:\n`;
    text += STEPS;
    const r = check(text);
    expect(r.ms).toBeLessThan(LIMIT_MS);
    expect(r.codes).toEqual(['source/too-large']);
    const big = check(text, { ...DEFAULT_LIMITS, maxBytes: 200 * MB });
    expect(big.ms).toBeLessThan(LIMIT_MS * 2);
    expect(big.codes).toEqual(['source/too-deep']);
  });

  it('one level past the limit is too deep, the limit itself is not', () => {
    // the document root is level 0; `input` adds one more level to each count below
    const at = (depth: number) => `provider: revolv3\nkey: x\ninput: ${'['.repeat(depth)}${']'.repeat(depth)}\n${STEPS}`;
    expect(check(at(DEFAULT_LIMITS.maxDepth - 1)).codes).not.toContain('source/too-deep');
    expect(check(at(DEFAULT_LIMITS.maxDepth)).codes).toEqual(['source/too-deep']);
  });

  it('datamap validate exits 2 with source/too-deep', async () => {
    const r = await cli(['validate', writeTemp('deep.yaml', `provider: revolv3\nkey: x\ninput: ${'['.repeat(N)}${']'.repeat(N)}\n${STEPS}`)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('source/too-deep');
  });

  it.each([
    ['parentheses', `${'('.repeat(N)}1${')'.repeat(N)}`],
    ['arrays', `${'['.repeat(N)}1${']'.repeat(N)}`],
  ])('a JSONata expression nested 10,000 deep in %s gives expression/syntax', (_label, expr) => {
    const r = check(`provider: revolv3\nkey: x\nlet:\n  deep: ${JSON.stringify(expr)}\n${STEPS}`);
    expect(r.ms).toBeLessThan(LIMIT_MS);
    expect(r.codes).toEqual(['expression/syntax']);
  });

  it('a record nested 10,000 deep gives source/too-deep and the next record is still read', async () => {
    const deep = `{"a":${'['.repeat(N)}${']'.repeat(N)}}`;
    const items = await collect(readRecords([`${deep}\n{"invoiceNumber":"B"}\n`]));
    expect(items.map((i) => i.error?.code ?? 'ok')).toEqual(['source/too-deep', 'ok']);
  });
});

describe('duplicate keys and unknown tags', () => {
  it('duplicate keys give source/duplicate-key at the second key', () => {
    const r = check(`provider: revolv3\nkey: invoiceNumber\nprovider: invoiss\n${STEPS}`);
    expect(r.codes).toEqual(['source/duplicate-key']);
    expect(r.diagnostics[0]!.location).toMatchObject({ line: 3, column: 1 });
  });

  it.each([
    ['!!js/function', 'key: !!js/function "function () { globalThis.pwned = true }"'],
    ['!!js/undefined', 'key: !!js/undefined ~'],
    ['!!python/object', 'key: !!python/object/apply:os.system ["echo pwned"]'],
    ['!foo', 'key: !foo invoiceNumber'],
    ['!!binary', 'key: !!binary aGVsbG8='],
    ['!!timestamp', 'key: !!timestamp 2001-12-14'],
    ['!!set', 'key: !!set { a, b }'],
  ])('%s gives source/unknown-tag and nothing is executed', (_tag, line) => {
    const r = check(`provider: revolv3\n${line}\n${STEPS}`);
    expect(r.compiled).toBe(false);
    expect(r.codes).toEqual(['source/unknown-tag']);
    expect(r.diagnostics[0]!.location).toMatchObject({ line: 2, column: 6 });
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
  });
});

describe('__proto__ and friends', () => {
  it.each([
    ['top-level __proto__', '__proto__: { polluted: true }\nprovider: revolv3\nkey: x\n'],
    ['quoted __proto__ in a flow map', 'provider: revolv3\nkey: x\ninput: { "__proto__": { polluted: true } }\n'],
    ['nested constructor.prototype', 'provider: revolv3\nkey: x\ninput:\n  constructor:\n    prototype:\n      polluted: true\n'],
    ['__proto__ under let', 'provider: revolv3\nkey: x\nlet:\n  __proto__: "1"\n'],
  ])('%s in a Data Map gives source/forbidden-key and pollutes nothing', (_label, text) => {
    const r = check(text + STEPS);
    expect(r.compiled).toBe(false);
    expect(r.codes).toEqual(['source/forbidden-key']);
    assertNotPolluted();
  });

  it('a merge key cannot smuggle __proto__ in (<< is a plain key; anchors are refused)', () => {
    const r = check(`base: &b { __proto__: { polluted: true } }\nprovider: revolv3\nkey: x\n<<: *b\n${STEPS}`);
    expect(r.compiled).toBe(false);
    expect(r.codes).toEqual(expect.arrayContaining(['source/forbidden-key']));
    assertNotPolluted();
  });

  describe('in a record', () => {
    let map: CompiledMap;
    beforeAll(() => {
      map = loadDataMap({ file: MAP_FILE });
    });

    it.each([
      '{"invoiceNumber":"A","__proto__":{"polluted":true}}',
      '{"invoiceNumber":"A","customer":{"address":{"__proto__":{"polluted":true}}}}',
      '{"invoiceNumber":"A","lines":[{"constructor":{"prototype":{"polluted":true}}}]}',
    ])('%s gives record/forbidden-key when read, and when planned directly', async (json) => {
      const items = await collect(readRecords([json]));
      expect(items.map((i) => i.error?.code)).toEqual(['record/forbidden-key']);
      const v = await planRecord(map, JSON.parse(json) as unknown, { clock: () => 0 });
      expect(codesOf(v)).toEqual(['record/forbidden-key']);
      assertNotPolluted();
    });

    it('datamap plan reports it and exits 1', async () => {
      const file = writeTemp('proto.ndjson', '{"invoiceNumber":"A","__proto__":{"polluted":true}}\n');
      const r = await cli(['plan', MAP_FILE, '--input', file, '--json']);
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout) as { records: RecordPlanView[] };
      expect(codesOf(out.records[0]!)).toEqual(['record/forbidden-key']);
      assertNotPolluted();
    });
  });
});

describe('50 MB inputs (generated in a temp dir)', () => {
  let bigMap: string;
  let bigRecord: string;
  beforeAll(() => {
    bigMap = writeTemp('big-map.yaml', `provider: revolv3\nkey: invoiceNumber\n${STEPS}# ${'x'.repeat(50 * MB)}\n`);
    bigRecord = writeTemp('big-record.ndjson', `{"invoiceNumber":"A","blob":"${'x'.repeat(50 * MB)}"}\n{"invoiceNumber":"B"}\n`);
  });
  afterAll(() => {
    rmSync(bigMap, { force: true });
    rmSync(bigRecord, { force: true });
  });

  it('a 50 MB Data Map gives source/too-large without being read', () => {
    const t = Date.now();
    const { map, diagnostics } = checkDataMap({ file: bigMap });
    expect(Date.now() - t).toBeLessThan(LIMIT_MS);
    expect(map).toBeUndefined();
    expect(diagnostics.map((d) => d.code)).toEqual(['source/too-large']);
  });

  it('datamap validate exits 2 and plan exits 2 on it', async () => {
    const v = await cli(['validate', bigMap]);
    expect(v.code).toBe(2);
    expect(v.stdout).toContain('source/too-large');
    const p = await cli(['plan', bigMap, '--input', '-'], ['{"invoiceNumber":"A"}']);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('source/too-large');
    expect(p.ms).toBeLessThan(LIMIT_MS);
  });

  it('a 50 MB record gives source/too-large and the next record is still read', async () => {
    const { createReadStream } = await import('node:fs');
    const t = Date.now();
    const items: RecordItem[] = await collect(readRecords(createReadStream(bigRecord, { encoding: 'utf8', highWaterMark: 64 * 1024 }), { source: bigRecord }));
    expect(Date.now() - t).toBeLessThan(LIMIT_MS);
    expect(items.map((i) => i.error?.code ?? (i.value as { invoiceNumber: string }).invoiceNumber)).toEqual(['source/too-large', 'B']);
    expect(items[0]!.error!.location).toMatchObject({ file: bigRecord, line: 1 });
  });

  it('datamap plan on it reports the record and goes on (exit 1)', async () => {
    const r = await cli(['plan', MAP_FILE, '--input', bigRecord, '--json']);
    expect(r.ms).toBeLessThan(LIMIT_MS);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { records: RecordPlanView[]; summary: { records: number } };
    expect(out.summary.records).toBe(2);
    expect(codesOf(out.records[0]!)).toEqual(['source/too-large']);
    expect(r.stdout.length).toBeLessThan(100_000);
  });
});

describe('records that are not objects', () => {
  let map: CompiledMap;
  beforeAll(() => {
    map = loadDataMap({ file: MAP_FILE });
  });

  it.each([
    ['a number', 42],
    ['a string', 'FS-10042'],
    ['an array', [{ invoiceNumber: 'FS-10042' }]],
    ['null', null],
  ])('%s gives record/not-object', async (_label, record) => {
    const v = await planRecord(map, record, { clock: () => 0 });
    expect(v.ok).toBe(false);
    expect(codesOf(v)).toEqual(['record/not-object']);
  });

  it('through the CLI, from stdin: each one is reported, exit 1', async () => {
    const r = await cli(['plan', MAP_FILE, '--input', '-', '--json'], ['[42, "FS-10042", [{"invoiceNumber": "x"}], null, true]']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { records: RecordPlanView[]; summary: { records: number; invalid: number } };
    expect(out.summary).toMatchObject({ records: 5, invalid: 5 });
    expect(out.records.map((x) => codesOf(x))).toEqual(Array(5).fill(['record/not-object']));
  });

  it('NDJSON of scalars is read as records too', async () => {
    const items = await collect(planRecords(map, readRecords(['1\n"two"\nnull\ntrue\n']), { clock: () => 0 }));
    expect(items.map((v) => codesOf(v))).toEqual(Array(4).fill(['record/not-object']));
  });
});

describe('expressions that never end', () => {
  const mapWith = (letExpr: string) => writeTemp(`loop-${Math.random().toString(36).slice(2)}.yaml`, [
    'provider: revolv3',
    'key: invoiceNumber',
    'let:',
    `  x: ${JSON.stringify(letExpr)}`,
    STEPS,
  ].join('\n'));

  it.each([
    ['a recursive function (tail call, runs until the timeout)', '( $f := function($n){ $f($n + 1) }; $f(0) )', 'expression/timeout'],
    ['a recursive function (grows the stack)', '( $f := function($n){ 1 + $f($n) }; $f(0) )', 'expression/too-deep'],
    ['a huge range', '$count([1..10000000])', 'expression/too-large'],
    ['a huge nested sequence', '$count([1..100000].([1..100000]))', 'expression/too-large'],
    ['a huge map', '$count($map([1..100000], function($v){ [1..100000] }))', 'expression/too-large'],
    ['a huge string', '$pad("x", 1000000000)', 'expression/too-large'],
  ])('%s gives its coded limit error within the limit', async (_label, expr, code) => {
    const map = loadDataMap({ file: mapWith(expr) });
    const t = Date.now();
    const v = await planRecord(map, { invoiceNumber: 'A', id: 1 }, { clock: () => 0 });
    expect(Date.now() - t).toBeLessThan(LIMIT_MS);
    expect(v.ok).toBe(false);
    expect(codesOf(v)).toEqual([code]);
  });

  it('through the CLI: the looping record is reported, the others are planned, exit 1', async () => {
    const file = mapWith('id = "loop" ? ( $f := function($n){ $f($n + 1) }; $f(0) ) : 1');
    const r = await cli(['plan', file, '--input', '-', '--json'], ['{"invoiceNumber":"A","id":"1"}\n{"invoiceNumber":"B","id":"loop"}\n{"invoiceNumber":"C","id":"3"}\n']);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(LIMIT_MS);
    const out = JSON.parse(r.stdout) as { records: RecordPlanView[] };
    expect(out.records.map((x) => codesOf(x)[0] ?? 'ok')).toEqual(['ok', 'expression/timeout', 'ok']);
  });
});

describe('unusable map or input: exit 2', () => {
  it('plan with an invalid Data Map exits 2 and names the error', async () => {
    const file = writeTemp('invalid.yaml', 'provider: revolv3\nkey: [\n');
    const r = await cli(['plan', file, '--input', '-'], ['{}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('source/yaml-syntax');
  });

  it('plan with a missing Data Map exits 2', async () => {
    const r = await cli(['plan', join(dir, 'nope.yaml'), '--input', '-'], ['{}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('source/file-not-found');
  });

  it('plan with a missing input exits 2 with usage/input', async () => {
    const r = await cli(['plan', MAP_FILE, '--input', join(dir, 'nope.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage/input');
  });

  it('binary garbage as input is reported per record, never a crash', async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    const r = await cli(['plan', MAP_FILE, '--input', '-', '--json'], [garbage]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { records: RecordPlanView[] };
    expect(out.records.length).toBeGreaterThan(0);
    for (const rec of out.records) expect(rec.ok).toBe(false);
  });
});
