//! The sketch of a track the server indexes to find candidate copies: the grid cells its fixes
//! lie in, each with the time into the track it was first reached, sampled by content; and the
//! cells a new track probes. Deciding whether a candidate was copied is [`super::copies`]'s exact
//! comparison; this only has to find the few candidates worth it, fast.
//!
//! # Cells, so that noise does not hide a copy
//! A copy moved by a metre or two no longer shares exact positions with its source, but its fixes
//! lie in the same cells of a coarse grid, or in the next ones. The grid is fixed in degrees:
//! [`CELL_E7`] = 900 × 1e-7° (about 10 m of latitude, 9 m of longitude in the county). A fix
//! *lies in* one cell; it *probes* every cell within `copy_distance_m` of it (one to four), so a
//! source fix within that distance of a copied fix always lies in a probed cell, whatever the
//! noise did at a cell's edge.
//!
//! # Times, so that walking the same ground does not look like a copy
//! Honest patrols of one officer cross the same cells week after week; what a copy keeps and they
//! do not is the timing. Each kept cell carries the seconds from the track's first fix to the first
//! fix of each *pass* through it: a fix in a cell the track was last in more than [`PASS_GAP_S`]
//! (60 s) before starts a new pass, so a walk round one loop six times keeps six times for each
//! of its cells, while a phone wavering between two cells keeps one. A probing fix at `r` seconds
//! into the new track that hits a cell kept at `s` votes for the offset `r - s`, once for each pass:
//! a copy of the whole track votes 0 (a copied stretch, another constant) with nearly every fix,
//! on every lap, while honest walks scatter their votes. A stored track is a candidate when at
//! least [`TrackProbes::min_hits`] distinct fixes vote within `2 × copy_time_ms` of one offset
//! ([`best_window`]). A copy's fixes vote for its source's kept cells: a quarter of its cells, and
//! at least 8. (Keeping the first pass alone, a copy of a walk of six laps or more, or of every
//! second fix of four, drew too few votes to be compared at all.)
//!
//! # Positions, so that walking one route at one pace does not look like a copy either
//! An officer who walks the same lap at the same pace with a phone logging at a fixed interval
//! lines up with every earlier walk of it at offset 0, cell for cell: on the load bench, a new
//! walk's probes met 471 stored passes and 48 earlier walks reached the votes of a candidate. So
//! each kept pass also stores where its first fix lies in the cell ([`KeptPass`]), and a probing
//! fix votes for it only if it lies within `copy_distance_m` of that fix, measured as
//! [`super::copies::sequence_match`] measures a copied fix against its source ([`TrackProbes::near`]).
//! Every vote a copy casts for its source comes from such a pair (a copied fix and its source,
//! the first fix of a kept pass), so the filter takes none of them away; honest walks' fixes lie
//! within 5 m of each other only a fraction of the time (two phones' independent GPS errors), so
//! their votes fall by that fraction at every fix, and a walk needs several at one offset to be a
//! candidate. The candidates compared in full are those with the most such votes.
//!
//! # The stored sketch
//! Each distinct cell hashes to a 63-bit value: `mix(x << 32 | y)`, where x and y are the cell's
//! column and row as 32-bit two's complement and `mix` is SplitMix64's finaliser applied to the key
//! XOR `0x7061_7472_6f6c_6331` ("patrolc1"), shifted right by 1 so it fits SQLite's signed INTEGER.
//! The fingerprint keeps the 8 smallest values and every value below 2^61 (one cell in four,
//! chosen by content, so that the same cell is kept in every track crossing it), each with the
//! time of each of its passes and the position of the pass's first fix within the cell, as
//! [`KeptPass`] in ascending order. Tracks of fewer than 3 fixes have none.
//!
//! # Limits
//! A copy moved by more than `copy_distance_m` (a forger adding tens of metres of noise) or
//! re-timed is not found here; the speed, overlap and geofence rules still apply. A copy of a
//! stretch shorter than a quarter of the new track's fixes is not a candidate.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::checks::metres;
use crate::values::{E7, TrackPoint};

