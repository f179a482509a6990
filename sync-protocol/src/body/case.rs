//! Case steps (逐级上报): a township or the county receives a finding or a tip, verifies it, acts,
//! refers it, marks it major, closes it. Each step names the step(s) it was made on (`after`).
//!
//! The case's id is the id of its `case.opened` event. A step's `after` is the case step its
//! author last saw, so two steps naming the same `after` were made concurrently
//! (see `docs/cases.md` and [`crate::fold`]).

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{EventId, UnitId};
use crate::values::{check_text, check_time};

/// The longest note a case step may carry.
pub const MAX_NOTE_CHARS: usize = 2_000;
/// The most heads one `case.conflict_resolved` may join.
pub const MAX_RESOLVED_HEADS: usize = 16;

/// What a case was opened on: a finding reported by a village officer, or a public tip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseSource {
    /// The `finding.reported` event (its id is the finding's id).
    Finding(EventId),
    /// The `tip.received` event.
    Tip(EventId),
}

/// `case.opened` v1: the township (or the county) records receipt of a finding or a tip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseOpened {
    pub source: CaseSource,
    /// The township-level unit that handles the case; routes the case to its bucket.
    pub township: UnitId,
    pub note: String,
}

/// The outcome of verification (核实).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 属实
    Confirmed,
    /// 查无实据
    Unfounded,
}

/// `case.verified` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseVerified {
    pub case: EventId,
    pub township: UnitId,
    pub after: EventId,
    pub verdict: Verdict,
    pub note: String,
}

/// `case.stopped` v1: the activity was stopped on the spot (制止).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseStopped {
    pub case: EventId,
    pub township: UnitId,
    pub after: EventId,
    pub note: String,
}

/// An enforcement action other than stopping on the spot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// 责令整改, with a deadline.
    RectifyOrder,
    /// 联合执法 with named departments.
    JointAction,
}

/// The departments the bureau acts jointly with (DOMAIN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Department {
    WorkSafety,
    Environment,
    Police,
    MarketRegulation,
    Water,
    Forestry,
    Earthquake,
}

impl Department {
    pub fn label_zh(self) -> &'static str {
        match self {
            Department::WorkSafety => "安全生产监督管理局",
            Department::Environment => "环境保护局",
            Department::Police => "公安局",
            Department::MarketRegulation => "市场监督管理局",
            Department::Water => "水务局",
            Department::Forestry => "林业局",
            Department::Earthquake => "地震局",
        }
    }
}

/// `case.action_taken` v1: an order to rectify (with `deadline`) or a joint action (with
/// `departments`). Flat fields, so a second client writes plain JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseActionTaken {
    pub case: EventId,
    pub township: UnitId,
    pub after: EventId,
    pub action: ActionKind,
    /// Unix ms; required for `rectify_order`, refused otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<i64>,
    /// Required (one or more, no repeats) for `joint_action`, refused otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<Department>,
    pub note: String,
}

/// `case.referred` v1: the township refers the case to the county mineral section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseReferred {
    pub case: EventId,
    pub township: UnitId,
    pub after: EventId,
    pub note: String,
}

/// `case.marked_major` v1: the county marks the case major (重大案件督办) with a supervision deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseMarkedMajor {
    pub case: EventId,
    pub township: UnitId,
    pub after: EventId,
    /// Unix ms by which the case must be closed.
    pub deadline: i64,
    pub note: String,
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 整改到位
    Rectified,
    /// 立案查处 (penalised by the bureau)
    Penalised,
    /// 移送 (handed to the police or another authority)
    Transferred,
    /// 查无实据
    Unfounded,
    Other,
}

/// `case.closed` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseClosed {
    pub case: EventId,
    pub township: UnitId,
    pub after: EventId,
    pub outcome: Outcome,
    pub note: String,
}

/// `case.conflict_resolved` v1: joins the case's concurrent heads and keeps the state of one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseConflictResolved {
    pub case: EventId,
    pub township: UnitId,
    /// The heads the author saw in conflict (2 to 16, distinct).
    pub heads: Vec<EventId>,
    /// The head whose state the case takes; one of `heads`.
    pub keep: EventId,
    pub note: String,
}

impl super::Body {
    /// The case a case step continues (none for an opening, and for every other kind).
    pub fn continued_case(&self) -> Option<EventId> {
        use super::Body;
        match self {
            Body::CaseVerified(b) => Some(b.case),
            Body::CaseStopped(b) => Some(b.case),
            Body::CaseActionTaken(b) => Some(b.case),
            Body::CaseReferred(b) => Some(b.case),
            Body::CaseMarkedMajor(b) => Some(b.case),
            Body::CaseClosed(b) => Some(b.case),
            Body::CaseConflictResolved(b) => Some(b.case),
            _ => None,
        }
    }
}

fn note(note: &str, required: bool) -> Result<(), ValidationError> {
    check_text("note", note, MAX_NOTE_CHARS)?;
    if required && note.trim().is_empty() {
        return Err(ValidationError::field("note", "must say why"));
    }
    Ok(())
}

impl CaseOpened {
    pub fn validate(&self) -> Result<(), ValidationError> {
        note(&self.note, false)
    }
}

impl CaseVerified {
    pub fn validate(&self) -> Result<(), ValidationError> {
        note(&self.note, false)
    }
}

impl CaseStopped {
    pub fn validate(&self) -> Result<(), ValidationError> {
        note(&self.note, false)
    }
}

impl CaseActionTaken {
    pub fn validate(&self) -> Result<(), ValidationError> {
        match (self.action, self.deadline, self.departments.is_empty()) {
            (ActionKind::RectifyOrder, Some(d), true) => check_time("deadline", d)?,
            (ActionKind::RectifyOrder, None, _) => return Err(ValidationError::field("deadline", "an order to rectify has a deadline")),
            (ActionKind::RectifyOrder, Some(_), false) => {
                return Err(ValidationError::field("departments", "only a joint action names departments"));
            }
            (ActionKind::JointAction, None, false) => {
                let mut sorted = self.departments.clone();
                sorted.sort();
                sorted.dedup();
                if sorted.len() != self.departments.len() {
                    return Err(ValidationError::field("departments", "names a department twice"));
                }
            }
            (ActionKind::JointAction, _, true) => {
                return Err(ValidationError::field("departments", "a joint action names its departments"));
            }
            (ActionKind::JointAction, Some(_), false) => {
                return Err(ValidationError::field("deadline", "only an order to rectify has one"));
            }
        }
        note(&self.note, false)
    }
}

impl CaseReferred {
    pub fn validate(&self) -> Result<(), ValidationError> {
        note(&self.note, true)
    }
}

impl CaseMarkedMajor {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_time("deadline", self.deadline)?;
        note(&self.note, true)
    }
}

impl CaseClosed {
    pub fn validate(&self) -> Result<(), ValidationError> {
        note(&self.note, true)
    }
}

impl CaseConflictResolved {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if !(2..=MAX_RESOLVED_HEADS).contains(&self.heads.len()) {
            return Err(ValidationError::field("heads", format!("names 2 to {MAX_RESOLVED_HEADS} heads")));
        }
        let mut sorted = self.heads.clone();
        sorted.sort();
        sorted.dedup();
        if sorted.len() != self.heads.len() {
            return Err(ValidationError::field("heads", "names a head twice"));
        }
        if !self.heads.contains(&self.keep) {
            return Err(ValidationError::field("keep", "is not one of heads"));
        }
        note(&self.note, true)
    }
}
