import type { CompiledMap, CompiledStep } from '../datamap/types.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { authHeaderPreview, staticHeaders } from '../providers/headers.js';
import { addRequestValues, createScrubber, maskCredentials, mayHoldCardNumber, mayHoldUserInfo, mayNeedMasking, maskingChangesJoined, recordScrubber, REDACTED, scrubText, type Scrubber } from '../redact/index.js';
import { KEY_PLAIN, KEY_SECRET, keyClass, operationPaths, pathIndex, redactScalar, type SensitivePathIndex, type SensitivePaths } from '../redact/redact-value.js';
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

/**
 * Turns a raw plan into what the CLI prints and the library returns: nothing secret in it.
 *
 * Bodies are redacted by the operation's sensitive paths and key names and their placeholders
 * rendered in one walk, which also collects every string the view shows. The record's scrubber
 * then looks at all of them at once: when none holds a known sensitive value, a card-number run
 * or a credential's shape (the usual case), scrubbing would change nothing and the view is
 * returned as built; otherwise the whole view goes through `Scrubber.value`, string by string.
 */
export function viewPlan(map: CompiledMap, raw: RecordPlanRaw, parent: Scrubber = NO_SECRETS): RecordPlanView {
  // the record's own sensitive values are scrubbed by value from everything shown (src/redact)
  const scrub = recordScrubber(map, raw.context.record, parent);
  const fixed = staticParts(map);
  const view: RecordPlanView = {
    index: raw.context.index,
    ok: raw.ok,
    diagnostics: raw.context.diagnostics.map(scrubDiagnostic),
    steps: [],
  };
  // strings shown that come from this record (joined by U+0000), numbers shown
  const seen: Seen = { text: '', numbers: [view.index], digitRuns: false, plain: raw.context.diagnostics.length === 0 && fixed.plain };
  if (raw.context.line !== undefined) {
    view.line = raw.context.line;
    seen.numbers.push(view.line);
  }
  if (raw.context.key !== undefined) {
    view.key = scrubText(raw.context.key);
    see(seen, view.key);
  }
  let headers: Record<string, string> | undefined;
  for (const ev of raw.steps) {
    const step = fixed.steps.get(ev.id)!;
    const sv: StepPlanView = {
      id: ev.id,
      operation: ev.operation,
      decision: ev.decision,
      placeholders: [],
      verdict: ev.decision === 'skip' ? 'skipped' : ev.valid ? 'valid' : 'invalid',
      diagnostics: ev.diagnostics.map(scrubDiagnostic),
    };
    if (ev.diagnostics.length > 0) seen.plain = false;
    if (step.when) sv.when = step.when.source.trim();
    if (ev.request) {
      const spec = step.operation.spec;
      addRequestValues(scrub, spec, ev.request.body);
      const found: StepPlanView['placeholders'] = [];
      const rendered = ev.request.body === undefined ? undefined : viewBody(ev.request.body, operationPaths(spec), raw.placeholders, found, seen);
      let urlText = ev.request.url;
      if (urlText.includes('%E2%9F%A8')) urlText = urlText.replace(/%E2%9F%A8(.*?)%E2%9F%A9/g, (_m, r: string) => `\u27E8${decodeURIComponent(r)}\u27E9`);
      const url = raw.placeholders.render(urlText);
      headers ??= { ...fixed.headers };
      sv.request = { method: ev.request.method, url: scrubText(String(url.value)), headers: ev.request.body === undefined ? withoutBodyHeaders(headers) : headers };
      if (ev.request.body !== undefined) sv.request.body = rendered;
      sv.placeholders = [...url.found.map((f) => ({ ...f, pointer: 'url' })), ...found];
      // numeric placeholders in the URL were sentinels; show their names
      sv.request.url = replaceNumericSentinels(sv.request.url, raw.placeholders, sv.placeholders);
      see(seen, sv.request.url);
      for (const f of sv.placeholders) {
        see(seen, f.pointer);
        see(seen, f.ref);
        see(seen, f.type);
      }
    }
    view.steps.push(sv);
  }
  // nothing to hide anywhere: Scrubber.value would return the view as it is
  if (seen.plain && !maskingChangesJoined(seen.text, seen.digitRuns) && !scrub.knowsAnyIn(seen.text) && !scrub.knowsAnyIn(fixed.text) && !seen.numbers.some((n) => scrub.changesNumber(n))) {
    return view;
  }
  return scrub.value(view);
}

const SEP = '\u0000';

/** Adds a string the view shows to what the final check looks at. */
function see(seen: Seen, s: string): void {
  seen.text += s + SEP;
  if (s.length >= 13 && !seen.digitRuns && mayHoldCardNumber(s)) seen.digitRuns = true;
  if (mayHoldUserInfo(s)) seen.plain = false;
}

/** What the view shows of one record, for the final check. */
interface Seen {
  text: string;
  numbers: number[];
  /** False once something needs the full scrub anyway (diagnostics). */
  plain: boolean;
  /** True once a string shown may hold a card number (a long enough digit run). */
  digitRuns: boolean;
}

