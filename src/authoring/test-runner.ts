/**
 * Data Map tests (`datamap test`): each case of a `<map>.test.yaml` runs one record through the
 * real executor with an in-memory transport answering from the case's mocked responses, a
 * frozen clock and test credentials, then compares the requests sent, the outcome, the error
 * and the result with the case's expectations as deep subsets. Everything compared and reported
 * comes from the redacted run result, and expected values are redacted the same way, so no
 * report can show a card number or a security code.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import type { CompiledMap, CompiledStep } from '../datamap/types.js';
import { DatamapError, diagnostic, hasErrors, type Diagnostic, type SourceLocation } from '../errors/diagnostic.js';
import { runRecords } from '../executor/run.js';
import type { RecordResult, StepResult } from '../executor/types.js';
import { recordItems } from '../plan/plan-stream.js';
import { addRequestValues, createScrubber, recordScrubber, redactValue, scrubText, sensitivePaths } from '../redact/index.js';
import type { PathSegment } from '../source/pointer.js';
import { checkDataMapTest, isDataMapTestFile, type DataMapTestCase, type LoadedDataMapTest } from './test-file.js';
import { formatTestPath, subsetDifferences } from './test-match.js';
import { createMockTransport, pathValues, type MockedCall } from './test-transport.js';

export {
  checkDataMapTest,
  defaultMapFileFor,
  isDataMapTestFile,
  DATAMAP_TEST_DEFAULT_NOW,
  type DataMapTestCheck,
  type DataMapTestSpec,
  type DataMapTestCaseSpec,
  type DataMapTestCase,
  type DataMapTestExpect,
  type DataMapTestResponse,
  type LoadedDataMapTest,
} from './test-file.js';
export { subsetDifferences, formatTestPath, type SubsetDifference } from './test-match.js';
export { createMockTransport, type MockTransport, type MockedCall } from './test-transport.js';

/** One way the actual run differs from what a case expects. Values are redacted. */
export interface DataMapTestMismatch {
  /** What differs, e.g. `outcome`, `requests.sale.invoice.amount.value`, `result.status`. */
  path: string;
  /** The expected value (card numbers masked as the actual ones are). */
  expected: unknown;
  /** The actual value; `undefined` when it is missing. */
  actual: unknown;
  /** A sentence when the difference is more than two values, e.g. `step sale sent no request (skipped)`. */
  message?: string;
  /** Where the expectation is written in the test file. */
  location?: SourceLocation;
}

/** The report of one case. */
export interface DataMapTestCaseReport {
  name: string;
  /** 0-based position of the case in its file. */
  index: number;
  passed: boolean;
  location: SourceLocation;
  mismatches: DataMapTestMismatch[];
  /**
   * Why the case failed: test/no-mock, test/unexpected-call or an error that stopped the run,
   * then test/failed when expectations differ (see `mismatches`); each with code, location and hint.
   */
  diagnostics: Diagnostic[];
  /** Non-fatal notes, e.g. a mocked response that does not match the provider's schema. */
  warnings: Diagnostic[];
  /** The calls the executor made, in order, as the mock transport matched them. */
  calls: MockedCall[];
  /** The run's (redacted) result for the record. */
  actual?: RecordResult;
}

/** The report of one test file. */
export interface DataMapTestFileReport {
  file: string;
  /** The Data Map under test, when the file names a usable one. */
  map?: string;
  mapName?: string;
  /** False when the file (or its map) has errors: then no case ran and `diagnostics` says why. */
  valid: boolean;
  diagnostics: Diagnostic[];
  cases: DataMapTestCaseReport[];
  passed: number;
  failed: number;
}

/** The report of a whole `datamap test` run. */
export interface DataMapTestRunReport {
  files: DataMapTestFileReport[];
  /** Problems finding the test files (test/no-tests, source/file-not-found). */
  diagnostics: Diagnostic[];
  passed: number;
  failed: number;
  /** Test files that could not run. */
  invalid: number;
  /** True when at least one case ran, none failed and every file was valid. */
  ok: boolean;
}

