/**
 * Data Map test files (`<map>.test.yaml`): reading, schema check with locations, and the
 * cross-checks against the map under test (step ids, records).
 */
import { dirname, join, basename, isAbsolute } from 'node:path';
import { checkDataMap } from '../datamap/load.js';
import type { CompiledMap } from '../datamap/types.js';
import { DatamapError, diagnostic, hasErrors, type Diagnostic, type SourceLocation } from '../errors/diagnostic.js';
import type { Outcome } from '../executor/types.js';
import { shippedValidator } from '../schemas/ajv.js';
import { formatPath, toViolations } from '../schemas/ajv-diagnostics.js';
import { DEFAULT_LIMITS } from '../source/limits.js';
import type { PathSegment } from '../source/pointer.js';
import { readSourceText, readTextFile } from '../source/read-file.js';
import { readRecords } from '../source/read-records.js';
import { readCsvRecords } from '../source/read-csv.js';
import { parseYamlSource } from '../source/yaml-document.js';

/** The clock of a case that sets no `now` (nor does its file). */
export const DATAMAP_TEST_DEFAULT_NOW = '2026-01-01T00:00:00Z';

/** One mocked provider answer: an HTTP status and body, or a transport failure. */
export interface DataMapTestResponse {
  /** HTTP status; 200 when absent. */
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Fail below HTTP: `timeout`/`reset` may have reached the provider, `refused` did not. */
  transportError?: 'timeout' | 'reset' | 'refused';
}

/** What a case expects; objects are deep subsets (see `subsetDifferences`). */
export interface DataMapTestExpect {
  outcome: Outcome;
  /** Step id → deep subset of the request body the step sent. */
  requests?: Record<string, unknown>;
  /** Step id → path and query parameters the step sent (compared as text). */
  params?: Record<string, Record<string, string | number | boolean>>;
  /** Step id → the URL called (full, or path and query when it starts with `/`). */
  urls?: Record<string, string>;
  /** Steps whose `when` was false. */
  skipped?: string[];
  /** Steps that sent no request (skipped or not reached). */
  notRun?: string[];
  /** Every call in order: step ids (repeated on retries), or pack operation ids for calls that are not steps. */
  calls?: string[];
  /** Deep subset of the map's `result`. */
  result?: unknown;
  /** Deep subset of the record's error (`code`, `message`, `status`, ...). */
  error?: Record<string, unknown>;
}

/** One case as written. */
export interface DataMapTestCaseSpec {
  name: string;
  description?: string;
  record?: Record<string, unknown>;
  recordFile?: string;
  recordIndex?: number;
  recordPatch?: Record<string, unknown>;
  now?: string;
  /** Step id (or pack operation id) → one response, or a list answering its calls in order. */
  responses?: Record<string, DataMapTestResponse | DataMapTestResponse[]>;
  expect: DataMapTestExpect;
}

/** A test file as written (after its schema check). */
export interface DataMapTestSpec {
  version?: 1;
  map?: string;
  now?: string;
  cases: DataMapTestCaseSpec[];
}

/** A case ready to run: its record resolved and its clock fixed. */
export interface DataMapTestCase {
  index: number;
  name: string;
  spec: DataMapTestCaseSpec;
  /** The host record (inline, or read from recordFile, with recordPatch applied). */
  record: unknown;
  /** Frozen clock, ms since epoch. */
  now: number;
  /** Where the case starts in the test file. */
  location: SourceLocation;
}

/** A checked test file. */
export interface LoadedDataMapTest {
  file: string;
  /** The Data Map under test, as a path (relative to the current directory when the test file's is). */
  mapFile: string;
  spec: DataMapTestSpec;
  cases: DataMapTestCase[];
  /** Location in the test file of the value at a path (e.g. `['cases', 0, 'expect', 'outcome']`), or of its nearest ancestor. */
  locate(path: readonly PathSegment[], options?: { key?: boolean }): SourceLocation;
}

/** What checking a test file found: the test and its map when usable, and every finding. */
export interface DataMapTestCheck {
  test?: LoadedDataMapTest;
  map?: CompiledMap;
  diagnostics: Diagnostic[];
}

/** True for a path named like a Data Map test file (`*.test.yaml` or `*.test.yml`). */
export function isDataMapTestFile(path: string): boolean {
  return /\.test\.ya?ml$/i.test(path);
}

/** The Data Map a test file tests when it names none: `x.test.yaml` → `x.yaml`. */
export function defaultMapFileFor(testFile: string): string {
  return join(dirname(testFile), basename(testFile).replace(/\.test(\.ya?ml)$/i, '$1'));
}

