//! A store file opened read-only, with no writer: the offline audits (`store::offline`) read one
//! snapshot of it beside, or without, a running server.

use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use sync_protocol::crypto::PublicKey;

use super::StoreError;
use crate::store::sql::Sql;

/// A read-only connection to a store file.
pub struct ReadOnly {
    conn: Connection,
}

impl ReadOnly {
    pub fn open(path: &Path) -> Result<ReadOnly, StoreError> {
        Ok(ReadOnly { conn: Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)? })
    }

    /// Runs `audit` in one read transaction: one committed state of the file, however long it
    /// reads while a server writes.
    pub(crate) fn snapshot<T>(&self, audit: impl FnOnce(&dyn Sql) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let seen = audit(&*tx)?;
        tx.commit()?;
        Ok(seen)
    }

    /// The log's origin and the key that signs its checkpoints, if the store has a server identity.
    pub fn log_key(&self) -> Result<Option<(String, PublicKey)>, StoreError> {
        super::merkle::checkpoint::log_key(&self.conn)
    }
}
