//! The leaf appends the writer makes in its transaction, on the engine-neutral frontier
//! (`store::log::LogHead`).

use sync_protocol::merkle::LogLeaf;

use super::{StoreError, WriteCtx};
use crate::store::log::LeafRow;
use crate::store::log::Rows;

impl WriteCtx<'_> {
    /// Appends the leaf of an event row just stored at `server_seq`.
    pub fn log_event(&mut self, server_seq: i64, leaf: LogLeaf) -> Result<(), StoreError> {
        self.log.append(&mut Rows(self.conn), LeafRow::Event(server_seq), leaf)
    }

    /// Appends the leaf of a quarantine row just stored with `id`.
    pub fn log_quarantine(&mut self, id: i64, leaf: LogLeaf) -> Result<(), StoreError> {
        self.log.append(&mut Rows(self.conn), LeafRow::Quarantine(id), leaf)
    }
}
