//! The tamper-evident log in the central store: a leaf appended for every event, quarantined push
//! and blob in the transaction that stores it, signed checkpoints, proofs, and the verification.
//!
//! # Layout
//! The rules (the frontier, checkpoints, proofs) are engine-neutral, in `store::log`; this module
//! gives them SQLite's rows and adds what only this engine has.
//!
//! - `rows`: `store::log::LogRows` on a SQLite connection.
//! - `leaves`: the leaf of each kind of row, from its columns.
//! - `adopt`: the one-time logging of rows stored before the log existed.
//! - `checkpoint`: the writer's signed checkpoints; the log's origin and key read without writing.
//! - `proofs`: leaves and consistency proofs read from a connection.
//! - `verify`, `verify_rows`: `audit verify`: every leaf re-derived from its row, every row in
//!   the log, every checkpoint's root and signature.

mod adopt;
pub mod checkpoint;
mod leaves;
pub mod proofs;
pub mod verify;
mod verify_rows;

#[cfg(test)]
mod tests;

pub use crate::store::log::LogHead;
pub use crate::store::log::{LogWitness, witness};
pub use adopt::adopt_existing_rows;
