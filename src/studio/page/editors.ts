/** The two CodeMirror 6 editors (YAML map, JSON records), their diagnostics and the provenance highlight. */
import { EditorState, StateEffect, StateField, type Extension } from '@codemirror/state';
import { EditorView, Decoration, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection, type DecorationSet } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting, foldGutter } from '@codemirror/language';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import { lintGutter, setDiagnostics, forEachDiagnostic, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { yaml } from '@codemirror/lang-yaml';
import { json } from '@codemirror/lang-json';
import type { Diagnostic } from '../../errors/diagnostic.js';

const setHighlight = StateEffect.define<{ from: number; to: number } | null>();

/** The yellow mark on the map text that produced the clicked field. */
const highlightField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const e of tr.effects) {
      if (!e.is(setHighlight)) continue;
      deco = e.value && e.value.to > e.value.from ? Decoration.set([Decoration.mark({ class: 'cm-provenance' }).range(e.value.from, e.value.to)]) : Decoration.none;
    }
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

function base(language: Extension, onChange: () => void, extraKeys: Parameters<typeof keymap.of>[0]): Extension {
  return [
    lineNumbers(), highlightActiveLineGutter(), foldGutter(), history(), drawSelection(), indentOnInput(), bracketMatching(),
    highlightActiveLine(), highlightSelectionMatches(), syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    lintGutter(), highlightField, language,
    keymap.of([...extraKeys, ...defaultKeymap, ...historyKeymap, ...searchKeymap, indentWithTab]),
    EditorView.updateListener.of((u) => { if (u.docChanged) onChange(); }),
  ];
}

export function createEditor(parent: HTMLElement, kind: 'yaml' | 'json', onChange: () => void, extraKeys: Parameters<typeof keymap.of>[0] = []): EditorView {
  return new EditorView({ parent, state: EditorState.create({ doc: '', extensions: base(kind === 'yaml' ? yaml() : json(), onChange, extraKeys) }) });
}

export function setText(view: EditorView, text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

/** Offset of a 1-based line:column in the editor's text (clamped to the document). */
export function offsetOf(view: EditorView, line: number, column: number): number {
  const doc = view.state.doc;
  const l = doc.line(Math.min(Math.max(1, line), doc.lines));
  return Math.min(l.from + Math.max(0, column - 1), l.to);
}

/** Range of a located diagnostic: its end when given, else to the end of the word. */
function rangeOf(view: EditorView, d: Diagnostic): { from: number; to: number } {
  const loc = d.location!;
  const from = offsetOf(view, loc.line, loc.column);
  let to: number;
  if (loc.endLine !== undefined && loc.endColumn !== undefined) to = offsetOf(view, loc.endLine, loc.endColumn);
  else {
    const line = view.state.doc.lineAt(from);
    const rest = line.text.slice(from - line.from);
    const m = /^\S+/.exec(rest);
    to = from + (m ? m[0].length : 0);
  }
  if (to <= from) to = Math.min(from + 1, view.state.doc.length);
  return { from, to };
}

/** Shows our diagnostics (those located in this editor's file) as inline markers with code and hint. */
export function showDiagnostics(view: EditorView, diagnostics: Diagnostic[], file: string): void {
  const list: CmDiagnostic[] = [];
  for (const d of diagnostics) {
    if (!d.location || d.location.file !== file) continue;
    const { from, to } = rangeOf(view, d);
    list.push({ from, to, severity: d.severity, source: d.code, message: `${d.message}\nhint: ${d.hint}` });
  }
  view.dispatch(setDiagnostics(view.state, list));
}

/** The markers now in the editor, as `{ line, severity, code }` (read from CodeMirror's lint state). */
export function markers(view: EditorView): Array<{ line: number; column: number; severity: string; code: string | undefined }> {
  const out: Array<{ line: number; column: number; severity: string; code: string | undefined }> = [];
  forEachDiagnostic(view.state, (d, from) => {
    const line = view.state.doc.lineAt(from);
    out.push({ line: line.number, column: from - line.from + 1, severity: d.severity, code: d.source });
  });
  return out;
}

/** Selects and marks `length` characters at line:column, and scrolls there. */
export function highlight(view: EditorView, line: number, column: number, length: number): void {
  const from = offsetOf(view, line, column);
  const to = Math.min(from + Math.max(1, length), view.state.doc.length);
  view.dispatch({ effects: [setHighlight.of({ from, to }), EditorView.scrollIntoView(from, { y: 'center' })], selection: { anchor: from } });
}

export function clearHighlight(view: EditorView): void {
  view.dispatch({ effects: setHighlight.of(null) });
}

/** The marked text (for tests and the provenance panel). */
export function highlighted(view: EditorView): string | undefined {
  const deco = view.state.field(highlightField);
  let text: string | undefined;
  deco.between(0, view.state.doc.length, (from, to) => { text = view.state.doc.sliceString(from, to); });
  return text;
}

export function jumpTo(view: EditorView, line: number, column: number): void {
  const at = offsetOf(view, line, column);
  view.dispatch({ selection: { anchor: at }, effects: EditorView.scrollIntoView(at, { y: 'center' }) });
  view.focus();
}
