//! One officer's week: patrols recorded and counting against the quota, findings, the zero
//! report, flags, and the status line the device shows offline ("1 of 2 patrols this week").

use serde::{Deserialize, Serialize};

use super::{ComplianceRules, Decisions, WeekFacts};
use crate::fold::Projection;
use crate::ids::{UnitId, UserId};
use crate::values::IsoWeek;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerWeek {
    pub officer: UserId,
    pub week: IsoWeek,
    /// The township of the officer's zone at the end of the week (else of their week's patrols).
    pub township: Option<UnitId>,
    /// The village of that zone: the level between the township and the officer. Added in protocol
    /// version 4 (`crate::wire::version`), left out of replies to older versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village: Option<UnitId>,
    /// Patrols started in the week (county time).
    pub patrols: u32,
    /// Of those, the ones the checks say count.
    pub patrols_counting: u32,
    /// Of those, the ones not checked yet.
    pub patrols_unchecked: u32,
    pub quota: u32,
    pub quota_met: bool,
    /// Findings the officer observed in the week.
    pub findings: u32,
    /// True when the officer found nothing that week (零报告制度).
    pub zero_report_needed: bool,
    pub zero_report_filed: bool,
    pub flags: u32,
    /// e.g. "1 of 2 patrols this week (1 awaiting check)".
    pub status: String,
    /// e.g. "本周有效巡查 1/2 次".
    pub status_zh: String,
}

/// `officer`'s compliance in `week`, from what the projection holds (on a device: its own view).
pub fn officer_week(p: &Projection, officer: &UserId, week: IsoWeek, rules: &ComplianceRules, decisions: &impl Decisions) -> OfficerWeek {
    officer_week_from(&WeekFacts::of_projection(p, week, decisions), officer, week, rules)
}

/// `officer`'s compliance in `week`, from the week's facts.
pub fn officer_week_from(facts: &WeekFacts, officer: &UserId, week: IsoWeek, rules: &ComplianceRules) -> OfficerWeek {
    let tally = facts.patrols.get(officer).cloned().unwrap_or_default();
    let (counting, unchecked) = (tally.counting, tally.unchecked);
    let findings = facts.findings.iter().filter(|f| &f.officer == officer).count() as u32;
    let quota = rules.weekly_quota;
    let place = facts.place_of(officer, week);
    let mut status = format!("{counting} of {quota} patrols this week");
    if unchecked > 0 {
        status.push_str(&format!(" ({unchecked} awaiting check)"));
    }
    OfficerWeek {
        officer: officer.clone(),
        week,
        township: place.map(|p| p.township.clone()),
        village: place.map(|p| p.village.clone()),
        patrols: tally.patrols,
        patrols_counting: counting,
        patrols_unchecked: unchecked,
        quota,
        quota_met: counting >= quota,
        findings,
        zero_report_needed: findings == 0,
        zero_report_filed: facts.zero_reports.contains(officer),
        flags: facts.flags.get(officer).copied().unwrap_or(0),
        status,
        status_zh: format!("本周有效巡查 {counting}/{quota} 次"),
    }
}
