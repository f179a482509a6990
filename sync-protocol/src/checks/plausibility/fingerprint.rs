//! Duplicate tracks: a sketch of a track's exact coordinates that the server indexes to find
//! candidate copies, and the exact shares that decide whether a candidate was copied.
//!
//! # Why exact coordinates
//! Two honest walks of the same path never repeat each other's positions to the 1e-7 degree
//! (about 1 cm): GPS noise is metres. A copied track does, fix after fix, however its times were
//! shifted. So time is ignored and only exact `(lon, lat)` pairs are compared.
//!
//! # The exact shares
//! - [`duplicate_share`]: the share of `a`'s distinct runs of 3 consecutive fixes found in `b`;
//!   flagged at `duplicate_share` (0.5). Runs keep the order, so scattered coincidences (a phone
//!   whose cached fix opens two patrols) do not add up.
//! - [`fix_share`]: the share of `a`'s distinct fixes found in `b`; flagged at the stricter
//!   `duplicate_fix_share` (0.9). It catches a thinned copy (every 2nd or 5th fix kept), which
//!   shares no run of 3 with the original.
//!
//! # The fingerprint (for finding candidates)
//! Each distinct fix hashes to a 63-bit value: the first 8 bytes, big-endian, of
//! SHA-256(`"patrolsync.fix.v1"` ‖ lon as i32 big-endian ‖ lat as i32 big-endian), top bit cleared
//! so it fits SQLite's signed INTEGER. The fingerprint keeps the 16 smallest values and every value
//! below 2^61 (one fix in 4, chosen by content, so the same fix is kept in every track holding
//! it). Single fixes rather than runs of 3 are hashed so that a thinned copy is found too; runs
//! decide afterwards. Two tracks sharing any value are candidates. A full copy always shares the 16
//! smallest; a copied stretch of n fixes is missed with probability (3/4)^n (5.6 % at 10 fixes,
//! 0.3 % at 20, 6e-7 at 50). Tracks of fewer than 3 fixes have no fingerprint.
//!
//! # Limits
//! A forger who moves every fix by a little noise is not caught here (the speed, overlap and
//! geofence rules still apply); nor is a track redrawn by hand.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::flag::{DuplicateBasis, PlausibilityFlag};
use super::{PatrolUnderCheck, PlausibilityRules};
use crate::ids::EventId;
use crate::values::TrackPoint;

/// How many of the smallest values a fingerprint always keeps.
pub const SMALLEST_KEPT: usize = 16;
/// Values below this are kept whatever their rank (one in 4 of all).
pub const SAMPLE_BELOW: u64 = 1 << 61;
/// The fewest fixes a track needs to have a fingerprint (one run of 3).
pub const MIN_FIXES: usize = 3;

/// The sketch of a track the server stores, one indexed row per value.
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
        let all: BTreeSet<u64> = track.iter().map(|p| fix_hash(p.lon, p.lat)).collect();
        let values = all.into_iter().enumerate().filter(|(rank, v)| *rank < SMALLEST_KEPT || *v < SAMPLE_BELOW).map(|(_, v)| v).collect();
        Some(TrackFingerprint { values })
    }

    /// Whether the two share a value, which makes each a candidate copy of the other.
    pub fn shares_any(&self, other: &TrackFingerprint) -> bool {
        let (small, large) = if self.values.len() <= other.values.len() { (self, other) } else { (other, self) };
        small.values.iter().any(|v| large.values.binary_search(v).is_ok())
    }
}

/// The fingerprint hash of one exact position (see the module docs for its fixed definition).
pub fn fix_hash(lon: i32, lat: i32) -> u64 {
    let mut h = Sha256::new();
    h.update(b"patrolsync.fix.v1");
    h.update(lon.to_be_bytes());
    h.update(lat.to_be_bytes());
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) >> 1
}

/// The share (0 to 1) of `a`'s distinct runs of 3 consecutive fixes found exactly in `b`, times
/// ignored; 0 when `a` has fewer than 3 fixes.
pub fn duplicate_share(a: &[TrackPoint], b: &[TrackPoint]) -> f64 {
    let runs = |t: &[TrackPoint]| -> BTreeSet<[i32; 6]> {
        t.windows(3).map(|w| [w[0].lon, w[0].lat, w[1].lon, w[1].lat, w[2].lon, w[2].lat]).collect()
    };
    share(&runs(a), &runs(b))
}

/// The share (0 to 1) of `a`'s distinct fixes found exactly in `b`, times ignored.
pub fn fix_share(a: &[TrackPoint], b: &[TrackPoint]) -> f64 {
    let fixes = |t: &[TrackPoint]| -> BTreeSet<(i32, i32)> { t.iter().map(|p| (p.lon, p.lat)).collect() };
    share(&fixes(a), &fixes(b))
}

fn share<T: Ord>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> f64 {
    if a.is_empty() { 0.0 } else { a.intersection(b).count() as f64 / a.len() as f64 }
}

