import type { CompiledMap, CompiledStep } from '../datamap/types.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { authHeaderPreview, staticHeaders } from '../providers/headers.js';
import type { OperationSpec } from '../providers/pack-types.js';
import { maskCardNumber, mayHoldUserInfoJoined } from '../redact/mask.js';
import { addRequestValues, createScrubber, maskCredentials, mayHoldCardNumber, mayNeedMasking, maskingChangesJoined, recordScrubber, REDACTED, scrubText, type Scrubber, type ScrubKind } from '../redact/index.js';
import { redactionPlan, someAtLeaves, someRecordValue, type ValueProbe } from '../redact/record-values.js';
import { ANYWHERE_LENGTH, MAX_VALUES, MIN_SENSITIVE_LENGTH, PLAIN_VALUE, standaloneMatcher } from '../redact/scrubber.js';
import { KEY_CARD, KEY_PLAIN, KEY_SECRET, keyClass, operationPaths, pathIndex, type SensitivePathIndex, type SensitivePaths } from '../redact/redact-value.js';
import type { RecordPlanRaw } from './plan-record.js';
import { Placeholders, PLACEHOLDER_NUMBERS } from './placeholders.js';
import { settingSecrets } from '../settings/secrets.js';

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
 * rendered in one walk (what is the same for every record — the paths and key names of a body,
 * their classes and checks — is worked out once per operation and kept in a skeleton), which
 * also collects every string the view shows. Then everything shown is checked at once against
 * what `Scrubber.value` would hide: the record's sensitive values (those at the map's sensitive
 * record paths, under sensitively named fields, and at the request's sensitive paths, collected
 * as they are, without building a scrubber), card-number runs and credentials' shapes. When none
 * is found (the usual case), scrubbing would change nothing and the view is returned as built;
 * otherwise the record's scrubber is built as before and the whole view goes through
 * `Scrubber.value`, string by string.
 */
export function viewPlan(map: CompiledMap, raw: RecordPlanRaw, parent: Scrubber = NO_SECRETS): RecordPlanView {
  const fixed = staticParts(map);
  const view: RecordPlanView = {
    index: raw.context.index,
    ok: raw.ok,
    diagnostics: raw.context.diagnostics.length === 0 ? [] : raw.context.diagnostics.map(scrubDiagnostic),
    steps: [],
  };
  // strings shown that come from this record (joined by U+0000), numbers shown
  const seen: Seen = { parts: [], text: '', numbers: [view.index], digitRuns: false, requestValues: [], requestKinds: [], plain: raw.context.diagnostics.length === 0 && fixed.plain && parent === NO_SECRETS };
  if (raw.context.line !== undefined) {
    view.line = raw.context.line;
    seen.numbers.push(view.line);
  }
  if (raw.context.key !== undefined) {
    view.key = scrubText(raw.context.key);
    // a key scrubText leaves as it is needs no second look for card numbers
    if (view.key === raw.context.key) seeScrubbed(seen, view.key);
    else see(seen, view.key);
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
      diagnostics: ev.diagnostics.length === 0 ? [] : ev.diagnostics.map(scrubDiagnostic),
    };
    if (ev.diagnostics.length > 0) seen.plain = false;
    if (step.when) sv.when = fixed.whens.get(step)!;
    if (ev.request) {
      const op = operationView(step.operation.spec);
      const found: StepPlanView['placeholders'] = [];
      let rendered: unknown;
      if (ev.request.body !== undefined) {
        rendered = new BodyWalk(op, raw.placeholders, found, seen).walk(ev.request.body, op.root, 0);
      }
      let shownHeaders: Record<string, string>;
      if (ev.request.body === undefined) shownHeaders = { ...fixed.headersNoBody };
      else shownHeaders = headers ??= { ...fixed.headers };
      sv.request = { method: ev.request.method, url: '', headers: shownHeaders };
      if (ev.request.body !== undefined) sv.request.body = rendered;
      const url = shownUrl(ev.request.url, raw.placeholders);
      sv.request.url = url.url;
      // as before: the URL's string placeholders, the body's, then the URL's numeric ones
      sv.placeholders = url.found.length === 0 && url.after.length === 0 ? found : [...url.found, ...found, ...url.after];
      seen.parts.push(url.url);
      if (url.runs) seen.digitRuns = true;
      for (const f of sv.placeholders) {
        seeRepeated(seen, f.pointer);
        seeRepeated(seen, f.ref);
        seeRepeated(seen, f.type);
      }
    }
    view.steps.push(sv);
  }
  // nothing to hide anywhere: Scrubber.value would return the view as it is
  if (seen.plain) {
    // each part followed by U+0000, in one flat string (a `+ SEP` after the join would make a
    // rope that the first search flattens: a second copy)
    seen.parts.push('');
    seen.text = seen.parts.join(SEP);
    seen.parts.pop();
    // URL user info (both marks within one string shown), card runs, credentials' shapes; then the record's values
    if (!userInfoInOne(seen) && !maskingChangesJoined(seen.text, seen.digitRuns) && !recordValuesShown(map, raw, fixed, seen)) return view;
  }
  // the record's scrubber, as it always was: its own values, then each request's
  const scrub = recordScrubber(map, raw.context.record, parent);
  for (const secret of settingSecrets(map)) scrub.add(secret, 'secret');
  for (const ev of raw.steps) if (ev.request) addRequestValues(scrub, fixed.steps.get(ev.id)!.operation.spec, ev.request.body);
  return scrub.value(view);
}

