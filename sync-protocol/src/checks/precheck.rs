//! A new patrol's checks in two halves, so that the costly half can run ahead of the server's
//! single writer, in parallel, on a snapshot of the reference data.
//!
//! - [`PatrolPrecheck::of`] reads only the event and the reference data in event time: the
//!   geofence report and quota decision ([`check`]), the track's fingerprint, and the
//!   plausibility rules over the patrol alone ([`OwnFlags`]).
//! - [`PatrolPrecheck::plausibility`] adds what depends on the patrols stored before it (copied
//!   tracks, overlaps, the device's clock, the receive time), which only the writer knows.
//!
//! Together they give exactly [`check`] and [`check_plausibility`](super::plausibility::check_plausibility)
//! (the tests below compare them).

use super::plausibility::{
    OwnFlags, PatrolUnderCheck, PlausibilityContext, PlausibilityFlag, TrackFingerprint, TrackProbes, check_plausibility_with,
};
use super::recheck::{CheckConfig, PatrolCheck, check};
use super::zone_history::ZoneHistory;
use crate::body::PatrolRecorded;
use crate::ids::{EventId, UserId};

/// The half of a new patrol's checks that reads the patrol and the reference data alone.
#[derive(Debug, Clone, PartialEq)]
pub struct PatrolPrecheck {
    /// The geofence report and quota decision.
    pub check: PatrolCheck,
    /// The track's fingerprint, for finding copied tracks; `None` for a track too short to have one.
    pub fingerprint: Option<TrackFingerprint>,
    /// The cells its fixes probe, to find the stored tracks it may copy.
    pub probes: TrackProbes,
    /// The plausibility flags the patrol raises whatever its context.
    pub own_flags: OwnFlags,
}

impl PatrolPrecheck {
    /// Checks `patrol`, recorded by event `id` of `officer`, against `history` with `config`.
    pub fn of(history: &ZoneHistory, id: EventId, officer: &UserId, patrol: &PatrolRecorded, config: &CheckConfig) -> Self {
        PatrolPrecheck {
            check: check(history, officer, &patrol.track, config),
            fingerprint: TrackFingerprint::of(&patrol.track),
            probes: TrackProbes::of(&patrol.track, config.plausibility.copy_distance_m, config.plausibility.copy_time_ms),
            own_flags: OwnFlags::of(&PatrolUnderCheck::of(id, officer, patrol), &config.plausibility),
        }
    }

    /// Every plausibility flag of the patrol, given its context (the same patrol and config as
    /// [`PatrolPrecheck::of`]'s).
    pub fn plausibility(
        &self,
        patrol: &PatrolUnderCheck<'_>,
        context: &PlausibilityContext<'_>,
        config: &CheckConfig,
    ) -> Vec<PlausibilityFlag> {
        check_plausibility_with(self.own_flags.clone(), patrol, context, &config.plausibility)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::{AssignmentSet, PatrolResult, ZoneDefined};
    use crate::checks::plausibility::{OfficerPatrol, check_plausibility};
    use crate::ids::{UnitId, ZoneId};
    use crate::values::{Polygon, TrackPoint};

    const T0: i64 = 1_795_660_925_000;
    const MIN: i64 = 60_000;

    fn id(n: u128) -> EventId {
        EventId(uuid::Uuid::from_u128(n))
    }

    /// A zone of about 1 km around (114.5, 25.5), and an officer assigned to it from `T0`.
    fn history(officer: &UserId) -> ZoneHistory {
        let (lon, lat, d) = (1_145_000_000, 255_000_000, 50_000);
        let boundary =
            Polygon(vec![vec![[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]]);
        let zone = ZoneDefined {
            zone: ZoneId::new("Z1").expect("zone"),
            village: UnitId::new("V1").expect("unit"),
            township: UnitId::new("T1").expect("unit"),
            name: "Z1".into(),
            boundary,
            valid_from: 0,
        };
        let assignment = AssignmentSet { officer: officer.clone(), zone: Some(zone.zone.clone()), from: T0, by: None };
        ZoneHistory::from_events([&zone], [&assignment])
    }

    /// `n` fixes a minute apart walking east from the zone's centre, `step` (1e-7 degree) apart.
    fn patrol(start: i64, n: i64, step: i32, mock_fixes: u32) -> PatrolRecorded {
        let track: Vec<TrackPoint> = (0..n)
            .map(|i| TrackPoint { t: start + i * MIN, lon: 1_145_000_000 + i as i32 * step, lat: 255_000_000, acc: Some(5) })
            .collect();
        PatrolRecorded {
            zone: ZoneId::new("Z1").expect("zone"),
            started_at: start,
            ended_at: start + (n - 1).max(0) * MIN,
            track,
            summary: String::new(),
            result: PatrolResult::NothingFound,
            mock_fixes,
        }
    }

    #[test]
    fn both_halves_give_what_the_whole_checks_give() {
        let officer = UserId::new("o1").expect("officer");
        let history = history(&officer);
        let config = CheckConfig::default();
        let earlier = patrol(T0, 30, 500, 0);
        let cases = [
            ("plausible", patrol(T0 + 60 * MIN, 20, 500, 0)),
            ("too short, mocked", patrol(T0 + 120 * MIN, 5, 500, 3)),
            ("too fast, and leaving the zone", patrol(T0 + 180 * MIN, 20, 20_000, 0)),
            ("overlapping, behind the device, a copy", PatrolRecorded { started_at: T0 + 10 * MIN, ..earlier.clone() }),
            ("before the assignment", patrol(T0 - 300 * MIN, 20, 500, 0)),
            ("empty", patrol(T0 + 240 * MIN, 0, 500, 0)),
        ];
        let others = [OfficerPatrol { id: id(1), started_at: earlier.started_at, ended_at: earlier.ended_at }];
        let candidates = [(id(1), earlier.track.as_slice())];
        let context = PlausibilityContext {
            device_now: T0 + 200 * MIN,
            device_previous_max_t: Some(earlier.ended_at),
            officer_patrols: &others,
            duplicate_candidates: &candidates,
        };
        let mut kinds = std::collections::BTreeSet::new();
        for (what, p) in &cases {
            let pre = PatrolPrecheck::of(&history, id(2), &officer, p, &config);
            let under = PatrolUnderCheck::of(id(2), &officer, p);
            assert_eq!(pre.check, check(&history, &officer, &p.track, &config), "{what}");
            assert_eq!(pre.fingerprint, TrackFingerprint::of(&p.track), "{what}");
            let whole = check_plausibility(&under, &context, &config.plausibility);
            assert_eq!(pre.plausibility(&under, &context, &config), whole, "{what}");
            kinds.extend(whole.iter().map(PlausibilityFlag::kind));
        }
        assert!(kinds.len() >= 6, "the cases raise most rules' flags: {kinds:?}");
    }
}
