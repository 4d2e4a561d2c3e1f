import { loadDataMap } from '../../datamap/load.js';
import type { CompiledMap } from '../../datamap/types.js';
import { RecordPlanner, type PlanRunOptions } from '../../plan/plan-stream.js';
import { isThenable } from '../../expressions/plain-json.js';
import type { RecordPlanView } from '../../plan/view.js';
import { maskCredentials } from '../../redact/mask.js';
import { assertHttpUrl } from '../../transport/egress.js';
import { parseSets } from '../set-option.js';
import type { CliIo } from '../io.js';
import { openRecordBatches, parseInputFormat } from '../input.js';
import { formatDiagnostic } from '../format-diagnostic.js';

export interface PlanCommandOptions {
  input: string;
  /** `csv`, `ndjson` or `json`; default by the input's extension. */
  format?: string;
  json?: boolean;
  baseUrl?: string;
  set?: string[];
  /** Only counts and the invalid records. */
  summary?: boolean;
}

/** Per step of the map: how many records would run it, skip it, or decide at run time. */
type StepCounts = Record<string, { operation: string; run: number; skipped: number; deferred: number }>;

/**
 * `datamap plan <map> --input <file|->`: the dry run. Streams records; prints each record's
 * requests as they would be sent (redacted), or with `--summary` only the counts and the
 * invalid records. Exit 0 when every record plans cleanly, 1 when any record is invalid, 2
 * when the Data Map, the input or an option cannot be used.
 */
export async function planCommand(mapFile: string, opts: PlanCommandOptions, io: CliIo): Promise<number> {
  if (opts.baseUrl) assertHttpUrl(opts.baseUrl, '--base-url');
  parseInputFormat(opts.format);
  const map = loadDataMap({ file: mapFile });
  for (const d of map.diagnostics) io.stderr(formatDiagnostic(d) + '\n\n');
  const records = openRecordBatches(opts.input, io, { format: opts.format, schema: map.spec.input });
  const planOpts: PlanRunOptions = { clock: io.now, settings: { set: parseSets(opts.set), env: io.env } };
  if (opts.baseUrl) planOpts.baseUrl = opts.baseUrl;
  let total = 0;
  let valid = 0;
  let shown = 0;
  const steps: StepCounts = {};
  for (const s of map.steps) steps[s.id] = { operation: s.operation.id, run: 0, skipped: 0, deferred: 0 };
  if (opts.json) {
    io.stdout(`{"map":${JSON.stringify(map.file)},"name":${JSON.stringify(map.name)},"provider":${JSON.stringify(map.provider.pack.name)},"environment":${JSON.stringify(map.provider.environment)},"records":[`);
  } else {
    io.stdout(`Plan for ${map.name} (${map.file}) — ${map.provider.pack.title}, ${map.provider.environment}: ${maskCredentials(opts.baseUrl ?? map.provider.baseUrl)}\nNo calls are made.\n\n`);
  }
  // what the records print is written in batches (one write per input chunk or 64 KiB, not one
  // per record): the whole output, in the same order
  const out = batchedWriter(io.stdout);
  try {
    await planAll();
  } finally {
    out.flush();
  }
  async function planAll(): Promise<void> {
    // what planRecords does, a chunk of input at a time: the map's settings are bound first
    // (before any input is read), then each record is planned, synchronously unless an
    // expression returns a promise
    const planner = new RecordPlanner(map, planOpts);
    for await (const batch of records.batches) {
      for (const it of batch) {
        const planned = planner.plan(it, records.checked);
        show(isThenable(planned) ? await planned : planned);
      }
    }
  }
  function show(rec: RecordPlanView): void {
    total++;
    if (rec.ok) valid++;
    for (const s of rec.steps) {
      const c = steps[s.id];
      if (!c) continue;
      if (s.decision === 'run') c.run++;
      else if (s.decision === 'skip') c.skipped++;
      else c.deferred++;
    }
    if (opts.summary && rec.ok) return;
    if (opts.json) out.write((shown > 0 ? ',' : '') + JSON.stringify(rec));
    else out.write(formatRecord(map, rec));
    shown++;
  }
  const summary = { records: total, valid, invalid: total - valid };
  if (opts.json) {
    io.stdout(`],"summary":${JSON.stringify(opts.summary ? { ...summary, steps } : summary)}}\n`);
  } else {
    io.stdout(`${total} record${total === 1 ? '' : 's'}: ${valid} valid, ${total - valid} invalid\n`);
    if (opts.summary) {
      const width = Math.max(0, ...Object.keys(steps).map((id) => id.length));
      for (const [id, c] of Object.entries(steps)) {
        io.stdout(`  step ${id.padEnd(width)}  ${c.operation}: ${c.run} run, ${c.skipped} skipped${c.deferred > 0 ? `, ${c.deferred} decided at run time` : ''}\n`);
      }
    }
  }
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

/**
 * Collects output and hands it to `write` in batches: when 64 KiB are waiting, when the event
 * loop turns (the next input chunk is being read: output keeps up with a slow input such as a
 * pipe), and on `flush()`.
 */
function batchedWriter(write: (text: string) => void): { write(text: string): void; flush(): void } {
  let parts: string[] = [];
  let size = 0;
  let scheduled = false;
  const flush = (): void => {
    if (parts.length === 0) return;
    const text = parts.length === 1 ? parts[0]! : parts.join('');
    parts = [];
    size = 0;
    write(text);
  };
  return {
    write(text: string): void {
      parts.push(text);
      size += text.length;
      if (size >= 65_536) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          flush();
        });
      }
    },
    flush,
  };
}
