// This week (本周): the week's compliance by township, then officer (GET /v1/compliance), the
// devices not synced (GET /v1/reconciliation), and the last 12 weeks' quota rate per township.

import * as api from '../api.js';
import { t, isoWeek, weekBefore, countyTime } from '../i18n.js';
import { el, table, section, select, status } from '../ui.js';
import { href } from '../main.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, String(v)));
  children.forEach((c) => node.append(c));
  return node;
}

/** Bars of the quota-met percent of 12 weeks, labelled for screen readers. */
function chart(township, series) {
  const w = 12 * 18;
  const bars = series.map(([week, p], i) => {
    const h = Math.round(((p ?? 0) / 100) * 40);
    return svg('rect', { x: i * 18 + 2, y: 44 - h, width: 14, height: Math.max(h, 1), class: 'bar' },
      svg('title', {}, `${week}: ${p ?? '—'}%`));
  });
  const label = `${township}: ${series.map(([week, p]) => `${week} ${p ?? '—'}%`).join(', ')}`;
  return svg('svg', { viewBox: `0 0 ${w} 46`, width: w, height: 46, role: 'img', 'aria-label': label }, ...bars);
}

function townshipRows(report) {
  const cols = [['township', t('township')], ['officers', t('officers')], ['quota_met', t('week.quota_met')],
    ['patrols', t('patrols')], ['patrols_counting', t('patrols_counting')], ['zero', t('zero_reports')],
    ['rate', t('report_rate')], ['flags', t('flags')]];
  const rows = Object.entries(report.townships).map(([id, r]) => ({
    township: el('a', { href: href('week', { week: report.week, township: id }) }, id),
    officers: r.officers, quota_met: `${r.quota_met} (${r.quota_met_percent ?? '—'}%)`, patrols: r.patrols,
    patrols_counting: r.patrols_counting, zero: `${r.zero_reports_filed}/${r.zero_reports_needed}`,
    rate: r.reporting.report_rate_percent ?? '—', flags: r.flags,
  }));
  return table(t('week.townships'), cols, rows);
}

function officerRows(report) {
  const cols = [['officer', t('officer')], ['township', t('township')], ['patrols', t('patrols')],
    ['patrols_counting', t('patrols_counting')], ['quota', t('quota')], ['quota_met', t('quota_met')],
    ['findings', t('findings')], ['zero', t('zero_reports')], ['flags', t('flags')]];
  const rows = report.officers.map((o) => ({
    officer: el('a', { href: href('ledger', { officer: o.officer, week: report.week }) }, o.officer),
    township: o.township ?? '', patrols: o.patrols, patrols_counting: o.patrols_counting, quota: o.quota,
    quota_met: o.quota_met ? t('yes') : el('strong', { class: 'bad' }, t('under_quota')), findings: o.findings,
    zero: o.zero_report_needed ? (o.zero_report_filed ? t('yes') : el('strong', { class: 'bad' }, t('no'))) : '—',
    flags: o.flags,
  }));
  return table(t('week.officers'), cols, rows);
}

async function unsynced(week, townships) {
  const reports = await Promise.all(townships.map((township) => api.get('/v1/reconciliation', { township, week })));
  const rows = reports.flatMap((r) => r.devices_not_synced);
  const cols = [['device', t('device')], ['user', t('user')], ['role', ''], ['last', t('last_sync')]];
  return table(t('week.unsynced'), cols, rows, (d, k) => ({
    device: d.device, user: d.user, role: d.role, last: d.last_sync_at ? countyTime(d.last_sync_at) : t('never'),
  })[k]);
}

async function history(week, townships, params) {
  const weeks = Array.from({ length: 12 }, (_, i) => weekBefore(week, 11 - i));
  const reports = await Promise.all(weeks.map((w) => api.get('/v1/compliance', { week: w, township: params.township })));
  return el('div', { class: 'charts' }, townships.map((id) =>
    el('figure', {}, chart(id, reports.map((r) => [r.week, r.townships[id]?.quota_met_percent])), el('figcaption', {}, id))));
}

export async function render(params) {
  const week = params.week || isoWeek(Date.now());
  const report = await api.get('/v1/compliance', { week, township: params.township });
  const townships = Object.keys(report.townships);
  const form = el('form', { class: 'filters', id: 'week-filter' },
    el('span', { class: 'field' }, el('label', { for: 'week' }, t('week')), el('input', { id: 'week', name: 'week', type: 'week', value: week })),
    select('township', t('township'), [['', '—'], ...townships.map((id) => [id, id])], params.township ?? ''),
    el('button', { type: 'submit' }, t('show')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = href('week', { week: form.week.value, township: form.township.value });
  });
  const picked = params.township ? [params.township] : townships.slice(0, 3);
  const [devices, charts] = await Promise.all([
    unsynced(report.week, picked).catch((e) => status(t('error') + e.message, 'error')),
    history(report.week, townships, params),
  ]);
  return [
    form,
    el('p', { id: 'week-shown', class: 'note' }, `${report.week} · ${t('quota')} ${report.rules.weekly_quota}`),
    section(t('week.townships'), townshipRows(report)),
    section(t('week.chart'), charts),
    section(t('week.officers'), officerRows(report)),
    section(t('week.unsynced'), devices),
  ];
}