/**
 * Reads and checks a Data Map test file: YAML, the test schema
 * (`schemas/datamap-test.schema.json`), the map under test (which must itself be valid), and
 * that every step id, operation and record the cases name exists (`options.map` stands in for
 * the map file, e.g. an unsaved edit of it). Every finding carries a
 * code and a `file:line:column` location; nothing is thrown for a bad file.
 */
export async function checkDataMapTest(src: { file: string; text?: undefined } | { text: string; file?: string }, options: { map?: CompiledMap } = {}): Promise<DataMapTestCheck> {
  const read = readSourceText(src, DEFAULT_LIMITS.maxBytes);
  if (read.diagnostics) return { diagnostics: read.diagnostics };
  const { file, text } = read;
  const source = parseYamlSource(file, text);
  const diagnostics: Diagnostic[] = [...source.diagnostics];
  if (hasErrors(diagnostics)) return { diagnostics };
  const at = (path: PathSegment[], key = false): SourceLocation => source.locate(path, { key });

  const validate = shippedValidator('datamap-test.schema.json');
  if (!validate(source.value)) {
    for (const v of toViolations(validate.errors)) {
      diagnostics.push(diagnostic('test/invalid-file', `${formatPath(v.path)}: ${v.message}`, { location: at(v.path, v.atKey) }));
    }
    return { diagnostics };
  }
  const spec = source.value as DataMapTestSpec;

  // the map under test
  const mapFile = spec.map !== undefined ? (isAbsolute(spec.map) ? spec.map : join(dirname(file), spec.map)) : defaultMapFileFor(file);
  const mapCheck = options.map ? { map: options.map, diagnostics: [] } : checkDataMap({ file: mapFile });
  const map = mapCheck.map;
  if (!map) {
    const missing = mapCheck.diagnostics.some((d) => d.code === 'source/file-not-found');
    diagnostics.push(diagnostic(missing ? 'source/file-not-found' : 'test/invalid-file', missing
      ? `The Data Map under test, ${mapFile}, cannot be read`
      : `The Data Map under test, ${mapFile}, has errors (shown below); no case can run`, {
      location: at(spec.map !== undefined ? ['map'] : []),
      hint: missing ? 'Set `map:` to the Data Map\'s path relative to this file, or name this file <map>.test.yaml beside it.' : 'Fix the Data Map first: datamap validate ' + mapFile,
    }));
    if (!missing) diagnostics.push(...mapCheck.diagnostics.filter((d) => d.severity === 'error'));
    return { diagnostics };
  }

  const stepIds = map.steps.map((s) => s.id);
  const opIds = Object.keys(map.provider.pack.operations);
  const stepRef = (id: string, path: PathSegment[], key: boolean, alsoOperations = false): void => {
    if (stepIds.includes(id) || (alsoOperations && opIds.includes(id))) return;
    const guess = closest(id, alsoOperations ? [...stepIds, ...opIds] : stepIds);
    diagnostics.push(diagnostic('test/unknown-step', `${map.name} has no step "${id}"${alsoOperations ? ` and ${map.provider.pack.title} no operation of that name` : ''}`, {
      location: at(path, key),
      hint: `${guess ? `Did you mean "${guess}"? ` : ''}Steps of ${basename(mapFile)}: ${stepIds.join(', ')}.`,
    }));
  };

  const fileNow = spec.now;
  const names = new Map<string, number>();
  const cases: DataMapTestCase[] = [];
  for (const [index, c] of spec.cases.entries()) {
    const base: PathSegment[] = ['cases', index];
    const prev = names.get(c.name);
    if (prev !== undefined) {
      diagnostics.push(diagnostic('test/invalid-file', `Case name "${c.name}" is used twice (cases ${prev + 1} and ${index + 1})`, { location: at([...base, 'name']), hint: 'Give every case of a file its own name: it is how the output refers to it.' }));
    }
    names.set(c.name, index);
    if ((c.record === undefined) === (c.recordFile === undefined)) {
      diagnostics.push(diagnostic('test/invalid-file', `Case "${c.name}" needs exactly one of record and recordFile`, { location: at(c.record !== undefined ? [...base, 'recordFile'] : base, true), hint: 'Give the record inline under `record`, or a records file under `recordFile` (with `recordIndex`).' }));
    }
    for (const [key, r] of Object.entries(c.responses ?? {})) {
      stepRef(key, [...base, 'responses', key], true, true);
      const list = Array.isArray(r) ? r : [r];
      list.forEach((one, i) => {
        if (one.transportError !== undefined && (one.status !== undefined || one.body !== undefined)) {
          const path = Array.isArray(r) ? [...base, 'responses', key, i] : [...base, 'responses', key];
          diagnostics.push(diagnostic('test/invalid-file', `Response of "${key}": transportError cannot come with a status or body`, { location: at([...path, 'transportError'], true), hint: 'A transport failure has no HTTP answer: remove status and body, or transportError.' }));
        }
      });
    }
    const ex = c.expect;
    for (const id of Object.keys(ex.requests ?? {})) {
      stepRef(id, [...base, 'expect', 'requests', id], true);
      const step = map.steps.find((s) => s.id === id);
      if (step && !step.operation.spec.request) {
        diagnostics.push(diagnostic('test/invalid-file', `Step "${id}" (${step.operation.id}) sends no request body`, { location: at([...base, 'expect', 'requests', id], true), hint: 'Check its parameters under expect.params or its URL under expect.urls instead.' }));
      }
    }
    for (const id of Object.keys(ex.params ?? {})) stepRef(id, [...base, 'expect', 'params', id], true);
    for (const id of Object.keys(ex.urls ?? {})) stepRef(id, [...base, 'expect', 'urls', id], true);
    (ex.skipped ?? []).forEach((id, i) => stepRef(id, [...base, 'expect', 'skipped', i], false));
    (ex.notRun ?? []).forEach((id, i) => stepRef(id, [...base, 'expect', 'notRun', i], false));
    (ex.calls ?? []).forEach((id, i) => stepRef(id, [...base, 'expect', 'calls', i], false, true));

    let record: unknown = c.record;
    if (c.recordFile !== undefined && c.record === undefined) {
      const recordPath = isAbsolute(c.recordFile) ? c.recordFile : join(dirname(file), c.recordFile);
      const got = await readRecordAt(recordPath, c.recordIndex ?? 0, map.spec.input);
      if ('error' in got) {
        const d = got.error;
        // point at the test file line naming the record, and keep the record file's own location when it has one
        diagnostics.push(d.code === 'source/file-not-found' || d.code === 'test/invalid-file'
          ? { ...d, location: at([...base, d.code === 'test/invalid-file' && c.recordIndex !== undefined ? 'recordIndex' : 'recordFile']) }
          : d);
      } else {
        record = got.value;
      }
    }
    if (c.recordPatch !== undefined && record !== undefined) record = deepMerge(record, c.recordPatch);
    const nowText = c.now ?? fileNow ?? DATAMAP_TEST_DEFAULT_NOW;
    cases.push({ index, name: c.name, spec: c, record, now: Date.parse(nowText), location: at(base) });
  }
  if (hasErrors(diagnostics)) return { map, diagnostics };
  const test: LoadedDataMapTest = { file, mapFile, spec, cases, locate: (path, options) => source.locate(path, options) };
  return { test, map, diagnostics };
}

