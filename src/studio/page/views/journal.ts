/** The Journal tab: a read-only view of the run journal (what `datamap runs` shows). */
import { get } from '../api.js';
import { clear, h } from '../dom.js';

export async function renderJournal(el: HTMLElement): Promise<void> {
  const j = await get<{ available: boolean }>('/api/journal');
  if (!j.available) {
    clear(el, h('p', { class: 'muted', id: 'journal-none' }, 'No journal: this studio was started without one.'));
    return;
  }
  clear(el, h('p', { class: 'muted' }, 'Journal'));
}
