//! Typed event bodies: one struct per kind and version, parsed from the JSON `body` of an event.
//! Every body carries `"v"`; older versions are upgraded here, so the fold only sees the current one.

mod access;
mod attachment;
mod case;
mod finding;
mod licence;
#[cfg(test)]
mod office_tests;
mod patrol;
mod reference;
mod tip;
mod zero_report;

pub use access::{DeviceRevoked, UserDisabled, UserEnabled};
pub use attachment::{AttachmentAdded, BlobHash, MAX_ATTACHMENT_BYTES, MediaType, Subject, SubjectKind};
pub use case::{
    ActionKind, CaseActionTaken, CaseClosed, CaseConflictResolved, CaseMarkedMajor, CaseOpened, CaseReferred, CaseSource, CaseStopped,
    CaseVerified, Department, MAX_NOTE_CHARS, MAX_RESOLVED_HEADS, Outcome, Verdict,
};
pub use finding::{FindingKind, FindingReported, Mineral};
pub use licence::{LicenceCancelled, LicenceChange, LicenceChanged, LicenceExtended, LicenceTransferred, term};
pub use patrol::{MAX_TRACK_POINTS, PatrolAmended, PatrolRecorded, PatrolResult};
pub use reference::{AssignmentSet, IssuingLevel, LicenceGranted, RightKind, Role, UnitDefined, UnitLevel, UserEnrolled, ZoneDefined};
pub use tip::{TipAnswered, TipAssigned, TipChannel, TipInformant, TipReceived};
pub use zero_report::{ZeroReportFiled, ZeroReportFiledV1};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ValidationError;

/// Event kinds, as they appear in the envelope's `kind`.
pub mod kind {
    pub const PATROL_RECORDED: &str = "patrol.recorded";
    pub const PATROL_AMENDED: &str = "patrol.amended";
    pub const FINDING_REPORTED: &str = "finding.reported";
    pub const ZERO_REPORT_FILED: &str = "zero_report.filed";
    pub const UNIT_DEFINED: &str = "unit.defined";
    pub const ZONE_DEFINED: &str = "zone.defined";
    pub const USER_ENROLLED: &str = "user.enrolled";
    pub const ASSIGNMENT_SET: &str = "assignment.set";
    pub const LICENCE_GRANTED: &str = "licence.granted";
    pub const LICENCE_EXTENDED: &str = "licence.extended";
    pub const LICENCE_CHANGED: &str = "licence.changed";
    pub const LICENCE_TRANSFERRED: &str = "licence.transferred";
    pub const LICENCE_CANCELLED: &str = "licence.cancelled";
    pub const CASE_OPENED: &str = "case.opened";
    pub const CASE_VERIFIED: &str = "case.verified";
    pub const CASE_STOPPED: &str = "case.stopped";
    pub const CASE_ACTION_TAKEN: &str = "case.action_taken";
    pub const CASE_REFERRED: &str = "case.referred";
    pub const CASE_MARKED_MAJOR: &str = "case.marked_major";
    pub const CASE_CLOSED: &str = "case.closed";
    pub const CASE_CONFLICT_RESOLVED: &str = "case.conflict_resolved";
    pub const TIP_RECEIVED: &str = "tip.received";
    pub const TIP_INFORMANT: &str = "tip.informant";
    pub const TIP_ASSIGNED: &str = "tip.assigned";
    pub const TIP_ANSWERED: &str = "tip.answered";
    pub const ATTACHMENT_ADDED: &str = "attachment.added";
    pub const USER_DISABLED: &str = "user.disabled";
    pub const USER_ENABLED: &str = "user.enabled";
    pub const DEVICE_REVOKED: &str = "device.revoked";
}

/// A parsed, validated body of the current version.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    PatrolRecorded(PatrolRecorded),
    PatrolAmended(PatrolAmended),
    FindingReported(FindingReported),
    ZeroReportFiled(ZeroReportFiled),
    UnitDefined(UnitDefined),
    ZoneDefined(ZoneDefined),
    UserEnrolled(UserEnrolled),
    AssignmentSet(AssignmentSet),
    LicenceGranted(LicenceGranted),
    LicenceExtended(LicenceExtended),
    LicenceChanged(LicenceChanged),
    LicenceTransferred(LicenceTransferred),
    LicenceCancelled(LicenceCancelled),
    CaseOpened(CaseOpened),
    CaseVerified(CaseVerified),
    CaseStopped(CaseStopped),
    CaseActionTaken(CaseActionTaken),
    CaseReferred(CaseReferred),
    CaseMarkedMajor(CaseMarkedMajor),
    CaseClosed(CaseClosed),
    CaseConflictResolved(CaseConflictResolved),
    TipReceived(TipReceived),
    TipInformant(TipInformant),
    TipAssigned(TipAssigned),
    TipAnswered(TipAnswered),
    AttachmentAdded(AttachmentAdded),
    UserDisabled(UserDisabled),
    UserEnabled(UserEnabled),
    DeviceRevoked(DeviceRevoked),
}

