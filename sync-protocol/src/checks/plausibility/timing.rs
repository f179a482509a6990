//! Rules over a patrol's times: too short, in the future, behind the device's own earlier
//! patrols, overlapping another patrol of the same officer.
//!
//! # What honest offline data looks like
//! An officer walks patrol A and records it when it ends, then walks and records B: B starts
//! after A ends, whatever day the phone next has signal. So a late sync is never "future" (the
//! times are before the receive time, however long before) and never "behind" (the chain order
//! follows the walks). A finding is typed in after its patrol, so its `observed_at` is not a patrol
//! time and the caller leaves it out of `device_previous_max_t`. What does flag: a clock set back
//! (B's times fall before A's end), times ahead of the receive time, and a second patrol of the
//! same officer in the same hours (from a second phone: on one phone it is also behind).
//!
//! # Boundaries
//! Patrols are half-open `[started_at, ended_at)`, so back-to-back patrols share no time; the
//! slacks (5 min, 5 min, 1 min) absorb a phone's clock correction between two recordings.

use super::flag::PlausibilityFlag;
use super::{OfficerPatrol, PatrolUnderCheck, PlausibilityRules};
use crate::ids::EventId;

/// Flags a patrol shorter than `min_duration_s` or with fewer than `min_fixes` fixes.
pub fn too_short(patrol: &PatrolUnderCheck<'_>, rules: &PlausibilityRules) -> Option<PlausibilityFlag> {
    let duration_s = patrol.ended_at.saturating_sub(patrol.started_at) / 1_000;
    let fixes = patrol.track.len();
    let short = duration_s < i64::from(rules.min_duration_s) || (fixes as u64) < u64::from(rules.min_fixes);
    short.then_some(PlausibilityFlag::TooShort { duration_s, fixes })
}

/// Flags a patrol whose latest time is more than `future_slack_s` after `device_now`, the latest
/// time the push may state (`checks::clock`).
pub fn future_timestamp(patrol: &PatrolUnderCheck<'_>, device_now: i64, rules: &PlausibilityRules) -> Option<PlausibilityFlag> {
    let t = patrol.latest_t();
    let ahead_ms = t.saturating_sub(device_now);
    (ahead_ms > i64::from(rules.future_slack_s) * 1_000).then_some(PlausibilityFlag::FutureTimestamp { t, ahead_s: ahead_ms / 1_000 })
}

/// Flags a patrol starting more than `behind_slack_s` before `previous_max_t`, the latest time of
/// the patrols the same device sent before it.
pub fn behind_device_clock(
    patrol: &PatrolUnderCheck<'_>,
    previous_max_t: Option<i64>,
    rules: &PlausibilityRules,
) -> Option<PlausibilityFlag> {
    let t = patrol.earliest_t();
    let behind_ms = previous_max_t?.saturating_sub(t);
    (behind_ms > i64::from(rules.behind_slack_s) * 1_000).then_some(PlausibilityFlag::BehindDeviceClock { t, behind_s: behind_ms / 1_000 })
}

/// The flag the other patrol of an `overlapping_patrol` flag on `patrol` carries in turn, naming
/// `patrol`: an overlap is mutual, so both patrols are flagged, each naming the other (the later
/// one is not the only suspect: either may be the one not walked).
pub fn mirrored(patrol: EventId, flag: &PlausibilityFlag) -> Option<(EventId, PlausibilityFlag)> {
    match flag {
        PlausibilityFlag::OverlappingPatrol { with, overlap_s } => {
            Some((*with, PlausibilityFlag::OverlappingPatrol { with: patrol, overlap_s: *overlap_s }))
        }
        _ => None,
    }
}

