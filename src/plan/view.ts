import type { CompiledMap } from '../datamap/types.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { authHeaderPreview, staticHeaders } from '../providers/headers.js';
import { addRequestValues, createScrubber, recordScrubber, redactValue, sensitivePaths, scrubText, type Scrubber } from '../redact/index.js';
import type { RecordPlanRaw } from './plan-record.js';
import { Placeholders } from './placeholders.js';

/** A printable step of a dry run: redacted, placeholders shown by name. */
export interface StepPlanView {
  id: string;
  operation: string;
  decision: 'run' | 'skip' | 'deferred';
  /** The `when` expression, when the step has one. */
  when?: string;
  request?: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: unknown;
  };
  /** Where earlier outputs stand in the request, e.g. `{ pointer: '/invoiceId', ref: '$steps.sale.invoiceId', type: 'integer' }`. */
  placeholders: Array<{ pointer: string; ref: string; type: string }>;
  verdict: 'valid' | 'invalid' | 'skipped';
  diagnostics: Diagnostic[];
}

/** A printable dry run of one record. */
export interface RecordPlanView {
  index: number;
  line?: number;
  key?: string;
  ok: boolean;
  diagnostics: Diagnostic[];
  steps: StepPlanView[];
}

/** Turns a raw plan into what the CLI prints and the library returns: nothing secret in it. */
export function viewPlan(map: CompiledMap, raw: RecordPlanRaw, parent: Scrubber = NO_SECRETS): RecordPlanView {
  // the record's own sensitive values are scrubbed by value from everything shown (src/redact)
  const scrub = recordScrubber(map, raw.context.record, parent);
  const view: RecordPlanView = {
    index: raw.context.index,
    ok: raw.ok,
    diagnostics: raw.context.diagnostics.map(scrubDiagnostic),
    steps: [],
  };
  if (raw.context.line !== undefined) view.line = raw.context.line;
  if (raw.context.key !== undefined) view.key = scrubText(raw.context.key);
  const headers = { ...staticHeaders(map.provider.pack), ...authHeaderPreview(map.provider) };
  for (const ev of raw.steps) {
    const step = map.steps.find((s) => s.id === ev.id)!;
    const sv: StepPlanView = {
      id: ev.id,
      operation: ev.operation,
      decision: ev.decision,
      placeholders: [],
      verdict: ev.decision === 'skip' ? 'skipped' : ev.valid ? 'valid' : 'invalid',
      diagnostics: ev.diagnostics.map(scrubDiagnostic),
    };
    if (step.when) sv.when = step.when.source.trim();
    if (ev.request) {
      addRequestValues(scrub, step.operation.spec, ev.request.body);
      const paths = sensitivePaths(step.operation.spec.sensitive);
      const rendered = raw.placeholders.render(ev.request.body === undefined ? undefined : redactValue(ev.request.body, paths));
      const url = raw.placeholders.render(ev.request.url.replace(/%E2%9F%A8(.*?)%E2%9F%A9/g, (_m, r: string) => `\u27E8${decodeURIComponent(r)}\u27E9`));
      sv.request = { method: ev.request.method, url: scrubText(String(url.value)), headers: ev.request.body === undefined ? withoutBodyHeaders(headers) : headers };
      if (ev.request.body !== undefined) sv.request.body = rendered.value;
      sv.placeholders = [...url.found.map((f) => ({ ...f, pointer: 'url' })), ...rendered.found];
      // numeric placeholders in the URL were sentinels; show their names
      sv.request.url = replaceNumericSentinels(sv.request.url, raw.placeholders, sv.placeholders);
    }
    view.steps.push(sv);
  }
  return scrub.value(view);
}

const NO_SECRETS = createScrubber();

function withoutBodyHeaders(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (k.toLowerCase() !== 'content-type') out[k] = v;
  return out;
}

function replaceNumericSentinels(url: string, ph: Placeholders, found: StepPlanView['placeholders']): string {
  return url.replace(/\b7770\d{9}\b/g, (m) => {
    const info = ph.lookup(Number(m));
    if (!info) return m;
    found.push({ pointer: 'url', ...info });
    return Placeholders.display(info);
  });
}

function scrubDiagnostic(d: Diagnostic): Diagnostic {
  return { ...d, message: scrubText(d.message) };
}
