// A patrol's page: its track on the map, the check's explanation, flags, findings with their
// licence verdicts, evidence photos (thumbnails, full size on click), and the recording event's
// hash recomputed here and its signature status.

import * as api from '../api.js';
import { canonical } from '../events.js';
import { t, countyDate, language } from '../i18n.js';
import { el, section, status } from '../ui.js';
import * as geo from '../geo.js';

async function hashHere(event) {
  const { hash, sig, ...draft } = event;
  const bytes = new TextEncoder().encode(`patrolsync/event/v1\n${canonical(draft)}`);
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((x) => x.toString(16).padStart(2, '0')).join('');
}

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

export async function render(params) {
  const event = await api.get(`/v1/patrols/${encodeURIComponent(params.id)}`);
  const body = event.body;
  const day = countyDate(body.started_at);
  const ledger = await api.get('/v1/ledger', { from: day, to: day, officer: event.author, lang: language() });
  const row = ledger.rows.find((r) => r.patrol === event.id) ?? {};
  const heading = Object.fromEntries(ledger.columns.map((c) => [c.key, c.heading]));
  const mapNode = el('div', { id: 'patrol-map', class: 'map', role: 'region', 'aria-label': t('patrol.track') });
  const recomputed = await hashHere(event);
  const facts = ['officer', 'village', 'zone', 'started', 'ended', 'distance_m', 'counts', 'explanation', 'result', 'summary',
    'flags', 'findings', 'licence_checks', 'cases', 'evidence'];
  const list = el('dl', { class: 'facts' }, facts.filter((k) => heading[k]).map((k) => [el('dt', {}, heading[k]), el('dd', {}, row[k] ?? '')]));
  const view = [
    el('p', { class: 'note' }, event.id),
    section(t('patrol.track'), mapNode),
    section(t('patrol.check'), list),
    section(t('patrol.signature'),
      status(recomputed === event.hash ? t('sig.verified', event.hash.slice(0, 16)) : `hash ${recomputed} ≠ ${event.hash}`,
        recomputed === event.hash ? 'ok' : 'error')),
    section(t('patrol.photos'), photos((row.attachments ?? '').split(' ').filter(Boolean))),
  ];
  // Leaflet needs the node in the page to size itself: draw once the page is shown.
  requestAnimationFrame(() => drawTrack(mapNode, geo.decodeTrack(body.track ?? [])));
  return view;
}
