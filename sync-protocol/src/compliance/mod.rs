//! Weekly compliance, computed from the events alone: per officer and ISO week (county time), the
//! patrols against the quota, the zero report, flags; rolled up per township and for the county.
//!
//! Which patrols count and how many flags were raised are decided outside the events (by the
//! geofence checks); the caller supplies them through [`Decisions`]. Definitions: `docs/compliance.md`.
//!
//! # Layout
//! - [`officer`]: one officer's week, and the status line the device shows offline.
//! - [`reporting`]: report rate and the times from finding to receipt and to stopping.

mod officer;
mod reporting;
#[cfg(test)]
mod tests;

pub use officer::{OfficerWeek, officer_week};
pub use reporting::{Durations, Reporting, reporting};

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use crate::body::Role;
use crate::fold::{Case, Projection, Tip, overdue};
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
    fn of<'a>(cases: impl Iterator<Item = &'a Case>, tips: impl Iterator<Item = &'a Tip>, now_ms: i64) -> CaseCounts {
        let mut c = CaseCounts { open_tips: tips.filter(|t| t.is_open()).count() as u32, ..CaseCounts::default() };
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
    let officers: Vec<OfficerWeek> = officers_of(p, week).iter().map(|o| officer_week(p, o, week, rules, decisions)).collect();
    let in_week: Vec<_> = p.findings.values().filter(|f| IsoWeek::of_ms(f.observed_at) == week).collect();
    let township_of_finding = |f: &&crate::fold::Finding| p.zones.get(&f.zone).map(|z| z.township.clone());
    let mut townships: BTreeMap<UnitId, Rollup> = BTreeMap::new();
    for t in officers.iter().filter_map(|o| o.township.clone()).chain(in_week.iter().filter_map(township_of_finding)) {
        townships.entry(t).or_default();
    }
    for t in p.cases.values().map(|c| &c.township).chain(p.tips.values().map(|x| &x.township)) {
        townships.entry(t.clone()).or_default();
    }
    for (t, rollup) in &mut townships {
        let mine: Vec<&OfficerWeek> = officers.iter().filter(|o| o.township.as_ref() == Some(t)).collect();
        let findings = in_week.iter().filter(|f| township_of_finding(f).as_ref() == Some(t)).copied();
        *rollup = roll_up(&mine, reporting(p, findings, rules, now_ms));
        let (cases, tips) = (p.cases.values().filter(|c| &c.township == t), p.tips.values().filter(|x| &x.township == t));
        rollup.cases = CaseCounts::of(cases, tips, now_ms);
    }
    let mut county = roll_up(&officers.iter().collect::<Vec<_>>(), reporting(p, in_week.iter().copied(), rules, now_ms));
    county.cases = CaseCounts::of(p.cases.values(), p.tips.values(), now_ms);
    WeeklyCompliance { week, officers, townships, county }
}

/// Village officers enrolled in the projection, and anyone with a patrol, finding or zero report
/// in `week`.
fn officers_of(p: &Projection, week: IsoWeek) -> BTreeSet<UserId> {
    let enrolled = p.users.values().filter(|u| u.role == Role::VillageOfficer).map(|u| u.user.clone());
    let patrolled = p.patrols.values().filter(|x| IsoWeek::of_ms(x.started_at) == week).map(|x| x.officer.clone());
    let found = p.findings.values().filter(|f| IsoWeek::of_ms(f.observed_at) == week).map(|f| f.officer.clone());
    let zero = p.zero_reports.values().filter(|z| z.week == week).map(|z| z.officer.clone());
    enrolled.chain(patrolled).chain(found).chain(zero).collect()
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
