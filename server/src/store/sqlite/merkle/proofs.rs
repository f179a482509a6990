//! Consistency proofs from the stored leaves: the first `to` leaf hashes are read in order and the
//! pure `consistency_proof` runs over them (O(to) hashes, on a reader, off the writer).

use rusqlite::Connection;
use sync_protocol::crypto::Hash;
use sync_protocol::merkle::consistency_proof;
use sync_protocol::wire::audit::{ConsistencyQuery, ConsistencyReply};

use crate::store::sqlite::{Conflict, Entity, StoreError};

/// The leaf hashes of the log's first `n` leaves, in order.
pub fn leaf_hashes(conn: &Connection, n: u64) -> Result<Vec<Hash>, StoreError> {
    let mut stmt = conn.prepare("SELECT idx, hash FROM merkle_leaves WHERE idx < ?1 ORDER BY idx")?;
    let mut rows = stmt.query([n])?;
    let mut out = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
    while let Some(row) = rows.next()? {
        let idx: u64 = row.get(0)?;
        let hash: Vec<u8> = row.get(1)?;
        match <[u8; 32]>::try_from(hash) {
            Ok(hash) if idx == out.len() as u64 => out.push(Hash(hash)),
            _ => {
                return Err(StoreError::corrupt("merkle_leaves", format!("leaf {} is missing or malformed (run audit verify)", out.len())));
            }
        }
    }
    Ok(out)
}

/// The leaf hashes of leaves `from..to`, in order; fewer than that is a corrupt log.
pub fn leaf_range(conn: &Connection, from: u64, to: u64) -> Result<Vec<Hash>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT hash FROM merkle_leaves WHERE idx >= ?1 AND idx < ?2 ORDER BY idx")?;
    let hashes = stmt.query_map([from, to], |r| r.get::<_, Vec<u8>>(0))?;
    let mut out = Vec::with_capacity(usize::try_from(to.saturating_sub(from)).unwrap_or(0));
    for hash in hashes {
        out.push(Hash(hash?.try_into().map_err(|_| StoreError::corrupt("merkle_leaves", "a leaf hash is not 32 bytes"))?));
    }
    if out.len() as u64 != to.saturating_sub(from) {
        return Err(StoreError::corrupt("merkle_leaves", format!("leaves {from}..{to} are not all stored (run audit verify)")));
    }
    Ok(out)
}

/// How many leaves the log holds.
pub fn log_size(conn: &Connection) -> Result<u64, StoreError> {
    Ok(conn.query_row("SELECT coalesce(max(idx) + 1, 0) FROM merkle_leaves", [], |r| r.get(0))?)
}

/// The proof that the log's first `from` leaves are a prefix of its first `to`. A size the log
/// has not reached is not found; `from > to` is the caller's to refuse (it answers nothing here).
pub fn consistency(conn: &Connection, q: ConsistencyQuery) -> Result<ConsistencyReply, StoreError> {
    let size = log_size(conn)?;
    if q.to > size {
        return Err(StoreError::not_found(Entity::LogSize, format!("{} (the log holds {size} leaves)", q.to)));
    }
    let leaves = leaf_hashes(conn, q.to)?;
    if leaves.len() as u64 != q.to {
        return Err(StoreError::corrupt("merkle_leaves", format!("fewer than {} leaves (run audit verify)", q.to)));
    }
    let proof =
        consistency_proof(&leaves, q.from).map_err(|_| StoreError::Conflict(Conflict::SizesOutOfOrder { from: q.from, to: q.to }))?;
    Ok(ConsistencyReply { from: q.from, to: q.to, proof })
}
