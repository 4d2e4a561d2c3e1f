/** The Journal tab: a read-only view of the run journal — runs (what `datamap runs` lists) and one run's records by state (what `datamap runs show` prints). */
import type { RunRecordView, RunSummary } from '../../../journal/index.js';
import { get } from '../api.js';
import { badge, clear, h } from '../dom.js';

/** Times come as ISO text (see src/studio/journal-view.ts). */
type Timed<T> = Omit<T, 'startedAt'> & { startedAt: string };
interface RunsAnswer { available: boolean; file: string | null; states?: string[]; runs?: Array<Timed<RunSummary>> }
interface RunAnswer { available: true; file: string; run: Timed<RunSummary>; byState: Record<string, number>; state: string | null; records: RunRecordView[] }

const counts = (c: Record<string, number>): string => Object.entries(c).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ') || 'no records';

export async function renderJournal(el: HTMLElement): Promise<void> {
  const j = await get<RunsAnswer>('/api/journal');
  if (!j.available || !j.runs) {
    clear(el, h('p', { class: 'muted', id: 'journal-none' }, `No journal${j.file ? ` at ${j.file}` : ''}: \`datamap run\` writes one; start the studio with --journal PATH to show another.`));
    return;
  }
  const detail = h('div', { id: 'journal-run' });
  const table = h('table', { id: 'journal-runs' },
    h('tr', {}, ...['run', 'started', 'status', 'map', 'records'].map((t) => h('th', {}, t))),
    ...j.runs.map((r) => h('tr', { 'data-run': r.runId },
      h('td', {}, h('a', { href: '#', class: 'code', onclick: (e: Event) => { e.preventDefault(); void showRun(detail, r.runId); } }, r.runId)),
      h('td', {}, String(r.startedAt)), h('td', {}, r.status), h('td', {}, r.mapName), h('td', {}, counts(r.counts)))));
  clear(el, h('p', { class: 'muted' }, `${j.file} — read-only`), j.runs.length ? table : h('p', { class: 'muted' }, 'No runs yet.'), detail);
  if (j.runs[0]) await showRun(detail, j.runs[0].runId);
}

async function showRun(el: HTMLElement, runId: string, state?: string): Promise<void> {
  const r = await get<RunAnswer>(`/api/journal/runs/${encodeURIComponent(runId)}${state ? `?state=${encodeURIComponent(state)}` : ''}`);
  const max = Math.max(1, ...Object.values(r.byState));
  const chart = h('div', { class: 'bars', id: 'journal-chart' }, ...Object.entries(r.byState).map(([s, n]) =>
    h('div', { class: 'bar', 'data-state': s, 'data-count': String(n) },
      h('button', { type: 'button', onclick: () => void showRun(el, runId, r.state === s ? undefined : s) }, s),
      h('span', { class: 'fill', style: `width:${Math.round((n / max) * 200)}px` }), String(n))));
  const rows = r.records.map((rec) => h('tr', { 'data-key': rec.key, 'data-state': rec.state },
    h('td', {}, badge(rec.state, rec.state === 'succeeded' ? 'ok' : rec.state)), h('td', { class: 'code' }, rec.key),
    h('td', { class: 'code' }, Object.entries(rec.ids).map(([k, v]) => `${k}=${v}`).join(' ')), h('td', { class: 'code' }, rec.card ?? ''),
    h('td', {}, [rec.replayed ? '(replayed)' : '', rec.resolvedAs ? `(resolved as ${rec.resolvedAs})` : '', rec.errorCode ? `${rec.errorCode}: ${rec.errorMessage ?? ''}` : '',
      ...rec.steps.filter((s) => s.review).map((s) => `${s.stepId}: check ${Object.entries(s.review!.reference).map(([k, v]) => `${k}=${String(v)}`).join(', ')} — ${s.review!.reason}`)].filter(Boolean).join(' '))));
  clear(el,
    h('div', { class: 'card' }, h('h3', {}, `Run ${r.run.runId}`, badge(r.run.status, r.run.status === 'finished' ? 'ok' : 'pending'), h('span', { class: 'muted' }, `${r.run.mapName} · ${r.run.mapFile}${r.run.input ? ` · ${r.run.input}` : ''}`)),
      h('div', { class: 'muted' }, 'records by state (click to filter)'), chart),
    h('div', { class: 'card' }, h('h3', {}, r.state ? `Records in state ${r.state}` : 'Records'),
      h('table', { id: 'journal-records' }, h('tr', {}, ...['state', 'key', 'ids', 'card', ''].map((t) => h('th', {}, t))), ...rows)));
}