/// Who may author a kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authorship {
    /// Recorded in the field by a village officer's device.
    Field,
    /// Reference data: only the server authors it.
    Server,
    /// Case and tip records: made on the devices of township inspectors and the county section.
    Office,
}

impl Body {
    /// Parses and validates `body` as an event of `kind`, upgrading old versions.
    pub fn parse(kind: &str, body: &Value) -> Result<Body, ValidationError> {
        let Value::Object(map) = body else {
            return Err(ValidationError::Body { kind: kind.into(), problem: "body is not an object".into() });
        };
        let version = match map.get("v") {
            Some(Value::Number(n)) => {
                n.as_u64().ok_or_else(|| ValidationError::Body { kind: kind.into(), problem: "v is not a version number".into() })?
            }
            _ => return Err(ValidationError::Body { kind: kind.into(), problem: "body has no version \"v\"".into() }),
        };
        let fields = Fields(map);
        let unsupported = || ValidationError::UnsupportedVersion { kind: kind.into(), version };
        let body = match (kind, version) {
            (kind::PATROL_RECORDED, 1) => Body::PatrolRecorded(typed(kind, fields)?),
            (kind::PATROL_AMENDED, 1) => Body::PatrolAmended(typed(kind, fields)?),
            (kind::FINDING_REPORTED, 1) => Body::FindingReported(typed(kind, fields)?),
            (kind::ZERO_REPORT_FILED, 1) => Body::ZeroReportFiled(typed::<ZeroReportFiledV1>(kind, fields)?.into()),
            (kind::ZERO_REPORT_FILED, 2) => {
                let z: ZeroReportFiled = typed(kind, fields)?;
                if z.zone.is_none() {
                    return Err(ValidationError::Body { kind: kind.into(), problem: "version 2 names its zone".into() });
                }
                Body::ZeroReportFiled(z)
            }
            (kind::UNIT_DEFINED, 1) => Body::UnitDefined(typed(kind, fields)?),
            (kind::ZONE_DEFINED, 1) => Body::ZoneDefined(typed(kind, fields)?),
            (kind::USER_ENROLLED, 1) => Body::UserEnrolled(typed(kind, fields)?),
            (kind::ASSIGNMENT_SET, 1) => Body::AssignmentSet(typed(kind, fields)?),
            (kind::LICENCE_GRANTED, 1) => Body::LicenceGranted(typed(kind, fields)?),
            (kind::LICENCE_EXTENDED, 1) => Body::LicenceExtended(typed(kind, fields)?),
            (kind::LICENCE_CHANGED, 1) => Body::LicenceChanged(typed(kind, fields)?),
            (kind::LICENCE_TRANSFERRED, 1) => Body::LicenceTransferred(typed(kind, fields)?),
            (kind::LICENCE_CANCELLED, 1) => Body::LicenceCancelled(typed(kind, fields)?),
            (kind::CASE_OPENED, 1) => Body::CaseOpened(typed(kind, fields)?),
            (kind::CASE_VERIFIED, 1) => Body::CaseVerified(typed(kind, fields)?),
            (kind::CASE_STOPPED, 1) => Body::CaseStopped(typed(kind, fields)?),
            (kind::CASE_ACTION_TAKEN, 1) => Body::CaseActionTaken(typed(kind, fields)?),
            (kind::CASE_REFERRED, 1) => Body::CaseReferred(typed(kind, fields)?),
            (kind::CASE_MARKED_MAJOR, 1) => Body::CaseMarkedMajor(typed(kind, fields)?),
            (kind::CASE_CLOSED, 1) => Body::CaseClosed(typed(kind, fields)?),
            (kind::CASE_CONFLICT_RESOLVED, 1) => Body::CaseConflictResolved(typed(kind, fields)?),
            (kind::TIP_RECEIVED, 1) => Body::TipReceived(typed(kind, fields)?),
            (kind::TIP_INFORMANT, 1) => Body::TipInformant(typed(kind, fields)?),
            (kind::TIP_ASSIGNED, 1) => Body::TipAssigned(typed(kind, fields)?),
            (kind::TIP_ANSWERED, 1) => Body::TipAnswered(typed(kind, fields)?),
            (kind::ATTACHMENT_ADDED, 1) => Body::AttachmentAdded(typed(kind, fields)?),
            (kind::USER_DISABLED, 1) => Body::UserDisabled(typed(kind, fields)?),
            (kind::USER_ENABLED, 1) => Body::UserEnabled(typed(kind, fields)?),
            (kind::DEVICE_REVOKED, 1) => Body::DeviceRevoked(typed(kind, fields)?),
            (k, _) if Body::known_kind(k) => return Err(unsupported()),
            (k, _) => return Err(ValidationError::UnknownKind(crate::ids::truncate(k))),
        };
        body.validate()?;
        Ok(body)
    }

