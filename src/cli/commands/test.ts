import type { Command } from 'commander';
import {
  findDataMapTests, runDataMapTest, scrubText,
  type DataMapTestCaseReport, type DataMapTestFileReport, type DataMapTestMismatch, type Diagnostic,
} from '../../index.js';
import type { CliIo } from '../io.js';
import { formatDiagnostic } from '../format-diagnostic.js';
import { c } from '../color.js';
import { choiceOption, integerOption } from '../options.js';
import { sarifTool } from '../version.js';
import { FORMATS, githubAnnotations, junitXml, sarifLog, type JUnitSuite, type OutputFormat } from '../report-formats.js';

/** Options of `datamap test`. */
export interface TestCommandOptions {
  /** Same as `format: 'json'`. */
  json?: boolean;
  filter?: string;
  format?: OutputFormat;
  /** Exit 1 when there are more warnings than this (and every case passed). */
  maxWarnings?: number;
}

/** Registers `datamap test [paths...]`. */
export function registerTestCommand(program: Command, io: CliIo, setCode: (code: number) => void): void {
  program
    .command('test')
    .description('Run Data Map tests (<map>.test.yaml): each case runs a record through the executor against mocked provider responses and checks the requests, outcome and result')
    .argument('[paths...]', 'test files, Data Maps (their sibling <name>.test.yaml) or directories; default: mappings/')
    .option('-t, --filter <text>', 'run only the cases whose name contains this text')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, choiceOption('--format', FORMATS), 'text')
    .option('--max-warnings <n>', 'exit 1 when there are more warnings than this', integerOption('--max-warnings', 0))
    .option('--json', 'same as --format json')
    .action(async (paths: string[], opts: TestCommandOptions) => {
      setCode(await testCommand(paths, opts, io));
    });
}

/**
 * `datamap test [paths...]`: a line per case (PASS, or FAIL with a diff of expected vs actual,
 * redacted), then `N passed, N failed`. Exit 0 when every case passed, 1 when a case failed,
 * 2 when a test file or its map cannot be used or no test was found.
 */
export async function testCommand(paths: string[], opts: TestCommandOptions, io: CliIo): Promise<number> {
  const format: OutputFormat = opts.json ? 'json' : opts.format ?? 'text';
  const text = format === 'text';
  const found = findDataMapTests(paths);
  const diagnostics: Diagnostic[] = [...found.diagnostics];
  const files: DataMapTestFileReport[] = [];
  let passed = 0;
  let failed = 0;
  let invalid = 0;
  const options = opts.filter !== undefined ? { filter: opts.filter } : {};
  if (text) for (const d of found.diagnostics) io.stdout(formatDiagnostic(d) + '\n\n');
  for (const file of found.files) {
    const r = await runDataMapTest(file, options);
    files.push(r);
    passed += r.passed;
    failed += r.failed;
    if (!r.valid) invalid++;
    if (text) io.stdout(formatFile(r));
  }
  if (found.files.length > 0 && invalid === 0 && passed + failed === 0 && opts.filter !== undefined) {
    const d: Diagnostic = { code: 'test/no-tests', severity: 'error', message: `No case name contains "${opts.filter}"`, hint: 'Check --filter; it matches part of a case name, ignoring case.' };
    diagnostics.push(d);
    if (text) io.stdout(formatDiagnostic(d) + '\n\n');
  }
  const unusable = invalid > 0 || diagnostics.some((d) => d.severity === 'error') || found.files.length === 0;
  const findings = testFindings(diagnostics, files);
  const warnings = findings.filter((d) => d.severity === 'warning').length;
  const tooManyWarnings = opts.maxWarnings !== undefined && warnings > opts.maxWarnings;
  const code = unusable ? 2 : failed > 0 ? 1 : tooManyWarnings ? 1 : 0;
  if (format === 'json') {
    io.stdout(JSON.stringify({ ok: code === 0, passed, failed, invalid, warnings, diagnostics, files }, null, 2) + '\n');
  } else if (format === 'sarif') {
    io.stdout(sarifLog(findings, sarifTool()));
  } else if (format === 'github') {
    io.stdout(githubAnnotations(findings));
    if (tooManyWarnings) io.stdout(`::error title=datamap test::${warnings} warnings, more than --max-warnings ${opts.maxWarnings}\n`);
  } else if (format === 'junit') {
    io.stdout(junitXml('datamap test', files.map(junitSuite)));
  } else {
    if (invalid > 0) io.stdout(`${invalid} test file${invalid === 1 ? '' : 's'} could not run (see the errors above)\n`);
    const line = `${passed} passed, ${failed} failed`;
    io.stdout(`${failed > 0 || unusable ? c.fail(line) : c.ok(line)}\n`);
    if (tooManyWarnings) io.stdout(`${c.fail(`Too many warnings: ${warnings}, more than --max-warnings ${opts.maxWarnings}.`)}\n`);
  }
  return code;
}

