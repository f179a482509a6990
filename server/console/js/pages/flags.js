// Flags review (预警核查): the open flags in the caller's scope (GET /v1/flags), each linking to
// its patrol; a township inspector (in their township) or the county section reviews one as a
// false alarm or confirmed, with a note, as a signed `flag.reviewed` event. Reviewed flags leave
// the open list; the history (`reviewed=true`) shows them with their review.

import * as api from '../api.js';
import { t, countyTime } from '../i18n.js';
import { el, table, section, select, status } from '../ui.js';
import { href } from '../main.js';
import { reaches } from '../session.js';
import { send } from '../actions.js';

/** Whether the user may review flag `f` (docs/checks.md: the county, or the inspector of its township). */
function mayReview(f) {
  return Boolean(f.subject && f.event && !f.review) && reaches(f.township);
}

function reviewForm(f, redraw) {
  if (!mayReview(f)) return f.review ? `${t(`review.${f.review.verdict}`)} · ${f.review.by} · ${f.review.note}` : '';
  const id = (n) => `${n}-${f.id}`;
  const out = el('span', { class: 'note', role: 'status' });
  const form = el('form', { class: 'review', 'data-flag': f.id, 'aria-label': `${t('act.review')} ${f.kind}` },
    el('label', { for: id('verdict') }, t('review.verdict')),
    el('select', { id: id('verdict'), name: 'verdict' },
      ['false_alarm', 'confirmed'].map((v) => el('option', { value: v }, t(`review.${v}`)))),
    el('label', { for: id('note') }, t('note')), el('input', { id: id('note'), name: 'note', required: true }),
    el('button', { type: 'submit', 'data-action': 'review' }, t('act.review')), out);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    send(() => ['flag.reviewed', {
      v: 1, subject: { kind: f.subject, id: f.event }, flag: f.kind, township: f.township,
      verdict: form.verdict.value, note: form.note.value,
    }], t('act.review'), out, redraw);
  });
  return form;
}

function filters(params) {
  const form = el('form', { class: 'filters', 'aria-label': t('show') },
    el('span', { class: 'field' }, el('label', { for: 'f-week' }, t('week')),
      el('input', { id: 'f-week', name: 'week', value: params.week ?? '', placeholder: '2026-W49' })),
    el('span', { class: 'field' }, el('label', { for: 'f-township' }, t('township')),
      el('input', { id: 'f-township', name: 'township', value: params.township ?? '' })),
    select('f-reviewed', t('flags.history'), [['', t('flags.open')], ['true', t('flags.all')]], params.reviewed ?? ''),
    el('button', { type: 'submit' }, t('show')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = href('flags', { week: form.week.value.trim(), township: form.township.value.trim(), reviewed: form['f-reviewed'].value });
  });
  return form;
}

export async function render(params) {
  const list = await api.get('/v1/flags', { township: params.township, week: params.week, reviewed: params.reviewed });
  const redraw = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
  const cols = [['raised', t('time')], ['kind', t('flags.kind')], ['officer', t('officer')], ['village', t('village')],
    ['detail', t('flags.explanation')], ['event', t('flags.subject')], ['review', t('act.review')]];
  const rows = table(params.reviewed ? t('flags.all') : t('flags.open'), cols, list.flags, (f, k) => ({
    raised: countyTime(f.raised_at), kind: f.kind, officer: f.officer ?? '', village: f.village ?? '', detail: f.detail,
    event: f.event && f.subject === 'patrol' ? el('a', { href: href('patrol', { id: f.event }) }, f.event.slice(-12)) : (f.event ?? '').slice(-12),
    review: reviewForm(f, redraw),
  })[k]);
  return [filters(params), section(params.reviewed ? t('flags.all') : t('flags.open'), list.flags.length ? rows : status(t('rec.empty')))];
}
