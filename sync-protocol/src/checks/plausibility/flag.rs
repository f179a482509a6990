//! The plausibility flags: a stable snake_case kind each (stored and shown as is) and an English
//! explanation that carries the numbers, with times in county time (UTC+8).

use serde::{Deserialize, Serialize};

use crate::ids::EventId;
use crate::values::county_time;
use crate::wire::FlagKind;

/// What made a track a duplicate of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateBasis {
    /// Runs of 3 consecutive fixes found with exactly the same coordinates.
    FixTriples,
    /// Single fixes found with exactly the same coordinates: a thinned (subsampled) copy.
    Fixes,
    /// The sequence of fixes kept, time offsets and positions within the tolerances, shifted in
    /// time (`checks::plausibility::copies`).
    Sequence,
}

/// One implausible thing about a patrol. Times are Unix ms; fix indexes count from 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlausibilityFlag {
    /// The fastest impossible step, from fix `from_fix` to the next, and how many steps were.
    ImpossibleSpeed {
        kmh: u32,
        from_fix: usize,
        at: i64,
        steps: usize,
    },
    /// The longest stretch without a fix, and how many stretches were too long.
    TrackingGap {
        from: i64,
        to: i64,
        gaps: usize,
    },
    /// `percent` of the track (by `basis`) is found in patrol `of`; with the sequence basis, `shift_s`
    /// later than it (negative: earlier).
    DuplicateTrack {
        of: EventId,
        percent: u8,
        basis: DuplicateBasis,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        shift_s: Option<i64>,
    },
    TooShort {
        duration_s: i64,
        fixes: usize,
    },
    /// The latest time of the patrol, `ahead_s` after the latest time the push may state (the
    /// device's clock at sync, bounded by the server's: `checks::clock`).
    FutureTimestamp {
        t: i64,
        ahead_s: i64,
    },
    /// The earliest time of the patrol, `behind_s` before the device's previous patrols' latest.
    BehindDeviceClock {
        t: i64,
        behind_s: i64,
    },
    OverlappingPatrol {
        with: EventId,
        overlap_s: i64,
    },
    /// `fixes` of the track's `of` fixes came from a mock location provider.
    MockLocation {
        fixes: u32,
        of: usize,
    },
}

impl PlausibilityFlag {
    /// The flag kind of the rule, e.g. `impossible_speed` (its name is the serde tag too).
    pub fn kind(&self) -> FlagKind {
        match self {
            PlausibilityFlag::ImpossibleSpeed { .. } => FlagKind::ImpossibleSpeed,
            PlausibilityFlag::TrackingGap { .. } => FlagKind::TrackingGap,
            PlausibilityFlag::DuplicateTrack { .. } => FlagKind::DuplicateTrack,
            PlausibilityFlag::TooShort { .. } => FlagKind::TooShort,
            PlausibilityFlag::FutureTimestamp { .. } => FlagKind::FutureTimestamp,
            PlausibilityFlag::BehindDeviceClock { .. } => FlagKind::BehindDeviceClock,
            PlausibilityFlag::OverlappingPatrol { .. } => FlagKind::OverlappingPatrol,
            PlausibilityFlag::MockLocation { .. } => FlagKind::MockLocation,
        }
    }

    /// The explanation, e.g. "412 km/h between fixes 17 and 18 at 2026-11-26 10:42:05".
    pub fn detail(&self) -> String {
        match self {
            PlausibilityFlag::ImpossibleSpeed { kmh, from_fix, at, steps } => {
                let more = if *steps > 1 { format!(" ({steps} such steps)") } else { String::new() };
                format!("{kmh} km/h between fixes {from_fix} and {} at {}{more}", from_fix + 1, county_time(*at))
            }
            PlausibilityFlag::TrackingGap { from, to, gaps } => {
                let more = if *gaps > 1 { format!(" ({gaps} such gaps)") } else { String::new() };
                format!("no fix for {} from {}{more}", span((to - from) / 1_000), county_time(*from))
            }
            PlausibilityFlag::DuplicateTrack { of, percent, basis, shift_s } => match basis {
                DuplicateBasis::FixTriples => format!("{percent} % of its runs of 3 fixes are exactly in patrol {of}"),
                DuplicateBasis::Fixes => format!("{percent} % of its fixes are exactly in patrol {of} (a thinned copy)"),
                DuplicateBasis::Sequence => {
                    let s = shift_s.unwrap_or_default();
                    let when = if s >= 0 { "later" } else { "earlier" };
                    format!("{percent} % of its fixes follow patrol {of}'s, {} {when} (a copy of its track)", span(s.saturating_abs()))
                }
            },
            PlausibilityFlag::TooShort { duration_s, fixes } => format!("{} and {fixes} fixes", span(*duration_s)),
            PlausibilityFlag::FutureTimestamp { t, ahead_s } => {
                format!(
                    "time {} is {} ahead of the device's clock when it was sent (bounded by the server's)",
                    county_time(*t),
                    span(*ahead_s)
                )
            }
            PlausibilityFlag::BehindDeviceClock { t, behind_s } => {
                format!("starts at {}, {} before the end of a patrol this device sent earlier", county_time(*t), span(*behind_s))
            }
            PlausibilityFlag::OverlappingPatrol { with, overlap_s } => format!("overlaps patrol {with} by {}", span(*overlap_s)),
            PlausibilityFlag::MockLocation { fixes, of } => format!("{fixes} of {of} fixes came from a mock location provider"),
        }
    }
}

