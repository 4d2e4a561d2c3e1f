/**
 * The studio page: two editors (the Data Map, the records) and the server's answers about them.
 * Every decision comes from the JSON API (src/studio/api.ts), which uses the library's own
 * functions; this code only sends the editors' text and shows what comes back.
 */
import type { EditorView } from '@codemirror/view';
import type { Diagnostic } from '../../errors/diagnostic.js';
import type { RecordPlanView } from '../../plan/view.js';
import type { Explanation, ExplainedField, OperationDetails } from '../../authoring/index.js';
import { ApiError, events, get, post } from './api.js';
import { clear, h } from './dom.js';
import { clearHighlight, createEditor, highlight, highlighted, jumpTo, markers, setText, showDiagnostics } from './editors.js';
import { diagnosticItem, renderPlan } from './views/plan.js';
import { renderReference } from './views/reference.js';
import { renderTests, type TestsAnswer } from './views/tests.js';
import { renderTry, type TryAnswer } from './views/try.js';
import { renderJournal } from './views/journal.js';

interface Session {
  map: { file: string; exists: boolean; text: string; version: string; testFile: string | null };
  records: { file: string | null; text: string; count: number; diagnostics: Diagnostic[] };
  providers: string[];
  journal: { file: string } | null;
}

interface Evaluation {
  diagnostics: Diagnostic[];
  valid: boolean;
  records: { diagnostics: Diagnostic[]; items: Array<{ index: number; line: number; key?: string; ok: boolean }> };
  steps: Array<{ id: string; operation: string; provider: string }>;
  record?: number;
  plan?: RecordPlanView;
  explanation?: Explanation;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

const st = {
  file: '',
  version: '',
  exists: false,
  savedText: '',
  testFile: null as string | null,
  record: 0,
  evaluation: undefined as Evaluation | undefined,
  evaluating: 0,
  pending: undefined as ReturnType<typeof setTimeout> | undefined,
  reference: undefined as { provider: string; operation: string } | undefined,
  providers: [] as string[],
  tests: undefined as TestsAnswer | undefined,
  tried: undefined as TryAnswer | undefined,
};

let mapView: EditorView;
let recordsView: EditorView;

function status(text: string): void {
  $('status').textContent = text;
}

function updateDirty(): void {
  $('dirty').hidden = mapView.state.doc.toString() === st.savedText && st.exists;
  $('file-name').textContent = `${st.file}${st.exists ? '' : ' (new file)'}`;
}

function schedule(): void {
  updateDirty();
  clearTimeout(st.pending);
  st.pending = setTimeout(() => void evaluate(), 300);
}

/** Sends both editors' text; shows diagnostics, the record picker and the plan. */
async function evaluate(): Promise<void> {
  const text = mapView.state.doc.toString();
  const records = recordsView.state.doc.toString();
  const seq = ++st.evaluating;
  status('evaluating…');
  let ev: Evaluation;
  try {
    ev = await post<Evaluation>('/api/evaluate', { text, records, record: st.record });
  } catch (err) {
    status(`error: ${(err as Error).message}`);
    return;
  }
  // a later edit is already on its way: its answer will be shown instead
  if (seq !== st.evaluating || text !== mapView.state.doc.toString() || records !== recordsView.state.doc.toString()) return;
  st.evaluation = ev;
  const mapDiagnostics = [...ev.diagnostics, ...(ev.plan?.diagnostics ?? []), ...(ev.plan?.steps.flatMap((s) => s.diagnostics) ?? [])];
  showDiagnostics(mapView, dedupe(mapDiagnostics), st.file);
  showDiagnostics(recordsView, ev.records.diagnostics, 'records');
  const errors = ev.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = ev.diagnostics.length - errors;
  clear($('map-verdict'), h('span', { class: `badge ${ev.valid ? 'valid' : 'invalid'}`, id: 'map-valid' }, ev.valid ? 'valid' : `${errors} error${errors === 1 ? '' : 's'}`), warnings ? h('span', { class: 'badge skipped' }, `${warnings} warning${warnings === 1 ? '' : 's'}`) : null);
  clear($('map-diagnostics'), ...ev.diagnostics.map((d) => diagnosticItem(d, d.location?.file === st.file ? () => jumpTo(mapView, d.location!.line, d.location!.column) : undefined)));
  clear($('records-diagnostics'), ...ev.records.diagnostics.map((d) => diagnosticItem(d, d.location ? () => jumpTo(recordsView, d.location!.line, d.location!.column) : undefined)));
  renderPicker(ev);
  renderPlan($('tab-plan'), ev.plan, ev.explanation, st.file, {
    jump: (l) => jumpTo(mapView, l.line, l.column),
    provenance: (f) => showField(f),
    reference: (operation) => {
      const step = ev.steps.find((s) => s.operation === operation);
      if (step) void showReference(step.provider, operation);
      selectTab('reference');
    },
  });
  if (!st.reference && ev.steps[0]) void showReference(ev.steps[0].provider, ev.steps[0].operation);
  status(ev.valid ? (ev.plan?.ok ? 'plan valid' : 'plan has errors') : 'map has errors');
  document.body.dataset['evaluated'] = String(seq);
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code} ${d.location?.line}:${d.location?.column} ${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function renderPicker(ev: Evaluation): void {
  const picker = $<HTMLSelectElement>('record-picker');
  clear(picker, ...ev.records.items.map((it) => {
    const o = h('option', { value: String(it.index) }, `#${it.index + 1}${it.key !== undefined ? ` ${it.key}` : ''} ${it.ok ? '✓' : '✗'}`);
    if (it.index === (ev.record ?? 0)) o.selected = true;
    return o;
  }));
  picker.disabled = ev.records.items.length < 2;
}

/** Marks, in the map editor, the expression that produced a field. */
function showField(f: ExplainedField): void {
  const doc = mapView.state.doc;
  const line = doc.line(Math.min(f.location.line, doc.lines));
  const start = Math.min(line.from + f.location.column - 1, line.to);
  highlight(mapView, f.location.line, f.location.column, spanLength(doc.sliceString(start, Math.min(doc.length, start + f.expression.length * 2 + 200)), f.expression));
}

/** How many characters of the file the expression covers (its text may be re-indented in a block scalar). */
function spanLength(fileText: string, expression: string): number {
  let i = 0;
  let end = 0;
  for (const ch of expression) {
    if (/\s/.test(ch)) continue;
    while (i < fileText.length && /\s/.test(fileText[i]!)) i++;
    if (fileText[i] !== ch) return Math.max(end, expression.split('\n')[0]!.length);
    i++;
    end = i;
  }
  return end;
}

async function showReference(provider: string, operation: string): Promise<void> {
  st.reference = { provider, operation };
  let op: OperationDetails | undefined;
  try {
    op = await get<OperationDetails>(`/api/providers/${encodeURIComponent(provider)}/${encodeURIComponent(operation)}`);
  } catch (err) {
    status(`reference: ${(err as Error).message}`);
  }
  const fromMap = st.evaluation?.steps.map((s) => ({ provider: s.provider, operation: s.operation })) ?? [];
  const all = await get<{ providers: Array<{ name: string; operations: Array<{ id: string }> }> }>('/api/providers');
  const others = all.providers.flatMap((p) => p.operations.map((o) => ({ provider: p.name, operation: o.id })));
  const seen = new Set<string>();
  const choices = [...fromMap, ...others].filter((c) => {
    const k = `${c.provider} ${c.operation}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  renderReference($('tab-reference'), op, choices, (p, o) => void showReference(p, o));
}

async function runTests(): Promise<void> {
  status('running tests…');
  try {
    st.tests = await post<TestsAnswer>('/api/tests', { text: mapView.state.doc.toString() });
    status(st.tests.ran && st.tests.valid ? `tests: ${st.tests.passed} passed, ${st.tests.failed} failed` : 'tests could not run');
  } catch (err) {
    status(`tests: ${(err as Error).message}`);
  }
  renderTests($('tab-tests'), st.tests, st.testFile, () => void runTests());
}

async function runTry(): Promise<void> {
  status('running against the sandbox…');
  try {
    st.tried = await post<TryAnswer>('/api/try', { text: mapView.state.doc.toString(), records: recordsView.state.doc.toString(), record: st.record });
    status(st.tried.ran ? `try: ${st.tried.result.outcome}` : 'try: not run');
  } catch (err) {
    status(`try: ${(err as Error).message}`);
  }
  renderTry($('tab-try'), st.tried, () => void runTry(), () => void resetSandbox());
}

async function resetSandbox(): Promise<void> {
  await post('/api/sandbox/reset', {});
  st.tried = undefined;
  renderTry($('tab-try'), st.tried, () => void runTry(), () => void resetSandbox());
  status('sandbox reset');
}

async function save(overwrite = false): Promise<void> {
  const text = mapView.state.doc.toString();
  try {
    const r = await post<{ version: string }>('/api/save', { text, version: st.version, overwrite });
    st.version = r.version;
    st.savedText = text;
    st.exists = true;
    hideBanner();
    status(`saved ${st.file}`);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'studio/conflict') {
      banner(`${st.file} changed on disk since you loaded it.`, [['Reload from disk', () => void reload()], ['Overwrite with mine', () => void save(true)]]);
      return;
    }
    status(`save failed: ${(err as Error).message}`);
  }
  updateDirty();
}

async function reload(): Promise<void> {
  const m = await get<{ text: string; version: string; exists: boolean }>('/api/map');
  st.version = m.version;
  st.exists = m.exists;
  st.savedText = m.text;
  setText(mapView, m.text);
  hideBanner();
  updateDirty();
  status(`reloaded ${st.file} from disk`);
}

function banner(text: string, actions: Array<[string, () => void]>): void {
  const b = $('banner');
  clear(b, h('span', {}, text), ...actions.map(([label, fn]) => h('button', { type: 'button', onclick: fn }, label)));
  b.hidden = false;
}

function hideBanner(): void {
  $('banner').hidden = true;
}

/** The map changed on disk: reload it when there are no unsaved edits, otherwise ask. */
function onDiskChange(version: string): void {
  if (version === st.version) return;
  if (mapView.state.doc.toString() === st.savedText) {
    void reload();
    return;
  }
  banner(`${st.file} changed on disk.`, [['Reload (drop my edits)', () => void reload()], ['Keep my edits', () => hideBanner()]]);
}

function selectTab(name: string): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('#tabs button')) b.classList.toggle('active', b.dataset['tab'] === name);
  for (const t of document.querySelectorAll<HTMLElement>('.tab')) t.hidden = t.id !== `tab-${name}`;
  if (name === 'journal') void renderJournal($('tab-journal'));
}

async function boot(): Promise<void> {
  mapView = createEditor($('map-editor'), 'yaml', schedule);
  recordsView = createEditor($('records-editor'), 'json', schedule);
  // Ctrl-S / Cmd-S saves wherever the focus is (never the browser's "save page")
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 's') {
      e.preventDefault();
      void save();
    }
  });
  let s: Session;
  try {
    s = await get<Session>('/api/session');
  } catch (err) {
    status(`cannot load: ${(err as Error).message}`);
    return;
  }
  Object.assign(st, { file: s.map.file, version: s.map.version, exists: s.map.exists, savedText: s.map.exists ? s.map.text : '', testFile: s.map.testFile, providers: s.providers });
  $('records-file').textContent = s.records.file ? `from ${s.records.file} (masked: card numbers and security codes stay on the server)` : '';
  setText(mapView, s.map.text);
  setText(recordsView, s.records.text);
  $('save').addEventListener('click', () => void save());
  $<HTMLSelectElement>('record-picker').addEventListener('change', (e) => {
    st.record = Number((e.target as HTMLSelectElement).value);
    clearHighlight(mapView);
    void evaluate();
  });
  for (const b of document.querySelectorAll<HTMLButtonElement>('#tabs button')) b.addEventListener('click', () => selectTab(b.dataset['tab']!));
  renderTests($('tab-tests'), undefined, st.testFile, () => void runTests());
  renderTry($('tab-try'), undefined, () => void runTry(), () => void resetSandbox());
  events(onDiskChange);
  updateDirty();
  clearTimeout(st.pending);
  await evaluate();
}

/** Read-only hooks for the browser tests: what CodeMirror holds, not what the DOM happens to render. */
(window as unknown as { studio: unknown }).studio = {
  markers: () => markers(mapView),
  recordMarkers: () => markers(recordsView),
  highlighted: () => highlighted(mapView),
  mapText: () => mapView.state.doc.toString(),
  /** Puts the cursor right after the first occurrence of `snippet` in the map, scrolled into view and focused (then the keyboard types). */
  placeCursorAfter: (snippet: string) => {
    const at = mapView.state.doc.toString().indexOf(snippet);
    if (at < 0) return false;
    const line = mapView.state.doc.lineAt(at + snippet.length);
    jumpTo(mapView, line.number, at + snippet.length - line.from + 1);
    return true;
  },
};

void boot();
