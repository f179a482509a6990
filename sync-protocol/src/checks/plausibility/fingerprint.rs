//! The sketch of a track the server indexes to find candidate copies: the grid cells its fixes
//! lie in, sampled by content, and the cells a new track probes. Deciding whether a candidate was
//! copied is [`super::copies`]'s exact comparison; this only has to find the candidates, fast.
//!
//! # Cells, so that noise does not hide a copy
//! A copy moved by a metre or two no longer shares exact positions with its source, but its fixes
//! lie in the same cells of a coarse grid, or in the next ones. The grid is fixed in degrees:
//! [`CELL_E7`] = 900 × 1e-7° (about 10 m of latitude, 9 m of longitude in the county). A fix
//! *lies in* one cell; it *probes* every cell within `copy_distance_m` of it (one to four), so a
//! source fix within that distance of a copied fix always lies in a probed cell, whatever the
//! noise did at a cell's edge.
//!
//! # The stored sketch
//! Each distinct cell hashes to a 63-bit value: `mix(x << 32 | y)`, where x and y are the cell's
//! column and row as 32-bit two's complement and `mix` is SplitMix64's finaliser applied to the key
//! XOR `0x7061_7472_6f6c_6331` ("patrolc1"), shifted right by 1 so it fits SQLite's signed INTEGER.
//! The fingerprint keeps the 16 smallest values and every value below 2^62 (one cell in two,
//! chosen by content, so that the same cell is kept in every track crossing it). Tracks of fewer
//! than 3 fixes have none.
//!
//! # Candidates
//! A stored track is a candidate copy source when the new track's fixes hit its kept cells often
//! enough ([`TrackProbes::hits`], at least [`TrackProbes::min_hits`]: a quarter of its fixes): a
//! copy hits about half of the fixes it copies (one cell in two is kept, and its source's cell is
//! always probed), honest walks in the same place far fewer, so the caller compares exactly only
//! the few best candidates.
//!
//! # Limits
//! Time is not in the sketch (a copy is shifted by hours or days), so a busy road's patrols share
//! cells: that costs comparisons, never a wrong flag. A copy moved by more than `copy_distance_m`
//! (a forger adding tens of metres of noise) is not found; the speed, overlap and geofence rules
//! still apply.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::values::TrackPoint;

/// The side of a grid cell, in 1e-7 degree (about 10 m of latitude).
pub const CELL_E7: i32 = 900;
/// How many of the smallest values a fingerprint always keeps.
pub const SMALLEST_KEPT: usize = 16;
/// Values below this are kept whatever their rank (one in 2 of all).
pub const SAMPLE_BELOW: u64 = 1 << 62;
/// The fewest fixes a track needs to have a fingerprint.
pub const MIN_FIXES: usize = 3;
/// Metres per degree of latitude on the haversine sphere of [`crate::checks::metres`].
pub const M_PER_DEG: f64 = 111_195.08;

/// The sketch of a track the server stores, one indexed entry per value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackFingerprint {
    /// Distinct values in ascending order, each below 2^63.
    pub values: Vec<u64>,
}

impl TrackFingerprint {
    /// The fingerprint of `track` (see the module docs); `None` below [`MIN_FIXES`] fixes.
    pub fn of(track: &[TrackPoint]) -> Option<Self> {
        if track.len() < MIN_FIXES {
            return None;
        }
        let all: BTreeSet<u64> = track.iter().map(|p| cell_value(cell_of(p.lon, p.lat))).collect();
        let values = all.into_iter().enumerate().filter(|(rank, v)| *rank < SMALLEST_KEPT || *v < SAMPLE_BELOW).map(|(_, v)| v).collect();
        Some(TrackFingerprint { values })
    }

    /// Whether the two share a value: a cheap first test of two tracks (a copy and its source share
    /// most of their cells).
    pub fn shares_any(&self, other: &TrackFingerprint) -> bool {
        let (small, large) = if self.values.len() <= other.values.len() { (self, other) } else { (other, self) };
        small.values.iter().any(|v| large.values.binary_search(v).is_ok())
    }

    pub fn contains(&self, value: u64) -> bool {
        self.values.binary_search(&value).is_ok()
    }
}

/// The cells a track's fixes probe: every cell within `distance_m` of each fix, by fix.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrackProbes {
    /// `(fix index, cell value)`, in fix order, each pair once.
    pub probes: Vec<(u32, u64)>,
    /// How many fixes the track has.
    pub fixes: usize,
}

impl TrackProbes {
    /// The probes of `track` at `distance_m`; none below [`MIN_FIXES`] fixes.
    pub fn of(track: &[TrackPoint], distance_m: f64) -> Self {
        if track.len() < MIN_FIXES {
            return TrackProbes::default();
        }
        let mut probes = Vec::with_capacity(track.len() * 4);
        for (i, p) in track.iter().enumerate() {
            let (dlon, dlat) = reach_e7(p.lat, distance_m);
            let (x0, y0) = cell_of(p.lon.saturating_sub(dlon), p.lat.saturating_sub(dlat));
            let (x1, y1) = cell_of(p.lon.saturating_add(dlon), p.lat.saturating_add(dlat));
            for x in x0..=x1 {
                for y in y0..=y1 {
                    probes.push((i as u32, cell_value((x, y))));
                }
            }
        }
        TrackProbes { probes, fixes: track.len() }
    }

    /// How many fixes probe a value of `fingerprint`.
    pub fn hits(&self, fingerprint: &TrackFingerprint) -> usize {
        let mut fixes: Vec<u32> = self.probes.iter().filter(|(_, v)| fingerprint.contains(*v)).map(|(i, _)| *i).collect();
        fixes.dedup();
        fixes.len()
    }

