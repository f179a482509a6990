// Events written by the console: canonical bytes (protocol.md §4: JCS with integers only), the
// SHA-256 hash and the Ed25519 signature made in this browser, and the push through
// `POST /v1/sync`. The server receives a sealed event; it never holds the key.

import * as keys from './keys.js';

const PREFIX = 'patrolsync/event/v1\n';

/** `value` in the canonical JSON of protocol.md §4 (throws on a float or an unsafe integer). */
export function canonical(value) {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`not a canonical number: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  // Default string order compares UTF-16 code units, as JCS asks.
  const entries = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${entries.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
}

/** `bytes` as lower-case hex. */
export const hex = (bytes) => [...new Uint8Array(bytes)].map((x) => x.toString(16).padStart(2, '0')).join('');

/** The SHA-256 of an event's fields but `hash` and `sig` (`draft`), as protocol.md §4 encodes them. */
export async function hashOf(draft) {
  return crypto.subtle.digest('SHA-256', new TextEncoder().encode(PREFIX + canonical(draft)));
}

/** The HLC after `last` (`[ms, counter]`) and the wall clock, as `[ms, counter]`. */
function tick(last) {
  const now = Date.now();
  return now > last[0] ? [now, 0] : [last[0], last[1] + 1];
}

/** The HLC wire form, `ms-ccccc`. */
const hlcText = ([ms, c]) => `${String(ms).padStart(13, '0')}-${String(c).padStart(5, '0')}`;

/** Parses `ms-ccccc`. */
export const parseHlc = (text) => text.split('-').map(Number);

/** Seals an event of `kind` with `body` as the next of `id`'s chain (not yet sent). */
export async function seal(id, author, kind, body) {
  const hlc = tick(id.hlc);
  const draft = {
    author, body, device_id: id.deviceId, hlc: hlcText(hlc), id: keys.uuidv7(), kind, prev: id.hash, seq: id.seq + 1,
  };
  const hash = await hashOf(draft);
  const sig = await crypto.subtle.sign({ name: 'Ed25519' }, id.keys.privateKey, hash);
  return { ...draft, hash: hex(hash), sig: keys.base64url(sig), hlcPair: hlc };
}

/** The envelope as the wire carries it (without local bookkeeping). */
export function wire(event) {
  const { hlcPair, ...rest } = event;
  return rest;
}
