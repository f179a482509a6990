// Calls to the server's JSON API with the session's bearer token. A 401 (the token ran out, or
// the session ended) gets the session back and retries once; the page is left as it was.

import { session, regain, pend, advance } from './session.js';
import { seal, wire, parseHlc } from './events.js';

/** An error the server answered, with its `code`. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

/** The protocol version the console reads (protocol.md §7.1.1): version 4 adds the village of an
 * officer's week and the steps the caller may take on a case. */
const PROTOCOL = { 'patrolsync-protocol': '4' };

async function call(path, init) {
  for (let attempt = 0; ; attempt += 1) {
    const s = session() ?? (await regain('signin.expired'));
    const headers = { ...PROTOCOL, ...(init.headers ?? {}), authorization: `Bearer ${s.token}` };
    const res = await fetch(path, { ...init, headers });
    if (res.status === 401 && attempt === 0) {
      await regain('signin.expired');
      continue;
    }
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
    return res;
  }
}

/** GET `path` with `params` (empty values left out), as JSON. */
export async function get(path, params = {}) {
  return (await call(url(path, params), { method: 'GET' })).json();
}

/** `path?params`, without empty values. */
export function url(path, params = {}) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null));
  return q.toString() ? `${path}?${q}` : path;
}

/** Downloads `path` as the file the server names (`content-disposition`), through the token. */
export async function download(path, params) {
  const res = await call(url(path, params), { method: 'GET' });
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10000);
  return name;
}

/** An object URL of the blob `sha256` (evidence), fetched with the token. */
export async function blobUrl(sha256) {
  const res = await call(`/v1/blobs/${sha256}`, { method: 'GET' });
  return URL.createObjectURL(await res.blob());
}

async function send(event) {
  const s = session();
  const res = await call('/v1/sync', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events: [wire(event)], cursors: {}, limit: 1, hlc: wire(event).hlc }),
  });
  const reply = await res.json();
  const ack = reply.acks[0];
  const hlc = parseHlc(reply.hlc);
  const stored = reply.next_seq === event.seq + 1;
  await advance(stored ? event : null, hlc[0] >= s.identity.hlc[0] ? hlc : s.identity.hlc);
  return ack;
}

/**
 * Writes one event of `kind` with `body`, signed in this browser, and returns its ack
 * (`accepted`, `duplicate` or `rejected` with a `reason`). An event sent before whose answer was
 * lost is sent again first.
 */
export async function write(kind, body) {
  let s = session() ?? (await regain('signin.expired'));
  if (s.identity.pending) await send(s.identity.pending);
  s = session();
  const event = await seal(s.identity, s.user, kind, body);
  await pend(event);
  const ack = await send(event);
  return { ...ack, id: event.id };
}
