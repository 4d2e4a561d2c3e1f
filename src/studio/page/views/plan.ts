/** The Plan tab: the chosen record's plan (what `datamap plan` prints) with provenance per field (what `datamap explain` prints). */
import type { RecordPlanView, StepPlanView } from '../../../plan/view.js';
import type { Explanation, ExplainedField } from '../../../authoring/explain.js';
import type { Diagnostic } from '../../../errors/diagnostic.js';
import { badge, clear, h, jsonTree } from '../dom.js';

export interface PlanHandlers {
  /** Jump to a location in the map editor. */
  jump(d: { line: number; column: number }): void;
  /** Show where a field comes from (mark it in the editor). */
  provenance(field: ExplainedField): void;
  /** The step's operation, for the Reference tab. */
  reference(operation: string): void;
}

export function diagnosticItem(d: Diagnostic, onClick?: () => void): HTMLElement {
  const where = d.location ? `${d.location.line}:${d.location.column}` : '';
  const li = h('li', { class: `sev-${d.severity}`, 'data-code': d.code, 'data-line': d.location ? String(d.location.line) : undefined },
    h('span', { class: 'code' }, `${where} ${d.code}`), ' ', d.message, h('span', { class: 'hint' }, `hint: ${d.hint}`));
  if (onClick) li.addEventListener('click', onClick);
  return li;
}

export function renderPlan(el: HTMLElement, plan: RecordPlanView | undefined, ex: Explanation | undefined, mapFile: string, handlers: PlanHandlers): void {
  if (!plan || !ex) {
    clear(el, h('p', { class: 'muted' }, 'No plan: the Data Map has errors that stop it (see the markers), or there is no record.'));
    return;
  }
  const located = (d: Diagnostic) => (d.location && d.location.file === mapFile ? () => handlers.jump(d.location!) : undefined);
  const provenance = h('div', { id: 'provenance', class: 'card', hidden: true });
  const parts: HTMLElement[] = [
    h('div', { class: 'card', id: 'plan-summary' },
      h('h3', {}, `Record ${plan.index + 1}`, plan.key !== undefined ? h('span', { class: 'code' }, `key ${plan.key}`) : null, badge(plan.ok ? 'valid' : 'invalid', plan.ok ? 'valid' : 'invalid')),
      plan.diagnostics.length ? h('ul', { class: 'diagnostics' }, ...plan.diagnostics.map((d) => diagnosticItem(d, located(d)))) : null),
    provenance,
  ];
  for (const [i, step] of plan.steps.entries()) {
    const es = ex.steps.find((s) => s.id === step.id) ?? ex.steps[i];
    parts.push(stepCard(step, es, located, (path, span) => {
      el.querySelectorAll('.field.selected').forEach((x) => x.classList.remove('selected'));
      span.classList.add('selected');
      const field = es?.fields.find((f) => f.in === 'body' && f.path === path);
      showProvenance(provenance, step.id, path, field, handlers);
    }, handlers));
  }
  parts.push(h('div', { class: 'card', id: 'unread-fields' },
    h('h3', {}, 'Record fields the map never reads', badge(String(ex.unreadFields.length), ex.unreadFields.length ? 'skipped' : 'ok')),
    ex.unreadFields.length ? h('ul', {}, ...ex.unreadFields.map((f) => h('li', { class: 'code' }, f))) : h('span', { class: 'muted' }, 'none')));
  const missing = ex.steps.flatMap((s) => s.missingRequired.map((p) => `${s.id}: ${p}`));
  parts.push(h('div', { class: 'card', id: 'missing-required' },
    h('h3', {}, 'Required provider fields never produced', badge(String(missing.length), missing.length ? 'invalid' : 'ok')),
    missing.length ? h('ul', {}, ...missing.map((f) => h('li', { class: 'code' }, f))) : h('span', { class: 'muted' }, 'none')));
  clear(el, ...parts);
}

function stepCard(step: StepPlanView, es: Explanation['steps'][number] | undefined, located: (d: Diagnostic) => (() => void) | undefined,
  onField: (path: string, span: HTMLElement) => void, handlers: PlanHandlers): HTMLElement {
  const card = h('div', { class: 'card step', 'data-step': step.id },
    h('h3', {}, step.id, h('a', { href: '#', class: 'code', onclick: (e: Event) => { e.preventDefault(); handlers.reference(step.operation); } }, step.operation),
      badge(step.decision, step.decision), badge(step.verdict, step.verdict)));
  if (step.when) card.append(h('div', { class: 'code' }, `when ${step.when} → ${step.decision === 'deferred' ? 'decided at run time (reads $steps)' : step.decision}`));
  if (step.request) {
    card.append(h('div', { class: 'code request-line' }, h('strong', {}, step.request.method), ' ', step.request.url));
    const hs = Object.entries(step.request.headers);
    if (hs.length) card.append(h('table', { class: 'headers' }, ...hs.map(([k, v]) => h('tr', {}, h('td', { class: 'code' }, k), h('td', { class: 'code' }, v)))));
    if (step.request.body !== undefined) card.append(jsonTree(step.request.body, onField));
  }
  if (step.placeholders.length) {
    card.append(h('div', { class: 'muted' }, 'outputs of earlier steps: ', ...step.placeholders.map((p) => h('span', { class: 'code' }, ` ${p.pointer} ← ${p.ref} (${p.type})`))));
  }
  if (step.diagnostics.length) card.append(h('ul', { class: 'diagnostics violations' }, ...step.diagnostics.map((d) => diagnosticItem(d, located(d)))));
  if (es?.missingRequired.length) card.append(h('div', { class: 'sev-error' }, 'required but not produced: ', h('span', { class: 'code' }, es.missingRequired.join(', '))));
  return card;
}

function showProvenance(el: HTMLElement, stepId: string, path: string, f: ExplainedField | undefined, handlers: PlanHandlers): void {
  el.hidden = false;
  if (!f) {
    clear(el, h('h3', {}, `${stepId} · ${path}`), h('span', { class: 'muted' }, 'No expression is recorded for this field.'));
    return;
  }
  clear(el,
    h('h3', {}, 'Where ', h('span', { class: 'code', id: 'provenance-path' }, `${stepId}.${f.path}`), ' comes from', f.sensitive ? badge(f.sensitive === 'card' ? 'card number' : 'secret', 'skipped') : null),
    h('div', {}, 'value: ', h('span', { class: 'code', id: 'provenance-value' }, f.produced ? JSON.stringify(f.value) : '(not produced: left out of the request)')),
    h('div', {}, 'expression: ', h('a', { href: '#', class: 'code', id: 'provenance-expression', onclick: (e: Event) => { e.preventDefault(); handlers.provenance(f); } }, f.expression)),
    h('div', { class: 'muted', id: 'provenance-location' }, `${f.location.file}:${f.location.line}:${f.location.column}`),
    f.let ? h('div', {}, `via let ${f.let.name}: `, h('span', { class: 'code', id: 'provenance-let' }, f.let.expression), h('span', { class: 'muted' }, ` (${f.let.location.line}:${f.let.location.column})`)) : null);
  handlers.provenance(f);
}
