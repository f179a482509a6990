//! The writer's in-memory index of track fingerprints: which stored patrols share a value with a
//! new track. Built from `patrol_checks.fingerprint` when the writer loads its caches, kept up to
//! date as patrols are checked (a table keyed by value made every commit rewrite pages all over it).

use rusqlite::Connection;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use sync_protocol::ids::EventId;

use crate::store::sqlite::StoreError;

/// Patrols by fingerprint value. Nearly every value belongs to one patrol only (a value is an exact
/// position), so a value maps to a patrol's number in `patrols`, 12 bytes an entry with no
/// allocation of its own; the few values several patrols share point into `shared` instead. (A
/// `Vec` of ids per value cost an allocation per fix and three times the memory: 16 % of the
/// writer's time on the load bench's push.)
#[derive(Debug, Default)]
pub struct FingerprintIndex {
    /// Every indexed patrol, by its number.
    patrols: Vec<EventId>,
    /// Per value: a patrol's number, or `SHARED` plus an index into `shared`.
    by_value: HashMap<u64, u32>,
    /// The patrols' numbers of each value held by more than one, in the order they were added.
    shared: Vec<Vec<u32>>,
}

/// Marks a `by_value` entry that indexes `shared`; patrol numbers stay below it.
const SHARED: u32 = 1 << 31;

impl FingerprintIndex {
    pub fn load(conn: &Connection) -> Result<FingerprintIndex, StoreError> {
        let mut index = FingerprintIndex::default();
        let mut stmt = conn.prepare("SELECT patrol, fingerprint FROM patrol_checks WHERE fingerprint IS NOT NULL")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?)))? {
            let (patrol, blob) = row?;
            let patrol = uuid::Uuid::from_slice(&patrol).map(EventId).map_err(|_| StoreError::corrupt("patrol_checks", "patrol"))?;
            index.insert(patrol, &from_blob(&blob)?);
        }
        Ok(index)
    }

    /// Indexes `patrol` under each of `values`; a value it is already indexed under is left as is.
    pub fn insert(&mut self, patrol: EventId, values: &[u64]) {
        let Some(number) = u32::try_from(self.patrols.len()).ok().filter(|n| *n < SHARED) else {
            // Two thousand million patrols: far beyond one county's store.
            tracing::warn!("the fingerprint index is full: patrol {patrol} is not indexed for copied tracks");
            return;
        };
        self.patrols.push(patrol);
        for v in values {
            match self.by_value.entry(*v) {
                Entry::Vacant(e) => {
                    e.insert(number);
                }
                Entry::Occupied(mut e) => {
                    let held = *e.get();
                    if held & SHARED != 0 {
                        let list = &mut self.shared[(held & !SHARED) as usize];
                        if !list.iter().any(|n| self.patrols[*n as usize] == patrol) {
                            list.push(number);
                        }
                    } else if self.patrols[held as usize] != patrol {
                        let Ok(slot) = u32::try_from(self.shared.len()) else { continue };
                        self.shared.push(vec![held, number]);
                        e.insert(SHARED | slot);
                    }
                }
            }
        }
    }

    /// Stored patrols sharing any of `values`, those sharing the most first (ties by id), at most
    /// `limit`.
    pub fn candidates(&self, values: &[u64], limit: usize) -> Vec<EventId> {
        let mut shared: HashMap<EventId, usize> = HashMap::new();
        for held in values.iter().filter_map(|v| self.by_value.get(v)) {
            let numbers = if held & SHARED != 0 { self.shared[(held & !SHARED) as usize].as_slice() } else { std::slice::from_ref(held) };
            for n in numbers {
                *shared.entry(self.patrols[*n as usize]).or_default() += 1;
            }
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
        return Err(StoreError::corrupt("patrol_checks", "fingerprint length"));
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
        index.insert(id(4), &[3, 9]);
        index.insert(id(1), &[3]);
        assert_eq!(index.candidates(&[3], 8), vec![id(1), id(2), id(4)], "a value of three patrols, each once");
        assert_eq!(index.candidates(&[3, 9], 2), vec![id(4), id(1)]);
        let values = vec![0, 1, u64::MAX >> 1];
        assert_eq!(from_blob(&to_blob(&values)).expect("blob"), values);
        assert!(from_blob(&[1, 2, 3]).is_err());
    }
}
