import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
// the public entry (src/index.ts) would load the whole engine, HTTP client included, for `validate`
import { CATALOGUE } from '../errors/catalogue.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { scrubText } from '../redact/index.js';

/**
 * Machine formats for CI, shared by `validate` and `test`:
 * - `sarif`: SARIF 2.1.0 (GitHub code scanning, Azure DevOps, most IDEs), one result per finding;
 * - `junit`: JUnit XML (Jenkins, GitLab, CircleCI test reports), a suite per file;
 * - `github`: GitHub Actions workflow commands (`::error file=…,line=…::…`), which annotate the
 *   pull request's changed lines.
 * Every message goes through the card/secret scrubber, as the text output does.
 */

/** The output formats of `validate` and `test`. */
export const FORMATS = ['text', 'json', 'sarif', 'junit', 'github'] as const;
export type OutputFormat = (typeof FORMATS)[number];

/** A path as shown to CI tools: relative to the working directory with `/`, or a file URL outside it. */
function uriOf(file: string): string {
  if (file.startsWith('<')) return file;
  const rel = isAbsolute(file) ? relative(process.cwd(), file) : file;
  if (rel.startsWith('..') || isAbsolute(rel)) return pathToFileURL(file).href;
  return rel.split(sep).join('/');
}

/** A SARIF 2.1.0 log of the findings. */
export function sarifLog(diagnostics: readonly Diagnostic[], tool: { version: string; uri?: string }): string {
  const codes = [...new Set(diagnostics.map((d) => d.code))].sort();
  const rules = codes.map((code) => ({
    id: code,
    name: CATALOGUE[code].title.replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ? ch.toUpperCase() : '')).replace(/^./, (ch) => ch.toUpperCase()),
    shortDescription: { text: CATALOGUE[code].title },
    help: { text: CATALOGUE[code].hint },
  }));
  const results = diagnostics.map((d) => {
    const r: Record<string, unknown> = {
      ruleId: d.code,
      ruleIndex: codes.indexOf(d.code),
      level: d.severity === 'error' ? 'error' : 'warning',
      message: { text: scrubText(`${d.message}. ${d.hint}`) },
    };
    if (d.location) {
      const region: Record<string, number> = { startLine: d.location.line, startColumn: d.location.column };
      if (d.location.endLine !== undefined) region.endLine = d.location.endLine;
      if (d.location.endColumn !== undefined) region.endColumn = d.location.endColumn;
      r.locations = [{ physicalLocation: { artifactLocation: { uri: uriOf(d.location.file) }, region } }];
    }
    return r;
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'datamap', semanticVersion: tool.version, version: tool.version, ...(tool.uri ? { informationUri: tool.uri } : {}), rules } },
      results,
    }],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub Actions workflow commands, one line per finding. */
export function githubAnnotations(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => {
    const props: string[] = [];
    if (d.location) {
      props.push(`file=${escapeProperty(uriOf(d.location.file))}`, `line=${d.location.line}`, `col=${d.location.column}`);
      if (d.location.endLine !== undefined) props.push(`endLine=${d.location.endLine}`);
      if (d.location.endColumn !== undefined && d.location.endLine === d.location.line) props.push(`endColumn=${d.location.endColumn}`);
    }
    props.push(`title=${escapeProperty(`datamap ${d.code}`)}`);
    return `::${d.severity === 'error' ? 'error' : 'warning'} ${props.join(',')}::${escapeData(scrubText(`${d.message}. Hint: ${d.hint}`))}\n`;
  }).join('');
}

/** One JUnit test case. */
export interface JUnitCase {
  name: string;
  classname: string;
  file?: string;
  line?: number;
  timeMs?: number;
  /** A failed expectation (the case ran and did something else). */
  failure?: { message: string; text: string };
  /** The case could not run. */
  error?: { message: string; text: string };
}

/** One JUnit suite (a file). */
export interface JUnitSuite {
  name: string;
  cases: JUnitCase[];
}

function xml(s: string): string {
  // characters XML 1.0 cannot hold at all are dropped
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A JUnit XML report. */
export function junitXml(name: string, suites: readonly JUnitSuite[]): string {
  const count = (s: JUnitSuite) => ({
    tests: s.cases.length,
    failures: s.cases.filter((c) => c.failure).length,
    errors: s.cases.filter((c) => c.error).length,
  });
  const total = suites.map(count).reduce((a, b) => ({ tests: a.tests + b.tests, failures: a.failures + b.failures, errors: a.errors + b.errors }), { tests: 0, failures: 0, errors: 0 });
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${xml(name)}" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}">`];
  for (const s of suites) {
    const n = count(s);
    out.push(`  <testsuite name="${xml(s.name)}" tests="${n.tests}" failures="${n.failures}" errors="${n.errors}" skipped="0">`);
    for (const c of s.cases) {
      const attrs = [`name="${xml(c.name)}"`, `classname="${xml(c.classname)}"`];
      if (c.file) attrs.push(`file="${xml(uriOf(c.file))}"`);
      if (c.line !== undefined) attrs.push(`line="${c.line}"`);
      attrs.push(`time="${((c.timeMs ?? 0) / 1000).toFixed(3)}"`);
      const body = c.failure ? ['failure', c.failure] as const : c.error ? ['error', c.error] as const : undefined;
      if (!body) {
        out.push(`    <testcase ${attrs.join(' ')}/>`);
        continue;
      }
      out.push(`    <testcase ${attrs.join(' ')}>`);
      out.push(`      <${body[0]} message="${xml(scrubText(body[1].message))}">${xml(scrubText(body[1].text))}</${body[0]}>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
