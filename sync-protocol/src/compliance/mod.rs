//! Weekly compliance, computed from the events alone: per officer and ISO week (county time), the
//! patrols against the quota, the zero report, flags; rolled up per township and for the county.
//!
//! Which patrols count and how many flags were raised are decided outside the events (by the
//! geofence checks); the caller supplies them through [`Decisions`]. Definitions: `docs/compliance.md`.
//!
//! # Layout
//! - [`facts`]: what one week's compliance reads, from the server's read model or a projection.
//! - [`officer`]: one officer's week, and the status line the device shows offline.
//! - [`reporting`]: report rate and the times from finding to receipt and to stopping.

mod facts;
mod officer;
mod reporting;
#[cfg(test)]
pub(crate) mod tests;

pub use facts::{FindingFact, OpenTip, PatrolFact, PatrolTally, WeekFacts};
pub use officer::{OfficerWeek, officer_week, officer_week_from};
pub use reporting::{Durations, Reporting, reporting};

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use crate::fold::{Case, Projection, overdue};
use crate::ids::{EventId, UnitId, UserId};
use crate::values::IsoWeek;

/// The county's settings for compliance (`[compliance]` in the server's config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ComplianceRules {
    /// Patrols that must count per officer per week (每周动态巡查不少于2次).
    pub weekly_quota: u32,
    /// A finding is reported in time when a case names it within this many hours of `observed_at`.
    pub report_within_h: u32,
}

impl Default for ComplianceRules {
    fn default() -> Self {
        ComplianceRules { weekly_quota: 2, report_within_h: 24 }
    }
}

impl ComplianceRules {
    pub fn report_within_ms(&self) -> i64 {
        i64::from(self.report_within_h) * 3_600_000
    }
}

/// What compliance takes from the checks rather than the events: the server supplies what it
/// stored per patrol and per flag, the device what it computed offline.
pub trait Decisions {
    /// Whether a patrol counts toward the quota; `None` while it has not been checked.
    fn counts(&self, patrol: &EventId) -> Option<bool>;
    /// How many flags were raised on `officer`'s events of `week`.
    fn flags(&self, officer: &UserId, week: IsoWeek) -> u32;
}

/// [`Decisions`] held in two maps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionTable {
    pub counts: BTreeMap<EventId, bool>,
    pub flags: BTreeMap<(UserId, IsoWeek), u32>,
}

impl Decisions for DecisionTable {
    fn counts(&self, patrol: &EventId) -> Option<bool> {
        self.counts.get(patrol).copied()
    }

    fn flags(&self, officer: &UserId, week: IsoWeek) -> u32 {
        self.flags.get(&(officer.clone(), week)).copied().unwrap_or(0)
    }
}

/// Sums over a group of officers (a township, or the county) for one week.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollup {
    pub officers: u32,
    pub quota_met: u32,
    /// `quota_met * 100 / officers`, rounded down; `None` without officers.
    pub quota_met_percent: Option<u32>,
    pub patrols: u32,
    pub patrols_counting: u32,
    pub zero_reports_needed: u32,
    /// Of the officers who needed one, how many filed it.
    pub zero_reports_filed: u32,
    pub flags: u32,
    pub reporting: Reporting,
    /// Cases and tips as they stand at `now`, whatever week they began in.
    pub cases: CaseCounts,
}

/// Cases and tips of a group as they stand at `now`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseCounts {
    /// Cases not closed (including those in conflict).
    pub open: u32,
    pub in_conflict: u32,
    /// Open cases with a missed deadline ([`crate::fold::overdue`]).
    pub overdue: u32,
    /// Open cases under the county's supervision.
    pub major: u32,
    /// Tips not answered (counted until answered).
    pub open_tips: u32,
}

