//! A new finding, checked as it is accepted: the licence it lies in (in event time), the licence
//! flags, and whether it is high priority, stored in `finding_checks`.

use rusqlite::params;
use sync_protocol::body::FindingReported;
use sync_protocol::checks::licence::check_finding;
use sync_protocol::event::Event;

use super::flags::Place;
use crate::store::{StoreError, WriteCtx};

impl WriteCtx<'_> {
    /// Checks an accepted `finding.reported` against the licences in force at its time.
    pub fn check_new_finding(&mut self, event: &Event, finding: &FindingReported) -> Result<(), StoreError> {
        let verdict = check_finding(finding, &self.reference.licences);
        let place = Place::of_zone(self.reference, &event.author, &finding.zone, finding.observed_at);
        let json = serde_json::to_string(&verdict).map_err(|e| StoreError::Corrupt(format!("licence verdict: {e}")))?;
        self.conn
            .prepare_cached(
                "INSERT INTO finding_checks (finding, patrol, licence, high_priority, verdict, checked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                event.id.0.as_bytes(),
                finding.patrol.0.as_bytes(),
                verdict.licence.as_ref().map(|l| l.as_str()),
                verdict.high_priority,
                json,
                self.now_ms
            ])?;
        for flag in &verdict.flags {
            self.raise(Some(event.id), Some(event.device_id), flag.kind(), &flag.detail(), &place)?;
        }
        Ok(())
    }
}
