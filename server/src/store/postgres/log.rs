//! The log's rows on PostgreSQL: [`LogRows`] over any connection or transaction, for the
//! engine-neutral rules of `store::log` (the writer's appends and checkpoints, readers' proofs).

use postgres::GenericClient;
use postgres::fallible_iterator::FallibleIterator;
use sync_protocol::crypto::Hash;
use sync_protocol::merkle::SignedCheckpoint;

use super::StoreError;
use crate::store::log::{CheckpointRow, LeafRow, LogRows};

/// The log's tables as `client` sees them.
pub struct Rows<'a, C: GenericClient>(pub &'a mut C);

/// A count or index as PostgreSQL's `bigint`; past its range is more than any log holds.
pub fn bigint(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A stored `bigint` that must not be negative.
pub fn unsigned(n: i64, what: &'static str) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::corrupt(what, format!("{n} is negative")))
}

impl<C: GenericClient> LogRows for Rows<'_, C> {
    fn each_leaf(&mut self, from: u64, to: u64, each: &mut dyn FnMut(u64, Vec<u8>) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let sql = "SELECT idx, hash FROM merkle_leaves WHERE idx >= $1 AND idx < $2 ORDER BY idx";
        let mut rows = self.0.query_raw(sql, [bigint(from), bigint(to)])?;
        while let Some(row) = rows.next()? {
            each(unsigned(row.try_get(0)?, "merkle_leaves")?, row.try_get(1)?)?;
        }
        Ok(())
    }

    fn log_size(&mut self) -> Result<u64, StoreError> {
        let size: i64 = self.0.query_one("SELECT coalesce(max(idx) + 1, 0) FROM merkle_leaves", &[])?.try_get(0)?;
        unsigned(size, "merkle_leaves")
    }

    fn insert_leaf(&mut self, idx: u64, row: LeafRow<'_>, hash: &Hash) -> Result<(), StoreError> {
        let (kind, row_id, blob) = row.columns();
        self.0.execute(
            "INSERT INTO merkle_leaves (idx, kind, row_id, blob, hash) VALUES ($1, $2, $3, $4, $5)",
            &[&bigint(idx), &kind, &row_id, &blob, &hash.0.as_slice()],
        )?;
        Ok(())
    }

    fn checkpoint_rows(&mut self, size: Option<u64>) -> Result<Vec<CheckpointRow>, StoreError> {
        let rows = self.0.query(
            "SELECT size, origin, root, kid, signature FROM merkle_checkpoints WHERE $1::bigint IS NULL OR size = $1 ORDER BY size",
            &[&size.map(bigint)],
        )?;
        rows.iter()
            .map(|r| {
                Ok(CheckpointRow {
                    size: unsigned(r.try_get(0)?, "merkle_checkpoints")?,
                    origin: r.try_get(1)?,
                    root: r.try_get(2)?,
                    kid: r.try_get(3)?,
                    signature: r.try_get(4)?,
                })
            })
            .collect()
    }

    fn insert_checkpoint(&mut self, signed: &SignedCheckpoint, now_ms: i64) -> Result<(), StoreError> {
        let c = &signed.checkpoint;
        self.0.execute(
            "INSERT INTO merkle_checkpoints (size, origin, root, kid, signature, made_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (size) DO NOTHING",
            &[&bigint(c.size), &c.origin, &c.root.0.as_slice(), &signed.key_id.0.as_slice(), &signed.signature.0.as_slice(), &now_ms],
        )?;
        Ok(())
    }
}
