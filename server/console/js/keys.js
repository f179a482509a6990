// The browser's device identity: a non-extractable Ed25519 key made by WebCrypto, kept in this
// browser's IndexedDB with the device id and the head of the device's chain. The private key
// never leaves the browser: not to the server, not to a script (it cannot be exported).

const DB = 'patrolsync-console';
const STORE = 'devices';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = fn(tx.objectStore(STORE));
    tx.oncomplete = () => { db.close(); resolve(req.result); };
    tx.onerror = () => { db.close(); reject(tx.error); };
  });
}

/** The stored identity of `username` on this browser, if any. */
export function load(username) { return run('readonly', (s) => s.get(username)); }

/** Stores `identity` (device id, key pair, chain head, pending event) for `username`. */
export function save(username, identity) { return run('readwrite', (s) => s.put(identity, username)); }

/** Forgets the identity of `username` (its device was revoked or its key refused). */
export function forget(username) { return run('readwrite', (s) => s.delete(username)); }

/** A UUIDv7 string made now: 48 bits of Unix ms, version 7, variant 10, the rest random. */
export function uuidv7() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  let ms = Date.now();
  for (let i = 5; i >= 0; i -= 1) { b[i] = ms % 256; ms = Math.floor(ms / 256); }
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Base64url without padding, as the protocol writes keys and signatures. */
export function base64url(bytes) {
  let s = '';
  new Uint8Array(bytes).forEach((x) => { s += String.fromCharCode(x); });
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The identity of `username`, made (a new key, a new device id) if this browser has none. */
export async function identity(username) {
  const known = await load(username);
  if (known) return known;
  const keys = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  const made = { deviceId: uuidv7(), keys, seq: 0, hash: '0'.repeat(64), hlc: [0, 0], pending: null };
  await save(username, made);
  return made;
}

/** The raw public key of `id`, base64url, as enrolled at login. */
export async function publicKey(id) {
  return base64url(await crypto.subtle.exportKey('raw', id.keys.publicKey));
}