    pub fn known_kind(kind: &str) -> bool {
        [
            kind::PATROL_RECORDED,
            kind::PATROL_AMENDED,
            kind::FINDING_REPORTED,
            kind::ZERO_REPORT_FILED,
            kind::UNIT_DEFINED,
            kind::ZONE_DEFINED,
            kind::USER_ENROLLED,
            kind::ASSIGNMENT_SET,
            kind::LICENCE_GRANTED,
            kind::LICENCE_EXTENDED,
            kind::LICENCE_CHANGED,
            kind::LICENCE_TRANSFERRED,
            kind::LICENCE_CANCELLED,
            kind::CASE_OPENED,
            kind::CASE_VERIFIED,
            kind::CASE_STOPPED,
            kind::CASE_ACTION_TAKEN,
            kind::CASE_REFERRED,
            kind::CASE_MARKED_MAJOR,
            kind::CASE_CLOSED,
            kind::CASE_CONFLICT_RESOLVED,
            kind::TIP_RECEIVED,
            kind::TIP_INFORMANT,
            kind::TIP_ASSIGNED,
            kind::TIP_ANSWERED,
            kind::ATTACHMENT_ADDED,
            kind::USER_DISABLED,
            kind::USER_ENABLED,
            kind::DEVICE_REVOKED,
        ]
        .contains(&kind)
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Body::PatrolRecorded(_) => kind::PATROL_RECORDED,
            Body::PatrolAmended(_) => kind::PATROL_AMENDED,
            Body::FindingReported(_) => kind::FINDING_REPORTED,
            Body::ZeroReportFiled(_) => kind::ZERO_REPORT_FILED,
            Body::UnitDefined(_) => kind::UNIT_DEFINED,
            Body::ZoneDefined(_) => kind::ZONE_DEFINED,
            Body::UserEnrolled(_) => kind::USER_ENROLLED,
            Body::AssignmentSet(_) => kind::ASSIGNMENT_SET,
            Body::LicenceGranted(_) => kind::LICENCE_GRANTED,
            Body::LicenceExtended(_) => kind::LICENCE_EXTENDED,
            Body::LicenceChanged(_) => kind::LICENCE_CHANGED,
            Body::LicenceTransferred(_) => kind::LICENCE_TRANSFERRED,
            Body::LicenceCancelled(_) => kind::LICENCE_CANCELLED,
            Body::CaseOpened(_) => kind::CASE_OPENED,
            Body::CaseVerified(_) => kind::CASE_VERIFIED,
            Body::CaseStopped(_) => kind::CASE_STOPPED,
            Body::CaseActionTaken(_) => kind::CASE_ACTION_TAKEN,
            Body::CaseReferred(_) => kind::CASE_REFERRED,
            Body::CaseMarkedMajor(_) => kind::CASE_MARKED_MAJOR,
            Body::CaseClosed(_) => kind::CASE_CLOSED,
            Body::CaseConflictResolved(_) => kind::CASE_CONFLICT_RESOLVED,
            Body::TipReceived(_) => kind::TIP_RECEIVED,
            Body::TipInformant(_) => kind::TIP_INFORMANT,
            Body::TipAssigned(_) => kind::TIP_ASSIGNED,
            Body::TipAnswered(_) => kind::TIP_ANSWERED,
            Body::AttachmentAdded(_) => kind::ATTACHMENT_ADDED,
            Body::UserDisabled(_) => kind::USER_DISABLED,
            Body::UserEnabled(_) => kind::USER_ENABLED,
            Body::DeviceRevoked(_) => kind::DEVICE_REVOKED,
        }
    }

    /// The version this crate writes for the body's kind.
    pub fn current_version(&self) -> u64 {
        match self {
            Body::ZeroReportFiled(_) => 2,
            _ => 1,
        }
    }

    pub fn authorship(&self) -> Authorship {
        match self {
            Body::PatrolRecorded(_)
            | Body::PatrolAmended(_)
            | Body::FindingReported(_)
            | Body::ZeroReportFiled(_)
            | Body::AttachmentAdded(_) => Authorship::Field,
            b if b.is_office_record() => Authorship::Office,
            _ => Authorship::Server,
        }
    }

    /// Case and tip kinds, authored by township inspectors and the county section.
    pub fn is_office_record(&self) -> bool {
        self.kind().starts_with("case.") || self.kind().starts_with("tip.")
    }

    /// Whether the body identifies a person who must stay confidential (a tip's informant): it
    /// never reaches a village, a commissioner or an export.
    pub fn is_confidential(&self) -> bool {
        matches!(self, Body::TipInformant(_))
    }

    /// The JSON body of the current version, with its `"v"`.
    pub fn to_value(&self) -> Value {
        let mut value = match self {
            Body::PatrolRecorded(b) => to_json(b),
            Body::PatrolAmended(b) => to_json(b),
            Body::FindingReported(b) => to_json(b),
            Body::ZeroReportFiled(b) => to_json(b),
            Body::UnitDefined(b) => to_json(b),
            Body::ZoneDefined(b) => to_json(b),
            Body::UserEnrolled(b) => to_json(b),
            Body::AssignmentSet(b) => to_json(b),
            Body::LicenceGranted(b) => to_json(b),
            Body::LicenceExtended(b) => to_json(b),
            Body::LicenceChanged(b) => to_json(b),
            Body::LicenceTransferred(b) => to_json(b),
            Body::LicenceCancelled(b) => to_json(b),
            Body::CaseOpened(b) => to_json(b),
            Body::CaseVerified(b) => to_json(b),
            Body::CaseStopped(b) => to_json(b),
            Body::CaseActionTaken(b) => to_json(b),
            Body::CaseReferred(b) => to_json(b),
            Body::CaseMarkedMajor(b) => to_json(b),
            Body::CaseClosed(b) => to_json(b),
            Body::CaseConflictResolved(b) => to_json(b),
            Body::TipReceived(b) => to_json(b),
            Body::TipInformant(b) => to_json(b),
            Body::TipAssigned(b) => to_json(b),
            Body::TipAnswered(b) => to_json(b),
            Body::AttachmentAdded(b) => to_json(b),
            Body::UserDisabled(b) => to_json(b),
            Body::UserEnabled(b) => to_json(b),
            Body::DeviceRevoked(b) => to_json(b),
        };
        if let Value::Object(map) = &mut value {
            map.insert("v".into(), Value::from(self.current_version()));
        }
        value
    }

    /// The lifecycle event this body is, if it is one (`licence.extended`, `.changed`,
    /// `.transferred` or `.cancelled`).
    pub fn licence_change(&self) -> Option<LicenceChange> {
        match self {
            Body::LicenceExtended(b) => Some(LicenceChange::Extended(b.clone())),
            Body::LicenceChanged(b) => Some(LicenceChange::Changed(b.clone())),
            Body::LicenceTransferred(b) => Some(LicenceChange::Transferred(b.clone())),
            Body::LicenceCancelled(b) => Some(LicenceChange::Cancelled(b.clone())),
            _ => None,
        }
    }

    fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Body::PatrolRecorded(b) => b.validate(),
            Body::PatrolAmended(b) => b.validate(),
            Body::FindingReported(b) => b.validate(),
            Body::ZeroReportFiled(b) => b.validate(),
            Body::UnitDefined(b) => b.validate(),
            Body::ZoneDefined(b) => b.validate(),
            Body::UserEnrolled(b) => b.validate(),
            Body::AssignmentSet(b) => b.validate(),
            Body::LicenceGranted(b) => b.validate(),
            Body::LicenceExtended(b) => b.validate(),
            Body::LicenceChanged(b) => b.validate(),
            Body::LicenceTransferred(b) => b.validate(),
            Body::LicenceCancelled(b) => b.validate(),
            Body::CaseOpened(b) => b.validate(),
            Body::CaseVerified(b) => b.validate(),
            Body::CaseStopped(b) => b.validate(),
            Body::CaseActionTaken(b) => b.validate(),
            Body::CaseReferred(b) => b.validate(),
            Body::CaseMarkedMajor(b) => b.validate(),
            Body::CaseClosed(b) => b.validate(),
            Body::CaseConflictResolved(b) => b.validate(),
            Body::TipReceived(b) => b.validate(),
            Body::TipInformant(b) => b.validate(),
            Body::TipAssigned(b) => b.validate(),
            Body::TipAnswered(b) => b.validate(),
            Body::AttachmentAdded(b) => b.validate(),
            Body::UserDisabled(b) => b.validate(),
            Body::UserEnabled(b) => b.validate(),
            Body::DeviceRevoked(b) => b.validate(),
        }
    }
}

