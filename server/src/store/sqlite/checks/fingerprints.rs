//! The writer's in-memory index of track fingerprints (`sync_protocol::checks::plausibility::fingerprint`):
//! which stored patrols hold the cells a new track probes, and at what time into their track, so
//! that only the few whose timing lines up are compared in full. Built from
//! `patrol_checks.fingerprint` when the writer loads its caches, kept up to date as patrols are
//! checked (a table keyed by value made every commit rewrite pages all over it).

use foldhash::fast::FixedState;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use sync_protocol::body::Body;
use sync_protocol::checks::plausibility::{KeptPass, TrackFingerprint, TrackProbes};
use sync_protocol::ids::EventId;

use super::history::stored_event;
use crate::args;
use crate::store::sql::Sql;
use crate::store::sqlite::StoreError;

/// Patrols by cell value. Most cells of a county belong to a few patrols, so a value maps to one
/// patrol's pass, 16 bytes an entry (8 in a shared list) with no allocation of its own; values
/// several patrols hold point into `shared` instead. (A `Vec` per value cost an allocation per fix and three times the
/// memory: 16 % of the writer's time on the load bench's push.) The index holds every stored pass
/// of the county's history, so its entry's size is most of the server's memory on a large store.
#[derive(Debug, Default)]
pub struct FingerprintIndex {
    /// Every indexed patrol, by its number.
    patrols: Vec<EventId>,
    /// Per value: one patrol's pass, or a [`Held::shared`] marker holding the index into `shared`.
    /// The values are hashes already, so a fast fixed hasher does (SipHash was a tenth of the
    /// writer's time on the load bench's push, at five probes a fix).
    by_value: HashMap<u64, Held, FixedState>,
    /// The passes of each value held by more than one, in the order added.
    shared: Vec<Vec<Held>>,
    /// Reused by [`FingerprintIndex::candidates`] (empty between calls): per patrol number and
    /// time offset (in windows of `TrackProbes::window_s`), the last fix that voted for it and how
    /// many fixes did.
    tally: HashMap<(u32, i64), (u32, u32), FixedState>,
}

/// A pass through a kept cell of an indexed patrol, packed in 8 bytes (it was 12 when the
/// positions came, and the million-event load bench's peak memory rose by 70 MiB): the patrol's
/// number (25 bits), the seconds into its track (19 bits, so a pass more than [`MAX_AT_S`] into a
/// track is held at that; such a track has gaps of days, and only the vote of its late passes
/// moves), and where in the cell the pass's first fix lies (`KeptPass`: 10 bits each, exact).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Held(u64);

/// Patrol numbers stay below this; the number equal to it marks a shared list ([`Held::shared`]),
/// whose index then fills the [`LOW_BITS`] below it.
const MAX_PATROLS: u32 = (1 << 25) - 1;
/// The bits below the patrol's number: the seconds and the position, or a shared list's index.
const LOW_BITS: u32 = 39;
/// The seconds into a track a held pass keeps: six days.
const MAX_AT_S: u32 = (1 << 19) - 1;

impl Held {
    fn new(patrol: u32, at_s: u32, east: u16, north: u16) -> Held {
        let field = |v: u64, bits: u32| v & ((1 << bits) - 1);
        Held(
            u64::from(patrol) << LOW_BITS
                | u64::from(at_s.min(MAX_AT_S)) << 20
                | field(u64::from(east), 10) << 10
                | field(u64::from(north), 10),
        )
    }

    /// The marker of the shared list `slot` (below 2^39).
    fn shared(slot: u64) -> Held {
        Held(u64::from(MAX_PATROLS) << LOW_BITS | slot)
    }

    fn patrol(self) -> u32 {
        (self.0 >> LOW_BITS) as u32
    }

    fn at_s(self) -> u32 {
        (self.0 >> 20) as u32 & MAX_AT_S
    }

    fn east(self) -> u16 {
        (self.0 >> 10) as u16 & 0x3ff
    }

