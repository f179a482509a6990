//! Every kind of flag the server raises, typed: one name per check, stored and sent as the same
//! snake_case text as before (`too_short`, `tampering:bad_hash`), so stored flags and replies keep
//! their form. docs/checks.md lists each with the rule that raises it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

use crate::error::ValidationError;
use crate::wire::RejectReason;

/// What a flag is about. The wire and stored form is [`FlagKind::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlagKind {
    /// Too much of a patrol's track outside the officer's zone.
    OutsideZone,
    /// A patrol that does not count toward the weekly quota; the detail is the explanation.
    NotCounted,
    ImpossibleSpeed,
    TrackingGap,
    DuplicateTrack,
    TooShort,
    FutureTimestamp,
    BehindDeviceClock,
    OverlappingPatrol,
    MockLocation,
    UnlicensedArea,
    OutsideLicence,
    MiningUnderExploration,
    /// A finding in (or naming) a licence whose term had ended.
    ExpiredLicence,
    /// A finding that involves rare earth or tin (保护性开采特定矿种): high priority.
    ProtectedMineral,
    /// A zero report for a week in which the same officer reported a finding.
    ContradictoryZeroReport,
    PhotoFarFromFinding,
    PhotoTimeOutsidePatrol,
    CaseOverdue,
    /// An event's clock beyond the tolerance ahead of the server's.
    ClockSkew,
    /// A device-level notice: the device's clock is off the server's (within the tolerance, or a
    /// clock reset years back). Not a flag on any patrol.
    ClockOffset,
    /// A rejected event that is evidence of tampering or a cloned device (the reason says which).
    Tampering(RejectReason),
    /// A stored event whose row no longer matches its hash, noticed when it was served and
    /// withheld from pulls (protocol.md §7.12).
    StoredEventChanged,
}

impl FlagKind {
    /// Every kind but the tampering ones, in the order of docs/checks.md.
    pub const CHECKS: [FlagKind; 21] = [
        FlagKind::OutsideZone,
        FlagKind::NotCounted,
        FlagKind::ImpossibleSpeed,
        FlagKind::TrackingGap,
        FlagKind::DuplicateTrack,
        FlagKind::TooShort,
        FlagKind::FutureTimestamp,
        FlagKind::BehindDeviceClock,
        FlagKind::OverlappingPatrol,
        FlagKind::MockLocation,
        FlagKind::UnlicensedArea,
        FlagKind::OutsideLicence,
        FlagKind::MiningUnderExploration,
        FlagKind::ExpiredLicence,
        FlagKind::ProtectedMineral,
        FlagKind::ContradictoryZeroReport,
        FlagKind::PhotoFarFromFinding,
        FlagKind::PhotoTimeOutsidePatrol,
        FlagKind::CaseOverdue,
        FlagKind::ClockSkew,
        FlagKind::ClockOffset,
    ];

    /// Every kind, the tampering ones last (one per reason that is tampering, then a changed
    /// stored event).
    pub fn all() -> impl Iterator<Item = FlagKind> {
        FlagKind::CHECKS
            .into_iter()
            .chain(RejectReason::ALL.into_iter().filter(|r| r.is_tampering()).map(FlagKind::Tampering))
            .chain(std::iter::once(FlagKind::StoredEventChanged))
    }

    /// The stored and wire name, e.g. `outside_zone` or `tampering:bad_hash`.
    pub fn as_str(self) -> &'static str {
        match self {
            FlagKind::OutsideZone => "outside_zone",
            FlagKind::NotCounted => "not_counted",
            FlagKind::ImpossibleSpeed => "impossible_speed",
            FlagKind::TrackingGap => "tracking_gap",
            FlagKind::DuplicateTrack => "duplicate_track",
            FlagKind::TooShort => "too_short",
            FlagKind::FutureTimestamp => "future_timestamp",
            FlagKind::BehindDeviceClock => "behind_device_clock",
            FlagKind::OverlappingPatrol => "overlapping_patrol",
            FlagKind::MockLocation => "mock_location",
            FlagKind::UnlicensedArea => "unlicensed_area",
            FlagKind::OutsideLicence => "outside_licence",
            FlagKind::MiningUnderExploration => "mining_under_exploration",
            FlagKind::ExpiredLicence => "expired_licence",
            FlagKind::ProtectedMineral => "protected_mineral",
            FlagKind::ContradictoryZeroReport => "contradictory_zero_report",
            FlagKind::PhotoFarFromFinding => "photo_far_from_finding",
            FlagKind::PhotoTimeOutsidePatrol => "photo_time_outside_patrol",
            FlagKind::CaseOverdue => "case_overdue",
            FlagKind::ClockSkew => "clock_skew",
            FlagKind::ClockOffset => "clock_offset",
            FlagKind::Tampering(r) => tampering_name(r),
            FlagKind::StoredEventChanged => STORED_EVENT_CHANGED,
        }
    }

    /// Whether it is a notice about a device rather than a problem of what an officer recorded
    /// (compliance does not count notices among an officer's flags).
    pub fn is_notice(self) -> bool {
        self == FlagKind::ClockOffset
    }
}