/// Flags each other patrol of the officer that shares more than `overlap_slack_s` with this one.
pub fn overlapping(patrol: &PatrolUnderCheck<'_>, others: &[OfficerPatrol], rules: &PlausibilityRules) -> Vec<PlausibilityFlag> {
    let slack_ms = i64::from(rules.overlap_slack_s) * 1_000;
    others
        .iter()
        .filter(|o| o.id != patrol.id)
        .filter_map(|o| {
            let shared_ms = patrol.ended_at.min(o.ended_at).saturating_sub(patrol.started_at.max(o.started_at));
            (shared_ms > slack_ms).then_some(PlausibilityFlag::OverlappingPatrol { with: o.id, overlap_s: shared_ms / 1_000 })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use crate::values::TrackPoint;

    const T0: i64 = 1_795_660_925_000;
    const MIN: i64 = 60_000;

    fn id(n: u128) -> EventId {
        EventId(uuid::Uuid::from_u128(n))
    }

    fn fixes(from_min: i64, to_min: i64, count: usize) -> Vec<TrackPoint> {
        let step = if count > 1 { (to_min - from_min) * MIN / (count as i64 - 1) } else { 0 };
        (0..count)
            .map(|i| TrackPoint { t: T0 + from_min * MIN + i as i64 * step, lon: 1_145_000_000, lat: 255_000_000, acc: None })
            .collect()
    }

    fn under<'a>(officer: &'a UserId, track: &'a [TrackPoint], from_min: i64, to_min: i64) -> PatrolUnderCheck<'a> {
        PatrolUnderCheck { id: id(1), officer, started_at: T0 + from_min * MIN, ended_at: T0 + to_min * MIN, track, mock_fixes: 0 }
    }

    #[test]
    fn too_short_by_time_or_by_fixes() {
        let officer = UserId::new("vo-t01-v01").expect("user");
        let rules = PlausibilityRules::default();
        let cases = [
            (0, 60, 120, None),
            (0, 10, 10, None),
            (0, 2, 9, Some((120, 9))),
            (0, 9, 40, Some((540, 40))),
            (0, 60, 9, Some((3_600, 9))),
            (0, 0, 0, Some((0, 0))),
        ];
        for (from, to, count, expected) in cases {
            let track = fixes(from, to, count);
            let flag = too_short(&under(&officer, &track, from, to), &rules);
            assert_eq!(
                flag,
                expected.map(|(duration_s, fixes)| PlausibilityFlag::TooShort { duration_s, fixes }),
                "{to} min, {count} fixes"
            );
        }
    }

    #[test]
    fn future_only_beyond_the_slack_and_never_for_a_late_sync() {
        let officer = UserId::new("vo-t01-v01").expect("user");
        let rules = PlausibilityRules::default();
        let track = fixes(0, 60, 61);
        let patrol = under(&officer, &track, 0, 60);
        let end = T0 + 60 * MIN;
        let cases = [
            ("synced a week later", end + 7 * 24 * 60 * MIN, None),
            ("synced as it ended", end, None),
            ("phone 5 min ahead", end - 5 * MIN, None),
            ("phone 5 min 1 s ahead", end - 5 * MIN - 1_000, Some(301)),
            ("a day ahead", end - 24 * 60 * MIN, Some(86_400)),
        ];
        for (what, received_at, ahead) in cases {
            let flag = future_timestamp(&patrol, received_at, &rules);
            assert_eq!(flag, ahead.map(|ahead_s| PlausibilityFlag::FutureTimestamp { t: end, ahead_s }), "{what}");
        }
    }

    #[test]
    fn behind_only_when_starting_before_what_the_device_sent_before() {
        let officer = UserId::new("vo-t01-v01").expect("user");
        let rules = PlausibilityRules::default();
        let track = fixes(0, 60, 61);
        let patrol = under(&officer, &track, 0, 60);
        let cases = [
            ("first patrol of the device", None, None),
            ("previous patrol ended yesterday", Some(T0 - 24 * 60 * MIN), None),
            ("previous patrol ended as this started", Some(T0), None),
            ("clock corrected by 5 min", Some(T0 + 5 * MIN), None),
            ("clock set back a day", Some(T0 + 24 * 60 * MIN), Some(86_400)),
        ];
        for (what, previous, behind) in cases {
            let flag = behind_device_clock(&patrol, previous, &rules);
            assert_eq!(flag, behind.map(|behind_s| PlausibilityFlag::BehindDeviceClock { t: T0, behind_s }), "{what}");
        }
        // A first fix before the stated start counts as the start.
        let early = fixes(-30, 60, 91);
        let flag = behind_device_clock(&under(&officer, &early, 0, 60), Some(T0), &rules);
        assert_eq!(flag, Some(PlausibilityFlag::BehindDeviceClock { t: T0 - 30 * MIN, behind_s: 1_800 }));
    }

    #[test]
    fn overlap_beyond_a_minute_with_another_patrol() {
        let officer = UserId::new("vo-t01-v01").expect("user");
        let rules = PlausibilityRules::default();
        let patrol = under(&officer, &[], 60, 120);
        let other = |n: u128, from: i64, to: i64| OfficerPatrol { id: id(n), started_at: T0 + from * MIN, ended_at: T0 + to * MIN };
        let cases = [
            ("back to back before", other(2, 0, 60), None),
            ("back to back after", other(3, 120, 180), None),
            ("one minute shared", other(4, 0, 61), None),
            ("itself", OfficerPatrol { id: id(1), ..other(1, 60, 120) }, None),
            ("twenty minutes shared", other(5, 100, 200), Some(1_200)),
            ("inside it", other(6, 70, 80), Some(600)),
            ("around it", other(7, 0, 300), Some(3_600)),
        ];
        for (what, o, shared) in cases {
            let flags = overlapping(&patrol, &[o], &rules);
            assert_eq!(
                flags,
                shared.map(|overlap_s| PlausibilityFlag::OverlappingPatrol { with: o.id, overlap_s }).into_iter().collect::<Vec<_>>(),
                "{what}"
            );
            for f in &flags {
                let back = PlausibilityFlag::OverlappingPatrol { with: id(1), overlap_s: shared.unwrap_or_default() };
                assert_eq!(mirrored(id(1), f), Some((o.id, back)), "{what}: the other patrol names this one");
            }
        }
        assert_eq!(mirrored(id(1), &PlausibilityFlag::TooShort { duration_s: 1, fixes: 1 }), None);
    }
}