    fn north(self) -> u16 {
        self.0 as u16 & 0x3ff
    }

    /// The shared list this marks, if it is a marker.
    fn slot(self) -> Option<usize> {
        (self.patrol() == MAX_PATROLS).then_some((self.0 & ((1 << LOW_BITS) - 1)) as usize)
    }
}

impl FingerprintIndex {
    pub fn load(conn: &dyn Sql) -> Result<FingerprintIndex, StoreError> {
        let mut index = FingerprintIndex::default();
        conn.each("SELECT patrol, fingerprint FROM patrol_checks WHERE fingerprint IS NOT NULL", args![], &mut |row| {
            let (patrol, blob) = (row.get::<Vec<u8>>(0)?, row.get::<Vec<u8>>(1)?);
            let patrol = uuid::Uuid::from_slice(&patrol).map(EventId).map_err(|_| StoreError::corrupt("patrol_checks", "patrol"))?;
            index.insert_stored(patrol, &blob)
        })?;
        tracing::info!(patrols = index.patrols.len(), mib = index.heap_bytes() >> 20, "fingerprint index loaded");
        Ok(index)
    }

    /// The bytes the index holds on the heap (its tables' and lists' capacity), about.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let table = self.by_value.capacity() * (size_of::<(u64, Held)>() + 1);
        let lists = self.shared.iter().map(|l| l.capacity() * size_of::<Held>()).sum::<usize>();
        self.patrols.capacity() * size_of::<EventId>() + table + self.shared.capacity() * size_of::<Vec<Held>>() + lists
    }

    /// Indexes `patrol` under the cells of its stored fingerprint (`patrol_checks.fingerprint`).
    pub fn insert_stored(&mut self, patrol: EventId, blob: &[u8]) -> Result<(), StoreError> {
        self.insert(patrol, &from_blob(blob)?);
        Ok(())
    }

    /// Indexes `patrol` under each of its `cells` (a value passed several times is held once per
    /// pass).
    pub fn insert(&mut self, patrol: EventId, cells: &[KeptPass]) {
        let Some(number) = u32::try_from(self.patrols.len()).ok().filter(|n| *n < MAX_PATROLS) else {
            // 33 million patrols: a county's patrols for some two thousand years.
            tracing::warn!("the fingerprint index is full: patrol {patrol} is not indexed for copied tracks");
            return;
        };
        self.patrols.push(patrol);
        for c in cells {
            let pass = Held::new(number, c.at_s, c.east, c.north);
            match self.by_value.entry(c.value) {
                Entry::Vacant(e) => {
                    e.insert(pass);
                }
                Entry::Occupied(mut e) => {
                    let held = *e.get();
                    if let Some(slot) = held.slot() {
                        self.shared[slot].push(pass);
                    } else if let Some(slot) = u64::try_from(self.shared.len()).ok().filter(|s| *s < 1 << LOW_BITS) {
                        self.shared.push(vec![held, pass]);
                        e.insert(Held::shared(slot));
                    }
                }
            }
        }
    }

    /// Stored patrols for which at least `min_hits` distinct fixes of the probing track vote for
    /// one time offset (`TrackProbes::vote`), those with the most first (ties by id), at most
    /// `limit`. A fix votes for a stored pass only if it lies within the copy distance of the
    /// pass's first fix (`TrackProbes::near`), as every fix of a copy does of its source's. Votes
    /// are tallied per patrol and offset window in one pass; a fix voting near a window's edge may
    /// land in the next, so two neighbouring windows are added up (which can count a fix twice:
    /// candidates are compared in full afterwards).
    pub fn candidates(&mut self, probes: &TrackProbes, min_hits: usize, limit: usize) -> Vec<EventId> {
        let FingerprintIndex { patrols, by_value, shared, tally } = self;
        let width = probes.window_s.max(1);
        for probe in &probes.probes {
            let holders = match by_value.get(&probe.value) {
                Some(held) => held.slot().map_or(std::slice::from_ref(held), |slot| shared[slot].as_slice()),
                None => continue,
            };
            for held in holders.iter().filter(|h| probes.near(probe, h.east(), h.north())) {
                let (offset, fix) = probes.vote(probe.fix, held.at_s());
                let entry = tally.entry((held.patrol(), offset.div_euclid(width))).or_insert((u32::MAX, 0));
                if entry.0 != fix {
                    *entry = (fix, entry.1 + 1);
                }
            }
        }
        let mut best: HashMap<u32, usize, FixedState> = HashMap::default();
        for (&(n, window), &(_, hits)) in tally.iter() {
            let next = tally.get(&(n, window + 1)).map_or(0, |t| t.1);
            let both = (hits + next) as usize;
            if both >= min_hits {
                let b = best.entry(n).or_default();
                *b = (*b).max(both);
            }
        }
        tally.clear();
        let mut ranked: Vec<(EventId, usize)> = best.into_iter().map(|(n, hits)| (patrols[n as usize], hits)).collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.into_iter().take(limit).map(|(p, _)| p).collect()
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
        sql.run("UPDATE patrol_checks SET fingerprint = ?2 WHERE patrol = ?1", args![patrol.as_slice(), to_blob(&cells)])?;
    }
    Ok(missing.len())
}

