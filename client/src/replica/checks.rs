//! The checks the server makes at ingest, run on the phone, offline, before the officer syncs:
//! the same pure functions over the reference data this replica has pulled.
//!
//! The phone checks with the default settings (`CheckConfig::default()`); a county that
//! configures other thresholds on its server sees the server's answer after sync.

use sync_protocol::body::Body;
use sync_protocol::checks::recheck::{CheckConfig, PatrolCheck, check};
use sync_protocol::checks::zone_history::ZoneHistory;
use sync_protocol::event::Event;
use sync_protocol::ids::EventId;

use super::{Replica, ReplicaError};

impl Replica {
    /// Checks a patrol this replica holds (the active officer's or one pulled) against the zone
    /// assigned to its officer at each fix's time: the geofence report and whether it counts.
    pub fn check_patrol(&self, patrol: EventId) -> Result<PatrolCheck, ReplicaError> {
        let owner = self.require_active()?.device_id;
        let raw: String = self
            .conn
            .query_row(
                "SELECT raw FROM events WHERE owner = ?1 AND id = ?2 AND kind = 'patrol.recorded'",
                [owner.to_string(), patrol.to_string()],
                |r| r.get(0),
            )
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => ReplicaError::UnknownPatrol(patrol),
                other => other.into(),
            })?;
        let event: Event = serde_json::from_str(&raw)?;
        let Ok(Body::PatrolRecorded(p)) = Body::parse(&event.kind, &event.body) else { return Err(ReplicaError::UnknownPatrol(patrol)) };
        let history = self.zone_history()?;
        Ok(check(&history, &event.author, &p.track, &CheckConfig::default()))
    }

    /// Every zone version and assignment this replica holds, in fold order.
    fn zone_history(&self) -> Result<ZoneHistory, ReplicaError> {
        let owner = self.require_active()?.device_id;
        let mut stmt = self.conn.prepare(
            "SELECT raw FROM events WHERE owner = ?1 AND kind IN ('zone.defined', 'assignment.set') ORDER BY hlc, device_id, seq",
        )?;
        let mut history = ZoneHistory::new();
        for raw in stmt.query_map([owner.to_string()], |r| r.get::<_, String>(0))? {
            let event: Event = serde_json::from_str(&raw?)?;
            match Body::parse(&event.kind, &event.body) {
                Ok(Body::ZoneDefined(z)) => {
                    history.define_zone(&z);
                }
                Ok(Body::AssignmentSet(a)) => {
                    history.set_assignment(&a);
                }
                _ => {}
            }
        }
        Ok(history)
    }
}