    /// The fewest hits that make a stored track a candidate source: a quarter of the fixes (a copy
    /// hits about half, and a short one all), and at least 3. Honest walks of the same ground hit
    /// far fewer, so few stored tracks are ever compared in full.
    pub fn min_hits(&self) -> usize {
        (self.fixes / 4).max(3)
    }
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
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn track(coords: &[(i32, i32)], t0: i64) -> Vec<TrackPoint> {
        coords.iter().enumerate().map(|(i, &(lon, lat))| TrackPoint { t: t0 + i as i64 * 10_000, lon, lat, acc: Some(5) }).collect()
    }

    /// A path of `n` fixes heading north-east, about 11 m apart (1e-7 degree is about 1.1 cm).
    fn path(n: i32, salt: i32) -> Vec<(i32, i32)> {
        (0..n).map(|i| (1_145_000_000 + i * 700 + (i * salt) % 130, 255_000_000 + i * 800 + (i * salt) % 70)).collect()
    }

    #[test]
    fn the_cell_value_has_a_fixed_definition() {
        // Independently (Python, 64-bit wrapping): key = (1272222 << 32) | 283333;
        // z = (key ^ 0x706174726f6c6331) + 0x9E3779B97F4A7C15; z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9;
        // z = (z ^ z >> 27) * 0x94D049BB133111EB; (z ^ z >> 31) >> 1.
        assert_eq!(cell_of(1_145_000_000, 255_000_000), (1_272_222, 283_333));
        assert_eq!(cell_value((1_272_222, 283_333)), CELL_VALUE_OF_THE_COUNTY_POINT);
        assert_ne!(cell_value((1_272_222, 283_334)), cell_value((1_272_222, 283_333)));
        assert!(cell_value((-1, -1)) < 1 << 63);
        assert_eq!(cell_of(-1, -900), (-1, -1), "cells floor, also west and south of zero");
    }
    const CELL_VALUE_OF_THE_COUNTY_POINT: u64 = 1_206_905_277_529_653_123;

    #[test]
    fn fingerprints_are_small_ascending_and_missing_below_three_fixes() {
        assert_eq!(TrackFingerprint::of(&track(&path(2, 3), 0)), None);
        let three = TrackFingerprint::of(&track(&path(3, 3), 0)).expect("3 fixes");
        assert_eq!(three.values.len(), 3, "11 m apart: three cells");
        let long = TrackFingerprint::of(&track(&path(2_000, 3), 0)).expect("long");
        assert!(long.values.windows(2).all(|w| w[0] < w[1]));
        assert!((800..1_200).contains(&long.values.len()), "about half of 2,000 cells: {}", long.values.len());
        let repeated = track(&[(1, 1), (2, 2), (3, 3), (1, 1)], 0);
        assert_eq!(TrackFingerprint::of(&repeated).expect("4 fixes").values, vec![cell_value((0, 0))], "one cell");
    }

    #[test]
    fn each_fix_probes_every_cell_within_the_distance() {
        // A fix in the middle of a cell probes it alone at 2 m; one at a corner probes four.
        let middle = (450 + 1_145_000_000 / CELL_E7 * CELL_E7, 450 + 255_000_000 / CELL_E7 * CELL_E7);
        let probes = TrackProbes::of(&track(&[middle, middle, middle], 0), 2.0);
        assert_eq!(probes.probes.len(), 3, "{probes:?}");
        let corner = (1_145_000_000 / CELL_E7 * CELL_E7, 255_000_000 / CELL_E7 * CELL_E7);
        let probes = TrackProbes::of(&track(&[corner, corner, corner], 0), 2.0);
        assert_eq!(probes.probes.len(), 12);
        assert_eq!(probes.min_hits(), 3);
    }

    proptest! {
        /// A copy whose every fix moved by up to the probing distance, at any time shift, hits
        /// every kept cell of its source stretch: its source fix lies in a probed cell.
        #[test]
        fn a_moved_copy_hits_its_source(salt in 1i32..50, start in 0usize..400, len in 10usize..200, noise in proptest::collection::vec((-300i32..300, -300i32..300), 200), shift in -1_000_000_000i64..1_000_000_000) {
            let original = track(&path(600, salt), 1_700_000_000_000);
            let source = &original[start..start + len];
            let copy: Vec<TrackPoint> = source.iter().zip(&noise).map(|(p, (dx, dy))| TrackPoint { t: p.t + shift, lon: p.lon + dx, lat: p.lat + dy, ..*p }).collect();
            let fp = TrackFingerprint::of(source).expect("source");
            let probes = TrackProbes::of(&copy, 5.0);
            let kept = source.iter().filter(|p| fp.contains(cell_value(cell_of(p.lon, p.lat)))).count();
            prop_assert!(probes.hits(&fp) >= kept, "{} hits, {kept} kept", probes.hits(&fp));
            prop_assert!(kept * 4 >= len, "about half are kept: {kept} of {len}");
            prop_assert!(probes.hits(&fp) >= probes.min_hits());
        }

        /// The fingerprint depends on the set of positions only, not on times or order.
        #[test]
        fn fingerprints_ignore_time_and_order(salt in 1i32..50, shift in -1_000_000i64..1_000_000) {
            let walk = track(&path(300, salt), 1_700_000_000_000);
            let mut moved: Vec<TrackPoint> = walk.iter().rev().map(|p| TrackPoint { t: p.t + shift, ..*p }).collect();
            moved.rotate_left(7);
            prop_assert_eq!(TrackFingerprint::of(&walk), TrackFingerprint::of(&moved));
        }
    }
}
