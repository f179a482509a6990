//! The kinds of patrol the corpus plants, each with its label: the flags it must carry and whether
//! it counts toward the weekly quota, by the rules of docs/checks.md (the ground truth the
//! generator intends, never what a check function answers).

use std::collections::BTreeSet;
use sync_protocol::body::FlagVerdict;
use sync_protocol::wire::FlagKind;

use FlagKind as F;

/// The planted cases: the enum and the list of every case, in the order the docs list them.
macro_rules! patrol_cases {
    ($($case:ident),* $(,)?) => {
        /// One kind of planted patrol.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum PatrolCase {
            $($case),*
        }

        /// Every case, in the order the docs list them.
        pub const ALL: &[PatrolCase] = &[$(PatrolCase::$case),*];
    };
}

patrol_cases!(
    Loop,
    Road,
    EdgeWalk,
    BorderWalk,
    Gcj02Loop,
    Gcj02Edge,
    SmallExcursion,
    Glitch,
    NearGap,
    BackToBack,
    Excursion,
    Elsewhere,
    Parked,
    Mocked,
    Jump,
    JumpFalseAlarm,
    JumpConfirmed,
    Gap,
    GapAtStart,
    Short,
    Sparse,
    Brief,
    BriefReviewed,
    Slow,
    CopyOwn,
    CopyOwnReviewed,
    CopyOther,
    CopyThinned,
    CopyBackdated,
    Replay,
    Overlap,
    Backdated,
    Future,
    ClockHours,
    ClockDays,
);

use PatrolCase::*;