/** Every finding of a test run, for SARIF and GitHub annotations: why files and cases failed, and the warnings. */
function testFindings(top: readonly Diagnostic[], files: readonly DataMapTestFileReport[]): Diagnostic[] {
  const out: Diagnostic[] = [...top];
  for (const f of files) {
    out.push(...f.diagnostics);
    for (const cs of f.cases) {
      if (!cs.passed) {
        for (const d of cs.diagnostics) {
          const detail = d.code === 'test/failed' && cs.mismatches.length > 0 ? `: ${cs.mismatches.map((m) => `${m.path} expected ${show(m.expected)}, actual ${show(m.actual)}`).join('; ')}` : '';
          out.push({ ...d, message: `Case "${cs.name}": ${d.message}${detail}`, ...(d.location ? {} : { location: cs.location }) });
        }
      }
      out.push(...cs.warnings.map((w) => ({ ...w, ...(w.location ? {} : { location: cs.location }) })));
    }
  }
  return out;
}

function junitSuite(r: DataMapTestFileReport): JUnitSuite {
  const classname = `datamap.test.${(r.mapName ?? r.file).replace(/[^A-Za-z0-9_.-]+/g, '_')}`;
  if (!r.valid) {
    return { name: r.file, cases: [{ name: '(test file)', classname, file: r.file, error: { message: 'the test file or its Data Map cannot be used; no case ran', text: r.diagnostics.map((d) => formatDiagnostic(d, { frame: false })).join('\n\n') } }] };
  }
  return {
    name: r.file,
    cases: r.cases.map((cs) => ({
      name: cs.name,
      classname,
      file: r.file,
      line: cs.location.line,
      ...(cs.passed ? {} : { failure: { message: cs.diagnostics[0]?.message ?? 'failed', text: formatCase(cs).join('\n') } }),
    })),
  };
}

const ok = (t: string): string => c.ok(t);
const fail = (t: string): string => c.fail(t);

function formatFile(r: DataMapTestFileReport): string {
  const lines: string[] = [];
  lines.push(`${r.file}${r.mapName ? `  —  ${r.mapName}${r.map ? ` (${r.map})` : ''}` : ''}`);
  if (!r.valid) {
    for (const d of r.diagnostics) lines.push(indent(formatDiagnostic(d), 2), '');
    lines.push('  invalid: no case ran');
  }
  for (const c of r.cases) lines.push(...formatCase(c));
  return lines.join('\n') + '\n\n';
}

function formatCase(c: DataMapTestCaseReport): string[] {
  const lines = [`  ${c.passed ? ok('PASS') : fail('FAIL')}  ${c.name}`];
  const pad = 8;
  if (!c.passed) {
    for (const d of c.diagnostics) {
      const text = indent(formatDiagnostic(d), pad).split('\n');
      if (d.code === 'test/failed' && c.mismatches.length > 0) {
        // the differences go between the location and the hint
        const hint = text.pop()!;
        for (const m of c.mismatches) text.push(...formatMismatch(m, pad + 2));
        text.push(hint);
      }
      lines.push(...text);
    }
    if (c.actual) {
      const a = c.actual;
      const steps = a.steps.map((s) => `${s.id}:${s.decision === 'skip' ? 'skipped' : `${s.classification ?? 'not called'}${s.status !== undefined ? `(${s.status})` : ''}${s.attempts > 1 ? `×${s.attempts}` : ''}`}`).join(' ');
      lines.push(`${' '.repeat(pad)}actual run: ${a.outcome}${steps ? `  [${steps}]` : ''}`);
      if (a.error) lines.push(`${' '.repeat(pad + 2)}error ${a.error.code}: ${scrubText(a.error.message)}`);
      for (const d of a.diagnostics) lines.push(indent(formatDiagnostic(d, { frame: false }), pad + 2));
    }
  }
  for (const w of c.warnings) lines.push(`${' '.repeat(pad)}warning ${w.code}: ${scrubText(w.message)}`);
  return lines;
}

function formatMismatch(m: DataMapTestMismatch, n: number): string[] {
  const pad = ' '.repeat(n);
  const where = m.location ? `  (${m.location.file}:${m.location.line}:${m.location.column})` : '';
  const out = [`${pad}${m.path}${where}`];
  if (m.message) out.push(`${pad}  ${scrubText(m.message)}`);
  out.push(`${pad}  expected: ${show(m.expected)}`);
  out.push(`${pad}  actual:   ${show(m.actual)}`);
  return out;
}

function show(v: unknown): string {
  if (v === undefined) return '(missing)';
  const text = scrubText(JSON.stringify(v) ?? String(v));
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text.split('\n').map((l) => (l ? pad + l : l)).join('\n');
}