const SEP = '\u0000';
/**
 * Some string shown may hold URL user info as maskCredentials masks it (`scheme://user@`):
 * mayHoldUserInfoJoined on the joined text, which holds for a match inside any one string
 * whatever joins them (a shown string may itself hold U+0000, so the joints cannot be told
 * from its own characters and are not relied on).
 */
function userInfoInOne(seen: Seen): boolean {
  return mayHoldUserInfoJoined(seen.text);
}

/** Adds a string the view shows to what the final check looks at. */
function see(seen: Seen, s: string): void {
  seen.parts.push(s);
  if (s.length >= 13 && !seen.digitRuns && mayHoldCardNumber(s)) seen.digitRuns = true;
}

// mayHoldCardNumber of the texts every record's placeholders show (pointers, refs, types), by text
const runsByText = new Map<string, boolean>();

/** `see` for texts that come back record after record (a placeholder's pointer, ref and type): the digit-run check memoised by text. */
function seeRepeated(seen: Seen, s: string): void {
  seen.parts.push(s);
  if (s.length < 13 || seen.digitRuns) return;
  let runs = runsByText.get(s);
  if (runs === undefined) {
    runs = mayHoldCardNumber(s);
    if (runsByText.size >= 4096) runsByText.clear();
    runsByText.set(s, runs);
  }
  if (runs) seen.digitRuns = true;
}

/** `see` for a string that is its own scrubText (scrubbing it again changes no digit run). */
function seeScrubbed(seen: Seen, s: string): void {
  seen.parts.push(s);
}

/** What the view shows of one record, for the final check. */
interface Seen {
  /** The strings shown that come from this record. */
  parts: string[];
  /** `parts`, each followed by U+0000 (joined for the final check). */
  text: string;
  numbers: number[];
  /** False once something needs the full scrub anyway (diagnostics). */
  plain: boolean;
  /** True once a string shown may hold a digit run that scrubbing it (again) could change. */
  digitRuns: boolean;
  /**
   * The values the bodies hold at their operations' sensitive paths, with their kinds, as the
   * body walk met them: what addRequestValues would add of each body (in another order; the
   * final check's answer does not depend on the order).
   */
  requestValues: unknown[];
  requestKinds: ScrubKind[];
}

/**
 * True when something the view shows may hold one of the record's sensitive values, as the
 * record's scrubber would find it (`knowsAnyIn` over the shown strings, the map's fixed strings
 * and the body key names; `changesNumber` over the numbers shown): the values a scrubber built
 * by `recordScrubber` + `addRequestValues` would hold, each in the forms it would search for.
 * It may say true where the scrubber would find nothing (the view then takes the full scrub,
 * which gives the same view); never false where it would find something.
 */
