//! The tamper-evident central log: an RFC 6962 Merkle tree over SHA-256 of every event, quarantined
//! push and blob the server stores, with its proofs and signed checkpoints. Pure: no IO.
//!
//! # Layout
//! - `tree`: the tree hash (`leaf_hash`, `node_hash`, `root` by the recursive definition).
//! - `frontier`: [`Frontier`], the log's left edge: append and root in O(log n).
//! - `inclusion`, `consistency`: proofs (RFC 6962 §2.1.1, §2.1.2) and their verifiers
//!   (RFC 9162 §2.1.3.2, §2.1.4.2).
//! - `leaf`: [`LogLeaf`], what a leaf stands for and its bytes.
//! - `checkpoint`: [`SignedCheckpoint`], its note form, and [`verify_extension`] of an older one.
//! - `witness`: [`witness::check`], how a device that keeps the log's latest checkpoint checks that
//!   the next one extends it (protocol.md §7.12).

mod checkpoint;
mod consistency;
mod frontier;
mod inclusion;
mod leaf;
mod tree;
pub mod witness;

#[cfg(test)]
mod proptests;

pub use checkpoint::{Checkpoint, KeyId, SignedCheckpoint, verify_extension};
pub use consistency::{consistency_proof, verify_consistency};
pub use frontier::Frontier;
pub use inclusion::{inclusion_proof, verify_inclusion};
pub use leaf::LogLeaf;
pub use tree::{empty_root, leaf_hash, node_hash, root};

/// Why a proof, a checkpoint or a note does not hold. Every variant is a problem of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    #[error("leaf {index} is not in a log of {size} leaves")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("a log of {from} leaves cannot be a prefix of one of {to}")]
    SizesOutOfOrder { from: u64, to: u64 },
    #[error("{0}")]
    BadProof(&'static str),
    #[error("not a checkpoint note: {0}")]
    NoteFormat(String),
    #[error("the checkpoint is signed by key {0}, not by the log's key")]
    UnknownKey(String),
    #[error("the checkpoint's signature does not verify")]
    BadSignature,
    #[error("the checkpoints are of two logs: {expected} and {found}")]
    OriginMismatch { expected: String, found: String },
}
