//! A new finding, checked as it is accepted: the licence it lies in (in event time), the licence
//! flags, and whether it is high priority, stored in `finding_checks`.

use rusqlite::params;
use sync_protocol::body::FindingReported;
use sync_protocol::event::Event;

use super::ahead::FindingPrechecked;
use super::flags::Place;
use crate::store::sqlite::{StoreError, WriteCtx};

impl WriteCtx<'_> {
    /// Checks an accepted `finding.reported` against the licences in force at its time. `ahead` is
    /// the verdict computed by the prepare step, used if it was computed on the writer's current
    /// reference.
    pub fn check_new_finding(
        &mut self,
        event: &Event,
        finding: &FindingReported,
        ahead: Option<FindingPrechecked>,
    ) -> Result<(), StoreError> {
        let FindingPrechecked { verdict, json, .. } = match ahead {
            Some(ahead) if ahead.version == self.reference.version => ahead,
            _ => FindingPrechecked::of(self.reference.version, &self.reference.licences, finding)?,
        };
        let place = Place::of_zone(self.reference, &event.author, &finding.zone, finding.observed_at);
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