function recordValuesShown(map: CompiledMap, raw: RecordPlanRaw, fixed: StaticParts, seen: Seen): boolean {
  for (const n of seen.numbers) {
    // a card number as a number (the scrubber masks those without knowing them)
    if (Number.isInteger(n) && (n >= 1e12 || n <= -1e11)) {
      const t = String(n);
      if (t.length >= 13 && scrubText(t) !== t) return true;
    }
  }
  // the values the record's scrubber would hold, each looked for as it is found (no arrays of them built)
  const probe = new ShownProbe(map, fixed, seen);
  // the values of settings declared secret, wherever the map put them
  for (const secret of settingSecrets(map)) if (probe.found(secret, 'secret')) return true;
  if (someRecordValue(redactionPlan(map), raw.context.record, probe, raw.context.named)) return true;
  // the bodies' values at sensitive paths, noted by the body walk (a walk deeper than it goes
  // made the view take the full scrub before this)
  for (let i = 0; i < seen.requestValues.length; i++) if (someAtLeaves(seen.requestValues[i], seen.requestKinds[i]!, probe)) return true;
  return false;
}

/** Most values the final check looks for one by one; with more, the record's scrubber decides. */
const MAX_PROBED = MAX_VALUES / 4;

/** Told each sensitive value of the record (and its requests): true when something shown may hold it, in a form the scrubber would search for. */
class ShownProbe implements ValueProbe {
  private count = 0;
  /** The values looked for so far and their kinds (a card number at its record path and in the request is looked for once). */
  private readonly done: Array<string | number> = [];
  private readonly doneKinds: ScrubKind[] = [];
  private texts: ShownTexts | undefined;

  constructor(
    private readonly map: CompiledMap,
    private readonly fixed: StaticParts,
    private readonly seen: Seen,
  ) {}

  found(value: string | number, kind: ScrubKind): boolean {
    // more than a scrubber keeps: let it decide
    if (++this.count > MAX_PROBED) return true;
    for (let j = 0; j < this.done.length; j++) if (this.done[j] === value && this.doneKinds[j] === kind) return false;
    this.done.push(value);
    this.doneKinds.push(kind);
    const texts = (this.texts ??= { seen: this.seen, fixed: fixedText(this.map, this.fixed), fixedHits: this.fixed.fixedHits });
    const raw = String(value);
    // the forms Scrubber.add searches for
    if (PLAIN_VALUE.test(raw)) return isShown(raw, texts);
    const text = raw.trim();
    if (text.length < MIN_SENSITIVE_LENGTH) return false;
    if (isShown(text, texts)) return true;
    // the JSON-escaped and URI-encoded forms, where they differ from the text (a form equal to
    // one already looked for would be found the same way)
    const escaped = JSON.stringify(text).slice(1, -1);
    if (escaped !== text && isShown(escaped, texts)) return true;
    const encoded = encodeURIComponent(text);
    if (encoded !== text && encoded !== escaped && isShown(encoded, texts)) return true;
    if (kind === 'card') {
      const digits = text.replace(/[\s-]/g, '');
      if (/^\d{13,19}$/.test(digits) && isShown(digits, texts)) return true;
    }
    return false;
  }
}

/** What recordValuesShown looks in: the strings shown, the map's fixed strings, the bodies' key names, the numbers shown. */
interface ShownTexts {
  seen: Seen;
  fixed: string;
  /** inText over `fixed`, by value (the same for every record while `fixed` stands). */
  fixedHits: Map<string, boolean>;
}

/** True when the scrubber would find `v` (one form of a sensitive value) in something shown: Scrubber.knowsAnyIn and changesNumber's rules. */
function isShown(v: string, texts: ShownTexts): boolean {
  if (v.length < MIN_SENSITIVE_LENGTH) return false;
  if (v.length >= ANYWHERE_LENGTH) {
    const c = v.charCodeAt(0);
    if ((c >= 48 && c <= 57) || c === 45 || c === 73 || c === 78) {
      // only text that starts like a number (a digit, -, Infinity, NaN) can be a number's
      // v is String(n) of a number n shown exactly when String(Number(v)) is v and Number(v)
      // is shown (SameValueZero: 0 and -0 both give '0', NaN gives 'NaN'), without a string per number
      const n = Number(v);
      if (String(n) === v && texts.seen.numbers.includes(n)) return true;
    }
  }
  if (inText(v, texts.seen.text)) return true;
  let hit = texts.fixedHits.get(v);
  if (hit === undefined) {
    hit = inText(v, texts.fixed);
    if (texts.fixedHits.size >= 4096) texts.fixedHits.clear();
    texts.fixedHits.set(v, hit);
  }
  return hit;
}

