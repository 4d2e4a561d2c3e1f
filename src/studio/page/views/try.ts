/** The Try it tab: the chosen record run for real against the built-in sandbox (in the studio's process). */
import type { RecordResult } from '../../../executor/types.js';
import type { LedgerEntry } from '../../../sandbox/index.js';
import type { Diagnostic } from '../../../errors/diagnostic.js';
import { badge, clear, h, pre } from '../dom.js';
import { diagnosticItem } from './plan.js';

export type TryAnswer = { ran: true; record: number; baseUrl: string; result: RecordResult; ledger: LedgerEntry[]; ledgerTotal: number } | { ran: false; diagnostics: Diagnostic[] };

function ledgerTable(entries: LedgerEntry[]): HTMLElement {
  if (entries.length === 0) return h('p', { class: 'muted' }, 'No money movement recorded.');
  return h('table', { id: 'ledger' },
    h('tr', {}, ...['#', 'provider', 'kind', 'operation', 'amount', 'status', 'reference', 'card', 'at'].map((t) => h('th', {}, t))),
    ...entries.map((e) => h('tr', {},
      h('td', {}, String(e.seq)), h('td', {}, e.provider), h('td', {}, e.kind), h('td', {}, e.operation),
      h('td', {}, `${e.amount} ${e.currency}`), h('td', {}, `${e.status}${e.approved ? '' : ' (not approved)'}`),
      h('td', { class: 'code' }, e.merchantReference ?? ''), h('td', { class: 'code' }, e.cardBin ? `${e.cardBin}…${e.cardLast4 ?? ''}` : ''), h('td', {}, e.at))));
}

export function renderTry(el: HTMLElement, answer: TryAnswer | undefined, onRun: () => void, onReset: () => void): void {
  const head = h('div', {},
    h('button', { type: 'button', id: 'run-try', class: 'primary', onclick: onRun }, 'Run against the sandbox'), ' ',
    h('button', { type: 'button', id: 'reset-sandbox', onclick: onReset }, 'Reset sandbox'), ' ',
    h('span', { class: 'muted' }, 'the real executor over HTTP to the built-in simulators; no network, sandbox-only credentials'));
  if (!answer) { clear(el, head); return; }
  if (!answer.ran) { clear(el, head, h('ul', { class: 'diagnostics' }, ...answer.diagnostics.map((d) => diagnosticItem(d)))); return; }
  const r = answer.result;
  const steps = r.steps.map((s) => h('div', { class: 'card call', 'data-step': s.id },
    h('h3', {}, s.id, h('span', { class: 'code' }, s.operation), badge(s.decision === 'skip' ? 'skipped' : s.classification ?? (s.error ? 'failed' : 'sent'), s.decision === 'skip' ? 'skipped' : String(s.classification ?? 'failed')),
      s.status !== undefined ? h('span', { class: 'code' }, `HTTP ${s.status}`) : null, h('span', { class: 'muted' }, `${s.attempts} attempt${s.attempts === 1 ? '' : 's'}, ${s.durationMs} ms`), s.reconciliation ? badge(`reconciled: ${s.reconciliation}`, 'pending') : null),
    s.request ? h('div', { class: 'code' }, h('strong', {}, s.request.method), ' ', s.request.url) : null,
    s.request ? h('details', {}, h('summary', {}, 'request'), pre({ headers: s.request.headers, body: s.request.body })) : null,
    s.response !== undefined ? h('details', { open: true }, h('summary', {}, 'response'), pre(s.response)) : null,
    s.error ? h('div', { class: 'sev-error code' }, `${s.error.code}: ${s.error.message}`) : null,
    s.warnings.length ? h('ul', { class: 'diagnostics' }, ...s.warnings.map((d) => diagnosticItem(d))) : null));
  clear(el, head,
    h('div', { class: 'card', id: 'try-outcome' },
      h('h3', {}, `Record ${r.index + 1}`, r.key ? h('span', { class: 'code' }, `key ${r.key}`) : null, badge(r.outcome), r.card ? h('span', { class: 'code' }, `card ${r.card}`) : null),
      Object.keys(r.ids).length ? h('div', { class: 'code' }, 'ids: ', Object.entries(r.ids).map(([k, v]) => `${k}=${v}`).join(', ')) : null,
      r.error ? h('div', { class: 'sev-error code' }, `${r.error.code}: ${r.error.message}`) : null,
      r.result !== undefined ? h('div', {}, 'result: ', h('span', { class: 'code' }, JSON.stringify(r.result))) : null,
      r.diagnostics.length ? h('ul', { class: 'diagnostics' }, ...r.diagnostics.map((d) => diagnosticItem(d))) : null),
    h('div', { class: 'card', id: 'try-ledger' }, h('h3', {}, 'Sandbox ledger', h('span', { class: 'muted' }, `${answer.ledger.length} new of ${answer.ledgerTotal} entries`)), ledgerTable(answer.ledger)),
    ...steps);
}
