//! The device side of patrolsync: the phone's local replica (one SQLite file) and its sync with
//! the server in one round trip. Recording never needs the network; sync catches up later.
//!
//! # Layout
//! - [`replica`]: the SQLite replica: identities (one per officer on the phone), the event log,
//!   the outbox, bucket cursors and the projection the ledger reads. Recording lives here.
//! - [`sync`]: the HTTP client of the server's API, applying a sync reply in one transaction,
//!   and the upload loop that retries on its own timer with backoff.
//! - [`track`]: importing a patrol's GNSS track from GPX or GeoJSON files.
//! - [`cli`]: the `patrol-device` command line (a thin shell over the three above).

pub mod cli;
pub mod replica;
pub mod sync;
pub mod track;

pub use replica::{Replica, ReplicaError};
pub use sync::SyncError;

#[cfg(test)]
mod tests;