const STORED_EVENT_CHANGED: &str = "tampering:stored_event_changed";

/// `tampering:` and the reason, as static text.
fn tampering_name(r: RejectReason) -> &'static str {
    match r {
        RejectReason::Malformed => "tampering:malformed",
        RejectReason::WrongDevice => "tampering:wrong_device",
        RejectReason::WrongAuthor => "tampering:wrong_author",
        RejectReason::BadHash => "tampering:bad_hash",
        RejectReason::BadSignature => "tampering:bad_signature",
        RejectReason::IdConflict => "tampering:id_conflict",
        RejectReason::SeqConflict => "tampering:seq_conflict",
        RejectReason::Gap => "tampering:gap",
        RejectReason::BrokenChain => "tampering:broken_chain",
        RejectReason::UnknownKind => "tampering:unknown_kind",
        RejectReason::UnsupportedVersion => "tampering:unsupported_version",
        RejectReason::InvalidBody => "tampering:invalid_body",
        RejectReason::NotAllowed => "tampering:not_allowed",
    }
}

/// In the order of their names, so that sets of kinds list alphabetically.
impl Ord for FlagKind {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for FlagKind {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for FlagKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FlagKind {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || ValidationError::field("kind", format!("{s:?} is not a flag kind"));
        if s == STORED_EVENT_CHANGED {
            return Ok(FlagKind::StoredEventChanged);
        }
        if let Some(reason) = s.strip_prefix("tampering:") {
            return RejectReason::parse(reason).filter(|r| r.is_tampering()).map(FlagKind::Tampering).ok_or_else(unknown);
        }
        FlagKind::CHECKS.into_iter().find(|k| k.as_str() == s).ok_or_else(unknown)
    }
}

impl Serialize for FlagKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FlagKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_text_and_json() {
        let all: Vec<FlagKind> = FlagKind::all().collect();
        assert_eq!(all.len(), 21 + 7 + 1, "21 checks, 7 tampering reasons and a changed stored event");
        for k in &all {
            assert_eq!(k.as_str().parse::<FlagKind>().expect("parse"), *k);
            let json = serde_json::to_value(k).expect("json");
            assert_eq!(json, serde_json::Value::String(k.to_string()));
            assert_eq!(serde_json::from_value::<FlagKind>(json).expect("from json"), *k);
        }
        let names: std::collections::BTreeSet<&str> = all.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), all.len(), "names are distinct");
    }

    #[test]
    fn the_stored_names_are_those_written_before() {
        for (k, name) in [
            (FlagKind::TooShort, "too_short"),
            (FlagKind::CaseOverdue, "case_overdue"),
            (FlagKind::Tampering(RejectReason::BadHash), "tampering:bad_hash"),
            (FlagKind::Tampering(RejectReason::BrokenChain), "tampering:broken_chain"),
            (FlagKind::ClockSkew, "clock_skew"),
            (FlagKind::PhotoFarFromFinding, "photo_far_from_finding"),
        ] {
            assert_eq!(k.as_str(), name);
        }
    }

    #[test]
    fn unknown_names_and_non_tampering_reasons_are_refused() {
        for bad in ["", "outside", "tampering:", "tampering:gap", "tampering:malformed", "Outside_Zone", "outside_zone "] {
            assert!(bad.parse::<FlagKind>().is_err(), "{bad:?}");
        }
    }
}
