// Tips (举报) on the cases page: every tip in scope with its assignment, cases and answer, and the
// informant only when the server sent it (the roles that may read it: it is left out of every
// other role's reply, so it is never in their page). Where the user's reach holds the tip's
// township (admission's own rules, given at sign-in), a tip is received here, and an open one
// assigned, answered, or a case opened on it: each a signed event.

import { t, countyTime } from '../i18n.js';
import { el, section, table, select, field } from '../ui.js';
import { reaches, reachable } from '../session.js';
import { send } from '../actions.js';

const CHANNELS = ['hotline', 'report_box', 'petition', 'in_person'];
/** The words of a tip's actions: opening a case on a tip is 立案. */
const LABELS = { assign: 'act.assign', answer: 'act.answer', open: 'act.open_case' };
const TOWNSHIP_LEVELS = ['township', 'town', 'farm'];

/** The township-level units, and the villages of each (those of its zones), from the reference data. */
function places(office) {
  const townships = Object.values(office.units ?? {}).filter((u) => TOWNSHIP_LEVELS.includes(u.level)).map((u) => u.unit).sort();
  const zones = Object.values(office.zones ?? {});
  const villages = (township) => [...new Set(zones.filter((z) => z.township === township).map((z) => z.village))].sort();
  return { townships, villages };
}

/** `text` as the body field `key` when it is not blank (optional fields are left out, not empty). */
const optional = (key, text) => (text.trim() ? { [key]: text.trim() } : {});

/** `YYYY-MM-DDTHH:MM` now, county time, for a `datetime-local` input. */
function nowCounty() {
  return new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 16);
}

/** The form that records a new tip (`tip.received`) and, when given, its informant (`tip.informant`). */
function receiveForm(townships, redraw) {
  const out = el('p', { class: 'note', role: 'status' });
  const form = el('form', { class: 'filters', id: 'tip-receive', 'aria-label': t('tip.new') },
    select('tip-channel', t('channel'), CHANNELS.map((c) => [c, t(`channel.${c}`)]), 'hotline'),
    select('tip-township', t('township'), townships.map((x) => [x, x]), townships[0]),
    field('tip-at', t('tip.received_at'), { type: 'datetime-local', value: nowCounty(), required: true }),
    el('span', { class: 'field' }, el('label', { for: 'tip-content' }, t('content')),
      el('textarea', { id: 'tip-content', name: 'tip-content', rows: 2, required: true })),
    field('tip-name', t('informant.name')),
    field('tip-contact', t('contact')),
    el('button', { type: 'submit', 'data-action': 'receive_tip' }, t('act.receive_tip')),
    out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const township = form['tip-township'].value;
    const received = await send(() => ['tip.received', {
      v: 1, channel: form['tip-channel'].value, content: form['tip-content'].value, township,
      received_at: Date.parse(`${form['tip-at'].value}:00+08:00`),
    }], t('act.receive_tip'), out, null);
    const who = { ...optional('name', form['tip-name'].value), ...optional('contact', form['tip-contact'].value) };
    if (received && Object.keys(who).length) {
      await send(() => ['tip.informant', { v: 1, tip: received.id, township, ...who }], t('informant'), out, null);
    }
    if (received) redraw();
  });
  return form;
}

/** The actions on the open tip `tip`: assign it (in the reach), answer it, open a case on it. */
function tipForm(tip, { townships, villages }, redraw) {
  const id = (n) => `${n}-${tip.id}`;
  const out = el('p', { class: 'note', role: 'status' });
  const targets = reachable(townships);
  const villageSelect = el('select', { id: id('village'), name: 'village' });
  const township = el('select', { id: id('township'), name: 'township' },
    targets.map((x) => el('option', { value: x, selected: x === tip.township }, x)));
  const fillVillages = () => villageSelect.replaceChildren(el('option', { value: '' }, '—'),
    ...villages(township.value).map((v) => el('option', { value: v }, v)));
  township.addEventListener('change', fillVillages);
  fillVillages();
  const form = el('form', { class: 'action', 'data-tip': tip.id, 'aria-label': `${t('cases.tips')} ${tip.id}` },
    el('label', { for: id('township') }, t('township')), township,
    el('label', { for: id('village') }, t('village')), villageSelect,
    el('label', { for: id('brief') }, t('brief')), el('textarea', { id: id('brief'), name: 'brief', rows: 2 }),
    el('label', { for: id('answer') }, t('answer')), el('textarea', { id: id('answer'), name: 'answer', rows: 2 }),
    el('label', { for: id('case') }, t('tip.cases')),
    el('select', { id: id('case'), name: 'case' }, el('option', { value: '' }, '—'), tip.cases.map((c) => el('option', { value: c }, c.slice(-12)))),
    el('label', { for: id('note') }, t('note')), el('input', { id: id('note'), name: 'note' }),
    el('span', { class: 'buttons' }, ['assign', 'answer', 'open'].map((a) => el('button', { type: 'submit', value: a, 'data-action': a }, t(LABELS[a])))),
    out);
  const bodies = {
    assign: () => ['tip.assigned', {
      v: 1, tip: tip.id, township: form.township.value, brief: form.brief.value,
      ...optional('village', form.village.value), ...optional('note', form.note.value),
    }],
    answer: () => ['tip.answered', { v: 1, tip: tip.id, township: tip.township, answer: form.answer.value, ...optional('case', form.case.value) }],
    open: () => ['case.opened', { v: 1, source: { tip: tip.id }, township: tip.township, note: form.note.value }],
  };
  const needs = { assign: 'brief', answer: 'answer' };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const action = e.submitter?.value;
    const missing = needs[action];
    if (missing && !form[missing].value.trim()) {
      out.textContent = t('required') + t(missing);
      form[missing].focus();
      return;
    }
    send(bodies[action], t(LABELS[action]), out, redraw);
  });
  return form;
}

/** The tips section: the receive form where the user has a reach, then the table of tips. */
export function render(office, redraw) {
  const where = places(office);
  const informants = Object.values(office.informants ?? {});
  const list = Object.values(office.tips ?? {}).sort((a, b) => (b.received_at ?? 0) - (a.received_at ?? 0));
  const cols = [['received_at', t('time')], ['township', t('township')], ['channel', t('channel')], ['content', t('content')],
    ...(informants.length ? [['informant', t('informant')]] : []), ['assigned', t('tip.assigned_to')], ['cases', t('tip.cases')],
    ['answer', t('answer')], ['actions', t('tip.actions')]];
  const rows = table(t('cases.tips'), cols, list, (x, k) => {
    const last = x.assignments.at(-1);
    return {
      received_at: countyTime(x.received_at), township: x.township, channel: x.channel ? t(`channel.${x.channel}`) : '',
      content: x.content ?? '',
      informant: informants.filter((i) => i.tip === x.id).map((i) => `${i.name} ${i.contact}`.trim()).join('; '),
      assigned: last ? `${last.township}${last.village ? ` · ${last.village}` : ''} · ${last.brief}` : '',
      cases: x.cases.map((c) => c.slice(-12)).join(', '),
      answer: x.answer?.answer ?? '',
      actions: !x.answer && reaches(x.township) ? tipForm(x, where, redraw) : '',
    }[k];
  });
  const mine = reachable(where.townships);
  return [section(t('cases.tips'), mine.length ? receiveForm(mine, redraw) : null, el('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': t('cases.tips') }, rows))];
}
