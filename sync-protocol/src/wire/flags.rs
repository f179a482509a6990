//! `GET /v1/flags`: the flags raised by the checks at ingest, listed for the caller's scope with
//! filters. Shared by the server (which answers) and the device CLI (which asks and prints).

use serde::{Deserialize, Serialize};

use super::FlagKind;
use crate::ids::{EventId, UnitId, UserId};
use crate::values::IsoWeek;

/// The most flags one answer holds; `limit` may ask for fewer.
pub const MAX_FLAGS_PER_PAGE: u32 = 5_000;

/// The filters of a flags listing (query string). All are optional and combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagQuery {
    /// A flag kind, e.g. `outside_zone`, `unlicensed_area`, `impossible_speed`; an unknown one is
    /// refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<FlagKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village: Option<UnitId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub township: Option<UnitId>,
    /// The officer the flag concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<UserId>,
    /// ISO week (China Standard Time) of the patrol or finding, e.g. `2026-W05`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week: Option<IsoWeek>,
    /// Also list flags a re-check withdrew.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
    /// Also list flags already reviewed (`flag.reviewed`): the history. Without it, the open list.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reviewed: bool,
    /// Only the flags of high priority (on a finding involving a protected mineral).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub high_priority: bool,
    /// Only flags with an id below this (paging backwards from the newest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// One flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagRecord {
    pub id: i64,
    pub kind: FlagKind,
    pub detail: String,
    /// On a finding of high priority (a protected mineral: rare earth, tin), to be handled first.
    #[serde(default)]
    pub high_priority: bool,
    /// The patrol or finding (or other event) flagged, if any.
    pub event: Option<EventId>,
    /// Whether `event` is a patrol or a finding (what a `flag.reviewed` names as its subject);
    /// absent for a flag on any other event or on none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<crate::body::SubjectKind>,
    pub officer: Option<UserId>,
    pub village: Option<UnitId>,
    pub township: Option<UnitId>,
    pub week: Option<IsoWeek>,
    /// Unix milliseconds.
    pub raised_at: i64,
    /// When a re-check withdrew it.
    pub withdrawn_at: Option<i64>,
    /// Its review, once a township or county user reviewed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<FlagReview>,
}

/// The review of a flag, from its `flag.reviewed` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagReview {
    pub verdict: crate::body::FlagVerdict,
    /// Who reviewed it.
    pub by: UserId,
    pub note: String,
    /// The `flag.reviewed` event.
    pub review: EventId,
}

/// A page of flags, newest first; `more` when older ones match too (ask with `before`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagList {
    pub flags: Vec<FlagRecord>,
    pub more: bool,
}
