//! The writer's in-memory index of track fingerprints: which stored patrols share a value with a
//! new track. Built from `patrol_checks.fingerprint` when the writer loads its caches, kept up to
//! date as patrols are checked (a table keyed by value made every commit rewrite pages all over it).

use rusqlite::Connection;
use std::collections::HashMap;
use sync_protocol::ids::EventId;

use crate::store::StoreError;

#[derive(Debug, Default)]
pub struct FingerprintIndex {
    by_value: HashMap<u64, Vec<EventId>>,
}

impl FingerprintIndex {
    pub fn load(conn: &Connection) -> Result<FingerprintIndex, StoreError> {
        let mut index = FingerprintIndex::default();
        let mut stmt = conn.prepare("SELECT patrol, fingerprint FROM patrol_checks WHERE fingerprint IS NOT NULL")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?)))? {
            let (patrol, blob) = row?;
            let patrol = uuid::Uuid::from_slice(&patrol).map(EventId).map_err(|_| StoreError::Corrupt("patrol_checks: patrol".into()))?;
            index.insert(patrol, &from_blob(&blob)?);
        }
        Ok(index)
    }

    pub fn insert(&mut self, patrol: EventId, values: &[u64]) {
        for v in values {
            let patrols = self.by_value.entry(*v).or_default();
            if !patrols.contains(&patrol) {
                patrols.push(patrol);
            }
        }
    }

    /// Stored patrols sharing any of `values`, those sharing the most first (ties by id), at most
    /// `limit`.
    pub fn candidates(&self, values: &[u64], limit: usize) -> Vec<EventId> {
        let mut shared: HashMap<EventId, usize> = HashMap::new();
        for patrol in values.iter().filter_map(|v| self.by_value.get(v)).flatten() {
            *shared.entry(*patrol).or_default() += 1;
        }
        let mut ranked: Vec<(EventId, usize)> = shared.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.into_iter().take(limit).map(|(p, _)| p).collect()
    }
}

/// The stored form: each value as 8 big-endian bytes, in order.
pub fn to_blob(values: &[u64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

fn from_blob(blob: &[u8]) -> Result<Vec<u64>, StoreError> {
    if !blob.len().is_multiple_of(8) {
        return Err(StoreError::Corrupt("patrol_checks: fingerprint length".into()));
    }
    Ok(blob.chunks_exact(8).map(|c| u64::from_be_bytes(c.try_into().unwrap_or([0; 8]))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> EventId {
        EventId(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn candidates_come_most_shared_first_and_blobs_round_trip() {
        let mut index = FingerprintIndex::default();
        index.insert(id(1), &[1, 2, 3, 4]);
        index.insert(id(2), &[3, 4, 5]);
        index.insert(id(3), &[9]);
        index.insert(id(2), &[3, 4, 5]);
        assert_eq!(index.candidates(&[2, 3, 4, 5], 8), vec![id(1), id(2)], "3 shared each: by id");
        assert_eq!(index.candidates(&[4, 5], 8), vec![id(2), id(1)]);
        assert_eq!(index.candidates(&[4, 5], 1), vec![id(2)]);
        assert!(index.candidates(&[7], 8).is_empty());
        let values = vec![0, 1, u64::MAX >> 1];
        assert_eq!(from_blob(&to_blob(&values)).expect("blob"), values);
        assert!(from_blob(&[1, 2, 3]).is_err());
    }
}
