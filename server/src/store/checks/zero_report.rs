//! Zero reports against findings (`sync_protocol::checks::zero_report`): each accepted zero report
//! is kept by officer and week in `zero_reports` (a row of the read model, written as it accepts the
//! event), each finding's officer and week beside its check, and whichever of the two arrives
//! second flags the zero report `contradictory_zero_report`, naming the finding; a zero report for
//! a week not yet begun is flagged `future_timestamp` as it is accepted.

use sync_protocol::body::ZeroReportFiled;
use sync_protocol::checks::zero_report::{ahead, detail, report_week};
use sync_protocol::event::Event;
use sync_protocol::ids::{DeviceId, EventId, UserId};
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::FlagKind;

use super::flags::Place;
use crate::args;
use crate::store::{StoreError, jobs::WriteCtx};

impl WriteCtx<'_> {
    /// Flags an accepted zero report (kept by the read model) if the officer reported a finding in
    /// its week.
    pub fn check_new_zero_report(&mut self, event: &Event, report: &ZeroReportFiled) -> Result<(), StoreError> {
        let (officer, week) = report_week(report);
        let slack_ms = i64::from(self.checks.plausibility.future_slack_s) * 1_000;
        if let Some(why) = ahead(report, self.now_ms, slack_ms) {
            let place = self.zero_report_place(&officer, week, report.zone.as_ref().map(|z| z.as_str()));
            self.raise(Some(event.id), Some(event.device_id), FlagKind::FutureTimestamp, &why, &place)?;
        }
        // The first finding of the week to be checked: its check was stored as it was accepted,
        // so the log's order is the order of the checks.
        let sql = "SELECT c.finding FROM finding_checks c JOIN events e ON e.id = c.finding
                   WHERE c.officer = ?1 AND c.week = ?2 ORDER BY e.server_seq LIMIT 1";
        let finding: Option<Vec<u8>> = self.conn.optional(sql, args![officer.as_str(), week.to_string()])?.map(|r| r.get(0)).transpose()?;
        if let Some(finding) = finding {
            let finding = uuid::Uuid::from_slice(&finding).map(EventId).map_err(|_| StoreError::corrupt("finding_checks", "finding"))?;
            let place = self.zero_report_place(&officer, week, report.zone.as_ref().map(|z| z.as_str()));
            self.raise(Some(event.id), Some(event.device_id), FlagKind::ContradictoryZeroReport, &detail(week, finding), &place)?;
        }
        Ok(())
    }

    /// Flags the officer's zero reports for `week` not flagged yet, now that `finding` was reported.
    pub(super) fn contradict_zero_reports(&mut self, officer: &UserId, week: IsoWeek, finding: EventId) -> Result<(), StoreError> {
        let reports: Vec<(Vec<u8>, Vec<u8>, Option<String>)> = self
            .conn
            .all(
                "SELECT z.report, z.device_id, z.zone FROM zero_reports z WHERE z.officer = ?1 AND z.week = ?2
                   AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.event_id = z.report AND f.kind = ?3 AND f.cleared_at IS NULL)",
                args![officer.as_str(), week.to_string(), FlagKind::ContradictoryZeroReport.as_str()],
            )?
            .iter()
            .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .collect::<Result<_, StoreError>>()?;
        for (report, device, zone) in reports {
            let corrupt = |what: &str| StoreError::corrupt("zero_reports", format!("bad {what}"));
            let report = uuid::Uuid::from_slice(&report).map(EventId).map_err(|_| corrupt("report"))?;
            let device = uuid::Uuid::from_slice(&device).map(DeviceId).map_err(|_| corrupt("device"))?;
            let place = self.zero_report_place(officer, week, zone.as_deref());
            self.raise(Some(report), Some(device), FlagKind::ContradictoryZeroReport, &detail(week, finding), &place)?;
        }
        Ok(())
    }

    /// A zero report's place: its zone's village and township (none for a version 1 report, which
    /// names no zone), and its week.
    fn zero_report_place(&self, officer: &UserId, week: IsoWeek, zone: Option<&str>) -> Place {
        let zone = zone.and_then(|z| z.parse().ok());
        let village = zone.as_ref().and_then(|z| self.reference.village_of_zone(z)).cloned();
        let township = village.as_ref().and_then(|v| self.reference.parent_of(v)).cloned();
        Place { officer: Some(officer.clone()), village, township, week: Some(week) }
    }
}
