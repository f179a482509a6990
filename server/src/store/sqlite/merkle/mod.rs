//! The tamper-evident log in the central store: a leaf appended for every event, quarantined push
//! and blob in the transaction that stores it, signed checkpoints, proofs, and the verification.
//!
//! # Layout
//! - `head`: the writer's frontier of the log (append and root in O(log n)), loaded from
//!   `merkle_leaves`, and the `WriteCtx` methods that append a leaf.
//! - `leaves`: the leaf of each kind of row, from its columns.
//! - `adopt`: the one-time logging of rows stored before the log existed.
//! - `checkpoint`: making, storing and reading signed checkpoints; the log's origin and key.
//! - `proofs`: consistency proofs from the stored leaves.
//! - `witness`: the latest signed checkpoint, published for sync replies and kept in a file
//!   outside the database, which a shorter or rewritten log is refused against at start.
//! - `verify`, `verify_rows`: `audit verify`: every leaf re-derived from its row, every row in
//!   the log, every checkpoint's root and signature.

mod adopt;
pub mod checkpoint;
mod head;
mod leaves;
pub mod proofs;
pub mod verify;
mod verify_rows;
pub mod witness;

#[cfg(test)]
mod tests;

pub use adopt::adopt_existing_rows;
pub use head::LogHead;
pub use witness::LogWitness;
