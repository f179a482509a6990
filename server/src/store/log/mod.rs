//! The tamper-evident log's rules, the same on every engine: the writer's frontier and its
//! appends, signed checkpoints stored once per size, and consistency proofs, written once over
//! [`LogRows`], which each engine implements on its own connection.
//!
//! # Layout
//! - `head`: [`LogHead`], the writer's frontier (append and root in O(log n)), read from the
//!   stored leaves when it is not known.
//! - `checkpoint`: the log's origin, making, storing and reading signed checkpoints.
//! - `proofs`: leaf hashes read in order, and consistency proofs over them.
//! - `rows`: [`Rows`], the log's tables over either engine's SQL (`store::sql`).
//! - `leaves`: the leaf of each kind of stored row, from its columns.
//! - `verify`, `verify_rows`: `audit verify` on either engine: every leaf re-derived from its row,
//!   every row in the log, every checkpoint's root and signature.
//! - `witness`: the latest signed checkpoint, published by either writer for sync replies and kept
//!   in a file outside the database, which a shorter or rewritten log is refused against at start.

mod checkpoint;
mod head;
pub mod leaves;
mod proofs;
mod rows;
pub mod verify;
mod verify_rows;
pub mod witness;

pub use checkpoint::{checkpoint, log_key, origin, stored_checkpoints};
pub use head::LogHead;
pub use proofs::{consistency, leaf_hashes, leaf_range};
pub use rows::Rows;
pub use witness::LogWitness;

use sync_protocol::body::BlobHash;
use sync_protocol::crypto::Hash;
use sync_protocol::merkle::SignedCheckpoint;

use super::StoreError;

/// What a leaf stands for, as `merkle_leaves` names it.
#[derive(Debug, Clone, Copy)]
pub enum LeafRow<'a> {
    /// `events.server_seq`.
    Event(i64),
    /// `quarantine.id`.
    Quarantine(i64),
    /// `blobs.sha256`.
    Blob(&'a BlobHash),
}

impl LeafRow<'_> {
    /// The row's `kind`, `row_id` and `blob` columns.
    pub fn columns(&self) -> (&'static str, Option<i64>, Option<String>) {
        match self {
            LeafRow::Event(seq) => ("event", Some(*seq), None),
            LeafRow::Quarantine(id) => ("quarantine", Some(*id), None),
            LeafRow::Blob(sha256) => ("blob", None, Some(sha256.to_hex())),
        }
    }
}

/// A `merkle_checkpoints` row as stored, before it is checked.
#[derive(Debug, Clone)]
pub struct CheckpointRow {
    pub size: u64,
    pub origin: String,
    pub root: Vec<u8>,
    pub kid: Vec<u8>,
    pub signature: Vec<u8>,
}

/// An engine's `merkle_leaves` and `merkle_checkpoints`, on one connection or transaction.
pub trait LogRows {
    /// Calls `each` with the index and stored hash of every leaf whose index is in `from..to`,
    /// in index order (`to` may be `u64::MAX`: to the end).
    fn each_leaf(&mut self, from: u64, to: u64, each: &mut dyn FnMut(u64, Vec<u8>) -> Result<(), StoreError>) -> Result<(), StoreError>;

    /// How many leaves the log holds (the greatest index plus one).
    fn log_size(&mut self) -> Result<u64, StoreError>;

    /// Stores leaf `idx`, standing for `row`.
    fn insert_leaf(&mut self, idx: u64, row: LeafRow<'_>, hash: &Hash) -> Result<(), StoreError>;

    /// The stored checkpoint of `size`, or every one (smallest first) when `size` is `None`.
    fn checkpoint_rows(&mut self, size: Option<u64>) -> Result<Vec<CheckpointRow>, StoreError>;

    /// Stores `signed`, made at `now_ms`, unless a checkpoint of its size is stored already.
    fn insert_checkpoint(&mut self, signed: &SignedCheckpoint, now_ms: i64) -> Result<(), StoreError>;
}
