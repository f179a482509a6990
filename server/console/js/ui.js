// Small DOM helpers: elements, tables, forms and messages, all built with the DOM API (never
// from HTML strings), so no text from the server is ever parsed as markup.

import { t } from './i18n.js';

/** `<tag attrs>children</tag>`; attrs `on*` are listeners, `class`, `for` and the rest attributes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c != null && c !== false) node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

/** A table with a caption, headings `cols` (`[key, heading]`) and `rows` (objects or cells). */
export function table(caption, cols, rows, cell = (row, key) => row[key]) {
  return el('table', {},
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, cols.map(([, h]) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map((row) => el('tr', {}, cols.map(([k]) => el('td', {}, cell(row, k) ?? ''))))));
}

/** A labelled input (`id` doubles as its name). */
export function field(id, label, attrs = {}) {
  return el('span', { class: 'field' }, el('label', { for: id }, label), el('input', { id, name: id, ...attrs }));
}

/** A labelled select of `options` (`[value, text]`). */
export function select(id, label, options, value) {
  return el('span', { class: 'field' }, el('label', { for: id }, label),
    el('select', { id, name: id }, options.map(([v, text]) => el('option', { value: v, selected: v === value }, text))));
}

/** A section with a heading. */
export function section(title, ...children) {
  return el('section', {}, el('h2', {}, title), ...children);
}

/** A status line that screen readers announce. */
export function status(text, kind = 'note') {
  return el('p', { class: kind, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** Shows `error` in `main` in place of a page that could not load. */
export function failed(main, error) {
  main.replaceChildren(status(t('error') + error.message, 'error'));
}

/** Percent with no decimals, or an empty cell. */
export const pct = (n) => (n == null ? '' : `${n}`);
