//! Evidence's rows on either engine (`store::sql`): a verified blob made visible and logged once,
//! with who proved they hold its bytes. Run by each engine's writer, in its open transaction.

use sync_protocol::body::{BlobHash, MediaType};
use sync_protocol::ids::UserId;
use sync_protocol::merkle::LogLeaf;

use super::StoreError;
use super::log::{LeafRow, LogHead, Rows};
use super::sql::Sql;
use crate::args;

/// Makes a verified blob visible (its bytes are already durable at their final path) and logs it,
/// once: a blob recorded before is left as it is. `holder` sent the bytes: their attachments
/// naming the blob now unlock it.
pub fn record_blob(
    sql: &dyn Sql,
    log: &mut LogHead,
    blob: (&BlobHash, u64, MediaType),
    holder: &UserId,
    now_ms: i64,
) -> Result<(), StoreError> {
    let (hash, size, media_type) = blob;
    let inserted = sql.run(
        "INSERT INTO blobs (sha256, size, media_type, stored_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (sha256) DO NOTHING",
        args![hash.to_hex(), size, media_type.as_str(), now_ms],
    )?;
    if inserted == 1 {
        log.append(&mut Rows(sql), LeafRow::Blob(hash), LogLeaf::Blob { sha256: *hash, size, media_type })?;
    }
    sql.run(
        "INSERT INTO blob_holders (sha256, user_id, proved_at) VALUES (?1, ?2, ?3) ON CONFLICT (sha256, user_id) DO NOTHING",
        args![hash.to_hex(), holder.as_str(), now_ms],
    )?;
    Ok(())
}