/**
 * The map's fixed strings and the key names its operations' skeletons hold, joined: what a
 * view may show besides the record's own strings (the key names of every operation of the map,
 * a superset of those a given view shows). Built again whenever a skeleton learned a key name.
 */
function fixedText(map: CompiledMap, fixed: StaticParts): string {
  if (fixed.keysVersion !== keyTextVersion) {
    let text = fixed.text;
    const done = new Set<OperationView>();
    for (const s of map.steps) {
      const op = operationView(s.operation.spec);
      if (done.has(op)) continue;
      done.add(op);
      text += op.keyText;
    }
    fixed.withKeys = text;
    fixed.keysVersion = keyTextVersion;
    fixed.fixedHits.clear();
  }
  return fixed.withKeys;
}

/** Scrubber.knowsAnyIn for one value: a long one anywhere, a short one where it stands alone. */
function inText(v: string, text: string): boolean {
  if (!text.includes(v)) return false;
  if (v.length >= ANYWHERE_LENGTH) return true;
  const re = standaloneMatcher(v);
  re.lastIndex = 0;
  const hit = re.test(text);
  re.lastIndex = 0;
  return hit;
}

/** The parts of a map's views that are the same for every record. */
interface StaticParts {
  steps: Map<string, CompiledStep>;
  headers: Record<string, string>;
  /** Each step's `when` as shown. */
  whens: Map<CompiledStep, string>;
  /** Every fixed string a view may show (key names, ids, operations, conditions, methods, headers, [redacted]), joined by U+0000. */
  text: string;
  /** True when none of them is changed by masking (card numbers, credentials' shapes). */
  plain: boolean;
  /** `text` and the key names of the map's operations' skeletons (see fixedText), as of `keysVersion`. */
  withKeys: string;
  keysVersion: number;
  /** Whether a value is found in `withKeys` (see isShown), as of `keysVersion`. */
  fixedHits: Map<string, boolean>;
  /** `headers` without Content-Type, for requests without a body. */
  headersNoBody: Record<string, string>;
}

const statics = new WeakMap<CompiledMap, StaticParts>();

function staticParts(map: CompiledMap): StaticParts {
  let p = statics.get(map);
  if (!p) {
    const headers = { ...staticHeaders(map.provider.pack), ...authHeaderPreview(map.provider) };
    const strings = [
      'index', 'ok', 'diagnostics', 'steps', 'line', 'key', 'id', 'operation', 'decision', 'placeholders', 'verdict', 'when', 'request',
      'method', 'url', 'headers', 'body', 'pointer', 'ref', 'type', 'run', 'skip', 'deferred', 'valid', 'invalid', 'skipped', REDACTED,
      ...Object.entries(headers).flat(),
    ];
    const steps = new Map<string, CompiledStep>();
    const whens = new Map<CompiledStep, string>();
    for (const s of map.steps) {
      if (!steps.has(s.id)) steps.set(s.id, s);
      strings.push(s.id, s.operation.id, s.operation.method);
      if (s.when) {
        whens.set(s, s.when.source.trim());
        strings.push(s.when.source.trim());
      }
    }
    p = { steps, headers, whens, text: strings.join(SEP) + SEP, plain: strings.every((x) => !mayNeedMasking(x) || maskCredentials(scrubText(x)) === x), withKeys: '', keysVersion: -1, fixedHits: new Map(), headersNoBody: withoutBodyHeaders(headers) };
    statics.set(map, p);
  }
  return p;
}

// ---- the body walk ------------------------------------------------------------------------------

/** Most body positions an operation's skeleton remembers (beyond them the walk works them out each time). */
const MAX_SKELETON = 2000;

/**
 * One position in the bodies of an operation: a key path (arrays transparent), with what the
 * redaction decides there for every record — its sensitive path (or null when none can be at
 * or below it), the class of its key name, whether it is a secret or a card number by path.
 */
