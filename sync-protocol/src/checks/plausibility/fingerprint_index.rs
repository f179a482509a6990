//! The index of track fingerprints ([`super::fingerprint`]) that finds a new track's candidate
//! sources: which indexed patrols hold the cells it probes, and at what time into their track, so
//! that only the few whose timing lines up are compared in full. Pure and in memory: the server's
//! writer keeps one for the county, the phone builds one per zone it checks.

use foldhash::fast::FixedState;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use super::fingerprint::{KeptPass, TrackProbes};
use crate::ids::EventId;

/// At most this many earlier patrols, those whose kept passes the most fixes hit at one time offset
/// and within the copy distance, are compared in full (a copy's fixes hit a quarter of its source's
/// cells and more, at one offset, each within the distance of its source's fix).
pub const COMPARED: usize = 8;

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
    /// The bytes the index holds on the heap (its tables' and lists' capacity), about.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let table = self.by_value.capacity() * (size_of::<(u64, Held)>() + 1);
        let lists = self.shared.iter().map(|l| l.capacity() * size_of::<Held>()).sum::<usize>();
        self.patrols.capacity() * size_of::<EventId>() + table + self.shared.capacity() * size_of::<Vec<Held>>() + lists
    }

    /// How many patrols the index holds.
    pub fn len(&self) -> usize {
        self.patrols.len()
    }

    pub fn is_empty(&self) -> bool {
        self.patrols.is_empty()
    }

    /// Indexes `patrol` under each of its `cells` (a value passed several times is held once per
    /// pass). False, indexing nothing, when the index is full: 33 million patrols, a county's
    /// patrols for some two thousand years.
    pub fn insert(&mut self, patrol: EventId, cells: &[KeptPass]) -> bool {
        let Some(number) = u32::try_from(self.patrols.len()).ok().filter(|n| *n < MAX_PATROLS) else {
            return false;
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
        true
    }

    /// The patrols a track is compared with in full ([`super::copies`]): the at most
    /// [`COMPARED`] [`FingerprintIndex::candidates`] with [`TrackProbes::min_hits`] votes, but
    /// `except` (the patrol itself, when the index holds it). The server and the phone both ask this.
    pub fn compared(&mut self, probes: &TrackProbes, except: Option<EventId>) -> Vec<EventId> {
        // One more than kept, so that leaving `except` out still leaves the best `COMPARED` others.
        let found = self.candidates(probes, probes.min_hits(), COMPARED + 1);
        found.into_iter().filter(|id| Some(*id) != except).take(COMPARED).collect()
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

/// The stored form of a fingerprint's passes (the server's `patrol_checks.fingerprint`, the phone's
/// `patrol_index.fingerprint`): each pass as its value (8 bytes), seconds (4 bytes), and position
/// east and north within the cell (2 bytes each), big-endian, in order.
pub fn to_stored(cells: &[KeptPass]) -> Vec<u8> {
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
pub const PASS_BYTES: usize = 16;

/// The passes of the stored form [`to_stored`] writes; `None` for a blob of another length (a
/// pass of an earlier definition, without position, took 12 bytes).
pub fn from_stored(blob: &[u8]) -> Option<Vec<KeptPass>> {
    if !blob.len().is_multiple_of(PASS_BYTES) {
        return None;
    }
    let be = |b: &[u8]| b.iter().fold(0u64, |n, byte| n << 8 | u64::from(*byte));
    Some(
        blob.chunks_exact(PASS_BYTES)
            .map(|c| KeptPass { value: be(&c[..8]), at_s: be(&c[8..12]) as u32, east: be(&c[12..14]) as u16, north: be(&c[14..16]) as u16 })
            .collect(),
    )
}

#[cfg(test)]
#[path = "fingerprint_index_tests.rs"]
mod tests;
