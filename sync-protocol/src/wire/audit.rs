//! `GET /v1/audit/checkpoint` and `GET /v1/audit/consistency`: the central log's signed checkpoint
//! and the proof that one size of the log is a prefix of another, for the county's auditor; and
//! `GET /v1/audit/integrity`: every stored event re-hashed and every chain walked.

use serde::{Deserialize, Serialize};

use crate::crypto::{Hash, PublicKey};
use crate::ids::{DeviceId, EventId};
use crate::merkle::SignedCheckpoint;

/// A signed checkpoint of the log at its current size, with the public key that signed it (for an
/// auditor to pin the first time and compare after: it is the key the checkpoint's `key_id` names).
/// `note` is the same checkpoint as a signed note, the text to keep and give back to
/// `patrolsync-server audit verify --checkpoint`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointReply {
    #[serde(flatten)]
    pub checkpoint: SignedCheckpoint,
    pub public_key: PublicKey,
    pub note: String,
}

impl CheckpointReply {
    pub fn new(checkpoint: SignedCheckpoint, public_key: PublicKey) -> Self {
        let note = checkpoint.to_note();
        CheckpointReply { checkpoint, public_key, note }
    }
}

/// The two sizes of a consistency proof (query string): `from` ≤ `to` ≤ the log's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    pub from: u64,
    pub to: u64,
}

/// The consistency proof between the log's first `from` and first `to` leaves (RFC 6962 §2.1.2),
/// to check with [`crate::merkle::verify_extension`] against checkpoints the auditor holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyReply {
    pub from: u64,
    pub to: u64,
    pub proof: Vec<Hash>,
}

/// `GET /v1/audit/integrity`: how many events and devices were checked, and each break found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityReport {
    pub events_checked: u64,
    pub devices_checked: u64,
    pub breaks: Vec<ChainBreak>,
}

/// `patrolsync-server audit read-model`: the read model recomputed from the log and compared with
/// the stored rows; `differences` 0 means they are equal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadModelCheck {
    /// Accepted events read.
    pub events: u64,
    pub patrols: u64,
    pub findings: u64,
    pub cases: u64,
    pub tips: u64,
    pub differences: u64,
    /// The first differences found (at most 20).
    pub examples: Vec<String>,
}

/// One problem, located by device, chain seq and server sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainBreak {
    pub device: DeviceId,
    pub seq: u64,
    pub server_seq: i64,
    /// The stored id column (the raw text may no longer say the same).
    pub event: Option<EventId>,
    pub problem: String,
}
