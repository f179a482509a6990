//! Evidence on PostgreSQL: a verified blob made visible and logged once, with who proved they hold
//! its bytes.

use sync_protocol::body::{BlobHash, MediaType};
use sync_protocol::ids::UserId;
use sync_protocol::merkle::LogLeaf;

use super::Pg;
use super::StoreError;
use super::writer::WriteCtx;
use crate::args;
use crate::store::log::{LeafRow, Rows};
use crate::store::sql::Sql;

impl WriteCtx<'_, '_> {
    /// Makes a verified blob visible (its bytes are already durable at their final path) and logs
    /// it, once: a blob recorded before is left as it is. `holder` sent the bytes: their
    /// attachments naming the blob now unlock it.
    pub fn record_blob(&mut self, hash: &BlobHash, size: u64, media_type: MediaType, holder: &UserId) -> Result<(), StoreError> {
        let sha256 = hash.to_hex();
        let sql = Pg::new(&mut *self.tx);
        let inserted = sql.run(
            "INSERT INTO blobs (sha256, size, media_type, stored_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (sha256) DO NOTHING",
            args![&sha256, size, media_type.as_str(), self.now_ms],
        )?;
        if inserted == 1 {
            self.log.append(&mut Rows(&sql), LeafRow::Blob(hash), LogLeaf::Blob { sha256: *hash, size, media_type })?;
        }
        sql.run(
            "INSERT INTO blob_holders (sha256, user_id, proved_at) VALUES (?1, ?2, ?3) ON CONFLICT (sha256, user_id) DO NOTHING",
            args![&sha256, holder.as_str(), self.now_ms],
        )?;
        Ok(())
    }
}
