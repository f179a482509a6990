//! Signed checkpoints of the SQLite store's log (the rules are `store::log`'s): made by the writer
//! from its frontier, and the log's origin and key read without writing.

use rusqlite::Connection;
use sync_protocol::crypto::PublicKey;
use sync_protocol::merkle::SignedCheckpoint;
use sync_protocol::wire::audit::CheckpointReply;

use crate::store::log::Rows;
pub use crate::store::log::origin;
use crate::store::{StoreError, jobs::WriteCtx};

/// The log's origin and the key that signs its checkpoints (`store::log::log_key`).
pub fn log_key(conn: &Connection) -> Result<Option<(String, PublicKey)>, StoreError> {
    crate::store::log::log_key(conn)
}

impl WriteCtx<'_> {
    /// A signed checkpoint of the log at its current size, with the key that signs it.
    pub fn checkpoint_reply(&mut self) -> Result<CheckpointReply, StoreError> {
        Ok(CheckpointReply::new(self.checkpoint()?, self.server.key.public()))
    }

    /// A signed checkpoint of the log at its current size: the one stored for this size if there
    /// is one (it must agree with the log), else a new one, signed and stored.
    pub fn checkpoint(&mut self) -> Result<SignedCheckpoint, StoreError> {
        crate::store::log::checkpoint(self.log, &mut Rows(self.conn), self.server, self.now_ms)
    }
}

/// Stores `signed` as the checkpoint of its size, unless one of that size is stored already.
pub fn store_checkpoint(conn: &Connection, signed: &SignedCheckpoint, now_ms: i64) -> Result<(), StoreError> {
    use crate::store::log::LogRows;
    Rows(conn).insert_checkpoint(signed, now_ms)
}

/// Every stored checkpoint, smallest size first.
pub fn stored_checkpoints(conn: &Connection) -> Result<Vec<SignedCheckpoint>, StoreError> {
    crate::store::log::stored_checkpoints(&mut Rows(conn))
}
