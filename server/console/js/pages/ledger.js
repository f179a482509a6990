// The patrol ledger (巡查台帐): GET /v1/ledger with the filters, paged here, and the same
// filtered view downloaded as CSV or XLSX by the server (same rows, same headings).

import * as api from '../api.js';
import { t, language, isoWeek, weekDates } from '../i18n.js';
import { el, table, field, select, status } from '../ui.js';
import { href } from '../main.js';

const PAGE = 50;

function query(params) {
  const [monday, sunday] = weekDates(params.week || isoWeek(Date.now()));
  const q = { from: params.from || monday, to: params.to || sunday };
  const by = params.by || (params.officer ? 'officer' : params.village ? 'village' : params.township ? 'township' : '');
  if (by) q[by] = params[by] ?? params.value;
  return q;
}

export async function render(params) {
  const q = query(params);
  const ledger = await api.get('/v1/ledger', { ...q, lang: language() });
  const by = ['officer', 'village', 'township'].find((k) => q[k]) ?? '';
  const form = el('form', { class: 'filters', id: 'ledger-filter' },
    field('from', t('from'), { type: 'date', value: q.from, required: true }),
    field('to', t('to'), { type: 'date', value: q.to, required: true }),
    select('by', t('show'), [['', '—'], ['township', t('township')], ['village', t('village')], ['officer', t('officer')]], by),
    field('value', by ? t(by) : t('officer'), { value: by ? q[by] : '' }),
    el('button', { type: 'submit' }, t('show')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = { from: form.from.value, to: form.to.value };
    if (form.by.value && form.value.value) next[form.by.value] = form.value.value.trim();
    location.hash = href('ledger', next);
  });
  const message = el('p', { class: 'note', role: 'status', id: 'download-status' });
  const download = (format) => async () => {
    message.textContent = t('loading');
    try {
      message.textContent = await api.download('/v1/ledger', { ...q, format, lang: language() });
    } catch (e) {
      message.textContent = t('error') + e.message;
    }
  };
  const pages = Math.max(1, Math.ceil(ledger.rows.length / PAGE));
  const at = Math.min(Math.max(1, Number(params.page) || 1), pages);
  const shown = ledger.rows.slice((at - 1) * PAGE, at * PAGE);
  const cols = ledger.columns.map((c) => [c.key, c.heading]);
  const cell = (row, key) => (key === 'patrol' ? el('a', { href: href('patrol', { id: row.patrol }) }, row.patrol) : row[key]);
  const nav = el('nav', { class: 'pager', 'aria-label': t('page_of', at, pages) },
    at > 1 ? el('a', { href: href('ledger', { ...q, page: at - 1 }) }, t('prev')) : null,
    el('span', {}, `${t('page_of', at, pages)} · ${t('rows', ledger.rows.length)}`),
    at < pages ? el('a', { href: href('ledger', { ...q, page: at + 1 }) }, t('next')) : null);
  return [
    form,
    el('p', { class: 'actions' },
      el('button', { type: 'button', id: 'download-csv', onclick: download('csv') }, t('download_csv')),
      el('button', { type: 'button', id: 'download-xlsx', onclick: download('xlsx') }, t('download_xlsx'))),
    message,
    nav,
    el('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': t('page.ledger') },
      shown.length ? table(`${t('page.ledger')} ${ledger.from} – ${ledger.to}`, cols, shown, cell) : status(t('rec.empty'))),
  ];
}
