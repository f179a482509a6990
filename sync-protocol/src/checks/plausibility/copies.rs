//! Copied tracks, decided by an exact comparison of a new track with each candidate source (found
//! through [`super::fingerprint`]).
//!
//! # A copy keeps its source's sequence of fixes
//! Whoever copies a walk keeps its fixes in order and their time offsets, shifts the whole by hours
//! or days, and perhaps moves each fix by a metre or two and each time by a fraction of a second.
//! So a track copies a source when, for one time shift, most of its fixes have a source fix within
//! `copy_distance_m` [5 m] and within `copy_time_ms` [1.5 s] of the shifted time
//! ([`sequence_match`]); with, as conditions that keep honest walks out:
//! - the shift is at least `copy_min_shift_s` [10 min]: two officers walking together record the
//!   same path at the same time (and one officer's two phones are `overlapping_patrol`'s);
//! - the matched fixes span at least `copy_min_moved_m` [200 m]: a phone left at the office records
//!   the same spot every day;
//! - at least `copy_share` [0.8] of the track's fixes, and `min_fixes` [10], match.
//!
//! Honest patrols along the same road on different days do not match: walkers' paces differ and
//! drift apart by metres within a minute, and two phones' GPS errors (3–20 m) are independent, so
//! no single shift lines up most of their fixes within 5 m and 1.5 s.
//!
//! # Exact copies, whatever their times
//! A copy that keeps the positions exactly but re-times them is caught as before: at least
//! `duplicate_share` of its distinct runs of 3 consecutive fixes ([`duplicate_share`]), or
//! `duplicate_fix_share` [0.9] of its distinct fixes ([`fix_share`], a thinned copy), appear with
//! exactly the same coordinates in the candidate.

use std::collections::BTreeSet;

use super::fingerprint::{MIN_FIXES, best_window, reach_e7};
use super::flag::{DuplicateBasis, PlausibilityFlag};
use super::{PatrolUnderCheck, PlausibilityRules};
use crate::checks::metres;
use crate::ids::EventId;
use crate::values::{E7, TrackPoint};

/// The best time shift of a track against a candidate source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SequenceMatch {
    /// How many of the track's fixes have a source fix near them at this shift.
    pub matched: usize,
    /// The track's times minus the source's, ms (positive: the copy is later).
    pub shift_ms: i64,
    /// The diagonal of the matched fixes' bounding box, metres.
    pub spread_m: f64,
}

/// The time shift under which the most fixes of `a` have a fix of `b` within `copy_distance_m` and
/// `copy_time_ms` (see the module docs); `None` when no fix of `a` is near any of `b`.
pub fn sequence_match(a: &[TrackPoint], b: &[TrackPoint], rules: &PlausibilityRules) -> Option<SequenceMatch> {
    let first = a.first()?;
    let (cell_lon, cell_lat) = reach_e7(first.lat, rules.copy_distance_m);
    let (cell_lon, cell_lat) = (cell_lon.max(1), cell_lat.max(1));
    let key = |p: &TrackPoint| (p.lon.div_euclid(cell_lon), p.lat.div_euclid(cell_lat));
    // b's fixes by grid cell, sorted (one allocation, searched by cell).
    let mut grid: Vec<((i32, i32), usize)> = b.iter().enumerate().map(|(j, p)| (key(p), j)).collect();
    grid.sort_unstable();
    let in_cell = |cell: (i32, i32)| {
        let from = grid.partition_point(|(c, _)| *c < cell);
        grid[from..].iter().take_while(move |(c, _)| *c == cell).map(|(_, j)| *j)
    };
    // Every (shift, fix of a) with a fix of b within the distance.
    let mut votes: Vec<(i64, u32)> = Vec::new();
    for (i, p) in a.iter().enumerate() {
        let (x, y) = key(p);
        for (dx, dy) in [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 0), (0, 1), (1, -1), (1, 0), (1, 1)] {
            for j in in_cell((x + dx, y + dy)) {
                if metres::between_m(coord(p), coord(&b[j])) <= rules.copy_distance_m {
                    votes.push((p.t.saturating_sub(b[j].t), i as u32));
                }
            }
        }
    }
    let w = best_window(&mut votes, a.len(), 2 * i64::from(rules.copy_time_ms))?;
    let matched: BTreeSet<u32> = votes[w.lo..=w.hi].iter().map(|(_, i)| *i).collect();
    Some(SequenceMatch { matched: matched.len(), shift_ms: votes[(w.lo + w.hi) / 2].0, spread_m: spread_m(a, &matched) })
}