class Skeleton {
  children: Map<string, Skeleton> | undefined;
  /** The kept child last found at each place (0, 1, …) of a body's names (see OperationView.child). */
  order: Array<{ name: string; node: Skeleton }> | undefined;
  item: Skeleton | undefined;
  readonly secret: boolean;
  /** A secret by the operation's sensitive paths (not only by its key name). */
  readonly secretPath: boolean;
  readonly card: boolean;
  /** The key name as a JSON pointer segment (`~` and `/` escaped). */
  seg = '';
  /** The key name is in the operation's key text (checked per record there, not seen again). */
  kept = false;
  /** Masking (card numbers, credentials' shapes) leaves the key name as it is. */
  keyPlain = true;

  constructor(
    readonly path: string | null,
    readonly keyCls: number,
    paths: SensitivePaths,
  ) {
    this.secretPath = path !== null && paths.secret.has(path);
    this.secret = keyCls === KEY_SECRET || this.secretPath;
    this.card = path !== null && paths.card.has(path);
  }
}

/** Places of a body's names remembered per skeleton position (beyond them, the map alone). */
const ORDER_SLOTS = 64;

/** Counts the key names learned by all skeletons (fixedText builds its text again when it moved). */
let keyTextVersion = 0;

/** An operation's body skeleton and the key names it holds. */
class OperationView {
  readonly index: SensitivePathIndex;
  readonly root: Skeleton;
  /** Every key name kept in the skeleton, joined by U+0000. */
  keyText = '';
  private size = 0;

  constructor(readonly paths: SensitivePaths) {
    this.index = pathIndex(paths);
    this.root = new Skeleton(this.index.root ? '' : null, KEY_PLAIN, paths);
  }

  /** The position of key `name` below `node`. */
  child(node: Skeleton, name: string, at: number): Skeleton {
    // bodies of an operation mostly give their names in the same order: the name seen at this
    // place last time is one comparison (the same interned string, usually), else the map
    const slot = node.order?.[at];
    if (slot !== undefined && slot.name === name) return slot.node;
    const known = node.children?.get(name);
    if (known) {
      if (at < ORDER_SLOTS) ((node.order ??= [])[at] = { name, node: known });
      return known;
    }
    const c = new Skeleton(this.index.child(node.path, name), keyClass(name), this.paths);
    c.seg = name.includes('~') || name.includes('/') ? name.replace(/~/g, '~0').replace(/\//g, '~1') : name;
    if (this.size < MAX_SKELETON && name.length <= 256) {
      this.size++;
      c.kept = true;
      c.keyPlain = maskCredentials(scrubText(name)) === name;
      this.keyText += name + SEP;
      keyTextVersion++;
      (node.children ??= new Map()).set(name, c);
      if (at < ORDER_SLOTS) ((node.order ??= [])[at] = { name, node: c });
    }
    return c;
  }

  /** The position of an item of the array at `node`. */
  item(node: Skeleton): Skeleton {
    return (node.item ??= new Skeleton(this.index.child(node.path, undefined), node.keyCls, this.paths));
  }
}

const operationViews = new WeakMap<SensitivePaths, OperationView>();

function operationView(spec: OperationSpec): OperationView {
  const paths = operationPaths(spec);
  let v = operationViews.get(paths);
  // the paths' sets may have been added to since (see pathIndex): start again then
  if (!v || v.index !== pathIndex(paths)) {
    v = new OperationView(paths);
    operationViews.set(paths, v);
  }
  return v;
}

// JSON pointer segments of array indexes
const INDEXES: string[] = [];
for (let i = 0; i < 256; i++) INDEXES.push(String(i));

const CARD_LIKE = /^\d[\d -]{11,}$/;

/** A placeholder's display text (Placeholders.display) and whether it may hold a card number's digit run, by placeholder. */
const displays = new WeakMap<object, { ref: string; type: string; text: string; runs: boolean }>();

/**
 * A request body as shown: redacted (redactValue's rules, path by path) and its placeholders
 * rendered (Placeholders.render's rules, with their JSON pointers), in one walk; every string
 * shown is added to `seen`. Parts in which nothing changes are returned as they are.
 */
class BodyWalk {
  private readonly pointer: string[] = [];

