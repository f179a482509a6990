//! The log's leaves and consistency proofs read from a SQLite connection (the rules are
//! `store::log`'s), on a reader, off the writer.

use rusqlite::Connection;
use sync_protocol::crypto::Hash;
use sync_protocol::wire::audit::{ConsistencyQuery, ConsistencyReply};

use crate::store::StoreError;
use crate::store::log::LogRows;
use crate::store::log::Rows;

/// The leaf hashes of the log's first `n` leaves, in order.
pub fn leaf_hashes(conn: &Connection, n: u64) -> Result<Vec<Hash>, StoreError> {
    crate::store::log::leaf_hashes(&mut Rows(conn), n)
}

/// The leaf hashes of leaves `from..to`, in order; fewer than that is a corrupt log.
pub fn leaf_range(conn: &Connection, from: u64, to: u64) -> Result<Vec<Hash>, StoreError> {
    crate::store::log::leaf_range(&mut Rows(conn), from, to)
}

/// How many leaves the log holds.
pub fn log_size(conn: &Connection) -> Result<u64, StoreError> {
    Rows(conn).log_size()
}

/// The proof that the log's first `from` leaves are a prefix of its first `to`.
pub fn consistency(conn: &Connection, q: ConsistencyQuery) -> Result<ConsistencyReply, StoreError> {
    crate::store::log::consistency(&mut Rows(conn), q)
}
