// Map helpers over the vendored Leaflet: a map with no tile server (the county's own data on a
// blank ground), or the configured tile server, with GCJ-02 shifting when its tiles need it.

const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content ?? '';

/** Decodes a delta-encoded track (protocol.md §6.2) into `[[t, lat, lon], …]` in degrees. */
export function decodeTrack(track) {
  let [t, lon, lat] = [0, 0, 0];
  return track.map((fix, i) => {
    if (i === 0) [t, lon, lat] = fix; else { t += fix[0]; lon += fix[1]; lat += fix[2]; }
    return [t, lat / 1e7, lon / 1e7];
  });
}

const A = 6378245.0;
const EE = 0.00669342162296594323;
function outOfChina(lat, lon) { return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271; }
function dLat(x, y) {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
  return r + ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
}
function dLon(x, y) {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
  return r + ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
}

/** WGS 84 → GCJ-02 (the published formula, as protocol.md §2.1), for drawing on GCJ-02 tiles. */
export function toGcj02([lat, lon]) {
  if (outOfChina(lat, lon)) return [lat, lon];
  const rad = (lat / 180) * Math.PI;
  const magic = 1 - EE * Math.sin(rad) ** 2;
  const sq = Math.sqrt(magic);
  const la = (dLat(lon - 105, lat - 35) * 180) / (((A * (1 - EE)) / (magic * sq)) * Math.PI);
  const lo = (dLon(lon - 105, lat - 35) * 180) / ((A / sq) * Math.cos(rad) * Math.PI);
  return [lat + la, lon + lo];
}

/** A point `[lat, lon]` (WGS 84) as the base map needs it. */
export function place(p) {
  return meta('ps-tile-gcj02') === 'true' ? toGcj02(p) : p;
}

/** A Leaflet map in `node`, with the tile layer if one is configured. */
export function map(node) {
  const m = window.L.map(node, { preferCanvas: true, attributionControl: true, keyboard: true });
  const url = meta('ps-tile-url');
  if (url) window.L.tileLayer(url, { attribution: meta('ps-tile-attribution'), maxZoom: 18 }).addTo(m);
  return m;
}

/** A ring of `[lon, lat]` in 1e-7 degree (reference data) as Leaflet points. */
export function ring(points) {
  return points.map(([lon, lat]) => place([lat / 1e7, lon / 1e7]));
}
