//! The tamper-evident log in the central store: a leaf appended for every event, quarantined push
//! and blob in the transaction that stores it, signed checkpoints, proofs, and the verification.
//!
//! # Layout
//! The rules (the frontier, checkpoints, proofs) are engine-neutral, in `store::log`; this module
//! gives them SQLite's rows and adds what only this engine has.
//!
//! - `rows`: `store::log::LogRows` on a SQLite connection.
//! - `adopt`: the one-time logging of rows stored before the log existed.
//! - `checkpoint`: the writer's signed checkpoints; the log's origin and key read without writing.
//! - `proofs`: leaves and consistency proofs read from a connection.

mod adopt;
pub mod checkpoint;
pub mod proofs;

#[cfg(test)]
mod tests;

pub use crate::store::log::LogHead;
pub use crate::store::log::{LogWitness, witness};
pub use adopt::adopt_existing_rows;
