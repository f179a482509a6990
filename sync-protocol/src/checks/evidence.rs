//! Evidence checks: a photo whose EXIF position is far from its finding, or whose capture time is
//! far outside its patrol, is flagged (accepted and flagged, never rejected).
//!
//! # Defaults and why
//! - `max_distance_m` = 200 m. A phone's GNSS fix written into EXIF is usually within 5–30 m in
//!   the open and 50–100 m in a pit or a narrow valley; an officer photographs a pit from its rim
//!   or a truck from the road. Beyond 200 m the photo likely shows another place.
//! - `max_time_gap_s` = 2 h. Officers photograph a site just before or after walking the zone,
//!   and camera clocks drift by minutes; two hours outside the patrol is another visit (or a
//!   photo taken from the gallery).

use geo::Coord as GeoCoord;
use serde::{Deserialize, Serialize};

use super::metres::between_m;
use crate::body::AttachmentAdded;
use crate::values::{Coord, E7};
use crate::wire::FlagKind;

/// Thresholds of the evidence checks (the server's `[checks.evidence]` config section).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvidenceRules {
    /// Greatest distance, metres, from the photo's EXIF position to the finding's location.
    pub max_distance_m: f64,
    /// Greatest time, seconds, from the photo's capture time to the nearest moment of the patrol.
    pub max_time_gap_s: i64,
}

impl Default for EvidenceRules {
    fn default() -> Self {
        EvidenceRules { max_distance_m: 200.0, max_time_gap_s: 2 * 3_600 }
    }
}

/// What the attachment is compared with: the finding's location (for a finding) and the patrol's
/// start and end, Unix ms (the finding's patrol, or the patrol itself).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EvidenceTarget {
    pub location: Option<Coord>,
    pub patrol_span: Option<(i64, i64)>,
}

/// One problem with a piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EvidenceFlag {
    /// Taken this many metres from the finding.
    FarFromFinding { distance_m: f64 },
    /// Taken this many milliseconds before (negative) or after (positive) the patrol.
    TimeOutsidePatrol { gap_ms: i64 },
}

impl EvidenceFlag {
    pub fn kind(&self) -> FlagKind {
        match self {
            EvidenceFlag::FarFromFinding { .. } => FlagKind::PhotoFarFromFinding,
            EvidenceFlag::TimeOutsidePatrol { .. } => FlagKind::PhotoTimeOutsidePatrol,
        }
    }

    /// What a person reads: "taken 1.3 km from the finding", "taken 5 h 20 min after the patrol".
    pub fn detail(&self) -> String {
        match *self {
            EvidenceFlag::FarFromFinding { distance_m } if distance_m >= 1_000.0 => {
                format!("photo taken {:.1} km from the finding", distance_m / 1_000.0)
            }
            EvidenceFlag::FarFromFinding { distance_m } => format!("photo taken {distance_m:.0} m from the finding"),
            EvidenceFlag::TimeOutsidePatrol { gap_ms } => {
                let minutes = gap_ms.unsigned_abs() / 60_000;
                let side = if gap_ms < 0 { "before" } else { "after" };
                format!("photo taken {} h {} min {side} the patrol", minutes / 60, minutes % 60)
            }
        }
    }
}

/// Checks one attachment against its target. Files without EXIF capture data are not flagged
/// (a PDF, or a photo whose camera wrote none): absence is not evidence of a mismatch.
pub fn check_attachment(a: &AttachmentAdded, target: &EvidenceTarget, rules: &EvidenceRules) -> Vec<EvidenceFlag> {
    let mut flags = Vec::new();
    if let (Some(place), Some(location)) = (a.captured_place, target.location) {
        let distance_m = between_m(degrees(place), degrees(location));
        if distance_m > rules.max_distance_m {
            flags.push(EvidenceFlag::FarFromFinding { distance_m });
        }
    }
    if let (Some(at), Some((start, end))) = (a.captured_at, target.patrol_span) {
        let gap_ms = if at < start { at - start } else { at.saturating_sub(end).max(0) };
        if gap_ms.unsigned_abs() > rules.max_time_gap_s.unsigned_abs() * 1_000 {
            flags.push(EvidenceFlag::TimeOutsidePatrol { gap_ms });
        }
    }
    flags
}

