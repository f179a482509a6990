//! A new finding, checked as it is accepted: the licence it lies in (in event time), the licence
//! flags, and whether it is high priority, stored in `finding_checks`. A high-priority finding
//! carries a `protected_mineral` flag, and every flag on it is marked high priority.

use sync_protocol::body::FindingReported;
use sync_protocol::checks::zero_report::finding_week;
use sync_protocol::event::Event;

use super::ahead::FindingPrechecked;
use super::flags::Place;
use crate::args;
use crate::store::{StoreError, jobs::WriteCtx};

impl WriteCtx<'_> {
    /// Checks an accepted `finding.reported` against the licences in force at its time. `ahead` is
    /// the verdict computed by the prepare step, used if it was computed on the writer's current
    /// reference.
    pub fn check_new_finding(
        &mut self,
        event: &Event,
        finding: &FindingReported,
        ahead: Option<&FindingPrechecked>,
    ) -> Result<(), StoreError> {
        let computed;
        let FindingPrechecked { verdict, json, .. } = match ahead {
            Some(ahead) if ahead.version == self.reference.version => ahead,
            _ => {
                computed = FindingPrechecked::of(self.reference.version, &self.reference.licences, finding)?;
                &computed
            }
        };
        let place = Place::of_zone(self.reference, &event.author, &finding.zone, finding.observed_at);
        let (officer, week) = finding_week(&event.author, finding);
        self.conn.write(
            "INSERT INTO finding_checks (finding, patrol, licence, high_priority, verdict, checked_at, officer, week)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            args![
                event.id.0.as_bytes(),
                finding.patrol.0.as_bytes(),
                verdict.licence.as_ref().map(|l| l.as_str()),
                verdict.high_priority,
                json,
                self.now_ms,
                officer.as_str(),
                week.to_string()
            ],
        )?;
        self.contradict_zero_reports(&officer, week, event.id)?;
        for (kind, detail) in verdict.raised() {
            self.raise(Some(event.id), Some(event.device_id), kind, &detail, &place)?;
        }
        if verdict.protected.is_some() {
            self.conn.write("UPDATE flags SET high_priority = TRUE WHERE event_id = ?1", args![event.id.0.as_bytes()])?;
        }
        Ok(())
    }
}