/** The parts of a map's views that are the same for every record. */
interface StaticParts {
  steps: Map<string, CompiledStep>;
  headers: Record<string, string>;
  /** Every fixed string a view may show (key names, ids, operations, conditions, methods, headers), joined by U+0000. */
  text: string;
  /** True when none of them is changed by masking (card numbers, credentials' shapes). */
  plain: boolean;
}

const statics = new WeakMap<CompiledMap, StaticParts>();

function staticParts(map: CompiledMap): StaticParts {
  let p = statics.get(map);
  if (!p) {
    const headers = { ...staticHeaders(map.provider.pack), ...authHeaderPreview(map.provider) };
    const strings = [
      'index', 'ok', 'diagnostics', 'steps', 'line', 'key', 'id', 'operation', 'decision', 'placeholders', 'verdict', 'when', 'request',
      'method', 'url', 'headers', 'body', 'pointer', 'ref', 'type', 'run', 'skip', 'deferred', 'valid', 'invalid', 'skipped',
      ...Object.entries(headers).flat(),
    ];
    const steps = new Map<string, CompiledStep>();
    for (const s of map.steps) {
      if (!steps.has(s.id)) steps.set(s.id, s);
      strings.push(s.id, s.operation.id, s.operation.method);
      if (s.when) strings.push(s.when.source.trim());
    }
    p = { steps, headers, text: strings.join(SEP) + SEP, plain: strings.every((x) => !mayNeedMasking(x) || maskCredentials(scrubText(x)) === x) };
    statics.set(map, p);
  }
  return p;
}

/**
 * A request body as shown: redacted (redactValue's rules, path by path) and its placeholders
 * rendered (Placeholders.render's rules, with their JSON pointers), in one walk; every key and
 * string shown is added to `seen`.
 */
function viewBody(body: unknown, paths: SensitivePaths, ph: Placeholders, found: StepPlanView['placeholders'], seen: Seen): unknown {
  const w = new BodyWalk(paths, ph, found, seen);
  return w.walk(body, w.index.root ? '' : null, KEY_PLAIN, 0);
}

// A class, not closures made per body: nothing is allocated per call but the walk's own state.
class BodyWalk {
  readonly index: SensitivePathIndex;
  private readonly pointer: string[] = [];

  constructor(
    private readonly paths: SensitivePaths,
    private readonly ph: Placeholders,
    private readonly found: StepPlanView['placeholders'],
    private readonly seen: Seen,
  ) {
    this.index = pathIndex(paths);
  }

  /** The JSON pointer of the value being walked. */
  at(): string {
    let out = '';
    for (const k of this.pointer) out += '/' + (k.includes('~') || k.includes('/') ? k.replace(/~/g, '~0').replace(/\//g, '~1') : k);
    return out;
  }

  /** Placeholders.render of a redacted leaf. */
  shown(v: unknown): unknown {
    const info = this.ph.lookup(v);
    if (info) {
      this.found.push({ pointer: this.at(), ...info });
      const d = Placeholders.display(info);
      see(this.seen, d);
      return d;
    }
    if (typeof v === 'string') {
      const r = v.includes('\u27E8') ? renderStrings(v, this.at(), this.found) : v;
      see(this.seen, r);
      return r;
    }
    if (typeof v === 'number') this.seen.numbers.push(v);
    return v;
  }

  /** Placeholders.render's walk, for what lies below the redaction's depth limit. */
  renderAll(v: unknown): unknown {
    if (this.ph.lookup(v) || typeof v === 'string') return this.shown(v);
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) {
        this.pointer.push(String(i));
        out.push(this.renderAll(v[i]));
        this.pointer.pop();
      }
      return out;
    }
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        this.pointer.push(k);
        out[k] = this.renderAll(x);
        this.pointer.pop();
      }
      return out;
    }
    return v;
  }

  walk(value: unknown, path: string | null, keyCls: number, depth: number): unknown {
    if (value === null || value === undefined) return value;
    if (typeof value === 'string' || typeof value === 'number') return this.shown(redactScalar(value, path, keyCls, this.paths));
    if (typeof value !== 'object') return value;
    if (depth > 100) {
      // redactValue leaves what is this deep as it is; render still walks it
      this.seen.plain = false;
      return this.renderAll(value);
    }
    if (keyCls === KEY_SECRET || (path !== null && this.paths.secret.has(path))) return this.shown(REDACTED);
    if (Array.isArray(value)) {
      const p = this.index.child(path, undefined);
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        this.pointer.push(String(i));
        out.push(this.walk(value[i], p, keyCls, depth + 1));
        this.pointer.pop();
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    const names = Object.keys(value);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      see(this.seen, name);
      this.pointer.push(name);
      out[name] = this.walk((value as Record<string, unknown>)[name], this.index.child(path, name), keyClass(name), depth + 1);
      this.pointer.pop();
    }
    return out;
  }
}

/** String placeholders inside a longer string, as Placeholders.render shows them. */
function renderStrings(v: string, pointer: string, found: StepPlanView['placeholders']): string {
  return v.replace(/\u27E8([^\u27E9]+)\u27E9/g, (_m, ref: string) => {
    found.push({ pointer, ref, type: 'string' });
    return `<${ref}>`;
  });
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
