import type { Command } from 'commander';
import {
  DatamapError, checkDataMap, explainRecord, scrubText,
  type Diagnostic, type ExplainedField, type ExplainedStep, type Explanation, type RecordItem,
} from '../../index.js';
import type { CliIo } from '../io.js';
import { openRecords, parseInputFormat } from '../input.js';

interface ExplainCommandOptions {
  input: string;
  record: string;
  format?: string;
  json?: boolean;
}

/**
 * Registers `datamap explain <map> --input <file|-> [--record N] [--json]`: for one record, each
 * step's request field by field (value, the expression that produced it, its line in the Data
 * Map), the required provider fields it does not produce, and the record fields the map never
 * reads. Exit 0 when the record plans cleanly, 1 when it does not, 2 when the map or the input
 * cannot be used.
 */
export function registerExplainCommand(program: Command, io: CliIo, setCode: (code: number) => void): void {
  program
    .command('explain')
    .description('Show, for one record, where every request field comes from: value, expression and Data Map line')
    .argument('<map>', 'Data Map file')
    .requiredOption('-i, --input <file>', 'records: CSV with a header row, JSON object, JSON array or NDJSON; - for stdin')
    .option('--format <format>', 'input format: csv, ndjson or json (default: by extension, .csv is CSV)')
    .option('-r, --record <n>', 'which record to explain, counting from 1', '1')
    .option('--json', 'machine-readable output')
    .action(async (mapFile: string, opts: ExplainCommandOptions) => {
      setCode(await explainCommand(mapFile, opts, io));
    });
}

async function explainCommand(mapFile: string, opts: ExplainCommandOptions, io: CliIo): Promise<number> {
  const n = Number(opts.record);
  if (!Number.isInteger(n) || n < 1) {
    io.stderr(formatDiagnostic(usage('usage/invalid-argument', `--record must be a whole number from 1, not "${opts.record}"`, 'Give the record\'s position in the input, counting from 1.')) + '\n');
    return 2;
  }
  parseInputFormat(opts.format);
  // explain is where a map's gaps are looked at, so static-check errors are shown, not fatal
  const checked = checkDataMap({ file: mapFile });
  if (!checked.map) throw new DatamapError(checked.diagnostics.filter((d) => d.severity === 'error'));
  const map = checked.map;
  for (const d of map.diagnostics) io.stderr(formatDiagnostic(d) + '\n\n');
  const item = await nthRecord(openRecords(opts.input, io, { format: opts.format, schema: map.spec.input }), n);
  if (!item) {
    io.stderr(formatDiagnostic(usage('usage/input', `${opts.input} has fewer than ${n} record${n === 1 ? '' : 's'}`, 'Pick a record that exists with --record.')) + '\n');
    return 2;
  }
  if (item.error) {
    io.stderr(formatDiagnostic(item.error) + '\n');
    return 2;
  }
  const explanation = await explainRecord(map, item.value, { clock: io.now, index: item.index, settings: { env: io.env } });
  if (opts.json) io.stdout(JSON.stringify(explanation, null, 2) + '\n');
  else io.stdout(formatExplanation(explanation, opts.input, item.line));
  const missing = explanation.steps.some((s) => s.missingRequired.length > 0);
  return explanation.ok && !missing ? 0 : 1;
}

function usage(code: Diagnostic['code'], message: string, hint: string): Diagnostic {
  return { code, severity: 'error', message, hint };
}

/** Reads records up to the n-th (1-based); undefined when there are fewer. */
async function nthRecord(records: AsyncGenerator<RecordItem>, n: number): Promise<RecordItem | undefined> {
  for await (const it of records) {
    if (it.index === n - 1) {
      await records.return(undefined);
      return it;
    }
  }
  return undefined;
}

/** The readable form: a header per record, a table of fields per step, then unread fields. */
function formatExplanation(e: Explanation, input: string, line: number): string {
  const out: string[] = [];
  out.push(`Explain ${e.name} (${e.map}) — ${e.provider}`);
  out.push(`Record ${e.index + 1} of ${input}${line ? ` (line ${line})` : ''}${e.key !== undefined ? `  key ${e.key}` : ''}  ${e.ok ? 'VALID' : 'INVALID'}`);
  for (const d of e.diagnostics) out.push(indent(formatDiagnostic(d), 2));
  out.push('');
  e.steps.forEach((s, i) => out.push(...formatStep(s, i)));
  out.push('Record fields the map never reads:');
  if (e.unreadFields.length === 0) out.push('  (none: every field is read)');
  else for (const f of e.unreadFields) out.push(`  ${f}`);
  return out.join('\n') + '\n';
}

function formatStep(s: ExplainedStep, i: number): string[] {
  const out: string[] = [];
  const decision = s.decision === 'deferred' ? 'runs if its condition holds at run time' : s.decision === 'skip' ? 'skipped: condition is false' : 'runs';
  out.push(`${i + 1}. ${s.id}  ${s.operation}  — ${decision}`);
  if (s.when) out.push(`   when: ${oneLine(s.when)}`);
  if (s.method && s.url) out.push(`   ${s.method} ${s.url}`);
  if (s.fields.length > 0) {
    const rows = s.fields.map((f) => [fieldLabel(f), valueText(f), oneLine(f.expression, 60) + (f.let ? `  (let ${f.let.name}, line ${f.let.location.line}: ${oneLine(f.let.expression, 40)})` : ''), where(f)]);
    const header = ['field', 'value', 'expression', 'line'];
    const widths = header.map((h, c) => Math.min(c === 2 ? 100 : 48, Math.max(h.length, ...rows.map((r) => r[c]!.length))));
    const fmt = (r: string[]) => '   ' + r.map((cell, c) => (c === r.length - 1 ? cell : pad(cell, widths[c]!))).join('  ');
    out.push(fmt(header));
    for (const r of rows) out.push(fmt(r));
  }
  if (s.missingRequired.length > 0) out.push(`   required by ${s.operation} but not produced: ${s.missingRequired.join(', ')}`);
  if (s.verdict === 'valid') out.push('   ✓ payload valid');
  for (const d of s.diagnostics) out.push(indent(formatDiagnostic(d), 3));
  out.push('');
  return out;
}

function fieldLabel(f: ExplainedField): string {
  return f.in === 'body' ? f.path : `${f.path} (${f.in})`;
}

function valueText(f: ExplainedField): string {
  if (!f.produced) return '(not produced)';
  const text = typeof f.value === 'string' && /^<\$steps\./.test(f.value) ? f.value : JSON.stringify(f.value) ?? 'undefined';
  return scrubText(oneLine(text, 48));
}

function where(f: ExplainedField): string {
  return `${f.location.file}:${f.location.line}`;
}

function oneLine(text: string, max = 200): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

function pad(text: string, width: number): string {
  const t = text.length > width ? text.slice(0, width - 1) + '…' : text;
  return t + ' '.repeat(Math.max(0, width - t.length));
}

function indent(text: string, n: number): string {
  const p = ' '.repeat(n);
  return text.split('\n').map((l) => p + l).join('\n');
}

/** A diagnostic as text: severity, code, message, location and hint (messages scrubbed of card numbers). */
function formatDiagnostic(d: Diagnostic): string {
  const lines = [`${d.severity} ${d.code}: ${scrubText(d.message)}`];
  if (d.location) lines.push(`  --> ${d.location.file}:${d.location.line}:${d.location.column}`);
  lines.push(`  hint: ${d.hint}`);
  return lines.join('\n');
}
