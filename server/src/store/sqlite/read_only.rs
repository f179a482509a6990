//! A store file opened read-only, with no writer: the offline audits (`audit integrity`,
//! `audit consistency`, `audit verify`, `audit read-model`) read it beside, or without, a running server.

use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use sync_protocol::crypto::PublicKey;
use sync_protocol::merkle::SignedCheckpoint;
use sync_protocol::wire::audit::{ConsistencyQuery, ConsistencyReply, ReadModelCheck};

use super::StoreError;
use crate::store::audit::{IntegrityReport, LogReport};

/// A read-only connection to a store file.
pub struct ReadOnly {
    conn: Connection,
}

impl ReadOnly {
    pub fn open(path: &Path) -> Result<ReadOnly, StoreError> {
        Ok(ReadOnly { conn: Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)? })
    }

    /// Every stored event re-hashed, its signature checked, every chain walked.
    pub fn integrity(&self) -> Result<IntegrityReport, StoreError> {
        crate::store::reads::integrity::check(&self.conn)
    }

    /// The proof that the log's first `from` leaves are a prefix of its first `to`.
    pub fn consistency(&self, query: ConsistencyQuery) -> Result<ConsistencyReply, StoreError> {
        super::merkle::proofs::consistency(&self.conn, query)
    }

    /// The log re-derived from the rows and checked against every stored checkpoint and `kept`.
    pub fn verify(&self, kept: Option<&SignedCheckpoint>) -> Result<LogReport, StoreError> {
        crate::store::log::verify::verify(&self.conn, kept)
    }

    /// The read model recomputed from the log and compared with its stored rows.
    pub fn read_model(&self) -> Result<ReadModelCheck, StoreError> {
        crate::store::read_model::verify(&self.conn)
    }

    /// The log's origin and the key that signs its checkpoints, if the store has a server identity.
    pub fn log_key(&self) -> Result<Option<(String, PublicKey)>, StoreError> {
        super::merkle::checkpoint::log_key(&self.conn)
    }
}
