//! The review of a flag (预警核查): a township inspector or the county section marks a flag on a
//! patrol or finding a false alarm or confirmed, with a note. The review is itself evidence.

use serde::{Deserialize, Serialize};

use super::attachment::{Subject, SubjectKind};
use super::case::MAX_NOTE_CHARS;
use crate::error::ValidationError;
use crate::ids::UnitId;
use crate::values::check_text;
use crate::wire::FlagKind;

/// What the reviewer found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagVerdict {
    /// The flag was wrong: a held patrol counts again.
    FalseAlarm,
    /// The flag was right: a held patrol stays held.
    Confirmed,
}

impl FlagVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagVerdict::FalseAlarm => "false_alarm",
            FlagVerdict::Confirmed => "confirmed",
        }
    }
}

/// `flag.reviewed` v1: the flag of kind `flag` on the patrol or finding `subject` is reviewed.
/// `township` is the township the subject lies in (admission checks it), as in every office record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagReviewed {
    pub subject: Subject,
    pub flag: FlagKind,
    pub township: UnitId,
    pub verdict: FlagVerdict,
    /// Why; required.
    pub note: String,
}

impl FlagReviewed {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if !matches!(self.subject.kind, SubjectKind::Patrol | SubjectKind::Finding) {
            return Err(ValidationError::field("subject", "a flag review is of a patrol or a finding"));
        }
        if matches!(self.flag, FlagKind::Tampering(_) | FlagKind::CaseOverdue) || self.flag.is_notice() {
            return Err(ValidationError::field("flag", format!("{} is not a flag on a patrol or finding", self.flag)));
        }
        check_text("note", &self.note, MAX_NOTE_CHARS)?;
        if self.note.trim().is_empty() {
            return Err(ValidationError::field("note", "must say why"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::body::{Body, kind};
    use serde_json::json;

    fn review() -> serde_json::Value {
        json!({
            "v": 1, "subject": {"kind": "patrol", "id": "0192f0c1-7a3b-7c00-8000-000000000003"},
            "flag": "impossible_speed", "township": "T01", "verdict": "false_alarm",
            "note": "GPS jumped under the bridge"
        })
    }

    #[test]
    fn a_review_round_trips_through_its_json() {
        let body = Body::parse(kind::FLAG_REVIEWED, &review()).expect("valid review");
        assert_eq!(body.to_value(), review());
        assert_eq!(body.office_township().map(|t| t.as_str()), Some("T01"));
    }

    #[test]
    fn a_review_names_a_patrol_or_finding_flag_and_says_why() {
        let with = |key: &str, value: serde_json::Value| {
            let mut r = review();
            r[key] = value;
            r
        };
        for bad in [
            with("note", json!("  ")),
            with("verdict", json!("maybe")),
            with("flag", json!("tampering:bad_hash")),
            with("flag", json!("clock_offset")),
            with("flag", json!("case_overdue")),
            with("flag", json!("no_such_flag")),
            with("subject", json!({"kind": "tip", "id": "0192f0c1-7a3b-7c00-8000-000000000003"})),
            with("extra", json!(1)),
        ] {
            assert!(Body::parse(kind::FLAG_REVIEWED, &bad).is_err(), "{bad} must be refused");
        }
    }
}