/** Options of a test run. */
export interface DataMapTestOptions {
  /** Run only the cases whose name contains this text (case-insensitive). */
  filter?: string;
  /** Where relative paths and the default `mappings/` folder are resolved; the current directory by default. */
  cwd?: string;
  /** Test this compiled map instead of the file the test names (e.g. an unsaved edit of it). */
  map?: CompiledMap;
}

const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage']);

/**
 * Finds the test files to run. No path: every `*.test.yaml` under `mappings/`. A directory: every
 * test file under it. A test file: itself. A Data Map: its sibling `<name>.test.yaml`. Paths that
 * yield nothing are reported (test/no-tests, source/file-not-found); the list is de-duplicated
 * and sorted per argument.
 */
export function findDataMapTests(paths: readonly string[], options: { cwd?: string } = {}): { files: string[]; diagnostics: Diagnostic[] } {
  const cwd = options.cwd ?? process.cwd();
  const resolveFrom = (p: string): string => (isAbsolute(p) || options.cwd === undefined ? p : join(cwd, p));
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const args = paths.length > 0 ? paths : ['mappings'];
  for (const arg of args) {
    const p = resolveFrom(arg);
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(p);
    } catch {
      st = undefined;
    }
    if (!st) {
      diagnostics.push(paths.length === 0
        ? diagnostic('test/no-tests', `No ${arg}/ folder here to look for Data Map tests in`, { hint: 'Run datamap test from the project root, or give test files, Data Maps or directories.' })
        : diagnostic('source/file-not-found', `Cannot read ${arg}`, { location: { file: arg, line: 1, column: 1 } }));
      continue;
    }
    if (st.isDirectory()) {
      const found = walk(p).sort();
      if (found.length === 0) diagnostics.push(diagnostic('test/no-tests', `No *.test.yaml under ${arg}`));
      files.push(...found);
    } else if (isDataMapTestFile(p)) {
      files.push(p);
    } else {
      const ext = extname(p);
      const sibling = join(dirname(p), `${basename(p, ext)}.test${ext === '.yml' ? '.yml' : '.yaml'}`);
      if (existsSync(sibling)) files.push(sibling);
      else diagnostics.push(diagnostic('test/no-tests', `${arg} has no test file: expected ${sibling}`, { hint: 'Write the Data Map\'s tests in <name>.test.yaml beside it (see schemas/datamap-test.schema.json).' }));
    }
  }
  return { files: [...new Set(files)], diagnostics };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || SKIP_DIRS.has(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile() && isDataMapTestFile(e.name)) out.push(p);
  }
  return out;
}

/**
 * Runs every case of one test file (see the module comment). Never throws for a bad file: an
 * invalid test file or map comes back with `valid: false` and its diagnostics.
 */
export async function runDataMapTest(file: string, options: DataMapTestOptions = {}): Promise<DataMapTestFileReport> {
  const check = await checkDataMapTest({ file }, options.map ? { map: options.map } : {});
  const report: DataMapTestFileReport = { file, valid: false, diagnostics: check.diagnostics, cases: [], passed: 0, failed: 0 };
  if (check.test) report.map = check.test.mapFile;
  else if (check.map) report.map = check.map.file;
  if (check.map) report.mapName = check.map.name;
  if (!check.test || !check.map || hasErrors(check.diagnostics)) return report;
  report.valid = true;
  const filter = options.filter?.toLowerCase();
  for (const c of check.test.cases) {
    if (filter && !c.name.toLowerCase().includes(filter)) continue;
    const r = await runDataMapTestCase(check.map, check.test, c);
    report.cases.push(r);
    if (r.passed) report.passed++;
    else report.failed++;
  }
  return report;
}

/** Finds and runs test files (`findDataMapTests`, then `runDataMapTest` on each). */
export async function runDataMapTests(paths: readonly string[], options: DataMapTestOptions = {}): Promise<DataMapTestRunReport> {
  const found = findDataMapTests(paths, options.cwd ? { cwd: options.cwd } : {});
  const report: DataMapTestRunReport = { files: [], diagnostics: found.diagnostics, passed: 0, failed: 0, invalid: 0, ok: false };
  for (const f of found.files) {
    const r = await runDataMapTest(f, options);
    report.files.push(r);
    report.passed += r.passed;
    report.failed += r.failed;
    if (!r.valid) report.invalid++;
  }
  report.ok = report.failed === 0 && report.invalid === 0 && !hasErrors(report.diagnostics) && report.passed > 0;
  return report;
}

