// The map (地图): zones and townships from the county's reference data, licences coloured by
// status, the week's findings, and the patrol tracks of a village or officer, coloured by whether
// the patrol counts (its time and share inside the zone). Works with no tile server.

import * as api from '../api.js';
import { t, isoWeek, weekDates, language } from '../i18n.js';
import { el, field, select } from '../ui.js';
import * as geo from '../geo.js';
import { href } from '../main.js';

const PROTECTED = ['rare_earth', 'tin'];
/** At most this many tracks are fetched for one view (a village's or an officer's week). */
const MAX_TRACKS = 200;

function licenceStatus(l, now) {
  if (PROTECTED.includes(l.mineral)) return ['protected', '#8e24aa'];
  if (l.cancelled_from != null || l.valid_to < now) return ['expired', '#9e9e9e'];
  if (l.right === 'exploration') return ['exploration', '#f9a825'];
  return ['in_force', '#2e7d32'];
}

function polygon(boundary) {
  return boundary.map((ring) => geo.ring(ring));
}

async function tracks(rows, group) {
  const picked = rows.slice(0, MAX_TRACKS);
  const events = await Promise.all(picked.map((r) => api.get(`/v1/patrols/${r.patrol}`).catch(() => null)));
  events.forEach((e, i) => {
    if (!e) return;
    const line = geo.decodeTrack(e.body.track ?? []).map(([, lat, lon]) => geo.place([lat, lon]));
    const counts = picked[i].counts === true || picked[i].counts === 'true';
    window.L.polyline(line, { color: counts ? '#1f5fbf' : '#d93025', weight: 3 })
      .bindTooltip(`${picked[i].officer} ${picked[i].started}`).addTo(group);
  });
  return picked.length;
}

export async function render(params) {
  const week = params.week || isoWeek(Date.now());
  const [from, to] = weekDates(week);
  const started = performance.now();
  const projection = await api.get('/v1/projection');
  const by = params.officer ? { officer: params.officer } : params.village ? { village: params.village } : params.township ? { township: params.township } : {};
  const ledger = await api.get('/v1/ledger', { from, to, ...by, lang: language() });
  // Township-level units: 乡, 镇 and state farms (场).
  const townships = Object.values(projection.units).filter((u) => ['township', 'town', 'farm'].includes(u.level));
  const form = el('form', { class: 'filters', id: 'map-filter' },
    el('span', { class: 'field' }, el('label', { for: 'week' }, t('week')), el('input', { id: 'week', name: 'week', type: 'week', value: week })),
    select('township', t('township'), [['', '—'], ...townships.map((u) => [u.unit, `${u.unit} ${u.name_zh}`])], params.township ?? ''),
    field('village', t('village'), { value: params.village ?? '' }),
    field('officer', t('officer'), { value: params.officer ?? '' }),
    el('button', { type: 'submit' }, t('show')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = href('map', { week: form.week.value, township: form.township.value, village: form.village.value.trim(), officer: form.officer.value.trim() });
  });
  const node = el('div', { id: 'week-map', class: 'map big', role: 'region', 'aria-label': t('page.map') });
  const legend = el('p', { class: 'legend' },
    ['in_force', 'expired', 'exploration', 'protected'].map((k) => el('span', { class: `key lic-${k}` }, t(`lic.${k}`))),
    el('span', { class: 'key inside' }, t('inside')), el('span', { class: 'key outside' }, t('outside')));
  requestAnimationFrame(async () => {
    const m = geo.map(node);
    const layers = {
      [t('map.zones')]: window.L.layerGroup(), [t('map.licences')]: window.L.layerGroup(),
      [t('map.findings')]: window.L.layerGroup(), [t('map.tracks')]: window.L.layerGroup(),
    };
    const bounds = window.L.latLngBounds([]);
    const inTownship = (u) => !params.township || u === params.township;
    townships.filter((u) => inTownship(u.unit)).forEach((u) => {
      const p = window.L.polygon(polygon(u.boundary), { color: '#555', weight: 2, fill: false }).bindTooltip(u.name_zh).addTo(layers[t('map.zones')]);
      bounds.extend(p.getBounds());
    });
    Object.values(projection.zones).filter((z) => inTownship(z.township)).forEach((z) => {
      window.L.polygon(polygon(z.boundary), { color: '#1f5fbf', weight: 1, fillOpacity: 0.05 }).bindTooltip(z.zone).addTo(layers[t('map.zones')]);
    });
    const now = Date.now();
    Object.values(projection.licences).forEach((l) => {
      const [status, color] = licenceStatus(l, now);
      window.L.polygon(polygon(l.area), { color, weight: 1, fillOpacity: 0.25 }).bindTooltip(`${l.licence} ${l.holder} · ${t(`lic.${status}`)}`).addTo(layers[t('map.licences')]);
    });
    const weekFindings = new Set(ledger.rows.map((r) => r.patrol));
    Object.values(projection.findings).filter((f) => weekFindings.has(f.patrol)).forEach((f) => {
      window.L.circleMarker(geo.place([f.location.lat / 1e7, f.location.lon / 1e7]), { radius: 6, color: '#d93025', fillOpacity: 0.8 })
        .bindTooltip(`${f.kind} ${f.mineral ?? ''}`).addTo(layers[t('map.findings')]);
    });
    if (by.village || by.officer) await tracks(ledger.rows, layers[t('map.tracks')]);
    Object.values(layers).forEach((g) => g.addTo(m));
    window.L.control.layers(null, layers, { collapsed: false }).addTo(m);
    if (bounds.isValid()) m.fitBounds(bounds); else m.setView([25.5, 114.5], 10);
    node.dataset.drawnMs = String(Math.round(performance.now() - started));
  });
  return [form, legend, node];
}
