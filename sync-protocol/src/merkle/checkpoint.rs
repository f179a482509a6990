//! Signed checkpoints of the central log: (origin, size, root) as the text of a C2SP
//! `tlog-checkpoint`, signed with Ed25519 as a C2SP signed note, so an auditor can keep one.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use std::fmt;

use super::MerkleError;
use crate::crypto::{DeviceKey, Hash, PublicKey, Sig};

/// The signed-note signature type of Ed25519.
const ED25519: u8 = 0x01;
/// The dash that starts a signed note's signature line (U+2014).
const SIGNATURE_LINE: &str = "\u{2014} ";

/// A log's state: which log (`origin`), how many leaves, and their root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    /// A checkpoint of the log named `origin`: one line of printable ASCII, no spaces or `+`
    /// (the rules of a signed note's key name, which is the origin here).
    pub fn new(origin: &str, size: u64, root: Hash) -> Result<Checkpoint, MerkleError> {
        check_origin(origin)?;
        Ok(Checkpoint { origin: origin.to_owned(), size, root })
    }

    /// The signed text: `<origin>\n<size>\n<base64 root>\n`.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, STANDARD.encode(self.root.0))
    }

    /// Signs the body with `key`.
    pub fn sign(self, key: &DeviceKey) -> SignedCheckpoint {
        let signature = key.sign_bytes(self.body().as_bytes());
        let key_id = KeyId::of(&self.origin, &key.public());
        SignedCheckpoint { checkpoint: self, key_id, signature }
    }
}

fn check_origin(origin: &str) -> Result<(), MerkleError> {
    let printable = origin.bytes().all(|b| b.is_ascii_graphic() && b != b'+');
    if origin.is_empty() || !printable {
        return Err(MerkleError::NoteFormat(format!("origin {origin:?} is not one word of printable ASCII without +")));
    }
    Ok(())
}

/// The signed-note key id: the first 4 bytes of `SHA-256(name || 0x0A || 0x01 || public key)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyId(pub [u8; 4]);

impl KeyId {
    pub fn of(name: &str, key: &PublicKey) -> KeyId {
        let mut h = Sha256::new();
        h.update(name.as_bytes());
        h.update([b'\n', ED25519]);
        h.update(key.0.as_bytes());
        let digest = h.finalize();
        KeyId([digest[0], digest[1], digest[2], digest[3]])
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl Serialize for KeyId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for KeyId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        let mut out = [0u8; 4];
        match hex::decode_to_slice(s.as_bytes(), &mut out) {
            Ok(()) if s.bytes().all(|b| !b.is_ascii_uppercase()) => Ok(KeyId(out)),
            _ => Err(serde::de::Error::custom("a key id is 8 lower-case hex digits")),
        }
    }
}

/// A checkpoint with the log's signature. JSON: `origin`, `size`, `root` (hex), `key_id` (hex),
/// `signature` (base64url); as a file: [`SignedCheckpoint::to_note`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCheckpoint {
    #[serde(flatten)]
    pub checkpoint: Checkpoint,
    pub key_id: KeyId,
    pub signature: Sig,
}

impl SignedCheckpoint {
    /// Checks the origin's form, that `key` is the key the signature names, and the signature.
    pub fn verify(&self, key: &PublicKey) -> Result<(), MerkleError> {
        check_origin(&self.checkpoint.origin)?;
        if KeyId::of(&self.checkpoint.origin, key) != self.key_id {
            return Err(MerkleError::UnknownKey(self.key_id.to_string()));
        }
        if !key.verify_bytes(self.checkpoint.body().as_bytes(), &self.signature) {
            return Err(MerkleError::BadSignature);
        }
        Ok(())
    }

    /// The signed note: the body, a blank line, and `— <origin> <base64(key id || signature)>`.
    pub fn to_note(&self) -> String {
        let mut sig = self.key_id.0.to_vec();
        sig.extend_from_slice(&self.signature.0);
        format!("{}\n{SIGNATURE_LINE}{} {}\n", self.checkpoint.body(), self.checkpoint.origin, STANDARD.encode(sig))
    }

    /// Reads a note written by [`SignedCheckpoint::to_note`]: the body must be exactly the three
    /// lines in their one spelling; of the signature lines, the one named by the origin is kept.
    /// The signature is not checked here: see [`SignedCheckpoint::verify`].
    pub fn from_note(note: &str) -> Result<SignedCheckpoint, MerkleError> {
        let bad = |what: &str| MerkleError::NoteFormat(what.to_owned());
        let (body, signatures) = note.split_once("\n\n").ok_or_else(|| bad("no blank line before the signatures"))?;
        let [origin, size, root] = body.split('\n').collect::<Vec<_>>()[..] else {
            return Err(bad("the checkpoint is not the three lines origin, size and root"));
        };
        let size: u64 = size.parse().map_err(|_| bad("the size is not a number"))?;
        let root: [u8; 32] =
            STANDARD.decode(root).ok().and_then(|r| r.try_into().ok()).ok_or_else(|| bad("the root is not 32 bytes of base64"))?;
        let checkpoint = Checkpoint::new(origin, size, Hash(root))?;
        if format!("{body}\n") != checkpoint.body() {
            return Err(bad("the checkpoint is not in its one spelling"));
        }
        if !signatures.ends_with('\n') {
            return Err(bad("the note does not end with a newline"));
        }
        let ours = signatures
            .lines()
            .filter_map(|line| line.strip_prefix(SIGNATURE_LINE)?.split_once(' '))
            .find(|(name, _)| *name == origin)
            .ok_or_else(|| bad("no signature line names the origin"))?;
        let sig = STANDARD.decode(ours.1).map_err(|_| bad("the signature is not base64"))?;
        let (key_id, signature) = match sig.len() {
            68 => (KeyId([sig[0], sig[1], sig[2], sig[3]]), sig[4..].try_into().map(Sig).map_err(|_| bad("signature"))?),
            _ => return Err(bad("the signature is not a key id and an Ed25519 signature")),
        };
        Ok(SignedCheckpoint { checkpoint, key_id, signature })
    }
}

