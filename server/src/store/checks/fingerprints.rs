//! The writer's in-memory index of track fingerprints (`sync_protocol`'s `FingerprintIndex`), loaded
//! from `patrol_checks.fingerprint` when the writer loads its caches and kept up to date as patrols
//! are checked (a table keyed by value made every commit rewrite pages all over it); and the
//! fingerprints the store lacks, computed from their events.

use sync_protocol::body::Body;
use sync_protocol::checks::plausibility::fingerprint_index::{from_stored, to_stored};
use sync_protocol::checks::plausibility::{FingerprintIndex, KeptPass, TrackFingerprint};
use sync_protocol::ids::EventId;

use super::history::stored_event;
use crate::args;
use crate::store::StoreError;
use crate::store::sql::Sql;

/// The index of every fingerprint the store holds.
pub fn load_index(conn: &dyn Sql) -> Result<FingerprintIndex, StoreError> {
    let mut index = FingerprintIndex::default();
    conn.each("SELECT patrol, fingerprint FROM patrol_checks WHERE fingerprint IS NOT NULL", args![], &mut |row| {
        let (patrol, blob) = (row.get::<Vec<u8>>(0)?, row.get::<Vec<u8>>(1)?);
        let patrol = uuid::Uuid::from_slice(&patrol).map(EventId).map_err(|_| StoreError::corrupt("patrol_checks", "patrol"))?;
        insert_stored(&mut index, patrol, &blob)
    })?;
    tracing::info!(patrols = index.len(), mib = index.heap_bytes() >> 20, "fingerprint index loaded");
    Ok(index)
}

/// Indexes `patrol` under the cells of its stored fingerprint (`patrol_checks.fingerprint`).
pub fn insert_stored(index: &mut FingerprintIndex, patrol: EventId, blob: &[u8]) -> Result<(), StoreError> {
    let cells = from_stored(blob).ok_or_else(|| StoreError::corrupt("patrol_checks", "fingerprint length"))?;
    insert(index, patrol, &cells);
    Ok(())
}

/// Indexes `patrol` under `cells`, saying so when the index is full.
pub fn insert(index: &mut FingerprintIndex, patrol: EventId, cells: &[KeptPass]) {
    if !index.insert(patrol, cells) {
        tracing::warn!("the fingerprint index is full: patrol {patrol} is not indexed for copied tracks");
    }
}

/// Computes every fingerprint the store lacks (migrations 0014 and 0017 cleared those of earlier
/// definitions) from its patrol's event, on `sql` (the caller's transaction, on either engine);
/// returns how many. Runs before the writer starts.
pub fn recompute_missing(sql: &dyn Sql) -> Result<usize, StoreError> {
    let missing = sql.all("SELECT patrol FROM patrol_checks WHERE fingerprint IS NULL", args![])?;
    for row in &missing {
        let patrol = row.get::<Vec<u8>>(0)?;
        let id = uuid::Uuid::from_slice(&patrol).map(EventId).map_err(|_| StoreError::corrupt("patrol_checks", "patrol"))?;
        let cells = match stored_event(sql, &id)? {
            Some((_, Body::PatrolRecorded(p))) => TrackFingerprint::of(&p.track).map(|f| f.cells).unwrap_or_default(),
            _ => Vec::new(),
        };
        sql.run("UPDATE patrol_checks SET fingerprint = ?2 WHERE patrol = ?1", args![patrol.as_slice(), to_stored(&cells)])?;
    }
    Ok(missing.len())
}