/** Test credentials for whatever the map's auth scheme needs, by variable name. */
function testCredentials(map: CompiledMap): Record<string, string> {
  const scheme = map.provider.pack.auth.schemes[map.provider.auth];
  if (!scheme) return {};
  const names = scheme.type === 'header' ? [scheme.credential] : Object.values(scheme.body);
  const out: Record<string, string> = {};
  for (const n of names) out[map.provider.credentialEnv[n] ?? n] = `datamap-test-${n}`;
  return out;
}

/**
 * Runs one case through the real executor (`runRecords`) and compares the result with its
 * expectations. The clock is frozen at the case's `now`; sleeps advance it instantly.
 */
export async function runDataMapTestCase(map: CompiledMap, test: LoadedDataMapTest, c: DataMapTestCase): Promise<DataMapTestCaseReport> {
  const casePath: PathSegment[] = ['cases', c.index];
  const mock = createMockTransport(map, c.spec.responses ?? {}, { caseName: c.name, locate: test.locate, casePath });
  let t = c.now;
  const clock = { now: () => t, sleep: async (ms: number) => { t += ms; } };
  const report: DataMapTestCaseReport = { name: c.name, index: c.index, passed: false, location: c.location, mismatches: [], diagnostics: [], warnings: [], calls: mock.calls };
  let result: RecordResult | undefined;
  const credentials = testCredentials(map);
  // the report (diffs included) is scrubbed of the record's sensitive values and of every
  // sensitive value the requests carried, whatever the expectations wrote
  const scrub = recordScrubber(map, c.record, createScrubber(Object.values(credentials)));
  const transport: typeof mock.transport = async (req) => {
    if (req.body !== undefined) {
      try {
        const body: unknown = JSON.parse(req.body);
        for (const s of map.steps) addRequestValues(scrub, s.operation.spec, body);
      } catch { /* not JSON: nothing to learn */ }
    }
    return mock.transport(req);
  };
  try {
    for await (const r of runRecords(map, recordItems([c.record]), {
      // the mocked responses are per step: no pre-flight lookup (a case tests the map, not the guard)
      credentials, env: {}, transport, clock, random: () => 0.5, preflight: false,
      settings: exampleSettings(map),
    })) {
      result = r;
    }
  } catch (err) {
    const ds = err instanceof DatamapError ? err.diagnostics : [diagnostic('internal/error', (err as Error)?.message ?? String(err))];
    report.diagnostics.push(...ds.map((d) => ({ ...d, message: scrubText(d.message) })));
  }
  report.diagnostics.push(...mock.problems);
  if (result) {
    report.actual = result;
    for (const s of result.steps) report.warnings.push(...s.warnings);
    report.mismatches = compare(map, test, c, result, mock.calls);
  }
  if (report.mismatches.length > 0) {
    const n = report.mismatches.length;
    report.diagnostics.push(diagnostic('test/failed', `Case "${c.name}": ${n} difference${n === 1 ? '' : 's'} from what it expects`, { location: c.location }));
  }
  report.passed = result !== undefined && !hasErrors(report.diagnostics);
  return scrub.value(report);
}

