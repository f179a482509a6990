// An event checked in this browser, trusting nothing the server says about it: its hash is
// recomputed from the canonical encoding of its fields (protocol.md §4), and its Ed25519
// signature is verified over that hash with the enrolled public key of its device (WebCrypto).
// The server supplies the event and the key; it cannot make a changed event pass.

import { hashOf, hex } from './events.js';

/** The bytes of base64url text (no padding), as the protocol writes keys and signatures. */
export function fromBase64url(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

/** The bytes of hex text. */
function fromHex(text) {
  return Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/**
 * What `event` (as served) is worth, with `publicKey` (base64url, or undefined when the server
 * gave none): `valid` when its content hashes to its `hash` and its `sig` verifies over that hash
 * with the key; else `hash_mismatch`, `no_key` or `invalid`. `recomputed` is the hash found here.
 */
export async function check(event, publicKey) {
  const { hash, sig, ...draft } = event;
  const recomputed = hex(await hashOf(draft));
  if (recomputed !== hash) return { status: 'hash_mismatch', recomputed };
  if (!publicKey) return { status: 'no_key', recomputed };
  try {
    const key = await crypto.subtle.importKey('raw', fromBase64url(publicKey), { name: 'Ed25519' }, false, ['verify']);
    const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, fromBase64url(sig), fromHex(hash));
    return { status: ok ? 'valid' : 'invalid', recomputed };
  } catch {
    // A key or signature that is not one (wrong length, not a point) verifies nothing.
    return { status: 'invalid', recomputed };
  }
}
