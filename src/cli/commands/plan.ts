import { loadDataMap } from '../../datamap/load.js';
import type { CompiledMap } from '../../datamap/types.js';
import { planRecords, type PlanRunOptions } from '../../plan/plan-stream.js';
import type { RecordPlanView } from '../../plan/view.js';
import { maskCredentials } from '../../redact/mask.js';
import { assertHttpUrl } from '../../transport/egress.js';
import { parseSets } from '../set-option.js';
import type { CliIo } from '../io.js';
import { openRecords } from '../input.js';
import { formatDiagnostic } from '../format-diagnostic.js';

export interface PlanCommandOptions {
  input: string;
  json?: boolean;
  baseUrl?: string;
  set?: string[];
}

/**
 * `datamap plan <map> --input <file|->`: the dry run. Streams records; prints each record's
 * requests as they would be sent (redacted). Exit 0 when every record plans cleanly, 1 when
 * any record is invalid, 2 when the Data Map or the input cannot be used.
 */
export async function planCommand(mapFile: string, opts: PlanCommandOptions, io: CliIo): Promise<number> {
  if (opts.baseUrl) assertHttpUrl(opts.baseUrl, '--base-url');
  const map = loadDataMap({ file: mapFile });
  for (const d of map.diagnostics) io.stderr(formatDiagnostic(d) + '\n\n');
  const records = openRecords(opts.input, io);
  const planOpts: PlanRunOptions = { clock: io.now, settings: { set: parseSets(opts.set), env: io.env } };
  if (opts.baseUrl) planOpts.baseUrl = opts.baseUrl;
  let total = 0;
  let valid = 0;
  if (opts.json) {
    io.stdout(`{"map":${JSON.stringify(map.file)},"name":${JSON.stringify(map.name)},"provider":${JSON.stringify(map.provider.pack.name)},"environment":${JSON.stringify(map.provider.environment)},"records":[`);
  } else {
    io.stdout(`Plan for ${map.name} (${map.file}) — ${map.provider.pack.title}, ${map.provider.environment}: ${maskCredentials(opts.baseUrl ?? map.provider.baseUrl)}\nNo calls are made.\n\n`);
  }
  for await (const rec of planRecords(map, records, planOpts)) {
    if (opts.json) io.stdout((total > 0 ? ',' : '') + JSON.stringify(rec));
    else io.stdout(formatRecord(map, rec));
    total++;
    if (rec.ok) valid++;
  }
  const summary = { records: total, valid, invalid: total - valid };
  if (opts.json) io.stdout(`],"summary":${JSON.stringify(summary)}}\n`);
  else io.stdout(`${total} record${total === 1 ? '' : 's'}: ${valid} valid, ${total - valid} invalid\n`);
  return total === valid ? 0 : 1;
}

function formatRecord(map: CompiledMap, rec: RecordPlanView): string {
  const lines: string[] = [];
  const where = rec.line ? ` (line ${rec.line})` : '';
  lines.push(`Record ${rec.index + 1}${where}${rec.key !== undefined ? `  key ${rec.key}` : ''}  ${rec.ok ? 'VALID' : 'INVALID'}`);
  for (const d of rec.diagnostics) lines.push(indent(formatDiagnostic(d), 2));
  rec.steps.forEach((s, i) => {
    const decision = s.decision === 'deferred' ? 'runs if its condition holds at run time' : s.decision === 'skip' ? 'skipped: condition is false' : 'runs';
    lines.push(`  ${i + 1}. ${s.id}  ${s.operation}  — ${decision}`);
    if (s.when) lines.push(`     when: ${s.when.replace(/\s+/g, ' ')}`);
    if (s.request) {
      lines.push(`     ${s.request.method} ${s.request.url}`);
      for (const [k, v] of Object.entries(s.request.headers)) lines.push(`     ${k}: ${v}`);
      if (s.request.body !== undefined) lines.push(indent(JSON.stringify(s.request.body, null, 2), 5));
    }
    if (s.verdict === 'valid') lines.push(`     ✓ payload valid against ${map.provider.pack.name} ${s.operation}`);
    for (const d of s.diagnostics) lines.push(indent(formatDiagnostic(d), 5));
  });
  return lines.join('\n') + '\n\n';
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text.split('\n').map((l) => pad + l).join('\n');
}
