// A patrol's page: its track on the map, the check's explanation, flags, findings with their
// licence verdicts, evidence photos (thumbnails, full size on click), its amendments (the
// original stays as recorded), and the signature status of every event of it, checked here with
// the device's enrolled key (verify.js): the server supplies the events, it vouches for nothing.

import * as api from '../api.js';
import { parseHlc } from '../events.js';
import { check } from '../verify.js';
import { t, countyDate, countyTime, language } from '../i18n.js';
import { el, section, status, table } from '../ui.js';
import * as geo from '../geo.js';

function drawTrack(node, points) {
  const m = geo.map(node);
  const line = points.map(([, lat, lon]) => geo.place([lat, lon]));
  if (line.length) {
    const track = window.L.polyline(line, { color: '#1f5fbf', weight: 4 }).addTo(m);
    window.L.circleMarker(line[0], { radius: 5, color: '#137333' }).addTo(m);
    m.fitBounds(track.getBounds(), { padding: [20, 20], maxZoom: 17 });
  } else {
    m.setView([25.5, 114.5], 10);
  }
  node.dataset.points = String(line.length);
  return m;
}

function photos(shas) {
  const box = el('div', { class: 'photos' });
  shas.forEach(async (sha) => {
    const full = el('dialog', { class: 'photo' });
    try {
      const src = await api.blobUrl(sha);
      const close = el('button', { type: 'button', onclick: () => full.close() }, '×');
      full.append(close, el('img', { src, alt: sha }));
      box.append(el('button', { type: 'button', class: 'thumb', onclick: () => full.showModal() },
        el('img', { src, alt: `${t('patrol.photos')} ${sha.slice(0, 12)}` })), full);
    } catch (e) {
      box.append(el('span', { class: 'note' }, `${sha.slice(0, 12)}… ${e.message}`));
    }
  });
  return box;
}

const SIG_TEXT = { valid: 'sig.valid', invalid: 'sig.invalid', hash_mismatch: 'sig.hash_mismatch', no_key: 'sig.no_key' };

/** One line per event: what it is, its device, its hash, and what this browser found. */
function signatures(checked) {
  return el('ul', { id: 'signatures', class: 'signatures' }, checked.map(({ event, result }) =>
    el('li', { 'data-event': event.id, 'data-sig': result.status },
      el('strong', { class: result.status === 'valid' ? 'ok' : 'bad' }, t(SIG_TEXT[result.status])),
      ` · ${event.kind} · ${event.id} · ${t('device')} ${event.device_id} · ${event.author} · SHA-256 ${event.hash.slice(0, 16)}…`,
      result.recomputed !== event.hash ? ` (${result.recomputed.slice(0, 16)}…)` : '')));
}

/** The amendments, oldest first, under the original summary and result. */
function amendments(record, checked) {
  const original = record.event.body;
  const found = new Map(checked.map(({ event, result }) => [event.id, result.status]));
  const cols = [['time', t('time')], ['by', t('author')], ['reason', t('amend.reason')], ['summary', t('amend.summary')],
    ['result', t('amend.result')], ['sig', t('patrol.signature')]];
  return [
    el('p', {}, `${t('patrol.original')}: ${original.summary ?? ''} · ${original.result ?? ''}`),
    record.amendments.length ? table(t('patrol.amendments'), cols, record.amendments, (a, k) => ({
      time: countyTime(parseHlc(a.hlc)[0]), by: a.author, reason: a.body.reason, summary: a.body.summary ?? '—',
      result: a.body.result ?? '—', sig: t(SIG_TEXT[found.get(a.id)]),
    })[k]) : status(t('rec.empty')),
  ];
}

export async function render(params) {
  const record = await api.get(`/v1/patrols/${encodeURIComponent(params.id)}`);
  const event = record.event;
  const body = event.body;
  const day = countyDate(body.started_at);
  const ledger = await api.get('/v1/ledger', { from: day, to: day, officer: event.author, lang: language() });
  const row = ledger.rows.find((r) => r.patrol === event.id) ?? {};
  const heading = Object.fromEntries(ledger.columns.map((c) => [c.key, c.heading]));
  const mapNode = el('div', { id: 'patrol-map', class: 'map', role: 'region', 'aria-label': t('patrol.track') });
  const events = [event, ...record.amendments];
  const checked = await Promise.all(events.map(async (e) => ({ event: e, result: await check(e, record.keys[e.device_id]) })));
  const facts = ['officer', 'village', 'zone', 'started', 'ended', 'distance_m', 'counts', 'explanation', 'result', 'summary',
    'flags', 'findings', 'licence_checks', 'cases', 'evidence'];
  const list = el('dl', { class: 'facts' }, facts.filter((k) => heading[k]).map((k) => [el('dt', {}, heading[k]), el('dd', {}, row[k] ?? '')]));
  const view = [
    el('p', { class: 'note' }, event.id),
    section(t('patrol.track'), mapNode),
    section(t('patrol.check'), list),
    section(t('patrol.amendments'), el('div', { id: 'patrol-amendments' }, amendments(record, checked))),
    section(t('patrol.signature'), signatures(checked), el('p', { class: 'note' }, t('sig.how'))),
    section(t('patrol.photos'), photos((row.attachments ?? '').split(' ').filter(Boolean))),
  ];
  // Leaflet needs the node in the page to size itself: draw once the page is shown.
  requestAnimationFrame(() => drawTrack(mapNode, geo.decodeTrack(body.track ?? [])));
  return view;
}
