//! A patrol's row of the phone's ledger, from the one definition the server's ledger export uses
//! (`sync_protocol::ledger`): its entry from the fold, and beside it what the phone knows itself
//! (where its zone lay, its own checks of the patrol and its findings, the cases it holds).
//!
//! The phone holds none of the server's stored answers, so it checks as `check` does, with the
//! default settings: the same row as `GET /v1/ledger` while the county keeps those settings and
//! no flag only the server's whole view raises (see `LedgerFacts::from_checks`) is open.

use std::collections::BTreeMap;

use sync_protocol::body::{Body, CaseSource};
use sync_protocol::checks::licence::check_finding;
use sync_protocol::checks::licence_history::LicenceHistory;
use sync_protocol::checks::zone_history::ZoneHistory;
use sync_protocol::fold::Projection;
use sync_protocol::ids::{DeviceId, EventId, UserId};
use sync_protocol::ledger::{Checked, LedgerFacts, PatrolEntry};

use super::checks::CheckMemo;
use super::{Replica, ReplicaError};

/// Builds ledger rows for one identity, reading each licence and officer's zones once.
pub(crate) struct RowFacts<'a> {
    replica: &'a Replica,
    owner: DeviceId,
    /// The identity's projection: where zones lay, and the cases it holds.
    projection: &'a Projection,
    licences: LicenceHistory,
    histories: BTreeMap<UserId, ZoneHistory>,
    /// The cases opened on each finding, by case id: read once, not once per patrol.
    cases_by_finding: BTreeMap<EventId, Vec<(EventId, String)>>,
    memo: CheckMemo,
}

impl<'a> RowFacts<'a> {
    pub(crate) fn new(replica: &'a Replica, owner: DeviceId, projection: &'a Projection) -> Result<RowFacts<'a>, ReplicaError> {
        let mut cases_by_finding: BTreeMap<EventId, Vec<(EventId, String)>> = BTreeMap::new();
        for c in projection.cases.values() {
            if let CaseSource::Finding(f) = c.source {
                cases_by_finding.entry(f).or_default().push((c.id, c.status_label().to_owned()));
            }
        }
        let licences = replica.licence_history(owner)?;
        Ok(RowFacts { replica, owner, projection, licences, histories: BTreeMap::new(), cases_by_finding, memo: CheckMemo::default() })
    }

    /// The entry of patrol `id` as `fold` holds it (the projection, or a rejected patrol folded
    /// alone), with its facts; `None` when `fold` holds no such patrol.
    pub(crate) fn of(&mut self, fold: &Projection, id: EventId) -> Result<Option<(PatrolEntry, LedgerFacts)>, ReplicaError> {
        let Some(patrol) = fold.patrols.get(&id) else { return Ok(None) };
        let mut hashes = BTreeMap::new();
        let mut verdicts = BTreeMap::new();
        for f in &patrol.findings {
            let (event, body) = self.replica.stored(self.owner, *f, "finding.reported", ReplicaError::UnknownFinding)?;
            if let Body::FindingReported(finding) = body {
                verdicts.insert(*f, check_finding(&finding, &self.licences));
            }
            hashes.insert(*f, event.hash.to_hex());
        }
        let Some(entry) = PatrolEntry::of(fold, &id, |f| hashes.get(f).cloned()) else { return Ok(None) };
        let (event, body) = self.replica.stored(self.owner, id, "patrol.recorded", ReplicaError::UnknownPatrol)?;
        let Body::PatrolRecorded(recorded) = body else { return Err(ReplicaError::UnknownPatrol(id)) };
        let history = match self.histories.get(&event.author) {
            Some(h) => h,
            None => {
                let h = self.replica.zone_history(self.owner, &event.author)?;
                self.histories.entry(event.author.clone()).or_insert(h)
            }
        };
        let verdict = self.replica.verdict_in(self.owner, &event, &recorded, history, &mut self.memo)?;
        let place = self.projection.place_of(&entry.zone, entry.started_at).map(|z| (z.village.clone(), z.township.clone()));
        // In case order, as the projection lists them.
        let mut on_findings: Vec<&(EventId, String)> =
            patrol.findings.iter().filter_map(|f| self.cases_by_finding.get(f)).flatten().collect();
        on_findings.sort_by_key(|(case, _)| *case);
        on_findings.dedup_by_key(|(case, _)| *case);
        let cases = on_findings.into_iter().map(|(_, label)| label.clone()).collect();
        let checked = Checked { check: &verdict.check, plausibility: &verdict.plausibility };
        let facts = LedgerFacts::from_checks(&entry, place, Some(checked), verdicts, cases);
        Ok(Some((entry, facts)))
    }
}
