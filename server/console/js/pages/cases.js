// Cases and tips (案件/举报): the board of cases by stage (deadlines, overdue and conflicts
// marked), each case's history step by step, and the steps the server says this user may take on
// each case (`actions`: admission's own rules, for the user who asked) offered as actions; the
// tips below it (tips.js).

import * as api from '../api.js';
import { t, countyTime } from '../i18n.js';
import { el, section, status, table } from '../ui.js';
import { parseHlc } from '../events.js';
import * as tips from './tips.js';
import { send } from '../actions.js';

const STAGES = ['received', 'verified', 'unfounded', 'referred', 'closed', 'conflict'];
const OUTCOMES = ['rectified', 'penalised', 'transferred', 'other'];
const DEPARTMENTS = ['work_safety', 'environment', 'police', 'market_regulation', 'water', 'forestry', 'earthquake'];
/** Steps whose note is their reason, required by the protocol (docs/cases.md). */
const NOTE_REQUIRED = ['refer', 'major', 'close', 'close_unfounded', 'resolve'];

function deadlines(c) {
  return [...(c.rectify_deadlines ?? []), ...(c.major ? [c.major.deadline] : [])];
}

/** The body of `action` on case `c`, made on its (first) head, from the action form `form`. */
function body(action, c, form) {
  const base = { v: 1, case: c.id, township: c.township, after: c.heads[0]?.step, note: form.note.value };
  const deadline = () => Date.parse(`${form.deadline.value}T23:59:59+08:00`);
  switch (action) {
    case 'verify': return ['case.verified', { ...base, verdict: 'confirmed' }];
    case 'unfounded': return ['case.verified', { ...base, verdict: 'unfounded' }];
    case 'stop': return ['case.stopped', base];
    case 'rectify': return ['case.action_taken', { ...base, action: 'rectify_order', deadline: deadline() }];
    case 'joint': {
      const departments = [...form.departments.selectedOptions].map((o) => o.value);
      return ['case.action_taken', { ...base, action: 'joint_action', departments }];
    }
    case 'refer': return ['case.referred', base];
    case 'major': return ['case.marked_major', { ...base, deadline: deadline() }];
    case 'close': return ['case.closed', { ...base, outcome: form.outcome.value }];
    case 'close_unfounded': return ['case.closed', { ...base, outcome: 'unfounded' }];
    case 'resolve': {
      const { after, ...rest } = base;
      return ['case.conflict_resolved', { ...rest, heads: c.heads.map((h) => h.step), keep: form.keep.value }];
    }
    default: throw new Error(action);
  }
}

/** A label and its control (id `id`), when `wanted`. */
function labelled(wanted, id, text, control) {
  return wanted ? [el('label', { for: id }, text), control] : [];
}

/** The steps offered on `c` as buttons, with the fields those steps need. */
function actionForm(c, redraw) {
  const actions = c.actions ?? [];
  if (!actions.length) return null;
  const id = (n) => `${n}-${c.id}`;
  const has = (...a) => a.some((x) => actions.includes(x));
  const out = el('p', { class: 'note', role: 'status' });
  const form = el('form', { class: 'action', 'aria-label': `${t('page.cases')} ${c.id}` },
    el('label', { for: id('note') }, t('note')), el('textarea', { id: id('note'), name: 'note', rows: 2 }),
    labelled(has('rectify', 'major'), id('deadline'), t('deadline'), el('input', { id: id('deadline'), name: 'deadline', type: 'date' })),
    labelled(has('close'), id('outcome'), t('outcome'),
      el('select', { id: id('outcome'), name: 'outcome' }, OUTCOMES.map((o) => el('option', { value: o }, t(`outcome.${o}`))))),
    labelled(has('joint'), id('departments'), t('departments'),
      el('select', { id: id('departments'), name: 'departments', multiple: true },
        DEPARTMENTS.map((d) => el('option', { value: d }, t(`dept.${d}`))))),
    labelled(has('resolve'), id('keep'), t('keep'),
      el('select', { id: id('keep'), name: 'keep' },
        c.heads.map((h) => el('option', { value: h.step }, `${t(`stage.${h.stage}`)} · ${h.by} · ${h.step.slice(-12)}`)))),
    el('span', { class: 'buttons' }, actions.map((a) => el('button', { type: 'submit', value: a, 'data-action': a }, t(`act.${a}`)))),
    out);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const action = e.submitter?.value;
    if (NOTE_REQUIRED.includes(action) && !form.note.value.trim()) {
      out.textContent = t('note.required');
      form.note.focus();
      return;
    }
    send(() => body(action, c, form), t(`act.${action}`), out, redraw);
  });
  return form;
}

/** The case's steps, loaded from `GET /v1/cases/{id}` when its history is opened. */
function history(c) {
  const box = el('details', {}, el('summary', {}, `${t('case.history')} (${c.steps})`));
  box.addEventListener('toggle', async () => {
    if (!box.open || box.dataset.loaded) return;
    box.dataset.loaded = 'yes';
    try {
      const detail = await api.get(`/v1/cases/${c.id}`);
      box.append(table(t('case.history'), [['time', t('time')], ['step', t('stage')], ['by', t('author')], ['note', t('note')]],
        detail.case.steps, (st, k) => ({
          time: countyTime(parseHlc(st.hlc)[0]), step: st.detail.step + (st.problem ? ` ✗ ${st.problem}` : ''), by: st.by, note: st.note,
        })[k]));
    } catch (e) {
      box.append(status(t('error') + e.message, 'error'));
    }
  });
  return box;
}

function caseCard(c, redraw) {
  const stage = c.stage ?? 'conflict';
  const due = deadlines(c);
  const attrs = {
    class: `case stage-${stage}`, 'data-case': c.id, 'data-stage': stage, 'data-stopped': c.stopped_at != null ? 'yes' : 'no',
    'data-actions': (c.actions ?? []).join(' '),
  };
  return el('article', attrs,
    el('h3', {}, `${c.township} · ${c.id.slice(-12)}`),
    el('p', {}, el('strong', {}, t(`stage.${stage}`)),
      c.stopped_at != null ? el('span', { class: 'tag stopped' }, t('stopped')) : null,
      c.major ? el('span', { class: 'tag' }, t('major')) : null,
      c.overdue ? el('span', { class: 'tag bad' }, t('overdue')) : null),
    due.length ? el('p', {}, `${t('deadline')}: ${due.map(countyTime).join(', ')}`) : null,
    stage === 'conflict' ? el('p', { class: 'bad' }, `${t('conflict')}: ${c.heads.map((h) => `${t(`stage.${h.stage}`)} (${h.by})`).join(' / ')}`) : null,
    history(c),
    actionForm(c, redraw));
}

export async function render(params) {
  const [list, office] = await Promise.all([
    api.get('/v1/cases', { township: params.township }),
    api.get('/v1/office'),
  ]);
  const cases = list.cases;
  const redraw = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
  const board = el('div', { class: 'board' }, STAGES.map((stage) => {
    const here = cases.filter((c) => (c.stage ?? 'conflict') === stage);
    return el('section', { class: 'column', 'aria-label': t(`stage.${stage}`) },
      el('h2', {}, `${t(`stage.${stage}`)} (${here.length})`),
      here.map((c) => caseCard(c, redraw)));
  }));
  return [section(t('cases.board'), cases.length ? board : status(t('rec.empty'))), ...tips.render(office, redraw)];
}
