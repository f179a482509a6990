// Reconciliation (对账) of a township's week: GET /v1/reconciliation, each item linking to what it
// is about (an officer's ledger, a patrol, a case); a finding not received can be received here
// (a case opened on it) by those whose reach holds the township.

import * as api from '../api.js';
import { t, isoWeek, countyTime } from '../i18n.js';
import { el, table, section, select } from '../ui.js';
import { href } from '../main.js';
import { reaches } from '../session.js';
import { send } from '../actions.js';

/** Receipt of the finding `finding` (`case.opened` on it, for `township`): it leaves this list. */
function openForm(finding, township) {
  const out = el('span', { class: 'note', role: 'status' });
  const id = `open-${finding}`;
  const form = el('form', { class: 'inline', 'data-finding': finding, 'aria-label': `${t('act.open')} ${finding}` },
    el('label', { for: id }, t('note')), el('input', { id, name: 'note' }),
    el('button', { type: 'submit', 'data-action': 'open' }, t('act.open')), out);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    send(() => ['case.opened', { v: 1, source: { finding }, township, note: form.note.value }], t('act.open'), out,
      () => window.dispatchEvent(new HashChangeEvent('hashchange')));
  });
  return form;
}

export async function render(params, s) {
  const week = params.week || isoWeek(Date.now());
  let townships = s.units;
  if (s.role !== 'township_inspector') {
    townships = Object.keys((await api.get('/v1/compliance', { week })).townships);
  }
  const township = params.township || townships[0];
  const r = await api.get('/v1/reconciliation', { township, week });
  const form = el('form', { class: 'filters', id: 'rec-filter' },
    el('span', { class: 'field' }, el('label', { for: 'week' }, t('week')), el('input', { id: 'week', name: 'week', type: 'week', value: week })),
    select('township', t('township'), townships.map((id) => [id, id]), township),
    el('button', { type: 'submit' }, t('show')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = href('reconciliation', { week: form.week.value, township: form.township.value });
  });
  const officer = (o) => el('a', { href: href('ledger', { officer: o, week }) }, o);
  const cases = (id) => el('a', { href: href('cases', { case: id }) }, id);
  return [
    form,
    section(t('rec.under_quota'), table(t('rec.under_quota'), [['officer', t('officer')], ['patrols_counting', t('patrols_counting')], ['quota', t('quota')]],
      r.officers_under_quota, (x, k) => (k === 'officer' ? officer(x.officer) : x[k]))),
    section(t('rec.zero_missing'), table(t('rec.zero_missing'), [['officer', t('officer')]], r.zero_reports_missing,
      (x) => officer(x.officer ?? x))),
    section(t('rec.unsynced'), table(t('rec.unsynced'), [['device', t('device')], ['user', t('user')], ['last', t('last_sync')]],
      r.devices_not_synced, (x, k) => (k === 'last' ? (x.last_sync_at ? countyTime(x.last_sync_at) : t('never')) : x[k]))),
    section(t('rec.not_received'), table(t('rec.not_received'),
      [['finding', t('findings')], ['officer', t('officer')], ['observed', t('time')], ['late', t('late')], ['open', t('act.open')]],
      r.findings_not_received, (x, k) => ({
        finding: x.finding, officer: officer(x.officer), observed: countyTime(x.observed_at), late: x.late ? t('yes') : '',
        open: reaches(township) ? openForm(x.finding, township) : '',
      })[k])),
    section(t('rec.tips'), table(t('rec.tips'), [['tip', t('cases.tips')], ['received', t('time')], ['village', t('village')]],
      r.tips_unanswered, (x, k) => ({ tip: el('a', { href: href('cases') }, x.tip), received: countyTime(x.received_at), village: x.village ?? '' })[k])),
    section(t('rec.overdue'), table(t('rec.overdue'), [['case', t('page.cases')], ['status', t('stage')], ['deadline', t('deadline')]],
      r.cases_overdue, (x, k) => ({ case: cases(x.case), status: x.status, deadline: x.missed ? countyTime(x.missed.deadline) : '' })[k])),
    section(t('rec.evidence'), table(t('rec.evidence'), [['sha256', 'SHA-256'], ['officer', t('officer')], ['subject', t('flags.subject')]],
      r.evidence_missing, (x, k) => ({ sha256: x.sha256.slice(0, 16), officer: x.officer ?? '', subject: x.subject?.id ?? '' })[k])),
  ];
}
