//! Typed event bodies: one struct per kind and version, parsed from the JSON `body` of an event.
//! Every body carries `"v"`; older versions are upgraded here, so the fold only sees the current one.
//!
//! Every kind is declared once, in the table of `body/kinds.rs`; the `Body` enum, the `kind` constants,
//! [`KINDS`], parsing, validation and the per-kind facts are generated from it.

mod access;
mod attachment;
mod case;
mod declare;
mod finding;
mod flag_review;
mod kinds;
#[cfg(test)]
mod kinds_tests;
mod licence;
#[cfg(test)]
mod office_tests;
mod patrol;
mod people;
mod placement;
mod reference;
#[cfg(test)]
pub(crate) mod samples;
mod tip;
mod zero_report;

pub use access::{DeviceRevoked, UserDisabled, UserEnabled};
pub use attachment::{AttachmentAdded, BlobHash, MAX_ATTACHMENT_BYTES, MediaType, Subject, SubjectKind};
pub use case::{
    ActionKind, CaseActionTaken, CaseClosed, CaseConflictResolved, CaseMarkedMajor, CaseOpened, CaseReferred, CaseSource, CaseStopped,
    CaseVerified, Department, MAX_NOTE_CHARS, MAX_RESOLVED_HEADS, Outcome, Verdict,
};
pub use finding::{FindingKind, FindingReported, Mineral};
pub use flag_review::{FlagReviewed, FlagVerdict};
pub use licence::{LicenceCancelled, LicenceChange, LicenceChanged, LicenceExtended, LicenceTransferred, term};
pub use patrol::{MAX_TRACK_POINTS, PatrolAmended, PatrolRecorded, PatrolResult};
pub use people::{PasswordChanged, PasswordReset, UserChanged};
pub use placement::{Misplaced, check_placement};
pub use reference::{
    AssignmentSet, AssignmentSetV1, IssuingLevel, LicenceGranted, MAX_PHONE_CHARS, RightKind, Role, UnitDefined, UnitDefinedV1, UnitLevel,
    UserEnrolled, UserEnrolledV1, ZoneDefined, check_phone,
};
pub use tip::{TipAnswered, TipAssigned, TipChannel, TipInformant, TipReceived};
pub use zero_report::{ZeroReportFiled, ZeroReportFiledV1, ZeroReportFiledV2};

pub(crate) use kinds::for_each_kind;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ValidationError;
use declare::{current, declare_bodies, office_township, read_current, read_version, versions};

/// Who may author a kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authorship {
    /// Recorded in the field by a village officer's device.
    Field,
    /// Reference data: only the server authors it.
    Server,
    /// Case, tip and flag review records: made on the devices of township inspectors and the
    /// county section.
    Office,
}

/// One row of the kind table, as data: for tests, docs and lookups by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    /// The envelope's `kind`.
    pub name: &'static str,
    pub authorship: Authorship,
    /// Every version this build reads, the current one (the one it writes) first.
    pub versions: &'static [u64],
}

impl KindInfo {
    /// The row of `kind`, if this build knows it.
    pub fn of(kind: &str) -> Option<&'static KindInfo> {
        KINDS.iter().find(|k| k.name == kind)
    }

    /// The version this build writes.
    pub fn current_version(&self) -> u64 {
        self.versions[0]
    }
}

for_each_kind!(declare_bodies);

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
        let body = Body::read(kind, version, Fields(map))?;
        body.validate()?;
        Ok(body)
    }

    /// Case and tip kinds, authored by township inspectors and the county section.
    pub fn is_office_record(&self) -> bool {
        self.authorship() == Authorship::Office
    }

    /// Whether the body identifies a person who must stay confidential (a tip's informant): it
    /// never reaches a village, a commissioner or an export.
    pub fn is_confidential(&self) -> bool {
        matches!(self, Body::TipInformant(_))
    }

    /// The JSON body of the current version, with its `"v"`.
    pub fn to_value(&self) -> Value {
        let mut value = self.fields_value();
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