/// The stored form: each pass as its value (8 bytes), seconds (4 bytes), and position east and
/// north within the cell (2 bytes each), big-endian, in order.
pub fn to_blob(cells: &[KeptPass]) -> Vec<u8> {
    let mut blob = Vec::with_capacity(cells.len() * PASS_BYTES);
    for c in cells {
        blob.extend(c.value.to_be_bytes());
        blob.extend(c.at_s.to_be_bytes());
        blob.extend(c.east.to_be_bytes());
        blob.extend(c.north.to_be_bytes());
    }
    blob
}

/// Bytes of one pass in the stored form.
const PASS_BYTES: usize = 16;

fn from_blob(blob: &[u8]) -> Result<Vec<KeptPass>, StoreError> {
    if !blob.len().is_multiple_of(PASS_BYTES) {
        return Err(StoreError::corrupt("patrol_checks", "fingerprint length"));
    }
    let be = |b: &[u8]| b.iter().fold(0u64, |n, byte| n << 8 | u64::from(*byte));
    Ok(blob
        .chunks_exact(PASS_BYTES)
        .map(|c| KeptPass { value: be(&c[..8]), at_s: be(&c[8..12]) as u32, east: be(&c[12..14]) as u16, north: be(&c[14..16]) as u16 })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sync_protocol::checks::plausibility::Probe;
    use sync_protocol::checks::plausibility::fingerprint::reach_e7;

    fn id(n: u128) -> EventId {
        EventId(uuid::Uuid::from_u128(n))
    }

    /// Probes of fixes `(seconds into the track, value)`, fix by fix, each fix in the middle of
    /// the cell it probes (450, 450 into cell (0, 0)), voting within 3 s and 5 m.
    fn probes(fixes: &[(u32, u64)]) -> TrackProbes {
        TrackProbes {
            probes: fixes.iter().enumerate().map(|(i, (_, v))| Probe { fix: i as u32, value: *v, cell: (0, 0) }).collect(),
            seconds: fixes.iter().map(|(s, _)| *s).collect(),
            positions: vec![(450, 450); fixes.len()],
            reach: vec![reach_e7(450, 5.0); fixes.len()],
            window_s: 3,
            distance_m: 5.0,
        }
    }

    /// Passes `(value, seconds)` whose first fix lies `(east, north)` into its cell.
    fn passes(cells: &[(u64, u32)], (east, north): (u16, u16)) -> Vec<KeptPass> {
        cells.iter().map(|&(value, at_s)| KeptPass { value, at_s, east, north }).collect()
    }

    #[test]
    fn candidates_are_the_patrols_whose_timing_lines_up() {
        let mut index = FingerprintIndex::default();
        let middle = (450, 450);
        // Patrol 1 crosses cells 1..=4 ten seconds apart; patrol 2 crosses 3, 4, 5 at its own pace.
        index.insert(id(1), &passes(&[(1, 0), (2, 10), (3, 20), (4, 30)], middle));
        index.insert(id(2), &passes(&[(3, 0), (4, 40), (5, 45)], middle));
        index.insert(id(3), &passes(&[(9, 0)], middle));
        let copy_of_1 = probes(&[(0, 1), (10, 2), (21, 3), (30, 4)]);
        assert_eq!(index.candidates(&copy_of_1, 3, 8), vec![id(1)], "4 fixes at offset 0 ± 1 s; patrol 2 scatters");
        assert_eq!(index.candidates(&copy_of_1, 5, 8), Vec::<EventId>::new(), "fewer than 5 fixes");
        let stretch_of_1 = probes(&[(0, 2), (10, 3), (20, 4)]);
        assert_eq!(index.candidates(&stretch_of_1, 3, 8), vec![id(1)], "a stretch votes for one offset too (−10 s)");
        let late = probes(&[(0, 1), (30, 2), (60, 3), (90, 4)]);
        assert!(index.candidates(&late, 2, 8).is_empty(), "the same cells at another pace");
        index.insert(id(4), &passes(&[(1, 100), (2, 110), (3, 120), (4, 130)], middle));
        assert_eq!(index.candidates(&copy_of_1, 3, 8), vec![id(1), id(4)], "a shared cell's patrols each vote");
        assert_eq!(index.candidates(&copy_of_1, 3, 1), vec![id(1)]);
        // The same cells and times, each first fix 7 m from the probing fixes (at the cells'
        // corner): farther than a copied fix lies from its source, so no vote.
        index.insert(id(5), &passes(&[(1, 0), (2, 10), (3, 20), (4, 30)], (0, 0)));
        assert_eq!(index.candidates(&copy_of_1, 3, 8), vec![id(1), id(4)], "patrol 5's fixes are too far to vote");
        index.insert(id(6), &passes(&[(1, 0), (2, 10), (3, 20), (4, 30)], (250, 650)));
        assert_eq!(index.candidates(&copy_of_1, 3, 8), vec![id(1), id(4), id(6)], "3 m away: near enough");
        let cells = vec![
            KeptPass { value: 0, at_s: 0, east: 0, north: 0 },
            KeptPass { value: 1, at_s: 7, east: 899, north: 3 },
            KeptPass { value: u64::MAX >> 1, at_s: u32::MAX, east: 450, north: 899 },
        ];
        assert_eq!(from_blob(&to_blob(&cells)).expect("blob"), cells);
        assert!(from_blob(&[1, 2, 3]).is_err());
        assert!(from_blob(&[0; 12]).is_err(), "a pass of the earlier definition (no position)");
    }

    #[test]
    fn a_held_pass_keeps_its_fields_in_eight_bytes() {
        assert_eq!(std::mem::size_of::<Held>(), 8);
        for (patrol, at_s, east, north) in [(0, 0, 0, 0), (MAX_PATROLS - 1, MAX_AT_S, 899, 899), (12_345, 86_399, 1, 898)] {
            let held = Held::new(patrol, at_s, east, north);
            assert_eq!((held.patrol(), held.at_s(), held.east(), held.north()), (patrol, at_s, east, north));
            assert_eq!(held.slot(), None, "a pass is no marker");
        }
        let late = Held::new(7, 10 * 86_400, 3, 4);
        assert_eq!((late.patrol(), late.at_s(), late.east(), late.north()), (7, MAX_AT_S, 3, 4), "held at six days");
        for slot in [0, 1, (1 << LOW_BITS) - 1] {
            assert_eq!(Held::shared(slot).slot(), Some(slot as usize));
        }
    }
}
