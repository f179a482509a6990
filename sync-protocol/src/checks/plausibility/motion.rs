//! Rules over consecutive fixes: a step faster than anyone moves, and a stretch without fixes.
//!
//! # Speed, robust to GPS jitter
//! Two fixes of a phone standing still can lie tens of metres apart, and a second apart that
//! reads as a hundred km/h. So a step is measured by the *least* distance the phone can have
//! moved: the haversine distance between the fixes minus a jitter allowance, twice the sum of both
//! fixes' reported accuracies (a missing one counts 0) but at least `jitter_floor_m` (30 m). A
//! step within the allowance has no speed at all. Twice, because Android reports accuracy as the
//! radius of 68 % confidence: for a normal 2-D error that is 1.5 σ, and twice it (3 σ) holds
//! 99 % of fixes. The rest, divided by the time between the fixes
//! (at least 1 s, as many receivers stamp whole seconds), must not exceed `max_speed_kmh`.
//! A fix that reports a poor accuracy therefore cannot prove a jump; that is the price of never
//! flagging an honest phone whose receiver knew it was lost.
//!
//! # Gaps
//! The times `started_at`, every fix (held within the patrol's times) and `ended_at`, in order;
//! any two consecutive ones further apart than `max_gap_s` are a gap, so a patrol whose first fix
//! comes long after its start has a gap too.

use super::flag::PlausibilityFlag;
use super::{PatrolUnderCheck, PlausibilityRules};
use crate::checks::metres;
use crate::values::{E7, TrackPoint};

/// Flags the fastest impossible step of `track`, counting all of them.
pub fn impossible_speed(track: &[TrackPoint], rules: &PlausibilityRules) -> Option<PlausibilityFlag> {
    let limit = f64::from(rules.max_speed_kmh);
    let mut worst: Option<(f64, usize)> = None;
    let mut steps = 0;
    for (i, pair) in track.windows(2).enumerate() {
        let kmh = least_speed_kmh(&pair[0], &pair[1], rules);
        if kmh > limit {
            steps += 1;
            if worst.is_none_or(|(w, _)| kmh > w) {
                worst = Some((kmh, i));
            }
        }
    }
    let (kmh, from_fix) = worst?;
    Some(PlausibilityFlag::ImpossibleSpeed { kmh: kmh.ceil().min(f64::from(u32::MAX)) as u32, from_fix, at: track[from_fix].t, steps })
}

/// The jitter allowance of two fixes, in metres: twice the sum of their reported accuracies (a
/// missing one counts 0), at least `jitter_floor_m`. Two fixes of a phone lying still are this
/// close 99 times in 100 (see the module docs).
pub fn jitter_allowance_m(a: &TrackPoint, b: &TrackPoint, rules: &PlausibilityRules) -> f64 {
    let reported = 2 * (u64::from(a.acc.unwrap_or(0)) + u64::from(b.acc.unwrap_or(0)));
    reported.max(u64::from(rules.jitter_floor_m)) as f64
}

/// Whether `b` lies beyond the jitter allowance of `a`: the phone has moved, not merely
/// scattered its fixes about one place.
pub fn moved_beyond_jitter(a: &TrackPoint, b: &TrackPoint, rules: &PlausibilityRules) -> bool {
    metres::between_m(at(a), at(b)) > jitter_allowance_m(a, b, rules)
}

fn at(p: &TrackPoint) -> geo::Coord<f64> {
    geo::coord! { x: f64::from(p.lon) / E7, y: f64::from(p.lat) / E7 }
}

/// The slowest speed, in km/h, at which the phone can have gone from `a` to `b` given the jitter
/// allowance (0 when the fixes are within it).
pub fn least_speed_kmh(a: &TrackPoint, b: &TrackPoint, rules: &PlausibilityRules) -> f64 {
    let beyond = metres::between_m(at(a), at(b)) - jitter_allowance_m(a, b, rules);
    if beyond <= 0.0 {
        return 0.0;
    }
    let seconds = (b.t.saturating_sub(a.t) as f64 / 1_000.0).max(1.0);
    beyond / seconds * 3.6
}

