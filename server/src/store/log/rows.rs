//! The log's rows on either engine: [`LogRows`] over any [`Sql`] (a reader's connection or the
//! writer's transaction), for the rules of this module.

use sync_protocol::crypto::Hash;
use sync_protocol::merkle::SignedCheckpoint;

use super::{CheckpointRow, LeafRow, LogRows};
use crate::args;
use crate::store::StoreError;
use crate::store::sql::Sql;

/// The log's tables as `sql` sees them.
pub struct Rows<'a>(pub &'a dyn Sql);

impl LogRows for Rows<'_> {
    fn each_leaf(&mut self, from: u64, to: u64, each: &mut dyn FnMut(u64, Vec<u8>) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let to = i64::try_from(to).unwrap_or(i64::MAX);
        let sql = "SELECT idx, hash FROM merkle_leaves WHERE idx >= ?1 AND idx < ?2 ORDER BY idx";
        self.0.each(sql, args![from, to], &mut |mut row| {
            let hash = match row.take(1) {
                crate::store::sql::Value::Blob(hash) => hash,
                other => return Err(StoreError::corrupt("merkle_leaves", format!("hash {other:?}"))),
            };
            each(row.get(0)?, hash)
        })
    }

    fn log_size(&mut self) -> Result<u64, StoreError> {
        self.0.one("SELECT coalesce(max(idx) + 1, 0) FROM merkle_leaves", args![])?.get(0)
    }

    fn insert_leaf(&mut self, idx: u64, row: LeafRow<'_>, hash: &Hash) -> Result<(), StoreError> {
        let (kind, row_id, blob) = row.columns();
        self.0.write(
            "INSERT INTO merkle_leaves (idx, kind, row_id, blob, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
            args![idx, kind, row_id, blob, &hash.0],
        )?;
        Ok(())
    }

    fn checkpoint_rows(&mut self, size: Option<u64>) -> Result<Vec<CheckpointRow>, StoreError> {
        let columns = "SELECT size, origin, root, kid, signature FROM merkle_checkpoints";
        let rows = match size {
            Some(size) => self.0.all(&format!("{columns} WHERE size = ?1"), args![size])?,
            None => self.0.all(&format!("{columns} ORDER BY size"), args![])?,
        };
        rows.iter()
            .map(|r| Ok(CheckpointRow { size: r.get(0)?, origin: r.get(1)?, root: r.get(2)?, kid: r.get(3)?, signature: r.get(4)? }))
            .collect()
    }

    fn insert_checkpoint(&mut self, signed: &SignedCheckpoint, now_ms: i64) -> Result<(), StoreError> {
        let c = &signed.checkpoint;
        self.0.write(
            "INSERT INTO merkle_checkpoints (size, origin, root, kid, signature, made_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (size) DO NOTHING",
            args![c.size, &c.origin, &c.root.0, &signed.key_id.0, &signed.signature.0, now_ms],
        )?;
        Ok(())
    }
}
