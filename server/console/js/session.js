// Signing in and staying signed in. The access token is kept in this page's memory only; the
// refresh token is an HttpOnly cookie the page cannot read. An expired session shows the sign-in
// dialog over the page, so nothing typed into a form is lost, and the request is then retried.

import * as keys from './keys.js';
import { parseHlc } from './events.js';
import { t, relabel } from './i18n.js';

const CONSOLE_HEADER = { 'x-patrolsync-console': '1' };
let current = null;
let waiting = null;

/** The signed-in session (`user`, `role`, `units`, `identity`, …), or null. */
export function session() { return current; }

async function adopt(reply, identity) {
  const head = reply.next_seq - 1;
  let id = identity;
  if (id.pending && id.pending.seq === head) {
    // The last event was stored but its answer was lost: the chain moved to it.
    id = { ...id, seq: id.pending.seq, hash: id.pending.hash, pending: null };
  }
  if (id.seq !== head) throw new Error(`this browser's chain (seq ${id.seq}) does not match the server's (${head})`);
  const server = parseHlc(reply.hlc);
  if (server[0] > id.hlc[0] || (server[0] === id.hlc[0] && server[1] > id.hlc[1])) id = { ...id, hlc: server };
  await keys.save(reply.user, id);
  sessionStorage.setItem('patrolsync.user', reply.user);
  current = {
    user: reply.user, role: reply.role, displayName: reply.display_name, units: reply.units, reach: reply.reach,
    token: reply.access_token, expiresAt: reply.expires_at, identity: id,
  };
  return current;
}

/**
 * Whether the signed-in user may record tips, cases and flag reviews in `township`: the reach the
 * server computed at sign-in from admission's own rules (`sync_protocol::admit::offer::reach`).
 */
export function reaches(township) {
  const reach = current?.reach;
  return Boolean(reach && (reach.county || reach.townships.includes(township)));
}

/** The townships of the user's reach among `all` (every one for the county section). */
export function reachable(all) {
  const reach = current?.reach;
  if (!reach) return [];
  return reach.county ? all : all.filter((t) => reach.townships.includes(t));
}

async function post(path, body, headers = {}) {
  return fetch(path, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'content-type': 'application/json', ...CONSOLE_HEADER, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Signs `username` in with this browser's key for them (made and enrolled on first use). */
export async function signIn(username, password, retried = false) {
  if (!(await ed25519Works())) throw new Error(t('signin.nokey'));
  const id = await keys.identity(username);
  const device = { device_id: id.deviceId, public_key: await keys.publicKey(id), label: 'office console' };
  const res = await post('/console/session', { username, password, device });
  if (res.ok) return adopt(await res.json(), id);
  const err = (await res.json().catch(() => ({}))).error ?? {};
  if (!retried && ['device_taken', 'device_key_mismatch', 'device_revoked'].includes(err.code)) {
    await keys.forget(username);
    return signIn(username, password, true);
  }
  throw new Error(err.code === 'invalid_credentials' ? t('signin.wrong') : t('signin.failed') + (err.message ?? res.status));
}

/** Resumes the session of the refresh cookie (after a reload, or when the token ran out). */
export async function resume() {
  const res = await post('/console/session/refresh');
  if (res.status === 204) return null;
  if (!res.ok) throw new Error(t('signin.failed') + res.status);
  const reply = await res.json();
  const id = await keys.load(reply.user);
  if (!id || id.deviceId !== reply.device_id) return null;
  return adopt(reply, id);
}

/** Signs out: the server ends the session and clears the cookie. */
export async function signOut() {
  if (current) await post('/console/session/logout', undefined, { authorization: `Bearer ${current.token}` });
  current = null;
  sessionStorage.removeItem('patrolsync.user');
}

/** Stores the chain after a push (`event` is the new head, or null to drop `pending`). */
export async function advance(event, hlc) {
  const id = current.identity;
  const next = event ? { ...id, seq: event.seq, hash: event.hash, pending: null } : { ...id, pending: null };
  next.hlc = hlc ?? id.hlc;
  current.identity = next;
  await keys.save(current.user, next);
}

/** Remembers `event` as sent but not yet answered, so a lost answer is recovered. */
export async function pend(event) {
  current.identity = { ...current.identity, pending: event, hlc: event.hlcPair };
  await keys.save(current.user, current.identity);
}

let works = null;
async function ed25519Works() {
  if (works === null) {
    works = crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign']).then(() => true, () => false);
  }
  return works;
}

/**
 * Gets a session back after a 401: first through the cookie, else by asking for the password in
 * the dialog over the page (the page and its forms stay as they are). Resolves when signed in.
 */
export function regain(why) {
  if (waiting) return waiting;
  waiting = (async () => {
    const back = await resume().catch(() => null);
    if (back) return back;
    return ask(why);
  })().finally(() => { waiting = null; });
  return waiting;
}

/** Shows the sign-in dialog until a sign-in succeeds. */
export function ask(why) {
  const dialog = document.getElementById('signin');
  const form = document.getElementById('signin-form');
  const note = document.getElementById('signin-why');
  const error = document.getElementById('signin-error');
  relabel(dialog);
  note.hidden = !why;
  note.textContent = why ? t(why) : '';
  error.textContent = '';
  const last = sessionStorage.getItem('patrolsync.user');
  if (last && !form.username.value) form.username.value = last;
  return new Promise((resolve) => {
    const submit = async (e) => {
      e.preventDefault();
      error.textContent = '';
      try {
        const s = await signIn(form.username.value.trim(), form.password.value);
        form.password.value = '';
        form.removeEventListener('submit', submit);
        dialog.close();
        resolve(s);
      } catch (err) {
        error.textContent = err.message;
      }
    };
    form.addEventListener('submit', submit);
    dialog.addEventListener('cancel', (e) => e.preventDefault());
    if (!dialog.open) dialog.showModal();
    (form.username.value ? form.password : form.username).focus();
  });
}