/// The side of a grid cell, in 1e-7 degree (about 10 m of latitude).
pub const CELL_E7: i32 = 900;
/// How many of the smallest values a fingerprint always keeps.
pub const SMALLEST_KEPT: usize = 8;
/// Values below this are kept whatever their rank (one in 4 of all).
pub const SAMPLE_BELOW: u64 = 1 << 61;
/// The fewest fixes a track needs to have a fingerprint.
pub const MIN_FIXES: usize = 3;
/// A fix in a cell the track was last in more than this many seconds before starts a new pass
/// through it: a lap of a loop takes minutes, a phone wavering at a cell's edge seconds.
pub const PASS_GAP_S: u32 = 60;
/// Metres per degree of latitude on the haversine sphere of [`crate::checks::metres`].
pub const M_PER_DEG: f64 = 111_195.08;

/// The sketch of a track the server stores, one indexed entry per pass through a kept cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackFingerprint {
    /// Each pass through a kept cell, ascending (by value, then seconds).
    pub cells: Vec<KeptPass>,
}

/// One pass through a kept cell: the cell's value (below 2^63), the seconds from the track's first
/// fix to the pass's first fix, and where in the cell that fix lies (1e-7 degree east and north of
/// the cell's south-west corner, each below [`CELL_E7`]), so that a probing fix can tell whether it
/// lies within `copy_distance_m` of it ([`TrackProbes::near`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct KeptPass {
    pub value: u64,
    pub at_s: u32,
    pub east: u16,
    pub north: u16,
}

impl KeptPass {
    /// The pass of a track whose first fix in cell `value` is `p`, `at_s` seconds into it.
    pub fn of(value: u64, at_s: u32, p: &TrackPoint) -> Self {
        // Both below CELL_E7 (900), so they fit.
        let within = |e7: i32| u16::try_from(e7.rem_euclid(CELL_E7)).unwrap_or(0);
        KeptPass { value, at_s, east: within(p.lon), north: within(p.lat) }
    }
}

impl TrackFingerprint {
    /// The fingerprint of `track` (see the module docs); `None` below [`MIN_FIXES`] fixes.
    pub fn of(track: &[TrackPoint]) -> Option<Self> {
        let first = track.first().filter(|_| track.len() >= MIN_FIXES)?;
        // Per cell value: the first fix of each pass, and when the track was last in the cell.
        let mut all: BTreeMap<u64, (Vec<KeptPass>, u32)> = BTreeMap::new();
        for p in track {
            let at = seconds_after(first.t, p.t);
            let value = cell_value(cell_of(p.lon, p.lat));
            let (passes, last) = all.entry(value).or_default();
            if passes.is_empty() || at.saturating_sub(*last) > PASS_GAP_S {
                passes.push(KeptPass::of(value, at, p));
            }
            *last = at;
        }
        let kept = all.into_iter().enumerate().filter(|(rank, (v, _))| *rank < SMALLEST_KEPT || *v < SAMPLE_BELOW);
        let mut cells: Vec<KeptPass> = kept.flat_map(|(_, (_, (passes, _)))| passes).collect();
        cells.sort_unstable();
        cells.dedup();
        Some(TrackFingerprint { cells })
    }

    /// Whether the two share a cell: a cheap first test of two tracks (a copy and its source share
    /// most of their cells).
    pub fn shares_any(&self, other: &TrackFingerprint) -> bool {
        let (small, large) = if self.cells.len() <= other.cells.len() { (self, other) } else { (other, self) };
        small.cells.iter().any(|c| large.passes(c.value).next().is_some())
    }