/// A body's fields without its `"v"`, borrowed: typed parsing copies only the values it keeps.
#[derive(Clone, Copy)]
struct Fields<'a>(&'a serde_json::Map<String, Value>);

fn typed<T: DeserializeOwned>(kind: &str, fields: Fields<'_>) -> Result<T, ValidationError> {
    let entries = fields.0.iter().filter(|(k, _)| k.as_str() != "v").map(|(k, v)| (k.as_str(), v));
    let deserializer = serde::de::value::MapDeserializer::<_, serde_json::Error>::new(entries);
    T::deserialize(deserializer).map_err(|e| ValidationError::Body { kind: kind.into(), problem: crate::ids::truncate(&e.to_string()) })
}

fn to_json<T: Serialize>(body: &T) -> Value {
    // Serialising these plain structs cannot fail: all keys are strings, no maps with other keys.
    serde_json::to_value(body).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patrol_json() -> Value {
        json!({
            "v": 1, "zone": "Z-T01-V01", "started_at": 1_764_131_257_000_i64, "ended_at": 1_764_134_857_000_i64,
            "track": [[1_764_131_257_000_i64, 1_145_000_000, 255_000_000, 5]],
            "summary": "walked the river bank", "result": "nothing_found"
        })
    }

    #[test]
    fn a_patrol_round_trips_through_its_json() {
        let body = Body::parse(kind::PATROL_RECORDED, &patrol_json()).expect("valid patrol");
        assert_eq!(body.to_value(), patrol_json());
    }

    #[test]
    fn old_zero_reports_are_upgraded() {
        let v1 = json!({"v": 1, "officer": "vo-t01-v01", "week": "2026-W48"});
        let Body::ZeroReportFiled(z) = Body::parse(kind::ZERO_REPORT_FILED, &v1).expect("v1 parses") else { panic!("wrong kind") };
        assert_eq!(z.zone, None);
        assert_eq!(Body::ZeroReportFiled(z).to_value()["v"], json!(2));
    }

    #[test]
    fn bad_bodies_say_what_is_wrong() {
        let cases: Vec<(&str, Value)> = vec![
            ("nonsense.kind", json!({"v": 1})),
            (kind::PATROL_RECORDED, json!({"v": 9})),
            (kind::PATROL_RECORDED, json!([1, 2])),
            (kind::PATROL_RECORDED, json!({"zone": "Z"})),
            (kind::PATROL_RECORDED, {
                let mut p = patrol_json();
                p["extra"] = json!(1);
                p
            }),
            (kind::PATROL_RECORDED, {
                let mut p = patrol_json();
                p["track"][0][2] = json!(950_000_000);
                p
            }),
            (kind::PATROL_RECORDED, {
                let mut p = patrol_json();
                p["ended_at"] = json!(1);
                p
            }),
            (kind::PATROL_RECORDED, {
                let mut p = patrol_json();
                p["track"][0][1] = json!(114.5);
                p
            }),
            (kind::PATROL_RECORDED, {
                let mut p = patrol_json();
                p["summary"] = json!("x".repeat(5000));
                p
            }),
            (kind::ZERO_REPORT_FILED, json!({"v": 2, "officer": "vo", "week": "2026-W60"})),
        ];
        for (k, body) in cases {
            assert!(Body::parse(k, &body).is_err(), "{k} {body} must be refused");
        }
        assert!(matches!(Body::parse("nonsense.kind", &json!({"v": 1})), Err(ValidationError::UnknownKind(_))));
        assert!(matches!(Body::parse(kind::PATROL_RECORDED, &json!({"v": 9})), Err(ValidationError::UnsupportedVersion { .. })));
    }
}
