import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkDataMap } from '../../datamap/load.js';
import { expressionBackends } from '../../datamap/expressions.js';
import { DatamapError, type Diagnostic } from '../../errors/diagnostic.js';
import { checkDataMapTest, isDataMapTestFile } from '../../authoring/test-file.js';
import type { CliIo } from '../io.js';
import { c } from '../color.js';
import { countSeverities, formatDiagnostic, rememberSource } from '../format-diagnostic.js';
import { sarifTool } from '../version.js';
import { githubAnnotations, junitXml, sarifLog, type OutputFormat } from '../report-formats.js';
import { readAll } from '../input.js';

/** Options of `datamap validate`. */
export interface ValidateCommandOptions {
  format?: OutputFormat;
  /** Exit 1 when there are more warnings than this (and no error). */
  maxWarnings?: number;
  /** Same as `format: 'json'`. */
  json?: boolean;
}

interface FileResult {
  file: string;
  valid: boolean;
  diagnostics: Diagnostic[];
  /** `--format json`: which backend evaluates each expression (compiled closures, or jsonata and why). */
  expressions?: ReturnType<typeof expressionBackends>;
}

/**
 * `datamap validate <paths...>`: every finding of every Data Map (and Data Map test file), all at
 * once. A path may be a file, a directory (its Data Maps and test files, recursively) or `-`
 * (a Data Map on standard input). Exit 2 on any error, 1 when there are more warnings than
 * `--max-warnings`, 0 otherwise.
 */
export async function validateCommand(paths: string[], opts: ValidateCommandOptions, io: CliIo): Promise<number> {
  const format: OutputFormat = opts.json ? 'json' : opts.format ?? 'text';
  const files = expandPaths(paths);
  const results: FileResult[] = [];
  for (const file of files) {
    if (file === '-') {
      const text = await readAll(io.stdin);
      rememberSource('<stdin>', text);
      const { map, diagnostics } = checkDataMap({ text, file: '<stdin>' });
      results.push(withBackends({ file: '<stdin>', valid: map !== undefined && !diagnostics.some((d) => d.severity === 'error'), diagnostics }, map, format));
    } else if (isDataMapTestFile(file)) {
      // a Data Map test file: the test schema, its map, and the step ids it names
      const { test, diagnostics } = await checkDataMapTest({ file });
      results.push({ file, valid: test !== undefined && !diagnostics.some((d) => d.severity === 'error'), diagnostics });
    } else {
      const { map, diagnostics } = checkDataMap({ file });
      results.push(withBackends({ file, valid: map !== undefined && !diagnostics.some((d) => d.severity === 'error'), diagnostics }, map, format));
    }
  }
  const all = results.flatMap((r) => r.diagnostics);
  const { errors, warnings } = countSeverities(all);
  const tooManyWarnings = opts.maxWarnings !== undefined && warnings > opts.maxWarnings;
  const code = errors > 0 ? 2 : tooManyWarnings ? 1 : 0;
  switch (format) {
    case 'json':
      io.stdout(JSON.stringify({ valid: errors === 0, errors, warnings, ...(opts.maxWarnings !== undefined ? { maxWarnings: opts.maxWarnings } : {}), files: results }, null, 2) + '\n');
      break;
    case 'sarif':
      io.stdout(sarifLog(all, sarifTool()));
      break;
    case 'github':
      io.stdout(githubAnnotations(all));
      if (tooManyWarnings) io.stdout(`::error title=datamap validate::${warnings} warnings, more than --max-warnings ${opts.maxWarnings}\n`);
      break;
    case 'junit':
      io.stdout(junitXml('datamap validate', results.map((r) => ({
        name: r.file,
        cases: [{
          name: r.file,
          classname: 'datamap.validate',
          file: r.file,
          ...(r.valid ? {} : { failure: { message: `${countSeverities(r.diagnostics).errors} error(s)`, text: r.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d, { frame: false })).join('\n\n') } }),
        }],
      }))));
      break;
    default: {
      for (const r of results) {
        if (r.diagnostics.length === 0) {
          io.stdout(`${c.ok('ok')} ${r.file}\n`);
          continue;
        }
        for (const d of r.diagnostics) io.stdout(formatDiagnostic(d) + '\n\n');
        io.stdout(`${r.valid ? c.ok('ok') : c.fail('invalid')} ${r.file}\n`);
      }
      const line = `${results.length} file${results.length === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
      io.stdout(`${errors > 0 ? c.fail(line) : warnings > 0 ? c.warning(line) : c.ok(line)}\n`);
      if (tooManyWarnings) io.stdout(`${c.fail(`Too many warnings: ${warnings}, more than --max-warnings ${opts.maxWarnings}.`)}\n`);
    }
  }
  return code;
}

const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage']);

/**
 * Files to check: a file as given; `-` as is; a directory's `*.test.yaml` files and the YAML
 * files that look like Data Maps (a top-level `provider:` key), recursively, skipping hidden
 * folders, node_modules, dist and coverage.
 */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  let stdin = 0;
  for (const p of paths) {
    if (p === '-') {
      if (stdin++ === 0) out.push('-');
      continue;
    }
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      isDir = false; // a missing file is reported by the check itself (source/file-not-found)
    }
    if (!isDir) {
      out.push(p);
      continue;
    }
    const found = walk(p);
    if (found.length === 0) {
      throw new DatamapError({ code: 'usage/invalid-argument', severity: 'error', message: `${p} holds no Data Map (no *.yaml with a top-level provider: key, no *.test.yaml)`, hint: 'Give validate Data Map files, directories holding them, or - for standard input.' });
    }
    out.push(...found);
  }
  return out;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!e.name.startsWith('.') && !SKIP_DIRS.has(e.name)) out.push(...walk(p));
    } else if (/\.ya?ml$/.test(e.name) && (isDataMapTestFile(p) || looksLikeDataMap(p))) {
      out.push(p);
    }
  }
  return out;
}

function looksLikeDataMap(file: string): boolean {
  try {
    const st = statSync(file);
    if (st.size > 5 * 1024 * 1024) return true; // let the check report the size
    return /^provider\s*:/m.test(readHead(file));
  } catch {
    return false;
  }
}

function readHead(file: string): string {
  return readFileSync(file, 'utf8');
}

function withBackends(row: FileResult, map: Parameters<typeof expressionBackends>[0] | undefined, format: OutputFormat): FileResult {
  if (map && format === 'json') row.expressions = expressionBackends(map);
  return row;
}
