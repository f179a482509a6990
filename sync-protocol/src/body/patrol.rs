//! `patrol.recorded` and `patrol.amended`: one walk of an officer through their zone, and a later
//! correction of it that references the original (the ledger is evidence; nothing is rewritten).

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{EventId, ZoneId};
use crate::values::{TrackPoint, check_text, check_time};

/// The most points one patrol's track may hold (a fix every 5 s for 14 hours).
pub const MAX_TRACK_POINTS: usize = 10_000;

/// What the patrol found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatrolResult {
    /// Nothing found (the zero-report system counts these explicitly).
    NothingFound,
    /// One or more `finding.reported` events name this patrol.
    Findings,
}

/// `patrol.recorded` v1. The patrol's id is the id of the event that records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatrolRecorded {
    /// The zone the officer patrolled as their assigned zone.
    pub zone: ZoneId,
    /// Unix milliseconds, UTC.
    pub started_at: i64,
    pub ended_at: i64,
    /// GNSS fixes in time order (delta-encoded on the wire, see [`crate::track`]).
    #[serde(with = "crate::track")]
    pub track: Vec<TrackPoint>,
    pub summary: String,
    pub result: PatrolResult,
}

impl PatrolRecorded {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_time("started_at", self.started_at)?;
        check_time("ended_at", self.ended_at)?;
        if self.ended_at < self.started_at {
            return Err(ValidationError::field("ended_at", "is before started_at"));
        }
        if self.track.len() > MAX_TRACK_POINTS {
            return Err(ValidationError::field("track", format!("more than {MAX_TRACK_POINTS} points")));
        }
        let mut last = i64::MIN;
        for p in &self.track {
            check_time("track.t", p.t)?;
            p.coord()?;
            if p.t < last {
                return Err(ValidationError::field("track", "points are not in time order"));
            }
            last = p.t;
        }
        check_text("summary", &self.summary, 4_000)
    }
}

/// `patrol.amended` v1: a correction of a recorded patrol's summary or result, with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatrolAmended {
    /// The id of the `patrol.recorded` event corrected.
    pub patrol: EventId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<PatrolResult>,
    pub reason: String,
}

impl PatrolAmended {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.summary.is_none() && self.result.is_none() {
            return Err(ValidationError::field("patrol.amended", "changes neither summary nor result"));
        }
        if let Some(s) = &self.summary {
            check_text("summary", s, 4_000)?;
        }
        check_text("reason", &self.reason, 1_000)?;
        if self.reason.trim().is_empty() {
            return Err(ValidationError::field("reason", "is empty"));
        }
        Ok(())
    }
}