  constructor(
    private readonly op: OperationView,
    private readonly ph: Placeholders,
    private readonly found: StepPlanView['placeholders'],
    private readonly seen: Seen,
  ) {}

  /** The JSON pointer of the value being walked. */
  at(): string {
    let out = '';
    for (const k of this.pointer) out += '/' + k;
    return out;
  }

  /** Placeholders.render of a redacted string; `runs`: it may hold a digit run that scrubText could still change. */
  text(v: string, runs: boolean): string {
    if (v.charCodeAt(0) === 0x27e8) {
      const info = this.ph.lookup(v);
      if (info) return this.placeholder(info);
    }
    if (v.includes('\u27E8')) {
      const r = renderStrings(v, this.at(), this.found);
      see(this.seen, r);
      return r;
    }
    this.seen.parts.push(v);
    if (runs && !this.seen.digitRuns && mayHoldCardNumber(v)) this.seen.digitRuns = true;
    return v;
  }

  placeholder(info: { ref: string; type: string }): string {
    this.found.push({ pointer: this.at(), ref: info.ref, type: info.type });
    // what `see` notes of its display text, worked out once per placeholder
    let d = displays.get(info);
    if (!d || d.ref !== info.ref || d.type !== info.type) {
      const text = Placeholders.display(info);
      d = { ref: info.ref, type: info.type, text, runs: text.length >= 13 && mayHoldCardNumber(text) };
      displays.set(info, d);
    }
    this.seen.parts.push(d.text);
    if (d.runs) this.seen.digitRuns = true;
    return d.text;
  }

  /** Placeholders.render's walk, for what lies below the redaction's depth limit. */
  renderAll(v: unknown): unknown {
    if (typeof v === 'string') return this.text(v, true);
    if (typeof v === 'number') {
      const info = this.ph.lookup(v);
      if (info) return this.placeholder(info);
      this.seen.numbers.push(v);
      return v;
    }
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
        see(this.seen, k);
        this.pointer.push(k.includes('~') || k.includes('/') ? k.replace(/~/g, '~0').replace(/\//g, '~1') : k);
        out[k] = this.renderAll(x);
        this.pointer.pop();
      }
      return out;
    }
    return v;
  }

  /** Notes a value at one of the operation's sensitive paths (for the final check). */
  sensitive(value: unknown, kind: ScrubKind): void {
    this.seen.requestValues.push(value);
    this.seen.requestKinds.push(kind);
  }

  /** A leaf (anything but an object) as shown: redactScalar's rules, then the placeholder it may be. */
  scalar(value: unknown, node: Skeleton): unknown {
    if (node.card) this.sensitive(value, 'card');
    else if (node.secretPath) this.sensitive(value, 'secret');
    if (typeof value === 'string') {
      // redactScalar, then the placeholder it may be
      if (node.secret) return REDACTED;
      if (node.card || (node.keyCls === KEY_CARD && CARD_LIKE.test(value))) return this.text(maskCardNumber(value), true);
      // a string scrubText leaves as it is is its own scrubbed form: no digit run of it needs
      // the joined check again; one it changed may (the masked text is checked again)
      if (!mayHoldCardNumber(value)) return this.text(value, false);
      const scrubbed = scrubText(value);
      return this.text(scrubbed, scrubbed !== value);
    }
    if (typeof value === 'number') {
      if (node.secret) return REDACTED;
      if (node.card || (node.keyCls === KEY_CARD && CARD_LIKE.test(String(value)))) return this.text(maskCardNumber(value), true);
      let shown: unknown = value;
      if (Number.isInteger(value) && value >= 1e12 && value < 1e19 && /^\d{13,19}$/.test(String(value))) shown = Number(scrubText(String(value))) || REDACTED;
      if (typeof shown === 'string') return this.text(shown, true);
      const n = shown as number;
      if (n >= PLACEHOLDER_NUMBERS) {
        const info = this.ph.lookup(n);
        if (info) return this.placeholder(info);
      }
      this.seen.numbers.push(n);
      return n;
    }
    return value;
  }

