//! The writer's copy of the log's frontier, and the leaf appends made in the writer's transaction.
//! Appending costs one row and amortised two hashes; nothing re-reads the log.

use sync_protocol::crypto::Hash;
use sync_protocol::merkle::{Frontier, LogLeaf};

use super::{LeafRow, LogRows};
use crate::store::StoreError;

/// The frontier of `merkle_leaves` as the writer's transaction sees it, or `None` when it must be
/// read again (at start, after another process wrote, after a rollback it cannot undo).
#[derive(Debug, Default, Clone)]
pub struct LogHead {
    frontier: Option<Frontier>,
}

impl LogHead {
    /// The frontier, read from the stored leaves if it is not known.
    pub fn frontier(&mut self, rows: &mut dyn LogRows) -> Result<&mut Frontier, StoreError> {
        let frontier = match self.frontier.take() {
            Some(f) => f,
            None => load(rows)?,
        };
        Ok(self.frontier.insert(frontier))
    }

    /// The frontier if it is known, without reading the store.
    pub fn known(&self) -> Option<&Frontier> {
        self.frontier.as_ref()
    }

    /// Forgets the frontier: the next append reads it from the store.
    pub fn forget(&mut self) {
        self.frontier = None;
    }

    /// Brings the frontier up to the stored leaves after another process appended some: the leaves
    /// past the known size are read and added (the leaves are append-only), or the whole frontier
    /// is read when none is known. On an error the frontier is forgotten.
    pub fn catch_up(&mut self, rows: &mut dyn LogRows) -> Result<&Frontier, StoreError> {
        let frontier = self.frontier.take().unwrap_or_default();
        let from = frontier.size();
        Ok(self.frontier.insert(extend(frontier, rows, from)?))
    }

    /// Appends `leaf`, standing for `row` (stored in the same transaction), to the log.
    pub fn append(&mut self, rows: &mut dyn LogRows, row: LeafRow<'_>, leaf: LogLeaf) -> Result<(), StoreError> {
        let frontier = self.frontier(rows)?;
        let hash = leaf.hash();
        rows.insert_leaf(frontier.size(), row, &hash)?;
        frontier.push(hash);
        Ok(())
    }
}

/// Builds the frontier from every stored leaf, in order; a missing index means the table was
/// tampered with, and nothing more may be appended until `audit verify` has been looked at.
fn load(rows: &mut dyn LogRows) -> Result<Frontier, StoreError> {
    extend(Frontier::new(), rows, 0)
}

/// `frontier` (of the first `from` leaves) with every stored leaf from `from` on added, in order.
fn extend(mut frontier: Frontier, rows: &mut dyn LogRows, from: u64) -> Result<Frontier, StoreError> {
    rows.each_leaf(from, u64::MAX, &mut |idx, hash| {
        let hash: [u8; 32] = hash.try_into().map_err(|_| StoreError::corrupt("merkle_leaves", format!("leaf {idx} is not 32 bytes")))?;
        if idx != frontier.size() {
            return Err(StoreError::corrupt("merkle_leaves", format!("leaf {} is missing (run audit verify)", frontier.size())));
        }
        frontier.push(Hash(hash));
        Ok(())
    })?;
    Ok(frontier)
}
