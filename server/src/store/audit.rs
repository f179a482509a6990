//! The county's audits of the store ([`AuditLog`]): the tamper-evident log's signed checkpoints
//! and consistency proofs, and the integrity check that re-hashes every event and walks every
//! chain. The offline tools (`audit verify`, which re-derives the log from the rows, among them)
//! read the store directly (`store::offline`).

use serde::{Deserialize, Serialize};
use sync_protocol::crypto::Hash;
pub use sync_protocol::wire::audit::{ChainBreak, IntegrityReport};
use sync_protocol::wire::audit::{CheckpointReply, ConsistencyQuery, ConsistencyReply};
use sync_protocol::wire::witness::{Withheld, WitnessAsk, WitnessReply};

use super::StoreFuture;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogReport {
    /// The log's name, from the server identity the store holds.
    pub origin: Option<String>,
    /// How many leaves the log holds, and the root of them as stored.
    pub leaves: u64,
    pub root: Hash,
    /// How many signed checkpoints were compared with the log (stored ones and the given one).
    pub checkpoints_checked: u64,
    pub problems: Vec<LogProblem>,
}

/// One problem: the leaf it concerns (if any), the row or checkpoint, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogProblem {
    pub leaf: Option<u64>,
    /// `event <server_seq>`, `quarantine <id>`, `blob <sha256>`, `checkpoint <size>`, or
    /// `checkpoint file <size>`.
    pub at: String,
    pub problem: String,
}

pub trait AuditLog: Send + Sync {
    /// A signed checkpoint of the log at its current size (stored once per size), with its key.
    fn checkpoint(&self) -> StoreFuture<'_, CheckpointReply>;

    /// The proof that the log's first `from` leaves are a prefix of its first `to`; a size the log
    /// has not reached is not found.
    fn consistency(&self, query: ConsistencyQuery) -> StoreFuture<'_, ConsistencyReply>;

    /// Every stored event re-hashed, its signature checked, every device's chain walked.
    fn integrity(&self) -> StoreFuture<'_, IntegrityReport>;

    /// What a sync reply's `witness` carries for a device holding `held` (an epoch and a size): the
    /// store's epoch, the latest checkpoint the writer signed, and the leaves or the frontier the
    /// device needs to check it (protocol.md §7.12).
    fn witness(&self, held: WitnessAsk) -> StoreFuture<'_, WitnessReply>;

    /// Raises one `tampering:stored_event_changed` flag for each stored event a pull found
    /// changed (and withheld), unless it was raised before.
    fn flag_withheld(&self, withheld: Vec<Withheld>) -> StoreFuture<'_, ()>;
}
