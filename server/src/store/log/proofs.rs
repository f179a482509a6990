//! Consistency proofs from the stored leaves: the first `to` leaf hashes are read in order and the
//! pure `consistency_proof` runs over them (O(to) hashes, on a reader, off the writer).

use sync_protocol::crypto::Hash;
use sync_protocol::merkle::consistency_proof;
use sync_protocol::wire::audit::{ConsistencyQuery, ConsistencyReply};

use super::LogRows;
use crate::store::{Conflict, Entity, StoreError};

/// The leaf hashes of the log's first `n` leaves, in order (fewer when the log is shorter); a
/// missing index or a malformed hash is a corrupt log.
pub fn leaf_hashes(rows: &mut dyn LogRows, n: u64) -> Result<Vec<Hash>, StoreError> {
    let mut out = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
    rows.each_leaf(0, n, &mut |idx, hash| match <[u8; 32]>::try_from(hash) {
        Ok(hash) if idx == out.len() as u64 => {
            out.push(Hash(hash));
            Ok(())
        }
        _ => Err(StoreError::corrupt("merkle_leaves", format!("leaf {} is missing or malformed (run audit verify)", out.len()))),
    })?;
    Ok(out)
}

/// The leaf hashes of leaves `from..to`, in order; fewer than that is a corrupt log.
pub fn leaf_range(rows: &mut dyn LogRows, from: u64, to: u64) -> Result<Vec<Hash>, StoreError> {
    let mut out = Vec::with_capacity(usize::try_from(to.saturating_sub(from)).unwrap_or(0));
    rows.each_leaf(from, to, &mut |_, hash| {
        out.push(Hash(hash.try_into().map_err(|_| StoreError::corrupt("merkle_leaves", "a leaf hash is not 32 bytes"))?));
        Ok(())
    })?;
    if out.len() as u64 != to.saturating_sub(from) {
        return Err(StoreError::corrupt("merkle_leaves", format!("leaves {from}..{to} are not all stored (run audit verify)")));
    }
    Ok(out)
}

/// The proof that the log's first `from` leaves are a prefix of its first `to`. A size the log
/// has not reached is not found; `from > to` is the caller's to refuse (it answers nothing here).
pub fn consistency(rows: &mut dyn LogRows, q: ConsistencyQuery) -> Result<ConsistencyReply, StoreError> {
    let size = rows.log_size()?;
    if q.to > size {
        return Err(StoreError::not_found(Entity::LogSize, format!("{} (the log holds {size} leaves)", q.to)));
    }
    let leaves = leaf_hashes(rows, q.to)?;
    if leaves.len() as u64 != q.to {
        return Err(StoreError::corrupt("merkle_leaves", format!("fewer than {} leaves (run audit verify)", q.to)));
    }
    let proof =
        consistency_proof(&leaves, q.from).map_err(|_| StoreError::Conflict(Conflict::SizesOutOfOrder { from: q.from, to: q.to }))?;
    Ok(ConsistencyReply { from: q.from, to: q.to, proof })
}