/// Flags each candidate whose track this patrol's track copies (by runs, else by single fixes).
pub fn duplicate_tracks(
    patrol: &PatrolUnderCheck<'_>,
    candidates: &[(EventId, &[TrackPoint])],
    rules: &PlausibilityRules,
) -> Vec<PlausibilityFlag> {
    if patrol.track.len() < MIN_FIXES {
        return Vec::new();
    }
    let percent = |s: f64| (s * 100.0).floor().clamp(0.0, 100.0) as u8;
    candidates
        .iter()
        .filter(|(id, _)| *id != patrol.id)
        .filter_map(|(id, track)| {
            let runs = duplicate_share(patrol.track, track);
            if runs >= rules.duplicate_share {
                return Some(PlausibilityFlag::DuplicateTrack { of: *id, percent: percent(runs), basis: DuplicateBasis::FixTriples });
            }
            let fixes = fix_share(patrol.track, track);
            (fixes >= rules.duplicate_fix_share).then(|| PlausibilityFlag::DuplicateTrack {
                of: *id,
                percent: percent(fixes),
                basis: DuplicateBasis::Fixes,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn track(coords: &[(i32, i32)], t0: i64) -> Vec<TrackPoint> {
        coords.iter().enumerate().map(|(i, &(lon, lat))| TrackPoint { t: t0 + i as i64 * 10_000, lon, lat, acc: Some(5) }).collect()
    }

    /// A path of `n` fixes heading north-east, about 11 m apart.
    fn path(n: i32, salt: i32) -> Vec<(i32, i32)> {
        (0..n).map(|i| (1_145_000_000 + i * 70 + (i * salt) % 13, 255_000_000 + i * 80 + (i * salt) % 7)).collect()
    }

    #[test]
    fn the_hash_has_a_fixed_definition() {
        // Independently: sha256(b"patrolsync.fix.v1" + (1145000000).to_bytes(4, "big") + (255000000).to_bytes(4, "big")),
        // first 8 bytes big-endian, shifted right by 1 (Python hashlib).
        assert_eq!(fix_hash(1_145_000_000, 255_000_000), FIX_HASH_OF_THE_COUNTY_POINT);
        assert_ne!(fix_hash(1_145_000_000, 255_000_001), fix_hash(1_145_000_000, 255_000_000));
        assert!(fix_hash(-1, -1) < 1 << 63);
    }
    const FIX_HASH_OF_THE_COUNTY_POINT: u64 = 5_914_676_923_593_984_589;

    /// What, track a, track b, share of runs, share of fixes.
    type Case<'a> = (&'a str, &'a [TrackPoint], &'a [TrackPoint], f64, f64);

    #[test]
    fn shares_of_copies_thinned_copies_and_stretches() {
        let original = track(&path(100, 3), 0);
        let shifted = track(&path(100, 3), 7 * 86_400_000);
        let stretch = track(&path(100, 3)[40..70], 0);
        let thinned: Vec<TrackPoint> = original.iter().step_by(2).copied().collect();
        let other_walk: Vec<TrackPoint> = track(&path(100, 5), 0).into_iter().map(|p| TrackPoint { lat: p.lat + 1, ..p }).collect();
        let cases: [Case<'_>; 6] = [
            ("time-shifted copy", &shifted, &original, 1.0, 1.0),
            ("a stretch of it", &stretch, &original, 1.0, 1.0),
            ("the original against the stretch", &original, &stretch, 28.0 / 98.0, 0.3),
            ("every 2nd fix", &thinned, &original, 0.0, 1.0),
            ("another walk", &other_walk, &original, 0.0, 0.0),
            ("too few fixes", &original[..2], &original, 0.0, 1.0),
        ];
        for (what, a, b, runs, fixes) in cases {
            assert!((duplicate_share(a, b) - runs).abs() < 0.02, "{what}: runs {}", duplicate_share(a, b));
            assert!((fix_share(a, b) - fixes).abs() < 0.02, "{what}: fixes {}", fix_share(a, b));
        }
    }

    #[test]
    fn fingerprints_are_small_ascending_and_missing_below_three_fixes() {
        assert_eq!(TrackFingerprint::of(&track(&path(2, 3), 0)), None);
        let three = TrackFingerprint::of(&track(&path(3, 3), 0)).expect("3 fixes");
        assert_eq!(three.values.len(), 3);
        let long = TrackFingerprint::of(&track(&path(2_000, 3), 0)).expect("long");
        assert!(long.values.windows(2).all(|w| w[0] < w[1]));
        assert!((400..600).contains(&long.values.len()), "about a quarter of 2,000: {}", long.values.len());
        let repeated = track(&[(1, 1), (1, 1), (1, 1), (1, 1)], 0);
        assert_eq!(TrackFingerprint::of(&repeated).expect("4 fixes").values, vec![fix_hash(1, 1)]);
    }

    proptest! {
        /// Any copied stretch of 40 or more fixes, at any time shift, is found through the
        /// fingerprint (the miss chance (3/4)^40 is 1e-5 per case) and the runs flag it.
        #[test]
        fn copied_stretches_are_found(salt in 1i32..50, start in 0usize..400, len in 40usize..200, shift in -1_000_000_000i64..1_000_000_000) {
            let original = track(&path(600, salt), 1_700_000_000_000);
            let copy: Vec<TrackPoint> = original[start..start + len].iter().map(|p| TrackPoint { t: p.t + shift, ..*p }).collect();
            let (a, b) = (TrackFingerprint::of(&copy).expect("copy"), TrackFingerprint::of(&original).expect("original"));
            prop_assert!(a.shares_any(&b));
            prop_assert_eq!(duplicate_share(&copy, &original), 1.0);
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
