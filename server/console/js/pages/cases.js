// Cases and tips (案件/举报): the board of cases by stage (deadlines, overdue and conflicts
// marked), each case's history step by step, and the steps a role may take offered as actions;
// tips with their informant only when the server sent it (roles that may read it).

import * as api from '../api.js';
import { t, countyTime } from '../i18n.js';
import { el, section, status, table } from '../ui.js';
import { parseHlc } from '../events.js';

const STAGES = ['received', 'verified', 'unfounded', 'referred', 'closed', 'conflict'];
const OUTCOMES = ['rectified', 'penalised', 'transferred', 'unfounded', 'other'];
const DEPARTMENTS = ['work_safety', 'environment', 'police', 'market_regulation', 'water', 'forestry', 'earthquake'];

/** The steps `role` may take on `c` at its stage (docs/cases.md), as `[action, extra fields]`. */
function actionsFor(c, s) {
  const county = s.role === 'county_auditor';
  const inspector = s.role === 'township_inspector' && s.units.includes(c.township);
  if (!county && !inspector) return [];
  const stage = c.stage ?? 'conflict';
  const by = {
    received: ['verify', 'unfounded', 'stop', inspector && 'refer', county && 'major'],
    verified: ['stop', 'rectify', 'joint', inspector && 'refer', county && 'major', 'close'],
    unfounded: ['close'],
    referred: ['stop', 'rectify', 'joint', county && 'major', county && 'close'],
    closed: [],
    conflict: [(county || c.stage !== 'referred') && 'resolve'],
  };
  return (by[stage] ?? []).filter(Boolean);
}

function deadlines(c) {
  return [...(c.rectify_deadlines ?? []), ...(c.major ? [c.major.deadline] : [])];
}

/** The body of `action` on case `c`, from the action form `form`. */
function body(action, c, form) {
  const base = { v: 1, case: c.id, township: c.township, after: c.heads[0]?.step, note: form.note.value };
  const deadline = () => Date.parse(`${form.deadline.value}T23:59:59+08:00`);
  switch (action) {
    case 'verify': return ['case.verified', { ...base, verdict: 'confirmed' }];
    case 'unfounded': return ['case.verified', { ...base, verdict: 'unfounded' }];
    case 'stop': return ['case.stopped', base];
    case 'rectify': return ['case.action_taken', { ...base, action: 'rectify_order', deadline: deadline() }];
    case 'joint': return ['case.action_taken', { ...base, action: 'joint_action', departments: [...form.departments.selectedOptions].map((o) => o.value) }];
    case 'refer': return ['case.referred', base];
    case 'major': return ['case.marked_major', { ...base, deadline: deadline() }];
    case 'close': return ['case.closed', { ...base, outcome: c.stage === 'unfounded' ? 'unfounded' : form.outcome.value }];
    case 'resolve': {
      const { after, ...rest } = base;
      return ['case.conflict_resolved', { ...rest, heads: c.heads.map((h) => h.step), keep: form.keep.value }];
    }
    default: throw new Error(action);
  }
}

function actionForm(c, s, redraw) {
  const actions = actionsFor(c, s);
  if (!actions.length) return null;
  const id = (n) => `${n}-${c.id}`;
  const out = el('p', { class: 'note', role: 'status' });
  const form = el('form', { class: 'action', 'aria-label': `${t('page.cases')} ${c.id}` },
    el('label', { for: id('note') }, t('note')), el('textarea', { id: id('note'), name: 'note', rows: 2 }),
    el('label', { for: id('deadline') }, t('deadline')), el('input', { id: id('deadline'), name: 'deadline', type: 'date' }),
    el('label', { for: id('outcome') }, t('outcome')),
    el('select', { id: id('outcome'), name: 'outcome' }, OUTCOMES.map((o) => el('option', { value: o }, o))),
    el('label', { for: id('departments') }, t('departments')),
    el('select', { id: id('departments'), name: 'departments', multiple: true }, DEPARTMENTS.map((d) => el('option', { value: d }, d))),
    el('label', { for: id('keep') }, t('keep')),
    el('select', { id: id('keep'), name: 'keep' }, c.heads.map((h) => el('option', { value: h.step }, `${h.stage} · ${h.by} · ${h.step.slice(-12)}`))),
    el('span', { class: 'buttons' }, actions.map((a) => el('button', { type: 'submit', value: a, 'data-action': a }, t(`act.${a}`)))),
    out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const action = e.submitter?.value;
    try {
      const [kind, b] = body(action, c, form);
      const ack = await api.write(kind, b);
      out.textContent = ack.status === 'rejected' ? t('act.refused') + (ack.message ?? ack.reason) : `${t(`act.${action}`)}: ${t('act.done')}`;
      if (ack.status !== 'rejected') redraw();
    } catch (err) {
      out.textContent = t('error') + err.message;
    }
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

function caseCard(c, s, redraw) {
  const stage = c.stage ?? 'conflict';
  const due = deadlines(c);
  return el('article', { class: `case stage-${stage}`, 'data-case': c.id, 'data-stage': stage, 'data-stopped': c.stopped_at != null ? 'yes' : 'no' },
    el('h3', {}, `${c.township} · ${c.id.slice(-12)}`),
    el('p', {}, el('strong', {}, t(`stage.${stage}`)),
      c.stopped_at != null ? el('span', { class: 'tag stopped' }, t('stopped')) : null,
      c.major ? el('span', { class: 'tag' }, t('major')) : null,
      c.overdue ? el('span', { class: 'tag bad' }, t('overdue')) : null),
    due.length ? el('p', {}, `${t('deadline')}: ${due.map(countyTime).join(', ')}`) : null,
    stage === 'conflict' ? el('p', { class: 'bad' }, `${t('conflict')}: ${c.heads.map((h) => `${t(`stage.${h.stage}`)} (${h.by})`).join(' / ')}`) : null,
    history(c),
    actionForm(c, s, redraw));
}

function tips(projection) {
  const informants = Object.values(projection.informants ?? {});
  const rows = Object.values(projection.tips ?? {}).map((tip) => ({
    ...tip, informant: informants.filter((i) => i.tip === tip.id).map((i) => `${i.name} ${i.contact}`).join('; '),
  }));
  const cols = [['received_at', t('time')], ['township', t('township')], ['channel', t('channel')], ['content', t('content')],
    ...(informants.length ? [['informant', t('informant')]] : []), ['answer', t('answer')]];
  return table(t('cases.tips'), cols, rows, (r, k) => ({
    received_at: countyTime(r.received_at), township: r.township, channel: r.channel, content: r.content,
    informant: r.informant, answer: r.answer?.answer ?? '',
  })[k]);
}

export async function render(params, s) {
  const [list, projection] = await Promise.all([
    api.get('/v1/cases', { township: params.township }),
    api.get('/v1/office'),
  ]);
  const cases = list.cases;
  const board = el('div', { class: 'board' }, STAGES.map((stage) => {
    const here = cases.filter((c) => (c.stage ?? 'conflict') === stage);
    return el('section', { class: 'column', 'aria-label': t(`stage.${stage}`) },
      el('h2', {}, `${t(`stage.${stage}`)} (${here.length})`),
      here.map((c) => caseCard(c, s, () => window.dispatchEvent(new HashChangeEvent('hashchange')))));
  }));
  return [section(t('cases.board'), cases.length ? board : status(t('rec.empty'))), section(t('cases.tips'), tips(projection))];
}