function compare(map: CompiledMap, test: LoadedDataMapTest, c: DataMapTestCase, r: RecordResult, calls: readonly MockedCall[]): DataMapTestMismatch[] {
  const ex = c.spec.expect;
  const out: DataMapTestMismatch[] = [];
  const exPath: PathSegment[] = ['cases', c.index, 'expect'];
  const add = (where: PathSegment[], m: Omit<DataMapTestMismatch, 'location'>): void => {
    out.push({ ...m, location: test.locate([...exPath, ...where]) });
  };
  const subset = (section: string, stepId: string | undefined, expected: unknown, actual: unknown): void => {
    const root: PathSegment[] = stepId === undefined ? [section] : [section, stepId];
    for (const d of subsetDifferences(expected, actual)) {
      const m: Omit<DataMapTestMismatch, 'location'> = { path: formatTestPath([...root, ...d.path]), expected: d.expected, actual: d.actual };
      if (d.message) m.message = d.message;
      add([...root, ...d.path], m);
    }
  };
  const stepOf = (id: string): StepResult | undefined => r.steps.find((s) => s.id === id);
  const compiledOf = (id: string): CompiledStep | undefined => map.steps.find((s) => s.id === id);
  const notSent = (id: string): string | undefined => {
    const s = stepOf(id);
    if (!s) return 'it was not reached';
    if (s.decision === 'skip') return 'it was skipped: its `when` was false';
    if (!s.request) return 'it made no call';
    return undefined;
  };

  if (r.outcome !== ex.outcome) add(['outcome'], { path: 'outcome', expected: ex.outcome, actual: r.outcome });

  for (const [id, expected] of Object.entries(ex.requests ?? {})) {
    const why = notSent(id);
    if (why) {
      add(['requests', id], { path: `requests.${id}`, expected: redactValue(expected), actual: undefined, message: `step ${id} sent no request: ${why}` });
      continue;
    }
    const op = compiledOf(id)?.operation.spec;
    subset('requests', id, redactValue(expected, sensitivePaths(op?.sensitive)), stepOf(id)!.request!.body);
  }

  for (const [id, expected] of Object.entries(ex.params ?? {})) {
    const why = notSent(id);
    if (why) {
      add(['params', id], { path: `params.${id}`, expected: redactValue(expected), actual: undefined, message: `step ${id} sent no request: ${why}` });
      continue;
    }
    const url = new URL(stepOf(id)!.request!.url);
    const actual: Record<string, string> = { ...(pathValues(compiledOf(id)?.operation.path ?? '', url.pathname) ?? {}) };
    for (const [k, v] of url.searchParams) actual[k] = v;
    const asText: Record<string, string> = {};
    for (const [k, v] of Object.entries(expected)) asText[k] = String(v);
    subset('params', id, redactValue(asText), actual);
  }

  for (const [id, expected] of Object.entries(ex.urls ?? {})) {
    const why = notSent(id);
    const shownExpected = scrubText(expected);
    if (why) {
      add(['urls', id], { path: `urls.${id}`, expected: shownExpected, actual: undefined, message: `step ${id} sent no request: ${why}` });
      continue;
    }
    const full = stepOf(id)!.request!.url;
    const u = new URL(full);
    const actual = expected.startsWith('/') ? u.pathname + u.search : full;
    if (!sameUrl(shownExpected, actual)) add(['urls', id], { path: `urls.${id}`, expected: shownExpected, actual });
  }

  (ex.skipped ?? []).forEach((id, i) => {
    const s = stepOf(id);
    if (s?.decision !== 'skip') {
      add(['skipped', i], { path: `skipped[${i}]`, expected: id, actual: undefined, message: `step ${id} was expected to be skipped, but ${s ? 'it ran' : 'it was not reached'}` });
    }
  });
  (ex.notRun ?? []).forEach((id, i) => {
    if (!notSent(id)) add(['notRun', i], { path: `notRun[${i}]`, expected: id, actual: undefined, message: `step ${id} was expected to send no request, but it did` });
  });

  if (ex.calls !== undefined) {
    const actual = calls.filter((x) => !x.automatic).map((x) => x.stepId ?? x.operation ?? `${x.method} ${x.path}`);
    if (actual.length !== ex.calls.length || actual.some((a, i) => a !== ex.calls![i])) {
      add(['calls'], { path: 'calls', expected: ex.calls, actual, message: 'the calls made differ (step ids in order, repeated on retries)' });
    }
  }
  if (ex.error !== undefined) {
    if (!r.error) add(['error'], { path: 'error', expected: redactValue(ex.error), actual: undefined, message: 'the record ended without an error' });
    else subset('error', undefined, redactValue(ex.error), r.error);
  }
  if (ex.result !== undefined) subset('result', undefined, redactValue(ex.result), r.result);
  return out;
}

/** URLs compare after normalisation (percent-encoding, trailing slash of an empty path). */
function sameUrl(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const base = 'http://x';
    return new URL(a, base).toString() === new URL(b, base).toString();
  } catch {
    return false;
  }
}

/** A test runs with each declared setting's example value (its default applies otherwise). */
function exampleSettings(map: CompiledMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of map.settings) if (s.spec.example !== undefined) out[s.name] = s.spec.example;
  return out;
}
