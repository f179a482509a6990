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
    /// How many fixes of `track` the phone's OS marked as coming from a mock (test) location
    /// provider (Android `Location.isMock()`). Left out when 0, so bodies from before this field
    /// keep their canonical bytes and hash.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub mock_fixes: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
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
        if u64::from(self.mock_fixes) > self.track.len() as u64 {
            return Err(ValidationError::field(
                "mock_fixes",
                format!("{} is more than the track's {} fixes", self.mock_fixes, self.track.len()),
            ));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn patrol(fixes: usize, mock_fixes: u32) -> PatrolRecorded {
        let t0 = 1_764_131_257_000;
        PatrolRecorded {
            zone: ZoneId::new("Z-T01-V01").expect("zone"),
            started_at: t0,
            ended_at: t0 + 600_000,
            track: (0..fixes).map(|i| TrackPoint { t: t0 + i as i64 * 60_000, lon: 1_145_000_000, lat: 255_000_000, acc: None }).collect(),
            summary: String::new(),
            result: PatrolResult::NothingFound,
            mock_fixes,
        }
    }

    #[test]
    fn mock_fixes_are_counted_within_the_track() {
        for (fixes, mock, ok) in [(0, 0, true), (3, 0, true), (3, 3, true), (3, 4, false), (0, 1, false)] {
            assert_eq!(patrol(fixes, mock).validate().is_ok(), ok, "{mock} of {fixes}");
        }
    }

    #[test]
    fn no_mock_fixes_leaves_the_body_as_it_was() {
        let json = serde_json::to_value(patrol(1, 0)).expect("json");
        assert!(json.get("mock_fixes").is_none(), "{json}");
        let json = serde_json::to_value(patrol(2, 2)).expect("json");
        assert_eq!(json["mock_fixes"], 2);
        let mut old = serde_json::to_value(patrol(1, 0)).expect("json");
        old.as_object_mut().expect("object").remove("mock_fixes");
        assert_eq!(serde_json::from_value::<PatrolRecorded>(old).expect("old body").mock_fixes, 0);
    }
}
