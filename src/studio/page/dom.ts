/** A small element builder and JSON renderers for the page. */
type Child = Node | string | number | false | null | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | ((e: Event) => void) | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  for (const c of children) if (c !== false && c !== null && c !== undefined) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

export function clear(el: HTMLElement, ...children: Child[]): void {
  el.replaceChildren();
  for (const c of children) if (c !== false && c !== null && c !== undefined) el.append(typeof c === 'number' ? String(c) : c);
}

export function badge(text: string, kind = text): HTMLElement {
  return h('span', { class: `badge ${kind}` }, text);
}

export function pre(value: unknown): HTMLElement {
  return h('pre', {}, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

/** Path of a body field as explain names it: `invoice.amount.value`, `lineItems[0].name`. */
export function joinPath(base: string, seg: string | number): string {
  if (typeof seg === 'number') return `${base}[${seg}]`;
  const name = /^[A-Za-z_$][\w$]*$/.test(seg) ? seg : '`' + seg + '`';
  return base ? `${base}.${name}` : name;
}

/**
 * Renders a JSON value as indented text whose leaves (and empty objects) are clickable spans
 * carrying their payload path in `data-path`.
 */
export function jsonTree(value: unknown, onField?: (path: string, el: HTMLElement) => void): HTMLElement {
  const root = h('div', { class: 'json' });
  const leaf = (v: unknown): HTMLElement => {
    if (typeof v === 'string') return h('span', { class: /^⟨.*⟩$|^<\$steps/.test(v) ? 'ph' : 'str' }, JSON.stringify(v));
    if (typeof v === 'number' || typeof v === 'boolean' || v === null) return h('span', { class: 'num' }, String(v));
    return h('span', {}, JSON.stringify(v));
  };
  const walk = (v: unknown, path: string, indent: string, key: string | undefined, last: boolean): void => {
    const keyPart = key !== undefined ? [h('span', { class: 'key' }, JSON.stringify(key)), ': '] : [];
    const comma = last ? '' : ',';
    const isObj = v !== null && typeof v === 'object';
    const entries: Array<[string | number, unknown]> = isObj ? (Array.isArray(v) ? v.map((x, i) => [i, x] as [number, unknown]) : Object.entries(v as Record<string, unknown>)) : [];
    if (!isObj || entries.length === 0) {
      const span = h('span', { class: 'field', 'data-path': path }, ...keyPart, leaf(v));
      if (onField) span.addEventListener('click', () => onField(path, span));
      root.append(indent, span, comma, '\n');
      return;
    }
    const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
    root.append(indent, ...keyPart, open, '\n');
    entries.forEach(([k, x], i) => walk(x, joinPath(path, k), indent + '  ', typeof k === 'string' ? k : undefined, i === entries.length - 1));
    root.append(indent, close, comma, '\n');
  };
  walk(value, '', '', undefined, true);
  return root;
}