/// The diagonal of the bounding box of the fixes `matched` of `a`, metres.
fn spread_m(a: &[TrackPoint], matched: &BTreeSet<u32>) -> f64 {
    let fixes = matched.iter().map(|&i| &a[i as usize]);
    let (mut w, mut e, mut s, mut n) = (i32::MAX, i32::MIN, i32::MAX, i32::MIN);
    for p in fixes {
        (w, e, s, n) = (w.min(p.lon), e.max(p.lon), s.min(p.lat), n.max(p.lat));
    }
    if w > e {
        return 0.0;
    }
    let at = |lon: i32, lat: i32| geo::coord! { x: f64::from(lon) / E7, y: f64::from(lat) / E7 };
    metres::between_m(at(w, s), at(e, n))
}

fn coord(p: &TrackPoint) -> geo::Coord<f64> {
    geo::coord! { x: f64::from(p.lon) / E7, y: f64::from(p.lat) / E7 }
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

/// Whether a fix of `a` lies exactly where a fix of `b` does, times ignored.
fn shares_a_fix(a: &[TrackPoint], b: &[TrackPoint]) -> bool {
    let mut at: Vec<(i32, i32)> = b.iter().map(|p| (p.lon, p.lat)).collect();
    at.sort_unstable();
    a.iter().any(|p| at.binary_search(&(p.lon, p.lat)).is_ok())
}

/// How `a` copies `b`, if it does: by its sequence of fixes, else by exact runs, else by exact fixes.
pub fn copied(a: &[TrackPoint], b: &[TrackPoint], rules: &PlausibilityRules) -> Option<(DuplicateBasis, f64, Option<i64>)> {
    if a.len() < MIN_FIXES {
        return None;
    }
    if let Some(m) = sequence_match(a, b, rules) {
        let share = m.matched as f64 / a.len() as f64;
        let enough = share >= rules.copy_share && m.matched as u64 >= u64::from(rules.min_fixes);
        if enough && m.shift_ms.unsigned_abs() >= u64::from(rules.copy_min_shift_s) * 1_000 && m.spread_m >= rules.copy_min_moved_m {
            return Some((DuplicateBasis::Sequence, share, Some(m.shift_ms / 1_000)));
        }
    }
    // Both exact shares are 0 without a fix of `a` found exactly in `b`, as between honest walks
    // of one route (their GPS errors never agree to the 1e-7 degree): then neither can pass a
    // positive threshold, and the sets of runs and fixes need not be built.
    if rules.duplicate_share > 0.0 && rules.duplicate_fix_share > 0.0 && !shares_a_fix(a, b) {
        return None;
    }
    let runs = duplicate_share(a, b);
    if runs >= rules.duplicate_share {
        return Some((DuplicateBasis::FixTriples, runs, None));
    }
    let fixes = fix_share(a, b);
    (fixes >= rules.duplicate_fix_share).then_some((DuplicateBasis::Fixes, fixes, None))
}

/// Flags each candidate whose track this patrol's track copies.
pub fn duplicate_tracks(
    patrol: &PatrolUnderCheck<'_>,
    candidates: &[(EventId, &[TrackPoint])],
    rules: &PlausibilityRules,
) -> Vec<PlausibilityFlag> {
    let percent = |s: f64| (s * 100.0).floor().clamp(0.0, 100.0) as u8;
    candidates
        .iter()
        .filter(|(id, _)| *id != patrol.id)
        .filter_map(|(id, track)| {
            copied(patrol.track, track, rules).map(|(basis, share, shift_s)| PlausibilityFlag::DuplicateTrack {
                of: *id,
                percent: percent(share),
                basis,
                shift_s,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    const T0: i64 = 1_795_660_925_000;
    const DAY: i64 = 86_400_000;

    fn track(coords: &[(i32, i32)], t0: i64) -> Vec<TrackPoint> {
        coords.iter().enumerate().map(|(i, &(lon, lat))| TrackPoint { t: t0 + i as i64 * 10_000, lon, lat, acc: Some(5) }).collect()
    }

    /// A path of `n` fixes heading north-east, about 11 m apart (1e-7 degree is about 1.1 cm).
    fn path(n: i32, salt: i32) -> Vec<(i32, i32)> {
        (0..n).map(|i| (1_145_000_000 + i * 700 + (i * salt) % 130, 255_000_000 + i * 800 + (i * salt) % 70)).collect()
    }

    /// `source` shifted by `shift_ms`, each fix moved up to `metres` and its time up to `jitter_ms`.
    fn noisy_copy(source: &[TrackPoint], shift_ms: i64, metres: f64, jitter_ms: i64, seed: u64) -> Vec<TrackPoint> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let e7 = metres / 111_195.0 * 1e7 / std::f64::consts::SQRT_2;
        let mut copy: Vec<TrackPoint> = source
            .iter()
            .map(|p| TrackPoint {
                t: p.t + shift_ms + rng.gen_range(-jitter_ms..=jitter_ms),
                lon: p.lon + rng.gen_range(-e7..=e7).round() as i32,
                lat: p.lat + rng.gen_range(-e7..=e7).round() as i32,
                ..*p
            })
            .collect();
        copy.sort_by_key(|p| p.t);
        copy
    }

    #[test]
    fn exact_shares_of_copies_thinned_copies_and_stretches() {
        let original = track(&path(100, 3), 0);
        let shifted = track(&path(100, 3), 7 * DAY);
        let stretch = track(&path(100, 3)[40..70], 0);
        let thinned: Vec<TrackPoint> = original.iter().step_by(2).copied().collect();
        let other_walk: Vec<TrackPoint> = track(&path(100, 5), 0).into_iter().map(|p| TrackPoint { lat: p.lat + 1, ..p }).collect();
        type Case<'a> = (&'a str, &'a [TrackPoint], &'a [TrackPoint], f64, f64);
        let cases: [Case<'_>; 5] = [
            ("time-shifted copy", &shifted, &original, 1.0, 1.0),
            ("a stretch of it", &stretch, &original, 1.0, 1.0),
            ("the original against the stretch", &original, &stretch, 28.0 / 98.0, 0.3),
            ("every 2nd fix", &thinned, &original, 0.0, 1.0),
            ("another walk", &other_walk, &original, 0.0, 0.0),
        ];
        for (what, a, b, runs, fixes) in cases {
            assert!((duplicate_share(a, b) - runs).abs() < 0.02, "{what}: runs {}", duplicate_share(a, b));
            assert!((fix_share(a, b) - fixes).abs() < 0.02, "{what}: fixes {}", fix_share(a, b));
        }
    }

    #[test]
    fn a_copy_moved_by_metres_and_jittered_keeps_its_sequence() {
        let rules = PlausibilityRules::default();
        let source = track(&path(200, 3), T0);
        for (what, shift, metres, jitter, copies) in [
            ("shifted a day, 2 m, 0.5 s", DAY, 2.0, 500, true),
            ("shifted 3 h, 3 m, 0.9 s", 3 * 3_600_000, 3.0, 900, true),
            ("shifted 9 days back", -9 * DAY, 1.5, 300, true),
            ("shifted 2 min: the same walk, two phones", 120_000, 2.0, 500, false),
            ("moved 15 m: not a copy by position", DAY, 15.0, 500, false),
        ] {
            let copy = noisy_copy(&source, shift, metres, jitter, 7);
            let got = copied(&copy, &source, &rules);
            assert_eq!(got.map(|g| g.0), copies.then_some(DuplicateBasis::Sequence), "{what}: {got:?}");
            if let Some((_, share, shift_s)) = got {
                assert!(share > 0.95, "{what}: {share}");
                assert!((shift_s.unwrap_or_default() - shift / 1_000).abs() <= 2, "{what}: {shift_s:?}");
            }
        }
        let stretch = noisy_copy(&source[50..120], 5 * DAY, 2.0, 400, 8);
        assert!(matches!(copied(&stretch, &source, &rules), Some((DuplicateBasis::Sequence, ..))), "a stretch of it");
        let thinned: Vec<TrackPoint> = noisy_copy(&source, DAY, 2.0, 400, 9).into_iter().step_by(3).collect();
        assert!(matches!(copied(&thinned, &source, &rules), Some((DuplicateBasis::Sequence, ..))), "every 3rd fix of it");
    }

    /// The shortcut past the exact shares: tracks sharing no exact fix have both shares 0, and an
    /// exact copy re-timed (so no time shift lines it up) is still found by its exact fixes.
    #[test]
    fn exact_copies_are_found_past_the_shortcut() {
        let rules = PlausibilityRules::default();
        let source = track(&path(60, 3), T0);
        let other = noisy_copy(&source, DAY, 3.0, 500, 11);
        assert!(!shares_a_fix(&other, &source));
        assert_eq!((duplicate_share(&other, &source), fix_share(&other, &source)), (0.0, 0.0));
        let retimed: Vec<TrackPoint> =
            source.iter().enumerate().map(|(i, p)| TrackPoint { t: T0 + DAY + i as i64 * 37_000, ..*p }).collect();
        assert!(shares_a_fix(&retimed, &source));
        assert!(matches!(copied(&retimed, &source, &rules), Some((DuplicateBasis::FixTriples, ..))));
        let mut one: Vec<TrackPoint> = other.clone();
        one[30] = TrackPoint { t: one[30].t, ..source[7] };
        assert!(shares_a_fix(&one, &source), "one exact fix is enough to compute the shares");
    }

    #[test]
    fn a_phone_left_at_the_office_is_no_copy() {
        let rules = PlausibilityRules::default();
        let still = |seed: u64, t0: i64| -> Vec<TrackPoint> {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            (0..120)
                .map(|i| TrackPoint {
                    t: t0 + i * 30_000,
                    lon: 1_145_000_000 + rng.gen_range(-20..20),
                    lat: 255_000_000 + rng.gen_range(-20..20),
                    acc: Some(5),
                })
                .collect()
        };
        let (monday, tuesday) = (still(1, T0), still(2, T0 + DAY));
        let m = sequence_match(&tuesday, &monday, &rules).expect("the same spot");
        assert!(m.matched > 100 && m.spread_m < 10.0, "{m:?}");
        assert_eq!(copied(&tuesday, &monday, &rules), None);
    }

    #[test]
    fn the_flag_names_the_source_and_the_shift() {
        let rules = PlausibilityRules::default();
        let officer = crate::ids::UserId::new("vo-t01-v01").expect("user");
        let source = track(&path(100, 3), T0);
        let copy = noisy_copy(&source, 2 * DAY, 2.0, 400, 3);
        let patrol = PatrolUnderCheck {
            id: EventId(uuid::Uuid::from_u128(2)),
            officer: &officer,
            started_at: copy[0].t,
            ended_at: copy[99].t,
            track: &copy,
            mock_fixes: 0,
        };
        let of = EventId(uuid::Uuid::from_u128(1));
        let flags = duplicate_tracks(&patrol, &[(of, &source), (patrol.id, &copy)], &rules);
        assert!(
            matches!(flags.as_slice(), [PlausibilityFlag::DuplicateTrack { of: o, basis: DuplicateBasis::Sequence, shift_s: Some(s), percent }]
                if *o == of && (s - 2 * 86_400).abs() <= 1 && *percent >= 95),
            "{flags:?}"
        );
    }
}