  walk(value: unknown, node: Skeleton, depth: number): unknown {
    if (value === null || typeof value !== 'object') return this.scalar(value, node);
    if (depth > 100) {
      // redactValue leaves what is this deep as it is; render still walks it
      this.seen.plain = false;
      return this.renderAll(value);
    }
    // a value at a sensitive path: its leaves are what the final check looks for (a card path
    // holding an object or array is walked on below, as redactValue walks it)
    if (node.card) this.sensitive(value, 'card');
    else if (node.secretPath) this.sensitive(value, 'secret');
    if (node.secret) return REDACTED;
    if (Array.isArray(value)) {
      const item = this.op.item(node);
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        this.pointer.push(i < 256 ? INDEXES[i]! : String(i));
        const x: unknown = value[i];
        // leaves without a call of the (recursive, not inlined) walk
        const y = x === null || typeof x !== 'object' ? this.scalar(x, item) : this.walk(x, item, depth + 1);
        this.pointer.pop();
        if (out) out.push(y);
        else if (y !== x) {
          out = value.slice(0, i);
          out.push(y);
        }
      }
      return out ?? value;
    }
    // for…in with an own-property guard: Object.keys' names in its order (a prototype's
    // enumerable name shadowed by an own one is not visited), without building the array
    const obj = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    let i = 0;
    for (const name in obj) {
      if (!hasOwn.call(obj, name)) continue;
      const c = this.op.child(node, name, i);
      if (!c.kept) see(this.seen, name);
      else if (!c.keyPlain) this.seen.plain = false;
      this.pointer.push(c.seg);
      const x = obj[name];
      const y = x === null || typeof x !== 'object' ? this.scalar(x, c) : this.walk(x, c, depth + 1);
      this.pointer.pop();
      if (out) out[name] = y;
      else if (y !== x) out = copyBefore(obj, i, name, y);
      i++;
    }
    return out ?? value;
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/** A copy of `obj`'s first `n` own names (in for…in order, as the walk met them), then `name` set to `y`. */
function copyBefore(obj: Record<string, unknown>, n: number, name: string, y: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let k = 0;
  for (const m in obj) {
    if (!hasOwn.call(obj, m)) continue;
    if (k++ === n) break;
    out[m] = obj[m];
  }
  out[name] = y;
  return out;
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

type Found = StepPlanView['placeholders'];

const NO_PLACEHOLDERS: StepPlanView['placeholders'] = [];

/** A request URL as shown, the placeholders in it (string ones, then numeric ones), and what `see` would note of it. */
interface ShownUrl {
  url: string;
  found: Found;
  after: Found;
  /** It may hold a card number's digit run. */
  runs: boolean;
}

// URLs shown without placeholders, and how (most steps call one fixed URL)
const shownUrls = new Map<string, ShownUrl>();

/** A request URL as shown (placeholders by name, card numbers masked) and the placeholders in it. */
function shownUrl(raw: string, ph: Placeholders): ShownUrl {
  // without a placeholder's marks or a sentinel's digits, rendering leaves the URL as it is
  if (!raw.includes('%E2%9F%A8') && !raw.includes('\u27E8') && !raw.includes('7770')) {
    let known = shownUrls.get(raw);
    if (known === undefined) {
      const url = scrubText(raw);
      // a URL scrubText left as it is needs no second look for card numbers
      known = { url, found: NO_PLACEHOLDERS, after: NO_PLACEHOLDERS, runs: url !== raw && mayHoldCardNumber(url) };
      if (shownUrls.size >= 64) shownUrls.clear();
      shownUrls.set(raw, known);
    }
    return known;
  }
  let urlText = raw;
  if (urlText.includes('%E2%9F%A8')) urlText = urlText.replace(/%E2%9F%A8(.*?)%E2%9F%A9/g, (_m, r: string) => `\u27E8${decodeURIComponent(r)}\u27E9`);
  const rendered = ph.render(urlText);
  const found: Found = rendered.found.map((f) => ({ ...f, pointer: 'url' }));
  // numeric placeholders in the URL were sentinels; show their names
  const after: Found = [];
  const url = replaceNumericSentinels(scrubText(String(rendered.value)), ph, after);
  return { url, found, after, runs: url.length >= 13 && mayHoldCardNumber(url) };
}

function scrubDiagnostic(d: Diagnostic): Diagnostic {
  return { ...d, message: scrubText(d.message) };
}