/** Loads the record at `index` of a records file (JSON object, array or NDJSON; CSV by its `.csv` extension, typed by the map's input schema). */
async function readRecordAt(file: string, index: number, schema: Record<string, unknown> | undefined): Promise<{ value: unknown } | { error: Diagnostic }> {
  let text: string;
  try {
    text = readTextFile(file, DEFAULT_LIMITS.maxBytes);
  } catch (err) {
    if (err instanceof DatamapError && err.diagnostics[0]) {
      const d = err.diagnostics[0];
      return { error: { ...d, message: d.code === 'source/file-not-found' ? `Cannot read the record file ${file}` : d.message, hint: 'recordFile is resolved from the test file\'s folder.' } };
    }
    throw err;
  }
  let count = 0;
  const items = /\.csv$/i.test(file) ? readCsvRecords([text], schema ? { source: file, schema } : { source: file }) : readRecords([text], { source: file });
  try {
    for await (const item of items) {
      count++;
      if (item.index !== index) continue;
      if (item.error) return { error: item.error };
      return { value: item.value };
    }
  } catch (err) {
    // a CSV header that names no usable fields
    if (err instanceof DatamapError && err.diagnostics[0]) return { error: err.diagnostics[0] };
    throw err;
  }
  return { error: diagnostic('test/invalid-file', `${file} holds ${count} record${count === 1 ? '' : 's'}; there is no record at index ${index}`, { hint: 'recordIndex is 0-based.' }) };
}

/** Objects merge key by key; anything else replaces; `null` removes the key. */
function deepMerge(base: unknown, patch: Record<string, unknown>): unknown {
  if (base === null || typeof base !== 'object' || Array.isArray(base)) base = {};
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (typeof v === 'object' && !Array.isArray(v)) out[k] = deepMerge(out[k], v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

/** The candidate nearest to `word` by edit distance, when it is near enough to be a typo. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

