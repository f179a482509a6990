// The map (地图): townships and zones from the county's reference data (GET /v1/office), licences
// coloured by status, and for the week and filter picked the patrol tracks coloured inside and
// outside the officer's zone point by point, findings and open flags (GET /v1/map, the read
// model's; GET /v1/flags). Works with no tile server.

import * as api from '../api.js';
import { t, isoWeek, weekDates, countyTime } from '../i18n.js';
import { el, field, select } from '../ui.js';
import * as geo from '../geo.js';
import { href } from '../main.js';

const PROTECTED = ['rare_earth', 'tin'];

const DAY = 86400000;

/**
 * A licence's colour: protected mineral first (in force or not, as the checks treat it), then not
 * in force (cancelled from a time passed, before its first day, or after its last valid day:
 * `LicenceTerms::standing_at`), then an exploration right, else a mining right in force.
 */
function licenceStatus(l, now) {
  if (PROTECTED.includes(l.mineral)) return ['protected', '#8e24aa'];
  const cancelled = l.cancelled_from != null && l.cancelled_from <= now;
  if (cancelled || now < l.valid_from || now >= l.valid_to + DAY) return ['expired', '#9e9e9e'];
  if (l.right === 'exploration') return ['exploration', '#f9a825'];
  return ['in_force', '#2e7d32'];
}

function polygon(boundary) {
  return boundary.map((ring) => geo.ring(ring));
}

/**
 * The runs of a track's points on the same side of the zone, `[inside, points]`: each run ends on
 * the point that starts the next, so the drawn line has no gap where the side changes.
 */
function runs(track, inside) {
  const out = [];
  track.forEach((point, i) => {
    const side = inside[i] ?? false;
    const last = out.at(-1);
    if (last && last[0] === side) last[1].push(point);
    else {
      if (last) last[1].push(point);
      out.push([side, i > 0 ? [track[i - 1], point] : [point]]);
    }
  });
  return out;
}

/** The week's tracks, blue inside the officer's zone and red outside (the check's own rule, point
 * by point); whether the patrol counts is in its tooltip. Returns the points drawn on each side. */
function tracks(patrols, group) {
  const drawn = { inside: 0, outside: 0 };
  patrols.forEach((p) => {
    const label = `${p.officer} ${countyTime(p.started_at)} · ${t(p.counts ? 'map.counts' : 'map.not_counted')}`;
    p.inside.forEach((inside) => { drawn[inside ? 'inside' : 'outside'] += 1; });
    runs(p.track, p.inside).forEach(([inside, points]) => {
      window.L.polyline(points.map(geo.place), { color: inside ? '#1f5fbf' : '#d93025', weight: 2 }).bindTooltip(label).addTo(group);
    });
  });
  return drawn;
}

/** The week's findings, larger and darker when of high priority (rare earth, tin). */
function findings(list, group) {
  list.forEach((f) => {
    window.L.circleMarker(geo.place(f.at), { radius: f.high_priority ? 8 : 6, color: f.high_priority ? '#8e24aa' : '#d93025', fillOpacity: 0.8 })
      .bindTooltip(`${f.kind} ${f.mineral ?? ''}`).addTo(group);
  });
}

/** The open flags of the week's patrols and findings, as rings round them. */
function flags(list, features, group) {
  const where = new Map([...features.patrols.map((p) => [p.patrol, p.track[0]]), ...features.findings.map((f) => [f.id, f.at])]);
  list.forEach((f) => {
    const at = where.get(f.event);
    if (at) window.L.circleMarker(geo.place(at), { radius: 11, color: '#f9a825', weight: 3, fill: false }).bindTooltip(f.kind).addTo(group);
  });
}

export async function render(params) {
  const week = params.week || isoWeek(Date.now());
  const [from, to] = weekDates(week);
  const started = performance.now();
  const by = params.officer ? { officer: params.officer } : params.village ? { village: params.village } : params.township ? { township: params.township } : {};
  const [office, features, open] = await Promise.all([
    api.get('/v1/office'), api.get('/v1/map', { from, to, ...by }), api.get('/v1/flags', { week, township: params.township }),
  ]);
  // Township-level units: 乡, 镇 and state farms (场).
  const townships = Object.values(office.units).filter((u) => ['township', 'town', 'farm'].includes(u.level));
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
  requestAnimationFrame(() => {
    const m = geo.map(node);
    const layers = {
      [t('map.zones')]: window.L.layerGroup(), [t('map.licences')]: window.L.layerGroup(), [t('map.tracks')]: window.L.layerGroup(),
      [t('map.findings')]: window.L.layerGroup(), [t('map.flags')]: window.L.layerGroup(),
    };
    const bounds = window.L.latLngBounds([]);
    const inTownship = (u) => !params.township || u === params.township;
    townships.filter((u) => inTownship(u.unit)).forEach((u) => {
      const p = window.L.polygon(polygon(u.boundary), { color: '#555', weight: 2, fill: false }).bindTooltip(u.name_zh).addTo(layers[t('map.zones')]);
      bounds.extend(p.getBounds());
    });
    Object.values(office.zones).filter((z) => inTownship(z.township)).forEach((z) => {
      window.L.polygon(polygon(z.boundary), { color: '#1f5fbf', weight: 1, fillOpacity: 0.05 }).bindTooltip(z.zone).addTo(layers[t('map.zones')]);
    });
    const now = Date.now();
    Object.values(office.licences).forEach((l) => {
      const [status, color] = licenceStatus(l, now);
      window.L.polygon(polygon(l.area), { color, weight: 1, fillOpacity: 0.25 }).bindTooltip(`${l.licence} ${l.holder} · ${t(`lic.${status}`)}`).addTo(layers[t('map.licences')]);
    });
    const drawn = tracks(features.patrols, layers[t('map.tracks')]);
    findings(features.findings, layers[t('map.findings')]);
    flags(open.flags, features, layers[t('map.flags')]);
    Object.values(layers).forEach((g) => g.addTo(m));
    window.L.control.layers(null, layers, { collapsed: false }).addTo(m);
    if (bounds.isValid()) m.fitBounds(bounds); else m.setView([25.5, 114.5], 10);
    node.dataset.tracks = String(features.patrols.length);
    node.dataset.inside = String(drawn.inside);
    node.dataset.outside = String(drawn.outside);
    node.dataset.drawnMs = String(Math.round(performance.now() - started));
  });
  return [form, legend, node];
}