/// Flags the longest stretch of the patrol without a fix, counting all too long.
pub fn tracking_gap(patrol: &PatrolUnderCheck<'_>, rules: &PlausibilityRules) -> Option<PlausibilityFlag> {
    let (start, end) = (patrol.started_at, patrol.ended_at.max(patrol.started_at));
    let times = std::iter::once(start).chain(patrol.track.iter().map(|p| p.t.max(start).min(end))).chain(std::iter::once(end));
    let limit = i64::from(rules.max_gap_s) * 1_000;
    let mut longest: Option<(i64, i64)> = None;
    let mut gaps = 0;
    let mut prev = start;
    for t in times {
        if t - prev > limit {
            gaps += 1;
            if longest.is_none_or(|(f, to)| t - prev > to - f) {
                longest = Some((prev, t));
            }
        }
        prev = prev.max(t);
    }
    longest.map(|(from, to)| PlausibilityFlag::TrackingGap { from, to, gaps })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{EventId, UserId};

    const T0: i64 = 1_795_660_925_000;
    /// About 1 m of latitude in 1e-7 degree.
    const M: i32 = 90;

    fn fix(s: i64, north_m: i32, acc: Option<u32>) -> TrackPoint {
        TrackPoint { t: T0 + s * 1_000, lon: 1_145_000_000, lat: 255_000_000 + north_m * M, acc }
    }

    #[test]
    fn speed_counts_only_beyond_the_jitter_allowance() {
        let rules = PlausibilityRules::default();
        // (step, flagged): the allowance is max(2 × acc sum, 30 m); 1 m ≈ 90 units of 1e-7 degree here.
        let cases = [
            ("25 m in 1 s, within the 30 m floor", fix(0, 0, None), fix(1, 25, None), false),
            ("60 m in 1 s, accuracies 30 + 40", fix(0, 0, Some(30)), fix(1, 60, Some(40)), false),
            ("160 m in 1 s, accuracies 10 + 10: 120 m beyond", fix(0, 0, Some(10)), fix(1, 160, Some(10)), true),
            ("160 m in 2 s, accuracies 20 + 20: 80 m beyond is 144 km/h", fix(0, 0, Some(20)), fix(2, 160, Some(20)), false),
            ("60 m in 1 s, 30 m floor: 30 m beyond is 108 km/h", fix(0, 0, Some(3)), fix(1, 60, Some(3)), false),
            ("90 m in 1 s: 60 m beyond is 216 km/h", fix(0, 0, Some(3)), fix(1, 90, Some(3)), true),
            ("90 m at the same ms counts as 1 s", fix(0, 0, None), TrackPoint { t: T0, ..fix(0, 90, None) }, true),
            ("5 km in 60 s: 299 km/h", fix(0, 0, Some(5)), fix(60, 5_000, Some(5)), true),
            ("5 km in 150 s: 119 km/h", fix(0, 0, Some(5)), fix(150, 5_000, Some(5)), false),
            ("5 km in 60 s but the fix claims 4 km accuracy", fix(0, 0, Some(5)), fix(60, 5_000, Some(4_000)), false),
        ];
        for (what, a, b, flagged) in cases {
            let flag = impossible_speed(&[a, b], &rules);
            assert_eq!(flag.is_some(), flagged, "{what}: {:.0} km/h", least_speed_kmh(&a, &b, &rules));
        }
    }

    #[test]
    fn the_fastest_step_is_reported_and_all_are_counted() {
        let track = [fix(0, 0, Some(5)), fix(30, 4_000, Some(5)), fix(60, 4_030, Some(5)), fix(70, 0, Some(5))];
        let Some(PlausibilityFlag::ImpossibleSpeed { kmh, from_fix, at, steps }) = impossible_speed(&track, &PlausibilityRules::default())
        else {
            panic!("a teleport is flagged");
        };
        assert_eq!((from_fix, at, steps), (2, T0 + 60_000, 2));
        let expected =
            (metres::between_m(geo::coord! { x: 114.5, y: 25.5 }, geo::coord! { x: 114.5, y: 25.5 + 4_030.0 * 90.0 / E7 }) - 30.0) / 10.0
                * 3.6;
        assert_eq!(kmh, expected.ceil() as u32);
        let lenient = PlausibilityRules { max_speed_kmh: 2_000, ..PlausibilityRules::default() };
        assert_eq!(impossible_speed(&track, &lenient), None);
    }

    #[test]
    fn gaps_are_measured_between_start_fixes_and_end() {
        let officer = UserId::new("vo-t01-v01").expect("user");
        let rules = PlausibilityRules::default();
        let patrol = |start: i64, end: i64, track: &[TrackPoint]| {
            let p = PatrolUnderCheck {
                id: EventId(uuid::Uuid::nil()),
                officer: &officer,
                started_at: T0 + start * 1_000,
                ended_at: T0 + end * 1_000,
                track,
                mock_fixes: 0,
            };
            tracking_gap(&p, &rules)
        };
        let every_5_min: Vec<TrackPoint> = (0..=12).map(|i| fix(i * 300, 0, None)).collect();
        assert_eq!(patrol(0, 3_600, &every_5_min), None, "fixes 5 min apart");
        let exactly_10 = [fix(0, 0, None), fix(600, 0, None)];
        assert_eq!(patrol(0, 600, &exactly_10), None, "exactly 10 min is not a gap");
        let gap = [fix(0, 0, None), fix(300, 0, None), fix(300 + 23 * 60, 0, None), fix(300 + 23 * 60 + 601, 0, None)];
        assert_eq!(
            patrol(0, 300 + 23 * 60 + 601, &gap),
            Some(PlausibilityFlag::TrackingGap { from: T0 + 300_000, to: T0 + 1_680_000, gaps: 2 })
        );
        let late_first_fix = [fix(900, 0, None), fix(1_000, 0, None)];
        assert_eq!(patrol(0, 1_000, &late_first_fix), Some(PlausibilityFlag::TrackingGap { from: T0, to: T0 + 900_000, gaps: 1 }));
        assert!(patrol(0, 3_600, &[]).is_some(), "an hour with no fix at all");
        assert_eq!(patrol(0, 300, &[]), None, "5 min with no fix is within the limit");
    }
}
