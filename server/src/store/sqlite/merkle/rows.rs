//! The log's rows on SQLite: [`LogRows`] over a connection (or the writer's transaction), for the
//! engine-neutral rules of `store::log`.

use rusqlite::{Connection, OptionalExtension, params};
use sync_protocol::crypto::Hash;
use sync_protocol::merkle::SignedCheckpoint;

use crate::store::StoreError;
use crate::store::log::{CheckpointRow, LeafRow, LogRows};

/// The log's tables as `conn` sees them.
pub struct Rows<'a>(pub &'a Connection);

impl LogRows for Rows<'_> {
    fn each_leaf(&mut self, from: u64, to: u64, each: &mut dyn FnMut(u64, Vec<u8>) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let to = i64::try_from(to).unwrap_or(i64::MAX);
        let mut stmt = self.0.prepare_cached("SELECT idx, hash FROM merkle_leaves WHERE idx >= ?1 AND idx < ?2 ORDER BY idx")?;
        let mut rows = stmt.query(params![from, to])?;
        while let Some(row) = rows.next()? {
            each(row.get(0)?, row.get(1)?)?;
        }
        Ok(())
    }

    fn log_size(&mut self) -> Result<u64, StoreError> {
        Ok(self.0.query_row("SELECT coalesce(max(idx) + 1, 0) FROM merkle_leaves", [], |r| r.get(0))?)
    }

    fn insert_leaf(&mut self, idx: u64, row: LeafRow<'_>, hash: &Hash) -> Result<(), StoreError> {
        let (kind, row_id, blob) = row.columns();
        self.0
            .prepare_cached("INSERT INTO merkle_leaves (idx, kind, row_id, blob, hash) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![idx, kind, row_id, blob, hash.0])?;
        Ok(())
    }

    fn checkpoint_rows(&mut self, size: Option<u64>) -> Result<Vec<CheckpointRow>, StoreError> {
        let read = |r: &rusqlite::Row<'_>| {
            Ok(CheckpointRow { size: r.get(0)?, origin: r.get(1)?, root: r.get(2)?, kid: r.get(3)?, signature: r.get(4)? })
        };
        let columns = "SELECT size, origin, root, kid, signature FROM merkle_checkpoints";
        match size {
            Some(size) => Ok(self.0.query_row(&format!("{columns} WHERE size = ?1"), [size], read).optional()?.into_iter().collect()),
            None => {
                let mut stmt = self.0.prepare(&format!("{columns} ORDER BY size"))?;
                let rows = stmt.query_map([], read)?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
        }
    }

    fn insert_checkpoint(&mut self, signed: &SignedCheckpoint, now_ms: i64) -> Result<(), StoreError> {
        let c = &signed.checkpoint;
        self.0.execute(
            "INSERT OR IGNORE INTO merkle_checkpoints (size, origin, root, kid, signature, made_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![c.size, c.origin, c.root.0, signed.key_id.0, signed.signature.0, now_ms],
        )?;
        Ok(())
    }
}
