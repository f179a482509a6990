//! The event envelope: the one immutable record every user action appends, chained per device by
//! `prev`, fixed by `hash` and vouched for by `sig`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::canonical;
use crate::crypto::{DeviceKey, Hash, PublicKey, Sig};
use crate::error::ValidationError;
use crate::hlc::Hlc;
use crate::ids::{DeviceId, EventId, UserId};

/// Domain separation: an event hash can never be confused with any other SHA-256 in the system.
pub const HASH_PREFIX: &[u8] = b"patrolsync/event/v1\n";

/// An event as it travels and as it is stored. Field order here is the wire order; the hash is
/// taken over the canonical encoding (see [`EventDraft::hash`]), not over these bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub id: EventId,
    pub device_id: DeviceId,
    pub seq: u64,
    pub hlc: Hlc,
    pub author: UserId,
    pub kind: String,
    /// Read strictly (`strict_json`): a repeated or reserved key makes the envelope malformed, so
    /// the body hashed is the only reading of the text sent.
    #[serde(deserialize_with = "crate::strict_json::value")]
    pub body: Value,
    pub prev: Hash,
    pub hash: Hash,
    pub sig: Sig,
}

/// Everything of an event except its hash and signature: what the device fills in before sealing.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDraft {
    pub id: EventId,
    pub device_id: DeviceId,
    pub seq: u64,
    pub hlc: Hlc,
    pub author: UserId,
    pub kind: String,
    pub body: Value,
    pub prev: Hash,
}

/// Why an event's integrity does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntegrityError {
    #[error("the hash does not match the event's canonical encoding")]
    HashMismatch,
    #[error("the signature does not verify with the device's key")]
    BadSignature,
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

/// The fields a hash covers, borrowed from a draft or an event, so that checking an event's hash
/// copies nothing.
struct Covered<'a> {
    id: EventId,
    device_id: DeviceId,
    seq: u64,
    hlc: Hlc,
    author: &'a UserId,
    kind: &'a str,
    body: &'a Value,
    prev: Hash,
}

impl Covered<'_> {
    /// `HASH_PREFIX` followed by the RFC 8785 encoding of the object
    /// `{author, body, device_id, hlc, id, kind, prev, seq}` (keys in that sorted order).
    fn bytes(&self) -> Result<Vec<u8>, ValidationError> {
        let mut out = Vec::with_capacity(2048);
        out.extend_from_slice(HASH_PREFIX);
        out.extend_from_slice(b"{\"author\":");
        canonical::encode_str_into(self.author.as_str(), &mut out);
        out.extend_from_slice(b",\"body\":");
        canonical::encode_into(self.body, &mut out)?;
        out.extend_from_slice(b",\"device_id\":\"");
        canonical::push_text(&mut out, self.device_id);
        out.extend_from_slice(b"\",\"hlc\":\"");
        canonical::push_text(&mut out, self.hlc);
        out.extend_from_slice(b"\",\"id\":\"");
        canonical::push_text(&mut out, self.id);
        out.extend_from_slice(b"\",\"kind\":");
        canonical::encode_str_into(self.kind, &mut out);
        out.extend_from_slice(b",\"prev\":\"");
        out.extend_from_slice(self.prev.to_hex().as_bytes());
        out.extend_from_slice(b"\",\"seq\":");
        canonical::encode_into(&Value::from(self.seq), &mut out)?;
        out.push(b'}');
        Ok(out)
    }

    fn hash(&self) -> Result<Hash, ValidationError> {
        Ok(Hash(Sha256::digest(self.bytes()?).into()))
    }
}

impl EventDraft {
    fn covered(&self) -> Covered<'_> {
        Covered {
            id: self.id,
            device_id: self.device_id,
            seq: self.seq,
            hlc: self.hlc,
            author: &self.author,
            kind: &self.kind,
            body: &self.body,
            prev: self.prev,
        }
    }

    /// The canonical bytes: `HASH_PREFIX` followed by the RFC 8785 encoding of the object
    /// `{author, body, device_id, hlc, id, kind, prev, seq}` (keys in that sorted order).
    pub fn canonical_bytes(&self) -> Result<Vec<u8>, ValidationError> {
        self.covered().bytes()
    }

    /// SHA-256 of [`EventDraft::canonical_bytes`].
    pub fn hash(&self) -> Result<Hash, ValidationError> {
        self.covered().hash()
    }

    /// Hashes and signs the draft with the device's key.
    pub fn seal(self, key: &DeviceKey) -> Result<Event, ValidationError> {
        let hash = self.hash()?;
        let sig = key.sign(&hash);
        Ok(Event {
            id: self.id,
            device_id: self.device_id,
            seq: self.seq,
            hlc: self.hlc,
            author: self.author,
            kind: self.kind,
            body: self.body,
            prev: self.prev,
            hash,
            sig,
        })
    }
}

