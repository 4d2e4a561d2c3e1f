/** The Tests tab: the map's `<map>.test.yaml` run against the map as edited (what `datamap test` reports). */
import type { DataMapTestFileReport } from '../../../authoring/index.js';
import type { Diagnostic } from '../../../errors/diagnostic.js';
import { badge, clear, h } from '../dom.js';
import { diagnosticItem } from './plan.js';

export type TestsAnswer = ({ ran: true } & DataMapTestFileReport) | { ran: false; file?: string; diagnostics: Diagnostic[] };

const show = (v: unknown): string => (v === undefined ? '(missing)' : JSON.stringify(v));

export function renderTests(el: HTMLElement, answer: TestsAnswer | undefined, testFile: string | null, onRun: () => void): void {
  const run = h('button', { type: 'button', id: 'run-tests', class: 'primary', onclick: onRun }, 'Run tests');
  const head = h('div', {}, run, ' ', h('span', { class: 'muted' }, testFile ? `cases of ${testFile}, against the map as edited (mocked responses, no network)` : 'this map has no <name>.test.yaml beside it'));
  if (!answer) { clear(el, head); return; }
  if (!answer.ran || !answer.valid) {
    clear(el, head, h('ul', { class: 'diagnostics', id: 'tests-diagnostics' }, ...answer.diagnostics.map((d) => diagnosticItem(d))));
    return;
  }
  const cases = answer.cases.map((c) => h('div', { class: `card case ${c.passed ? 'pass' : 'fail'}`, 'data-case': c.name },
    h('h3', {}, badge(c.passed ? 'pass' : 'fail'), c.name, h('span', { class: 'muted' }, `${c.location.line}:${c.location.column}`)),
    ...c.mismatches.map((m) => h('div', { class: 'mismatch' },
      h('div', { class: 'code' }, m.path, m.message ? h('span', { class: 'muted' }, ` — ${m.message}`) : null),
      h('div', { class: 'code diff-exp' }, `- expected ${show(m.expected)}`),
      h('div', { class: 'code diff-act' }, `+ actual   ${show(m.actual)}`))),
    c.diagnostics.filter((d) => d.code !== 'test/failed').length ? h('ul', { class: 'diagnostics' }, ...c.diagnostics.filter((d) => d.code !== 'test/failed').map((d) => diagnosticItem(d))) : null));
  clear(el, head, h('p', { id: 'tests-summary' }, h('strong', {}, `${answer.passed} passed, ${answer.failed} failed`)), ...cases);
}
