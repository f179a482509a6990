//! The stored rows this process has already found to match their hash while serving them, kept as
//! a SHA-256 of the row's text and hash column: a row served again is checked by that digest alone.

use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

/// Digests kept in each of the two generations (about 40 bytes each with the set's own): recent
/// rows, which the pulls of a busy village serve again and again, stay; older ones are checked in
/// full again when next served.
const PER_GENERATION: usize = 1 << 17;

/// Domain separation for the digest of a row.
const PREFIX: &[u8] = b"patrolsync/served-row/v1\n";

/// The memo the pulls share. Whether a row matches its hash is a function of its text and hash
/// column alone (`super::withheld::problem`), so one memo serves every store of the process.
pub static SERVED: LazyLock<Verified> = LazyLock::new(Verified::default);

/// Rows found to match their hash, by the digest of their text and hash column.
#[derive(Default)]
pub struct Verified {
    seen: Mutex<Generations>,
}

#[derive(Default)]
struct Generations {
    current: HashSet<[u8; 32]>,
    previous: HashSet<[u8; 32]>,
}

impl Verified {
    /// [`super::withheld::problem`] of the row (`raw`, with the hash column `hash`), computed in
    /// full only for a row whose text and hash column were not found good before: any change to
    /// either changes the digest, so a changed row is always checked in full, and reported.
    pub fn problem(&self, raw: &str, hash: &[u8]) -> Option<String> {
        let digest = digest(raw, hash);
        if self.seen(&digest) {
            return None;
        }
        let problem = super::withheld::problem(raw, hash);
        if problem.is_none() {
            self.note(digest);
        }
        problem
    }

    fn seen(&self, digest: &[u8; 32]) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.current.contains(digest) {
            return true;
        }
        // A row served again is kept in the current generation.
        if seen.previous.remove(digest) {
            seen.note(*digest);
            return true;
        }
        false
    }

    fn note(&self, digest: [u8; 32]) {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).note(digest);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.current.len() + seen.previous.len()
    }
}

impl Generations {
    fn note(&mut self, digest: [u8; 32]) {
        if self.current.len() >= PER_GENERATION {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(digest);
    }
}

/// SHA-256 of the hash column (with its length) and the text: collision-resistant, so a row that
/// hashes to a digest found good is that row, byte for byte.
fn digest(raw: &str, hash: &[u8]) -> [u8; 32] {
    let mut sha = Sha256::new();
    sha.update(PREFIX);
    sha.update((hash.len() as u64).to_le_bytes());
    sha.update(hash);
    sha.update(raw.as_bytes());
    sha.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored row as the writer keeps it: a sealed zero report's text and its hash.
    fn good_row() -> (String, Vec<u8>) {
        let key = sync_protocol::crypto::DeviceKey::from_secret([5; 32]);
        let draft = sync_protocol::event::EventDraft {
            id: sync_protocol::ids::EventId(uuid::Uuid::from_u128(7)),
            device_id: sync_protocol::ids::DeviceId(uuid::Uuid::from_u128(9)),
            seq: 1,
            hlc: "1795668594550-00001".parse().expect("hlc"),
            author: sync_protocol::ids::UserId::new("vo-t02-v01").expect("user"),
            kind: "zero_report.filed".into(),
            body: serde_json::json!({"v": 2, "officer": "vo-t02-v01", "week": "2026-W48", "zone": "Z-T02-V01", "note": ""}),
            prev: sync_protocol::crypto::Hash([0; 32]),
        };
        let event = draft.seal(&key).expect("sealed");
        (serde_json::to_string(&event).expect("json"), event.hash.0.to_vec())
    }

    #[test]
    fn a_good_row_is_remembered_and_a_changed_one_is_still_reported() {
        let memo = Verified::default();
        let (raw, hash) = good_row();
        assert_eq!(memo.problem(&raw, &hash), None);
        assert_eq!(memo.len(), 1, "the good row is remembered");
        assert_eq!(memo.problem(&raw, &hash), None);
        assert_eq!(memo.len(), 1, "served again, by its digest");
        // Edited after it was found good: the text, or the hash column.
        let edited = raw.replace("\"note\":\"\"", "\"note\":\"edited\"");
        assert_ne!(edited, raw);
        assert!(memo.problem(&edited, &hash).expect("changed text").contains("does not hash"));
        assert!(memo.problem(&raw, &[0; 32]).is_some(), "the hash column changed");
        assert!(memo.problem("{not json", &hash).is_some());
        assert_eq!(memo.len(), 1, "nothing bad is remembered");
    }

    #[test]
    fn the_memo_keeps_two_generations_and_what_is_served_again() {
        let mut generations = Generations::default();
        let first = digest("first", b"h");
        generations.note(first);
        for i in 0..PER_GENERATION {
            generations.note(digest(&i.to_string(), b"h"));
        }
        assert!(generations.previous.contains(&first), "moved to the previous generation");
        assert!(generations.current.len() == 1 && !generations.current.contains(&first));
        let memo = Verified { seen: Mutex::new(generations) };
        assert!(memo.seen(&first));
        assert!(memo.seen.lock().expect("lock").current.contains(&first), "served again: kept");
        assert_ne!(digest("ab", b"c"), digest("a", b"bc"), "the hash column's length is part of the digest");
    }
}