/// A duration as `45 s`, `23 min`, `3 h 5 min`, `2 d 4 h` or `3 y 20 d` (rounded down).
pub fn span(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s} s"),
        60..3_600 => format!("{} min", s / 60),
        3_600..86_400 => format!("{} h {} min", s / 3_600, s % 3_600 / 60),
        86_400..31_536_000 => format!("{} d {} h", s / 86_400, s % 86_400 / 3_600),
        _ => format!("{} y {} d", s / 31_536_000, s % 31_536_000 / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-26 10:42:05 county time.
    const AT: i64 = 1_795_660_925_000;

    #[test]
    fn every_flag_explains_itself_with_its_numbers() {
        let other: EventId = "0192f0c1-0000-7000-8000-000000000001".parse().expect("id");
        let cases = [
            (
                PlausibilityFlag::ImpossibleSpeed { kmh: 412, from_fix: 17, at: AT, steps: 1 },
                "impossible_speed",
                "412 km/h between fixes 17 and 18 at 2026-11-26 10:42:05",
            ),
            (
                PlausibilityFlag::ImpossibleSpeed { kmh: 900, from_fix: 0, at: AT, steps: 2 },
                "impossible_speed",
                "900 km/h between fixes 0 and 1 at 2026-11-26 10:42:05 (2 such steps)",
            ),
            (
                PlausibilityFlag::TrackingGap { from: AT, to: AT + 23 * 60_000 + 59_000, gaps: 1 },
                "tracking_gap",
                "no fix for 23 min from 2026-11-26 10:42:05",
            ),
            (
                PlausibilityFlag::TrackingGap { from: AT, to: AT + 3_900_000, gaps: 3 },
                "tracking_gap",
                "no fix for 1 h 5 min from 2026-11-26 10:42:05 (3 such gaps)",
            ),
            (
                PlausibilityFlag::DuplicateTrack { of: other, percent: 100, basis: DuplicateBasis::FixTriples, shift_s: None },
                "duplicate_track",
                "100 % of its runs of 3 fixes are exactly in patrol 0192f0c1-0000-7000-8000-000000000001",
            ),
            (
                PlausibilityFlag::DuplicateTrack { of: other, percent: 96, basis: DuplicateBasis::Fixes, shift_s: None },
                "duplicate_track",
                "96 % of its fixes are exactly in patrol 0192f0c1-0000-7000-8000-000000000001 (a thinned copy)",
            ),
            (
                PlausibilityFlag::DuplicateTrack {
                    of: other,
                    percent: 98,
                    basis: DuplicateBasis::Sequence,
                    shift_s: Some(-(3 * 86_400 + 7_200)),
                },
                "duplicate_track",
                "98 % of its fixes follow patrol 0192f0c1-0000-7000-8000-000000000001's, 3 d 2 h earlier (a copy of its track)",
            ),
            (PlausibilityFlag::TooShort { duration_s: 125, fixes: 7 }, "too_short", "2 min and 7 fixes"),
            (
                PlausibilityFlag::FutureTimestamp { t: AT, ahead_s: 2 * 86_400 + 3 * 3_600 },
                "future_timestamp",
                "time 2026-11-26 10:42:05 is 2 d 3 h ahead of the device's clock when it was sent (bounded by the server's)",
            ),
            (
                PlausibilityFlag::BehindDeviceClock { t: AT, behind_s: 45 },
                "behind_device_clock",
                "starts at 2026-11-26 10:42:05, 45 s before the end of a patrol this device sent earlier",
            ),
            (
                PlausibilityFlag::OverlappingPatrol { with: other, overlap_s: 1_200 },
                "overlapping_patrol",
                "overlaps patrol 0192f0c1-0000-7000-8000-000000000001 by 20 min",
            ),
            (PlausibilityFlag::MockLocation { fixes: 12, of: 240 }, "mock_location", "12 of 240 fixes came from a mock location provider"),
        ];
        for (flag, kind, detail) in cases {
            assert_eq!((flag.kind().as_str(), flag.detail().as_str()), (kind, detail));
            let json = serde_json::to_value(&flag).expect("json");
            assert_eq!(json["kind"], kind, "the serde tag is the kind");
            assert_eq!(serde_json::from_value::<PlausibilityFlag>(json).expect("parse"), flag);
        }
    }
}
