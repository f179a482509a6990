//! The checks the server makes at ingest, run on the phone, offline, before the officer syncs:
//! the same pure functions over the reference data and patrols this replica holds.
//!
//! The phone checks with the default settings (`CheckConfig::default()`); a county that
//! configures other thresholds on its server sees the server's answer after sync. Plausibility is
//! compared with the patrols this replica holds (the officer's village), the server's with all.

use serde::Serialize;
use sync_protocol::body::{Body, PatrolRecorded};
use sync_protocol::checks::licence::{LicenceVerdict, check_finding};
use sync_protocol::checks::licence_history::LicenceHistory;
use sync_protocol::checks::plausibility::{
    OfficerPatrol, PatrolUnderCheck, PlausibilityContext, PlausibilityFlag, TrackFingerprint, check_plausibility,
};
use sync_protocol::checks::recheck::{CheckConfig, PatrolCheck, check};
use sync_protocol::checks::zone_history::ZoneHistory;
use sync_protocol::event::Event;
use sync_protocol::ids::EventId;
use sync_protocol::values::TrackPoint;

use super::{Replica, ReplicaError};

/// What the phone says of a patrol before it syncs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatrolVerdict {
    /// The geofence report and whether it counts toward the weekly quota.
    pub check: PatrolCheck,
    /// The plausibility flags the server would raise, as far as this replica can tell.
    pub plausibility: Vec<PlausibilityFlag>,
}

impl Replica {
    /// Checks a patrol this replica holds (the active officer's or one pulled): the geofence
    /// against the zone assigned at each fix's time, whether it counts, and its plausibility.
    pub fn check_patrol(&self, patrol: EventId) -> Result<PatrolVerdict, ReplicaError> {
        let (event, body) = self.stored(patrol, "patrol.recorded", ReplicaError::UnknownPatrol)?;
        let Body::PatrolRecorded(p) = body else { return Err(ReplicaError::UnknownPatrol(patrol)) };
        let config = CheckConfig::default();
        let check = check(&self.zone_history()?, &event.author, &p.track, &config);
        let others = self.other_patrols(&event)?;
        let under = PatrolUnderCheck::of(event.id, &event.author, &p);
        let officer_patrols: Vec<OfficerPatrol> = others
            .iter()
            .filter(|(e, _)| e.author == event.author)
            .map(|(e, o)| OfficerPatrol { id: e.id, started_at: o.started_at, ended_at: o.ended_at })
            .collect();
        let device_previous_max_t = others
            .iter()
            .filter(|(e, _)| e.device_id == event.device_id && e.seq < event.seq)
            .map(|(e, o)| PatrolUnderCheck::of(e.id, &e.author, o).latest_t())
            .max();
        let mine = TrackFingerprint::of(&p.track);
        let candidates: Vec<(EventId, &[TrackPoint])> = others
            .iter()
            .filter(|(_, o)| matches!((&mine, TrackFingerprint::of(&o.track)), (Some(a), Some(b)) if a.shares_any(&b)))
            .map(|(e, o)| (e.id, o.track.as_slice()))
            .collect();
        let context = PlausibilityContext {
            device_now: self.now_ms(),
            device_previous_max_t,
            officer_patrols: &officer_patrols,
            duplicate_candidates: &candidates,
        };
        let plausibility = check_plausibility(&under, &context, &config.plausibility);
        // A copied track does not count, as on the server.
        let copy_of = plausibility.iter().find_map(|f| match f {
            PlausibilityFlag::DuplicateTrack { of, .. } => Some(*of),
            _ => None,
        });
        let check = match copy_of {
            Some(of) => check.held_as_copy(of, &config.rules),
            None => check,
        };
        Ok(PatrolVerdict { check, plausibility })
    }

    /// Checks a finding this replica holds against the licences in force at its time.
    pub fn check_finding(&self, finding: EventId) -> Result<LicenceVerdict, ReplicaError> {
        let (_, body) = self.stored(finding, "finding.reported", ReplicaError::UnknownFinding)?;
        let Body::FindingReported(f) = body else { return Err(ReplicaError::UnknownFinding(finding)) };
        let mut licences = LicenceHistory::new();
        for body in self.bodies("kind LIKE 'licence.%'")? {
            licences.apply(&body);
        }
        Ok(check_finding(&f, &licences))
    }

    /// One stored event of `kind` with its typed body.
    fn stored(&self, id: EventId, kind: &str, unknown: fn(EventId) -> ReplicaError) -> Result<(Event, Body), ReplicaError> {
        let owner = self.require_active()?.device_id;
        let raw: String = self
            .conn
            .query_row(
                "SELECT raw FROM events WHERE owner = ?1 AND id = ?2 AND kind = ?3",
                [owner.to_string(), id.to_string(), kind.into()],
                |r| r.get(0),
            )
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => unknown(id),
                other => other.into(),
            })?;
        let event: Event = serde_json::from_str(&raw)?;
        let body = Body::parse(&event.kind, &event.body).map_err(ReplicaError::corrupt("stored event body"))?;
        Ok((event, body))
    }

    /// Every other patrol this replica holds, with its body.
    fn other_patrols(&self, of: &Event) -> Result<Vec<(Event, PatrolRecorded)>, ReplicaError> {
        Ok(self
            .events("kind = 'patrol.recorded'")?
            .into_iter()
            .filter(|(e, _)| e.id != of.id)
            .filter_map(|(e, b)| match b {
                Body::PatrolRecorded(p) => Some((e, p)),
                _ => None,
            })
            .collect())
    }

    /// Every zone version and assignment this replica holds, in fold order.
    fn zone_history(&self) -> Result<ZoneHistory, ReplicaError> {
        let mut history = ZoneHistory::new();
        for body in self.bodies("kind IN ('zone.defined', 'assignment.set')")? {
            match body {
                Body::ZoneDefined(z) => {
                    history.define_zone(&z);
                }
                Body::AssignmentSet(a) => {
                    history.set_assignment(&a);
                }
                _ => {}
            }
        }
        Ok(history)
    }

    fn bodies(&self, filter: &str) -> Result<Vec<Body>, ReplicaError> {
        Ok(self.events(filter)?.into_iter().map(|(_, b)| b).collect())
    }

    /// The active identity's events matching the SQL `filter` (a constant of this file), in fold
    /// order, with their bodies; bodies that no longer parse are left out.
    fn events(&self, filter: &str) -> Result<Vec<(Event, Body)>, ReplicaError> {
        let owner = self.require_active()?.device_id;
        let sql = format!("SELECT raw FROM events WHERE owner = ?1 AND {filter} ORDER BY hlc, device_id, seq");
        let mut stmt = self.conn.prepare(&sql)?;
        let mut out = Vec::new();
        for raw in stmt.query_map([owner.to_string()], |r| r.get::<_, String>(0))? {
            let event: Event = serde_json::from_str(&raw?)?;
            if let Ok(body) = Body::parse(&event.kind, &event.body) {
                out.push((event, body));
            }
        }
        Ok(out)
    }
}
