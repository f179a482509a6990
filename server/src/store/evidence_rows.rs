//! Evidence's rows on either engine (`store::sql`): a verified blob made visible and logged once,
//! with who proved they hold its bytes, and the kept list of attachments still missing their bytes.

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
    sql.write("DELETE FROM attachments_missing WHERE sha256 = ?1 AND officer = ?2", args![hash.to_hex(), holder.as_str()])
}

/// Notes the attachment stored as `server_seq` (its author, blob and place as the row of
/// `attachments` has them) as missing its bytes while its author has not proved holding them
/// (migration 0019), in the transaction that stores it.
pub fn attachment_stored(sql: &dyn Sql, server_seq: i64) -> Result<(), StoreError> {
    sql.write(&format!("INSERT INTO attachments_missing ({COLUMNS}) {MISSING} AND a.server_seq = ?1"), args![server_seq])
}

const COLUMNS: &str = "server_seq, sha256, officer, village, township";

/// What every attachment's author holding no proof of its bytes gives: the missing attachments.
const MISSING: &str = "SELECT a.server_seq, a.sha256, a.officer, a.village, a.township FROM attachments a
     WHERE NOT EXISTS (SELECT 1 FROM blob_holders h WHERE h.sha256 = a.sha256 AND h.user_id = a.officer)";

/// Derives the missing attachments again from the evidence (the read model's rebuild).
pub fn rebuild_missing(sql: &dyn Sql) -> Result<(), StoreError> {
    sql.run("DELETE FROM attachments_missing", args![])?;
    sql.run(&format!("INSERT INTO attachments_missing ({COLUMNS}) {MISSING}"), args![])?;
    Ok(())
}

/// How many attachments the kept list of missing ones holds wrongly or lacks (the read model's
/// audit).
pub fn missing_differ(sql: &dyn Sql) -> Result<u64, StoreError> {
    let kept = format!("SELECT {COLUMNS} FROM attachments_missing");
    let text = format!(
        "SELECT count(*) FROM (SELECT * FROM ({MISSING} EXCEPT {kept}) lacking
                               UNION ALL SELECT * FROM ({kept} EXCEPT {MISSING}) extra) differing"
    );
    sql.one(&text, args![])?.get(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore as Store;

    /// Stores the attachment `seq` of `officer` naming the blob `byte`, as ingest does.
    fn attach(sql: &dyn Sql, seq: i64, byte: u8, officer: &str) -> Result<(), StoreError> {
        sql.run(
            "INSERT INTO attachments (server_seq, event_id, sha256, size, media_type, subject_kind, subject_id, officer,
                                      village, township, added_at)
             VALUES (?1, ?2, ?3, 10, 'image/jpeg', 'patrol', ?2, ?4, 'T01-V01', 'T01', 0)",
            args![seq, vec![seq as u8; 16], BlobHash([byte; 32]).to_hex(), officer],
        )?;
        attachment_stored(sql, seq)
    }

    /// An attachment is missing from its storing until its author proves holding the bytes; one
    /// whose author already holds them never is; the audit finds a kept row gone, the rebuild puts
    /// it back.
    #[tokio::test]
    async fn an_attachment_is_missing_until_its_author_proves_holding_its_bytes() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store = Store::open(&dir.path().join("central.db"))?;
        let missing = |sql: &dyn Sql| -> Result<Vec<i64>, StoreError> {
            sql.all("SELECT server_seq FROM attachments_missing ORDER BY server_seq", args![])?.iter().map(|r| r.get(0)).collect()
        };
        let seen = store
            .writer()
            .run(move |ctx| {
                let (a, b) = (UserId::new("vo-a").expect("user"), UserId::new("vo-b").expect("user"));
                attach(ctx.conn, 1, 7, a.as_str())?;
                attach(ctx.conn, 2, 7, b.as_str())?;
                let before = missing(ctx.conn)?;
                ctx.record_blob(&BlobHash([7; 32]), 10, MediaType::Jpeg, &a)?;
                let proved = missing(ctx.conn)?;
                attach(ctx.conn, 3, 7, a.as_str())?;
                let held = missing(ctx.conn)?;
                let whole = missing_differ(ctx.conn)?;
                ctx.conn.run("DELETE FROM attachments_missing WHERE server_seq = 2", args![])?;
                let broken = missing_differ(ctx.conn)?;
                rebuild_missing(ctx.conn)?;
                Ok((before, proved, held, whole, broken, missing(ctx.conn)?))
            })
            .await?;
        assert_eq!(seen, (vec![1, 2], vec![2], vec![2], 0, 1, vec![2]));
        Ok(())
    }
}