impl PatrolCase {
    /// What the patrol is, for the docs and the disagreement list.
    pub fn describe(self) -> &'static str {
        match self {
            Loop => "a loop of 150-450 m half-axes at least 60 m inside the zone, 45-110 min",
            Road => "the officer's own road out and back: the same road on other days, own pace and GPS noise",
            EdgeWalk => "along the zone's boundary, up to 8 m outside or inside it (within the 20 m tolerance)",
            BorderWalk => "two neighbouring officers each walk their shared boundary, on different days",
            Gcj02Loop => "a loop logged by a map app in GCJ-02, imported by the phone's GPX reader",
            Gcj02Edge => "an edge walk logged in GCJ-02 (300-500 m off if not converted)",
            SmallExcursion => "a short detour out of the zone, under a fifth of the fixes: counts, no flag",
            Glitch => "a loop with a fix 80-150 m off whose receiver reports 60-90 m accuracy",
            NearGap => "a loop with a 5-8.5 min stretch without fixes (under the 10 min gap)",
            BackToBack => "a walk starting up to 50 s before the phone's previous walk ended",
            Excursion => "a rectangle straddling the zone's edge, 40 % or more of the fixes 60 m or more outside",
            Elsewhere => "a loop in another officer's zone",
            Parked => "a phone left at one spot for 45-70 min, logging every 10 s with 3-5 m GPS error",
            Mocked => "a loop with fixes the phone marked as from a mock location provider",
            Jump => "a loop with one or two fixes teleported 3-8 km",
            JumpFalseAlarm => "a teleport reviewed as a false alarm by the township inspector",
            JumpConfirmed => "a teleport reviewed as confirmed by the township inspector",
            Gap => "a loop with 12-25 min without fixes",
            GapAtStart => "a walk whose first fix comes 11-15 min after its stated start",
            Short => "a 4-9 min patrol",
            Sparse => "a 40-55 min walk with only 8 or 9 fixes",
            Brief => "a 14-24 min walk (not too short, under the 30 min quota rule)",
            BriefReviewed => "a brief walk whose not_counted flag is reviewed as a false alarm",
            Slow => "35-50 min around one site, under 1 km",
            CopyOwn => "the officer's own earlier walk moved 0.5-3 m per fix, times jittered 0.2-1.5 s, shifted hours or days",
            CopyOwnReviewed => "an own copy whose duplicate_track flag is reviewed as a false alarm",
            CopyOther => "another officer's walk, copied as above (so also outside the copier's zone)",
            CopyThinned => "an own copy keeping every second fix",
            CopyBackdated => "an own copy dated a day before its source, sent after it",
            Replay => "an own walk sent again 7-9 days later, every fix exactly as before",
            Overlap => "a second phone's walk sharing 10-40 min with a walk of the first",
            Backdated => "a walk dated one or two days before walks the same phone has sent",
            Future => "a walk dated 1-3 days after the run, sent by a phone whose clock is right",
            ClockHours => "sent at once by a phone whose clock runs 1-20 h ahead",
            ClockDays => "sent at once by a phone whose clock runs 2-5 days ahead",
        }
    }

    /// The flags the patrol must carry and whether it counts (docs/checks.md: only the numbers,
    /// an impossible jump and a copy keep a patrol from counting; a review lifts a hold).
    pub fn label(self) -> (BTreeSet<FlagKind>, bool) {
        let (kinds, counts): (&[FlagKind], bool) = match self {
            Loop | Road | EdgeWalk | BorderWalk | Gcj02Loop | Gcj02Edge | SmallExcursion | Glitch | NearGap | BackToBack | ClockHours => {
                (&[], true)
            }
            Excursion | Elsewhere => (&[F::OutsideZone, F::NotCounted], false),
            Parked => (&[F::NotCounted], false),
            Mocked => (&[F::MockLocation], true),
            Jump | JumpConfirmed => (&[F::ImpossibleSpeed, F::NotCounted], false),
            JumpFalseAlarm => (&[F::ImpossibleSpeed], true),
            Gap | GapAtStart => (&[F::TrackingGap], true),
            Short => (&[F::TooShort, F::NotCounted], false),
            Sparse => (&[F::TooShort], true),
            Brief | BriefReviewed | Slow => (&[F::NotCounted], false),
            CopyOwn | CopyThinned | Replay => (&[F::DuplicateTrack, F::NotCounted], false),
            CopyOwnReviewed => (&[F::DuplicateTrack], true),
            CopyOther => (&[F::DuplicateTrack, F::OutsideZone, F::NotCounted], false),
            CopyBackdated => (&[F::DuplicateTrack, F::BehindDeviceClock, F::NotCounted], false),
            Overlap => (&[F::OverlappingPatrol], true),
            Backdated => (&[F::BehindDeviceClock], true),
            Future => (&[F::FutureTimestamp], true),
            ClockDays => (&[F::FutureTimestamp, F::ClockSkew], true),
        };
        (kinds.iter().copied().collect(), counts)
    }

    /// The review the township inspector makes of the patrol, if any.
    pub fn review(self) -> Option<(FlagKind, FlagVerdict)> {
        match self {
            JumpFalseAlarm => Some((F::ImpossibleSpeed, FlagVerdict::FalseAlarm)),
            JumpConfirmed => Some((F::ImpossibleSpeed, FlagVerdict::Confirmed)),
            BriefReviewed => Some((F::NotCounted, FlagVerdict::FalseAlarm)),
            CopyOwnReviewed => Some((F::DuplicateTrack, FlagVerdict::FalseAlarm)),
            _ => None,
        }
    }

    /// The share of the corpus's patrols planted of this case (the loops fill the rest).
    pub fn share(self) -> f64 {
        match self {
            Loop => 0.0,
            Road => 0.10,
            EdgeWalk | Excursion => 0.05,
            BorderWalk | Overlap | ClockHours | Elsewhere | Parked => 0.02,
            Gcj02Loop | SmallExcursion | Glitch | Gap | CopyOwn | CopyOther => 0.03,
            Gcj02Edge | NearGap | Mocked | Jump | Short | Brief => 0.025,
            JumpFalseAlarm | JumpConfirmed | Slow | Backdated | BackToBack | GapAtStart => 0.015,
            Sparse | BriefReviewed | CopyOwnReviewed | CopyThinned | CopyBackdated | ClockDays | Replay | Future => 0.01,
        }
    }

    /// Whether the case copies another patrol's track.
    pub fn is_copy(self) -> bool {
        matches!(self, CopyOwn | CopyOwnReviewed | CopyOther | CopyThinned | CopyBackdated | Replay)
    }

    /// Whether the case is recorded at the time of the run (ahead of it), not in the fortnight.
    pub fn is_clock(self) -> bool {
        matches!(self, ClockHours | ClockDays | Future)
    }

    /// Whether its walk may be the source of a copy or carry findings: an honest walk deep inside
    /// the zone that counts.
    pub fn is_plain_walk(self) -> bool {
        matches!(self, Loop | Road | Gcj02Loop | Glitch)
    }
}

/// How many patrols of each case a corpus of `patrols` plants: each case its share, at least one
/// (a border walk is two patrols), the loops the rest.
pub fn counts(patrols: usize) -> Vec<(PatrolCase, usize)> {
    let mut out: Vec<(PatrolCase, usize)> =
        ALL.iter().filter(|c| **c != Loop).map(|c| (*c, ((c.share() * patrols as f64).round() as usize).max(1))).collect();
    let planted: usize = out.iter().map(|(c, n)| if *c == BorderWalk { 2 * n } else { *n }).sum();
    out.insert(0, (Loop, patrols.saturating_sub(planted).max(1)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_is_planted_and_a_held_or_failing_patrol_is_listed_as_not_counted() {
        let counts = counts(520);
        assert_eq!(counts.len(), ALL.len());
        assert!(counts.iter().all(|(_, n)| *n >= 1));
        let total: usize = counts.iter().map(|(c, n)| if *c == BorderWalk { 2 * n } else { *n }).sum();
        assert_eq!(total, 520);
        for case in ALL {
            let (kinds, counting) = case.label();
            assert_eq!(kinds.contains(&F::NotCounted), !counting, "{case:?}");
        }
    }
}