impl Event {
    pub fn draft(&self) -> EventDraft {
        EventDraft {
            id: self.id,
            device_id: self.device_id,
            seq: self.seq,
            hlc: self.hlc,
            author: self.author.clone(),
            kind: self.kind.clone(),
            body: self.body.clone(),
            prev: self.prev,
        }
    }

    /// The hash of the event's content as it is now, whatever hash it carries.
    pub fn content_hash(&self) -> Result<Hash, ValidationError> {
        let covered = Covered {
            id: self.id,
            device_id: self.device_id,
            seq: self.seq,
            hlc: self.hlc,
            author: &self.author,
            kind: &self.kind,
            body: &self.body,
            prev: self.prev,
        };
        covered.hash()
    }

    /// Recomputes the hash and compares it with the one the event carries.
    pub fn check_hash(&self) -> Result<(), IntegrityError> {
        if self.content_hash()? == self.hash { Ok(()) } else { Err(IntegrityError::HashMismatch) }
    }

    /// Checks the hash, then the signature with `key`.
    pub fn check_integrity(&self, key: &PublicKey) -> Result<(), IntegrityError> {
        self.check_hash()?;
        if key.verify(&self.hash, &self.sig) { Ok(()) } else { Err(IntegrityError::BadSignature) }
    }

    /// The order every projection folds in: `(hlc, device_id, seq)`, total and the same everywhere.
    pub fn fold_key(&self) -> (Hlc, DeviceId, u64) {
        (self.hlc, self.device_id, self.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn draft() -> EventDraft {
        EventDraft {
            id: "0192f0c1-7a3b-7c00-8000-000000000001".parse().expect("id"),
            device_id: "0192f0c1-0000-7000-8000-0000000000aa".parse().expect("device"),
            seq: 1,
            hlc: Hlc::new(1_764_131_257_000, 0),
            author: UserId::new("vo-t01-v01").expect("user"),
            kind: "zero_report.filed".into(),
            body: json!({"v": 1, "officer": "vo-t01-v01", "week": "2026-W48"}),
            prev: Hash::ZERO,
        }
    }

    #[test]
    fn canonical_bytes_are_the_documented_object() {
        let bytes = draft().canonical_bytes().expect("canonical");
        let text = String::from_utf8(bytes).expect("utf8");
        assert_eq!(
            text,
            "patrolsync/event/v1\n{\"author\":\"vo-t01-v01\",\"body\":{\"officer\":\"vo-t01-v01\",\"v\":1,\"week\":\"2026-W48\"},\"device_id\":\"0192f0c1-0000-7000-8000-0000000000aa\",\"hlc\":\"1764131257000-00000\",\"id\":\"0192f0c1-7a3b-7c00-8000-000000000001\",\"kind\":\"zero_report.filed\",\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"seq\":1}"
        );
    }

    #[test]
    fn canonical_bytes_equal_generic_canonical_encoding() {
        let d = draft();
        let object = json!({
            "author": d.author.to_string(), "body": d.body.clone(), "device_id": d.device_id.to_string(),
            "hlc": d.hlc.to_string(), "id": d.id.to_string(), "kind": d.kind.clone(), "prev": d.prev.to_hex(), "seq": d.seq,
        });
        let mut expected = HASH_PREFIX.to_vec();
        expected.extend(canonical::to_vec(&object).expect("canonical"));
        assert_eq!(d.canonical_bytes().expect("canonical"), expected);
    }

    #[test]
    fn any_change_to_a_sealed_event_breaks_it() {
        let key = DeviceKey::from_secret([3; 32]);
        let event = draft().seal(&key).expect("seal");
        assert_eq!(event.check_integrity(&key.public()), Ok(()));

        let mut edited = event.clone();
        edited.body["week"] = json!("2026-W47");
        assert_eq!(edited.check_integrity(&key.public()), Err(IntegrityError::HashMismatch));

        let mut resealed = edited.draft().seal(&DeviceKey::from_secret([4; 32])).expect("seal");
        assert_eq!(resealed.check_integrity(&key.public()), Err(IntegrityError::BadSignature));
        resealed.seq = 2;
        assert_eq!(resealed.check_hash(), Err(IntegrityError::HashMismatch));
    }

    #[test]
    fn unknown_envelope_fields_are_refused() {
        let key = DeviceKey::from_secret([3; 32]);
        let mut v = serde_json::to_value(draft().seal(&key).expect("seal")).expect("json");
        v["server_seq"] = json!(5);
        assert!(serde_json::from_value::<Event>(v).is_err());
    }
}