    /// Each pass through the kept cell `value` (none if not kept).
    pub fn passes(&self, value: u64) -> impl Iterator<Item = &KeptPass> + '_ {
        let from = self.cells.partition_point(|c| c.value < value);
        self.cells[from..].iter().take_while(move |c| c.value == value)
    }
}

/// Whole seconds from `first` to `t` (Unix ms), clamped to `u32`.
pub fn seconds_after(first: i64, t: i64) -> u32 {
    u32::try_from(t.saturating_sub(first).max(0) / 1_000).unwrap_or(u32::MAX)
}

/// The cells a track's fixes probe: every cell within `distance_m` of each fix, by fix.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrackProbes {
    /// In fix order, each (fix, cell) once.
    pub probes: Vec<Probe>,
    /// Per fix, the seconds from the track's first fix.
    pub seconds: Vec<u32>,
    /// Per fix, its position (longitude, latitude in 1e-7 degree) and how far `distance_m` reaches
    /// from it ([`reach_e7`]).
    pub positions: Vec<(i32, i32)>,
    pub reach: Vec<(i32, i32)>,
    /// The width of the window the votes of one offset fall in, seconds (`2 × copy_time_ms`).
    pub window_s: i64,
    /// How near a stored fix must lie to vote (`copy_distance_m`), metres.
    pub distance_m: f64,
}

/// A fix's probe of one cell within `distance_m` of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// The fix's index in the track.
    pub fix: u32,
    /// The cell's value and its column and row.
    pub value: u64,
    pub cell: (i32, i32),
}

impl TrackProbes {
    /// The probes of `track` at `distance_m`, whose votes for one offset fall within
    /// `2 × time_ms`; none below [`MIN_FIXES`] fixes.
    pub fn of(track: &[TrackPoint], distance_m: f64, time_ms: u32) -> Self {
        let Some(first) = track.first().filter(|_| track.len() >= MIN_FIXES) else { return TrackProbes::default() };
        let window_s = (2 * i64::from(time_ms) + 999) / 1_000;
        let seconds = track.iter().map(|p| seconds_after(first.t, p.t)).collect();
        let positions = track.iter().map(|p| (p.lon, p.lat)).collect();
        let reach: Vec<(i32, i32)> = track.iter().map(|p| reach_e7(p.lat, distance_m)).collect();
        let mut probes = Vec::with_capacity(track.len() * 4);
        for (i, (p, &(dlon, dlat))) in track.iter().zip(&reach).enumerate() {
            let (x0, y0) = cell_of(p.lon.saturating_sub(dlon), p.lat.saturating_sub(dlat));
            let (x1, y1) = cell_of(p.lon.saturating_add(dlon), p.lat.saturating_add(dlat));
            for x in x0..=x1 {
                for y in y0..=y1 {
                    probes.push(Probe { fix: i as u32, value: cell_value((x, y)), cell: (x, y) });
                }
            }
        }
        TrackProbes { probes, seconds, positions, reach, window_s, distance_m }
    }

    /// The vote of a probe of fix `fix` that hits a cell kept at `at_s`: the offset of the two
    /// tracks' times (see the module docs).
    pub fn vote(&self, fix: u32, at_s: u32) -> (i64, u32) {
        (i64::from(self.seconds[fix as usize]) - i64::from(at_s), fix)
    }

    /// Whether the fix of `probe` lies within `distance_m` of the stored pass `east` and `north`
    /// of the probed cell's corner, measured as [`super::copies::sequence_match`] measures a copied
    /// fix against its source: only such a pair can be one. A pass farther away votes for nothing
    /// (see the module docs). A bounding box turns most away before the haversine.
    pub fn near(&self, probe: &Probe, east: u16, north: u16) -> bool {
        let (lon, lat) = self.positions[probe.fix as usize];
        let held_lon = i64::from(probe.cell.0) * i64::from(CELL_E7) + i64::from(east);
        let held_lat = i64::from(probe.cell.1) * i64::from(CELL_E7) + i64::from(north);
        // The box of `reach_e7` bounds the distance from below (to within a micrometre at 5 m,
        // from the latitude's cosine changing across it): one more 1e-7 degree keeps it safe.
        let (dlon, dlat) = self.reach[probe.fix as usize];
        if (i64::from(lon) - held_lon).abs() > i64::from(dlon) + 1 || (i64::from(lat) - held_lat).abs() > i64::from(dlat) + 1 {
            return false;
        }
        let at = |lon: i64, lat: i64| geo::coord! { x: lon as f64 / E7, y: lat as f64 / E7 };
        metres::between_m(at(i64::from(lon), i64::from(lat)), at(held_lon, held_lat)) <= self.distance_m
    }

