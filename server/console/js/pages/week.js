// This week (本周): the week's compliance by township, then village, then officer
// (GET /v1/compliance; a village's row sums its officers'), the devices not synced for the
// configured days (GET /v1/devices/unsynced), and the last 12 weeks' quota rate per township.

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

/** The officers' rows summed per village (a village's roll-up is its officers'). */
function villages(officers) {
  const by = new Map();
  officers.forEach((o) => {
    const key = `${o.township ?? ''}/${o.village ?? ''}`;
    const v = by.get(key) ?? { township: o.township ?? '', village: o.village ?? '', officers: 0, quota_met: 0, patrols: 0,
      patrols_counting: 0, zero_needed: 0, zero_filed: 0, flags: 0 };
    v.officers += 1;
    v.quota_met += o.quota_met ? 1 : 0;
    v.patrols += o.patrols;
    v.patrols_counting += o.patrols_counting;
    v.zero_needed += o.zero_report_needed ? 1 : 0;
    v.zero_filed += o.zero_report_needed && o.zero_report_filed ? 1 : 0;
    v.flags += o.flags;
    by.set(key, v);
  });
  return [...by.values()].sort((a, b) => `${a.township}/${a.village}`.localeCompare(`${b.township}/${b.village}`));
}

function villageRows(report, officers) {
  const cols = [['township', t('township')], ['village', t('village')], ['officers', t('officers')], ['quota_met', t('week.quota_met')],
    ['patrols', t('patrols')], ['patrols_counting', t('patrols_counting')], ['zero', t('zero_reports')], ['flags', t('flags')]];
  return table(t('week.villages'), cols, villages(officers), (v, k) => ({
    township: v.township,
    village: v.village ? el('a', { href: href('week', { week: report.week, township: v.township, village: v.village }) }, v.village) : '—',
    officers: v.officers, quota_met: `${v.quota_met} (${v.officers ? Math.floor((v.quota_met * 100) / v.officers) : '—'}%)`,
    patrols: v.patrols, patrols_counting: v.patrols_counting, zero: `${v.zero_filed}/${v.zero_needed}`, flags: v.flags,
  })[k]);
}

function officerRows(report, officers) {
  const cols = [['officer', t('officer')], ['township', t('township')], ['village', t('village')], ['patrols', t('patrols')],
    ['patrols_counting', t('patrols_counting')], ['quota', t('quota')], ['quota_met', t('quota_met')],
    ['findings', t('findings')], ['zero', t('zero_reports')], ['flags', t('flags')]];
  const rows = officers.map((o) => ({
    officer: el('a', { href: href('ledger', { officer: o.officer, week: report.week }) }, o.officer),
    township: o.township ?? '', village: o.village ?? '', patrols: o.patrols, patrols_counting: o.patrols_counting, quota: o.quota,
    quota_met: o.quota_met ? t('yes') : el('strong', { class: 'bad' }, t('under_quota')), findings: o.findings,
    zero: o.zero_report_needed ? (o.zero_report_filed ? t('yes') : el('strong', { class: 'bad' }, t('no'))) : '—',
    flags: o.flags,
  }));
  return table(t('week.officers'), cols, rows);
}

/** The devices not synced for the configured days, of the township picked or of every one in view. */
async function unsynced(township) {
  const r = await api.get('/v1/devices/unsynced', { township });
  const cols = [['device', t('device')], ['user', t('user')], ['role', ''], ['units', t('township')], ['last', t('last_sync')]];
  return [r.stale_sync_after_days, table(t('week.unsynced_n', r.stale_sync_after_days), cols, r.devices, (d, k) => ({
    device: d.device, user: d.user, role: d.role, units: d.units.join(' '), last: d.last_sync_at ? countyTime(d.last_sync_at) : t('never'),
  })[k])];
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
  const officers = report.officers.filter((o) => !params.village || o.village === params.village);
  const [devices, charts] = await Promise.all([
    unsynced(params.township).catch((e) => [null, status(t('error') + e.message, 'error')]),
    history(report.week, townships, params),
  ]);
  const [days, list] = devices;
  return [
    form,
    el('p', { id: 'week-shown', class: 'note' }, `${report.week} · ${t('quota')} ${report.rules.weekly_quota}`),
    section(t('week.townships'), townshipRows(report)),
    section(t('week.chart'), charts),
    section(t('week.villages'), villageRows(report, report.officers)),
    section(t('week.officers') + (params.village ? ` · ${params.village}` : ''), el('div', { id: 'week-officers' }, officerRows(report, officers))),
    section(days == null ? t('rec.unsynced') : t('week.unsynced_n', days), list),
  ];
}