impl CaseCounts {
    /// The counts of `cases` (closed ones are skipped) and `open_tips` tips not answered.
    fn of<'a>(cases: impl Iterator<Item = &'a Case>, open_tips: usize, now_ms: i64) -> CaseCounts {
        let mut c = CaseCounts { open_tips: open_tips as u32, ..CaseCounts::default() };
        for case in cases.filter(|c| !c.is_closed()) {
            c.open += 1;
            c.in_conflict += u32::from(case.conflict.is_some());
            c.overdue += u32::from(overdue(case, now_ms).is_some());
            c.major += u32::from(case.major.is_some());
        }
        c
    }
}

/// The week's compliance for everything a projection holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyCompliance {
    pub week: IsoWeek,
    pub officers: Vec<OfficerWeek>,
    pub townships: BTreeMap<UnitId, Rollup>,
    pub county: Rollup,
}

/// Computes `week` for every village officer the projection knows and everyone who recorded
/// in that week. `now_ms` decides which unreceived findings are still within their window.
pub fn weekly(p: &Projection, week: IsoWeek, rules: &ComplianceRules, decisions: &impl Decisions, now_ms: i64) -> WeeklyCompliance {
    weekly_from(&WeekFacts::of_projection(p, week, decisions), week, rules, now_ms)
}

/// [`weekly`] from the week's facts, however they were gathered.
pub fn weekly_from(facts: &WeekFacts, week: IsoWeek, rules: &ComplianceRules, now_ms: i64) -> WeeklyCompliance {
    let officers: Vec<OfficerWeek> = officers_of(facts).iter().map(|o| officer_week_from(facts, o, week, rules)).collect();
    let mut townships: BTreeMap<UnitId, Rollup> = BTreeMap::new();
    let of_officers = officers.iter().filter_map(|o| o.township.as_ref());
    for t in of_officers.chain(facts.findings.iter().filter_map(|f| f.township.as_ref())).chain(&facts.case_townships) {
        townships.entry(t.clone()).or_default();
    }
    for (t, rollup) in &mut townships {
        let mine: Vec<&OfficerWeek> = officers.iter().filter(|o| o.township.as_ref() == Some(t)).collect();
        let findings = facts.findings.iter().filter(|f| f.township.as_ref() == Some(t));
        *rollup = roll_up(&mine, reporting(findings, rules, now_ms));
        let (cases, tips) = (facts.open_cases.iter().filter(|c| &c.township == t), facts.open_tips.iter().filter(|x| &x.township == t));
        rollup.cases = CaseCounts::of(cases, tips.count(), now_ms);
    }
    let mut county = roll_up(&officers.iter().collect::<Vec<_>>(), reporting(facts.findings.iter(), rules, now_ms));
    county.cases = CaseCounts::of(facts.open_cases.iter(), facts.open_tips.len(), now_ms);
    WeeklyCompliance { week, officers, townships, county }
}

/// Village officers enrolled, and anyone with a patrol, finding or zero report in the week.
fn officers_of(facts: &WeekFacts) -> BTreeSet<UserId> {
    let patrolled = facts.patrols.keys().cloned();
    let found = facts.findings.iter().map(|f| f.officer.clone());
    facts.enrolled.iter().cloned().chain(patrolled).chain(found).chain(facts.zero_reports.iter().cloned()).collect()
}

fn roll_up(officers: &[&OfficerWeek], reporting: Reporting) -> Rollup {
    let count = |f: &dyn Fn(&OfficerWeek) -> bool| officers.iter().filter(|o| f(o)).count() as u32;
    let n = officers.len() as u32;
    let met = count(&|o| o.quota_met);
    Rollup {
        officers: n,
        quota_met: met,
        quota_met_percent: (met * 100).checked_div(n),
        patrols: officers.iter().map(|o| o.patrols).sum(),
        patrols_counting: officers.iter().map(|o| o.patrols_counting).sum(),
        zero_reports_needed: count(&|o| o.zero_report_needed),
        zero_reports_filed: count(&|o| o.zero_report_needed && o.zero_report_filed),
        flags: officers.iter().map(|o| o.flags).sum(),
        reporting,
        cases: CaseCounts::default(),
    }
}