/// Checks what an auditor holding `older` needs before trusting `newer`: both are signed by
/// `key`, name the same log, and `proof` shows the log of `older` is a prefix of `newer`'s.
pub fn verify_extension(older: &SignedCheckpoint, newer: &SignedCheckpoint, proof: &[Hash], key: &PublicKey) -> Result<(), MerkleError> {
    older.verify(key)?;
    newer.verify(key)?;
    let (old, new) = (&older.checkpoint, &newer.checkpoint);
    if old.origin != new.origin {
        return Err(MerkleError::OriginMismatch { expected: old.origin.clone(), found: new.origin.clone() });
    }
    super::verify_consistency(old.size, new.size, &old.root, &new.root, proof)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{consistency_proof, leaf_hash, root};

    fn signed(size: u64) -> (DeviceKey, SignedCheckpoint) {
        let key = DeviceKey::from_secret([4; 32]);
        let cp = Checkpoint::new("patrolsync/central/test", size, Hash([0xab; 32])).expect("origin");
        (key.clone(), cp.sign(&key))
    }

    #[test]
    fn the_note_is_a_c2sp_checkpoint_with_one_signature_line() {
        let (key, s) = signed(42);
        let note = s.to_note();
        let lines: Vec<&str> = note.lines().collect();
        assert_eq!(lines[..4], ["patrolsync/central/test", "42", &STANDARD.encode([0xab; 32]), ""]);
        let sig = lines[4].strip_prefix("\u{2014} patrolsync/central/test ").expect("a signature line");
        let sig = STANDARD.decode(sig).expect("base64");
        assert_eq!(sig[..4], KeyId::of("patrolsync/central/test", &key.public()).0);
        assert!(key.public().verify_bytes(s.checkpoint.body().as_bytes(), &Sig(sig[4..].try_into().expect("64 bytes"))));
        assert!(note.ends_with('\n') && !note.ends_with("\n\n"));
    }

    #[test]
    fn notes_in_another_spelling_are_refused() {
        let (_, s) = signed(7);
        let note = s.to_note();
        let root = STANDARD.encode([0xab; 32]);
        for bad in [
            note.replacen("\n7\n", "\n07\n", 1),
            note.replacen("\n7\n", "\n+7\n", 1),
            note.replacen(&root, &root.replace('=', ""), 1),
            note.replacen(&format!("{root}\n"), &format!("{root}\nextension line\n"), 1),
            note.replacen("\n\n", "\n", 1),
            note.replacen("\u{2014} patrolsync/central/test", "\u{2014} someone-else", 1),
            note.trim_end().to_string(),
            note.replacen("patrolsync/central/test\n", "patrolsync central\n", 1),
        ] {
            assert!(matches!(SignedCheckpoint::from_note(&bad), Err(MerkleError::NoteFormat(_))), "{bad:?}");
        }
        let other_signer = format!("{note}\u{2014} witness {}\n", STANDARD.encode([1u8; 68]));
        assert_eq!(SignedCheckpoint::from_note(&other_signer), Ok(s), "other signature lines are ignored");
    }

    #[test]
    fn an_extension_is_checked_in_full() {
        let key = DeviceKey::from_secret([5; 32]);
        let leaves: Vec<Hash> = (0u8..9).map(|i| leaf_hash(&[i])).collect();
        let at = |n: usize, origin: &str| Checkpoint::new(origin, n as u64, root(&leaves[..n])).expect("origin").sign(&key);
        let (older, newer) = (at(5, "log/a"), at(9, "log/a"));
        let proof = consistency_proof(&leaves, 5).expect("5 <= 9");
        assert_eq!(verify_extension(&older, &newer, &proof, &key.public()), Ok(()));
        assert!(matches!(verify_extension(&older, &at(9, "log/b"), &proof, &key.public()), Err(MerkleError::OriginMismatch { .. })));
        let stranger = DeviceKey::from_secret([6; 32]);
        assert!(verify_extension(&older, &newer, &proof, &stranger.public()).is_err());
        let mut forged = newer.clone();
        forged.checkpoint.root = Hash([0; 32]);
        assert_eq!(verify_extension(&older, &forged, &proof, &key.public()), Err(MerkleError::BadSignature));
        // A log rewritten after the older checkpoint, honestly signed: the proof cannot bridge it.
        let mut rewritten = leaves.clone();
        rewritten[2] = leaf_hash(b"changed");
        let newer = Checkpoint::new("log/a", 9, root(&rewritten)).expect("origin").sign(&key);
        let proof = consistency_proof(&rewritten, 5).expect("5 <= 9");
        assert!(matches!(verify_extension(&older, &newer, &proof, &key.public()), Err(MerkleError::BadProof(_))));
    }
}