fn degrees(c: Coord) -> GeoCoord<f64> {
    GeoCoord { x: f64::from(c.lon) / E7, y: f64::from(c.lat) / E7 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::{BlobHash, MediaType, Subject, SubjectKind};
    use proptest::prelude::*;

    const HOUR: i64 = 3_600_000;
    const START: i64 = 1_764_131_257_000;

    fn photo(place: Option<Coord>, at: Option<i64>) -> AttachmentAdded {
        AttachmentAdded {
            subject: Subject { kind: SubjectKind::Finding, id: crate::ids::EventId(uuid::Uuid::nil()) },
            sha256: BlobHash([1; 32]),
            size: 100,
            media_type: MediaType::Jpeg,
            file_name: None,
            captured_at: at,
            captured_place: place,
        }
    }

    fn finding() -> Coord {
        Coord { lon: 1_145_000_000, lat: 255_000_000 }
    }

    /// `north_m` metres north of the finding (1e-7 degree of latitude is about 1.11 cm).
    fn north(north_m: f64) -> Coord {
        Coord { lon: 1_145_000_000, lat: 255_000_000 + (north_m / 0.011_119_5).round() as i32 }
    }

    /// What a case is called, the photo's EXIF position and time, and the flags expected.
    type Case = (&'static str, Option<Coord>, Option<i64>, &'static [FlagKind]);

    #[test]
    fn position_and_time_are_flagged_only_past_the_thresholds() {
        let target = EvidenceTarget { location: Some(finding()), patrol_span: Some((START, START + HOUR)) };
        let rules = EvidenceRules::default();
        let cases: [Case; 9] = [
            ("at the finding, during the patrol", Some(finding()), Some(START + 10 * 60_000), &[]),
            ("150 m away", Some(north(150.0)), Some(START), &[]),
            ("250 m away", Some(north(250.0)), Some(START), &[FlagKind::PhotoFarFromFinding]),
            ("5 km away", Some(north(5_000.0)), Some(START), &[FlagKind::PhotoFarFromFinding]),
            ("1 h 59 min before", Some(finding()), Some(START - 2 * HOUR + 60_000), &[]),
            ("2 h 1 min after", Some(finding()), Some(START + 3 * HOUR + 60_000), &[FlagKind::PhotoTimeOutsidePatrol]),
            ("a day before", Some(finding()), Some(START - 24 * HOUR), &[FlagKind::PhotoTimeOutsidePatrol]),
            (
                "far and late",
                Some(north(900.0)),
                Some(START + 9 * HOUR),
                &[FlagKind::PhotoFarFromFinding, FlagKind::PhotoTimeOutsidePatrol],
            ),
            ("no EXIF", None, None, &[]),
        ];
        for (what, place, at, expected) in cases {
            let kinds: Vec<FlagKind> = check_attachment(&photo(place, at), &target, &rules).iter().map(EvidenceFlag::kind).collect();
            assert_eq!(kinds, expected, "{what}");
        }
    }

    #[test]
    fn without_a_target_nothing_is_flagged() {
        let flags = check_attachment(&photo(Some(north(9_000.0)), Some(START)), &EvidenceTarget::default(), &EvidenceRules::default());
        assert!(flags.is_empty());
    }

    #[test]
    fn details_say_how_far_and_which_side() {
        assert_eq!(EvidenceFlag::FarFromFinding { distance_m: 1_340.0 }.detail(), "photo taken 1.3 km from the finding");
        assert_eq!(EvidenceFlag::FarFromFinding { distance_m: 412.4 }.detail(), "photo taken 412 m from the finding");
        assert_eq!(EvidenceFlag::TimeOutsidePatrol { gap_ms: 5 * HOUR + 20 * 60_000 }.detail(), "photo taken 5 h 20 min after the patrol");
        assert_eq!(EvidenceFlag::TimeOutsidePatrol { gap_ms: -3 * HOUR }.detail(), "photo taken 3 h 0 min before the patrol");
    }

    proptest! {
        /// A photo taken at any moment of the patrol is never flagged for time.
        #[test]
        fn any_moment_inside_the_patrol_passes(len in 0i64..12 * HOUR, at in 0.0f64..=1.0) {
            let moment = START + (len as f64 * at) as i64;
            let target = EvidenceTarget { location: None, patrol_span: Some((START, START + len)) };
            prop_assert!(check_attachment(&photo(None, Some(moment)), &target, &EvidenceRules::default()).is_empty());
        }

        /// Flags grow monotonically with distance: if d is flagged, so is anything farther.
        #[test]
        fn farther_is_never_less_flagged(a in 0.0f64..5_000.0, b in 0.0f64..5_000.0) {
            let (near, far) = if a < b { (a, b) } else { (b, a) };
            let target = EvidenceTarget { location: Some(finding()), patrol_span: None };
            let flagged = |m: f64| !check_attachment(&photo(Some(north(m)), None), &target, &EvidenceRules::default()).is_empty();
            prop_assert!(!flagged(near) || flagged(far));
        }
    }
}