    /// How many distinct fixes vote for the best offset against `fingerprint`.
    pub fn hits(&self, fingerprint: &TrackFingerprint) -> usize {
        let mut votes: Vec<(i64, u32)> = self
            .probes
            .iter()
            .flat_map(|p| fingerprint.passes(p.value).filter(|c| self.near(p, c.east, c.north)).map(|c| self.vote(p.fix, c.at_s)))
            .collect();
        best_window(&mut votes, self.seconds.len(), self.window_s).map_or(0, |w| w.distinct)
    }

    /// The fewest hits that make a stored track a candidate source: a tenth of the fixes, and at
    /// least 3. A copy's fixes hit its source at about a fifth to a quarter of them (on the
    /// checkbench's copies 1.2 times the least at worst, twice on average). Honest walks of the same ground vote
    /// for scattered offsets, so few stored tracks are ever compared in full.
    pub fn min_hits(&self) -> usize {
        (self.seconds.len() / 10).max(3)
    }
}

/// The window of votes found by [`best_window`]: `votes[lo..=hi]`, holding `distinct` fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub lo: usize,
    pub hi: usize,
    pub distinct: usize,
}

/// Sorts `votes` (offset, fix) and finds the window of offsets no wider than `width` that holds the
/// most distinct fixes (of `fixes`); `None` without votes.
pub fn best_window(votes: &mut [(i64, u32)], fixes: usize, width: i64) -> Option<Window> {
    votes.sort_unstable();
    let mut count = vec![0u32; fixes];
    let (mut distinct, mut best) = (0usize, None::<Window>);
    let mut lo = 0;
    for hi in 0..votes.len() {
        let i = votes[hi].1 as usize;
        count[i] += 1;
        distinct += usize::from(count[i] == 1);
        while votes[hi].0 - votes[lo].0 > width {
            let j = votes[lo].1 as usize;
            count[j] -= 1;
            distinct -= usize::from(count[j] == 0);
            lo += 1;
        }
        if best.is_none_or(|b| distinct > b.distinct) {
            best = Some(Window { lo, hi, distinct });
        }
    }
    best
}

/// How far `distance_m` reaches from latitude `lat` (1e-7 degree), in 1e-7 degree of longitude and
/// of latitude, rounded up.
pub fn reach_e7(lat: i32, distance_m: f64) -> (i32, i32) {
    let dlat = distance_m / M_PER_DEG * 1e7;
    let cos = (f64::from(lat) / 1e7).to_radians().cos().max(0.01);
    ((dlat / cos).ceil() as i32, dlat.ceil() as i32)
}

/// The grid cell a position (1e-7 degree) lies in: its column and row.
pub fn cell_of(lon: i32, lat: i32) -> (i32, i32) {
    (lon.div_euclid(CELL_E7), lat.div_euclid(CELL_E7))
}

/// The stored value of a cell (see the module docs for its fixed definition).
pub fn cell_value((x, y): (i32, i32)) -> u64 {
    let key = (u64::from(x as u32) << 32) | u64::from(y as u32);
    let mut z = (key ^ 0x7061_7472_6f6c_6331).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) >> 1
}

#[cfg(test)]
#[path = "fingerprint_tests.rs"]
mod tests;
