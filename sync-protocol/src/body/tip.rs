//! Public tips (举报): received, assigned to a township (and a village to check it), answered.
//! The informant's name and contact travel in their own kind, `tip.informant`, never to a village.

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{EventId, UnitId};
use crate::values::{Coord, check_text, check_time};

/// How a tip reached the bureau.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TipChannel {
    /// 举报电话
    Hotline,
    /// 举报箱
    ReportBox,
    /// 信访
    Petition,
    /// 当面举报
    InPerson,
}

/// `tip.received` v1: a tip recorded by a township office or the county section. The tip's id is
/// this event's id. It carries no informant identity (see [`TipInformant`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TipReceived {
    pub channel: TipChannel,
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Coord>,
    /// When the tip came in (Unix ms), which may be before it was recorded.
    pub received_at: i64,
    /// The township-level unit the tip is assigned to.
    pub township: UnitId,
}

/// `tip.informant` v1: who gave a tip. Routed only to the assigned township and the county,
/// never to a village, never in exports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TipInformant {
    pub tip: EventId,
    /// The township the informant's identity is shared with.
    pub township: UnitId,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contact: String,
}

/// `tip.assigned` v1: assigns the tip to a township, and optionally asks a village's officer to
/// check it. `brief` is what the assignee is told: the content as the assigner passes it on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TipAssigned {
    pub tip: EventId,
    pub township: UnitId,
    /// A village of `township` whose officer is asked to check the tip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village: Option<UnitId>,
    pub brief: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Coord>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// `tip.answered` v1: the tip is answered, linked to the patrol that checked it and/or the case
/// that followed. An answered tip is no longer counted as open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TipAnswered {
    pub tip: EventId,
    pub township: UnitId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patrol: Option<EventId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<EventId>,
    pub answer: String,
}

fn required_text(field: &'static str, s: &str, max_chars: usize) -> Result<(), ValidationError> {
    check_text(field, s, max_chars)?;
    if s.trim().is_empty() {
        return Err(ValidationError::field(field, "is empty"));
    }
    Ok(())
}

impl TipReceived {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_time("received_at", self.received_at)?;
        required_text("content", &self.content, 4_000)
    }
}

impl TipInformant {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_text("name", &self.name, 100)?;
        check_text("contact", &self.contact, 200)?;
        if self.name.trim().is_empty() && self.contact.trim().is_empty() {
            return Err(ValidationError::field("name", "an informant event names the informant or a contact"));
        }
        Ok(())
    }
}

impl TipAssigned {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_text("note", &self.note, 2_000)?;
        required_text("brief", &self.brief, 4_000)
    }
}

impl TipAnswered {
    pub fn validate(&self) -> Result<(), ValidationError> {
        required_text("answer", &self.answer, 4_000)
    }
}
