/** The Reference tab: one operation of a provider pack, as `datamap providers <name> <operation>` shows it, searchable. */
import type { OperationDetails, FieldDescription } from '../../../authoring/index.js';
import { clear, h } from '../dom.js';

function typeText(f: FieldDescription): string {
  const parts = [f.types.length ? f.types.join(' | ') : 'any'];
  if (f.enum) parts.push(`one of ${f.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  if (f.const !== undefined) parts.push(`= ${JSON.stringify(f.const)}`);
  if (f.format) parts.push(`format ${f.format}`);
  if (f.pattern) parts.push(`pattern ${f.pattern}`);
  if (f.minLength !== undefined || f.maxLength !== undefined) parts.push(`length ${f.minLength ?? 0}..${f.maxLength ?? '∞'}`);
  if (f.minimum !== undefined || f.maximum !== undefined) parts.push(`${f.minimum ?? '-∞'}..${f.maximum ?? '∞'}`);
  if (f.exclusiveMinimum !== undefined) parts.push(`> ${f.exclusiveMinimum}`);
  if (f.maxDecimals !== undefined) parts.push(`≤ ${f.maxDecimals} decimals`);
  if (f.minItems !== undefined || f.maxItems !== undefined) parts.push(`items ${f.minItems ?? 0}..${f.maxItems ?? '∞'}`);
  if (f.sensitive) parts.push(`SENSITIVE (${f.sensitive}, masked in all output)`);
  return parts.join('; ');
}

function rows(f: FieldDescription, depth: number, out: HTMLElement[]): void {
  const mark = f.required ? h('span', { class: 'req' }, '* ') : h('span', { class: 'muted' }, '- ');
  out.push(h('div', { class: 'row', 'data-path': f.path, style: `padding-left:${depth * 14}px`, 'data-text': `${f.path} ${f.description ?? ''}`.toLowerCase() },
    mark, h('strong', {}, f.name || '(body)'), '  ', h('span', { class: 'muted' }, typeText(f)), f.description ? ` — ${f.description}` : ''));
  for (const c of f.choices ?? []) out.push(h('div', { class: 'row muted', style: `padding-left:${(depth + 1) * 14}px` }, `rule: ${c.description ?? `${c.kind === 'oneOf' ? 'exactly one' : 'at least one'} of ${c.options.map((o) => o.join(' + ')).join(', ')}`}`));
  for (const n of f.notes ?? []) out.push(h('div', { class: 'row muted', style: `padding-left:${(depth + 1) * 14}px` }, `rule: ${n}`));
  for (const p of f.properties ?? []) rows(p, depth + 1, out);
  if (f.items) rows(f.items, depth + 1, out);
  for (const alt of f.alternatives?.options ?? []) rows(alt, depth + 1, out);
}

export function renderReference(el: HTMLElement, op: OperationDetails | undefined, choices: Array<{ provider: string; operation: string }>, onChoose: (provider: string, operation: string) => void): void {
  const select = h('select', { id: 'reference-operation' }, ...choices.map((c) => {
    const o = h('option', { value: `${c.provider} ${c.operation}` }, `${c.provider} ${c.operation}`);
    if (op && op.provider === c.provider && op.id === c.operation) o.selected = true;
    return o;
  }));
  select.addEventListener('change', () => { const [p, o] = select.value.split(' '); onChoose(p!, o!); });
  if (!op) {
    clear(el, select, h('p', { class: 'muted' }, 'Choose an operation.'));
    return;
  }
  const search = h('input', { type: 'search', id: 'reference-search', placeholder: 'search fields (name or description)' });
  const tree = h('div', { class: 'tree', id: 'reference-tree' });
  const out: HTMLElement[] = [];
  if (op.request) rows(op.request, 0, out);
  else out.push(h('div', { class: 'muted' }, "No body: give path and query parameters in the step's params."));
  tree.append(...out);
  const resp = h('div', { class: 'tree', id: 'reference-response' }, ...op.responseFields.map((f) =>
    h('div', { class: 'row', 'data-text': `${f.path} ${f.description ?? ''}`.toLowerCase() }, h('strong', {}, f.expression), '  ', h('span', { class: 'muted' }, f.types.join(' | ') || 'any'), f.description ? ` — ${f.description}` : '')));
  search.addEventListener('input', () => {
    const q = search.value.trim().toLowerCase();
    for (const row of el.querySelectorAll<HTMLElement>('.tree .row')) {
      const hit = q !== '' && (row.dataset['text'] ?? '').includes(q);
      row.classList.toggle('match', hit);
      row.hidden = q !== '' && !hit && row.dataset['text'] !== undefined;
    }
  });
  const kinds: Record<string, string> = { cardNumber: 'card number', securityCode: 'security code', secret: 'secret' };
  const sens = op.sensitive.map((f) => `${f.path} (${kinds[f.kind] ?? f.kind})`);
  clear(el, select,
    h('div', { class: 'card' },
      h('h3', {}, `${op.provider} ${op.id}`, h('span', { class: 'muted' }, op.summary)),
      h('div', { class: 'code' }, `${op.method} ${op.path}`),
      h('div', {}, `${op.idempotent ? 'idempotent (safe to resend)' : 'not idempotent (never blindly resent)'}; ${op.assumed ? 'ASSUMED contract' : 'documented'}${op.source ? `; source ${op.source}` : ''}`),
      h('div', {}, `path params: ${op.pathParams.join(', ') || 'none'}; query params: ${op.query.join(', ') || 'none'}`),
      sens.length ? h('div', {}, `sensitive fields (masked in all output): ${sens.join(', ')}`) : null),
    search,
    h('div', { class: 'card' }, h('h3', {}, `Request body ${op.requestSchema ?? ''}`, h('span', { class: 'muted' }, '* required, - optional')), tree),
    h('div', { class: 'card' }, h('h3', {}, `Response ${op.responseSchema ?? ''}`, h('span', { class: 'muted' }, 'later steps read these as $steps.<id>.<field>')), resp));
}
