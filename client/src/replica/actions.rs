//! What an officer records in the field: a patrol, a finding on it, a zero report for a week, and
//! a correction of a patrol. Each builds its typed body and appends it (see `record.rs`).

use sync_protocol::body::{Body, FindingKind, FindingReported, Mineral, PatrolAmended, PatrolRecorded, PatrolResult, ZeroReportFiled};
use sync_protocol::fold::parts::PartKey;
use sync_protocol::ids::{EventId, LicenceId, ZoneId};
use sync_protocol::values::{Coord, IsoWeek, TrackPoint};

use super::{Replica, ReplicaError};

/// A patrol to record. Times default to the first and last track point.
#[derive(Debug, Clone, Default)]
pub struct NewPatrol {
    pub track: Vec<TrackPoint>,
    /// Overrides the officer's assigned zone at the start of the patrol.
    pub zone: Option<ZoneId>,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub summary: String,
    /// Whether findings will be reported on it (otherwise: nothing found).
    pub findings: bool,
    /// Fixes the phone's OS marked as from a mock location provider (see `PatrolRecorded`).
    pub mock_fixes: u32,
}

/// A finding to report on a recorded patrol; observed now unless said.
#[derive(Debug, Clone)]
pub struct NewFinding {
    pub patrol: EventId,
    pub kind: FindingKind,
    pub location: Coord,
    pub depth_m: Option<i32>,
    /// Ground elevation at the location, metres above sea level (the phone's GNSS altitude).
    pub surface_elevation_m: Option<i32>,
    /// The mine the officer names, if any.
    pub licence: Option<LicenceId>,
    pub mineral: Option<Mineral>,
    pub description: String,
    pub stopped_on_spot: bool,
    pub observed_at: Option<i64>,
}

impl Replica {
    /// Records a patrol (巡查) and returns its id.
    pub fn record_patrol(&mut self, new: NewPatrol) -> Result<EventId, ReplicaError> {
        let started_at = new.started_at.or_else(|| new.track.first().map(|p| p.t)).ok_or_else(no_times)?;
        let ended_at = new.ended_at.or_else(|| new.track.last().map(|p| p.t)).unwrap_or(started_at);
        let zone = match new.zone {
            Some(z) => z,
            None => self.assigned_zone(started_at)?,
        };
        let result = if new.findings { PatrolResult::Findings } else { PatrolResult::NothingFound };
        let body =
            PatrolRecorded { zone, started_at, ended_at, track: new.track, summary: new.summary, result, mock_fixes: new.mock_fixes };
        Ok(self.append_own("patrol", &Body::PatrolRecorded(body))?.id)
    }

    /// Reports a finding (发现) on a patrol this replica holds, in that patrol's zone.
    pub fn report_finding(&mut self, new: NewFinding) -> Result<EventId, ReplicaError> {
        let patrol = self.patrol(new.patrol)?.ok_or(ReplicaError::UnknownPatrol(new.patrol))?;
        let (zone, span) = (patrol.zone.clone(), (patrol.started_at, patrol.ended_at));
        if let Some(at) = new.observed_at {
            FindingReported::check_observed_within(at, span.0, span.1).map_err(ReplicaError::invalid("finding"))?;
        }
        // Without a time, the typing time (docs/checks.md): the CLI says so when it is not within the patrol.
        let observed_at = new.observed_at.unwrap_or_else(|| self.clock.now_ms());
        let body = FindingReported {
            patrol: new.patrol,
            zone,
            kind: new.kind,
            location: new.location,
            depth_m: new.depth_m,
            surface_elevation_m: new.surface_elevation_m,
            licence: new.licence,
            mineral: new.mineral,
            description: new.description,
            stopped_on_spot: new.stopped_on_spot,
            observed_at,
        };
        let id = self.append_own("finding", &Body::FindingReported(body))?.id;
        // Recorded as "nothing found", the officer's own patrol is corrected by its finding (an
        // amendment; the original stays), so that no ledger shows "nothing found" beside it.
        if patrol.result == PatrolResult::NothingFound && patrol.officer == self.require_active()?.user {
            let reason = "a finding was reported on this patrol (巡查中有发现)".to_owned();
            self.amend_patrol(new.patrol, None, Some(PatrolResult::Findings), reason)?;
        }
        Ok(id)
    }

    /// Files a zero report (零报告) for `week` (this week in county time by default), naming the
    /// zone assigned in that week when there is one.
    pub fn file_zero_report(&mut self, week: Option<IsoWeek>, note: String) -> Result<EventId, ReplicaError> {
        let me = self.require_active()?;
        let now = self.clock.now_ms();
        let week = week.unwrap_or_else(|| IsoWeek::of_ms(now));
        let no_zone_yet = ZeroReportFiled { officer: me.user.clone(), week, zone: None, note: String::new() };
        super::record::refuse_for_role(me.role, &Body::ZeroReportFiled(no_zone_yet))?;
        let (from, to) = week.bounds_ms();
        if from > now {
            return Err(ReplicaError::WeekNotBegun { week: week.to_string(), now: IsoWeek::of_ms(now).to_string() });
        }
        let at = now.clamp(from, to - 1);
        let zone = self.part_of(&PartKey::assignments(&me.user))?.zone_of(&me.user, at).cloned();
        let zone = zone.ok_or_else(|| ReplicaError::NoZoneInWeek { officer: me.user.to_string(), week: week.to_string() })?;
        let body = ZeroReportFiled { officer: me.user, week, zone: Some(zone), note };
        Ok(self.append_own("zero report", &Body::ZeroReportFiled(body))?.id)
    }

    /// Corrects a recorded patrol's summary or result (更正), with a reason; the original stays.
    pub fn amend_patrol(
        &mut self,
        patrol: EventId,
        summary: Option<String>,
        result: Option<PatrolResult>,
        reason: String,
    ) -> Result<EventId, ReplicaError> {
        if self.patrol(patrol)?.is_none() {
            return Err(ReplicaError::UnknownPatrol(patrol));
        }
        let body = PatrolAmended { patrol, summary, result, reason };
        Ok(self.append_own("amendment", &Body::PatrolAmended(body))?.id)
    }

    /// The zone assigned to the active officer at `at_ms`, from the officer's assignments.
    pub fn assigned_zone(&self, at_ms: i64) -> Result<ZoneId, ReplicaError> {
        let me = self.require_active()?;
        let assignments = self.part_of(&PartKey::assignments(&me.user))?;
        assignments.zone_of(&me.user, at_ms).cloned().ok_or(ReplicaError::NoZone(me.user.to_string()))
    }
}

fn no_times() -> ReplicaError {
    ReplicaError::Invalid {
        what: "patrol",
        source: sync_protocol::ValidationError::Field { field: "track", problem: "has no points and no start time was given".into() },
    }
}
