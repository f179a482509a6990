//! What compliance counts for one week, as facts: the week's patrols with their quota decisions,
//! its findings with when a case received and stopped them, zero reports, flags per officer, the
//! enrolled village officers, their assignments and the zones' places, and the cases and tips open
//! now. The server reads them from its read model (in proportion to the week); a device, or a test,
//! takes them from a projection ([`WeekFacts::of_projection`]). [`super::weekly`] computes the same
//! figures from either.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use super::Decisions;
use crate::body::{CaseSource, Role};
use crate::fold::{Case, Finding, Projection};
use crate::ids::{EventId, UnitId, UserId, ZoneId};
use crate::values::IsoWeek;
use crate::zones::{Assignments, ZonePlace, ZoneVersions};

/// One patrol started in the week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatrolFact {
    pub id: EventId,
    pub officer: UserId,
    pub zone: ZoneId,
    /// The checks' quota decision; `None` while unchecked.
    pub counts: Option<bool>,
}

/// One officer's patrols started in the week, counted: what compliance reads of them. The server
/// keeps these counts per officer and week as it accepts and checks each patrol, so that a week's
/// compliance reads one row per officer, not every patrol.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatrolTally {
    pub patrols: u32,
    /// Of those, the ones the checks say count.
    pub counting: u32,
    /// Of those, the ones not checked yet.
    pub unchecked: u32,
    /// The zone of the week's last patrol (by id): where the officer's week lies when no zone is
    /// assigned to them at its end ([`WeekFacts::place_of`]). A reader may leave it out for an
    /// officer whose assignment decides.
    pub last_zone: Option<ZoneId>,
}

impl PatrolTally {
    /// The tallies of `patrols`, per officer.
    pub fn of<'a>(patrols: impl IntoIterator<Item = &'a PatrolFact>) -> BTreeMap<UserId, PatrolTally> {
        let mut last: BTreeMap<&UserId, &PatrolFact> = BTreeMap::new();
        let mut tallies: BTreeMap<UserId, PatrolTally> = BTreeMap::new();
        for x in patrols {
            let t = tallies.entry(x.officer.clone()).or_default();
            t.patrols += 1;
            t.counting += u32::from(x.counts == Some(true));
            t.unchecked += u32::from(x.counts.is_none());
            let newest = last.entry(&x.officer).or_insert(x);
            if x.id > newest.id {
                *newest = x;
            }
        }
        for (officer, x) in last {
            if let Some(t) = tallies.get_mut(officer) {
                t.last_zone = Some(x.zone.clone());
            }
        }
        tallies
    }
}

/// One finding, with what its cases say of its reporting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingFact {
    pub id: EventId,
    pub officer: UserId,
    /// Where it lies ([`crate::zones`]), at `observed_at`.
    pub township: Option<UnitId>,
    pub observed_at: i64,
    pub stopped_on_spot: bool,
    /// The earliest `case.opened` naming it (HLC ms); `None`: not received.
    pub received_at: Option<i64>,
    /// The earliest valid `case.stopped` of those cases (HLC ms).
    pub stopped_at: Option<i64>,
}

impl FindingFact {
    /// The finding as the projection `p` holds it, with its cases.
    pub fn of(p: &Projection, f: &Finding) -> FindingFact {
        let cases = || p.cases.values().filter(|c| c.source == CaseSource::Finding(f.id));
        FindingFact {
            id: f.id,
            officer: f.officer.clone(),
            township: p.place_of(&f.zone, f.observed_at).map(|z| z.township.clone()),
            observed_at: f.observed_at,
            stopped_on_spot: f.stopped_on_spot,
            received_at: cases().map(|c| c.opened_at).min(),
            stopped_at: cases().filter_map(|c| c.stopped_at).min(),
        }
    }
}

/// A tip not answered yet, and where it is assigned now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenTip {
    pub id: EventId,
    pub township: UnitId,
}

/// Everything one week's compliance reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeekFacts {
    /// Village officers enrolled (they have a row even in a week they did nothing).
    pub enrolled: BTreeSet<UserId>,
    /// Patrols started in the week (county time), counted per officer.
    pub patrols: BTreeMap<UserId, PatrolTally>,
    /// Findings observed in the week.
    pub findings: Vec<FindingFact>,
    /// Officers with a zero report filed for the week.
    pub zero_reports: BTreeSet<UserId>,
    /// Flags not withdrawn, per officer, carrying the week.
    pub flags: BTreeMap<UserId, u32>,
    pub assignments: Assignments,
    pub zones: ZoneVersions,
    /// Cases not closed (whatever week they began in), as they stand now.
    pub open_cases: Vec<Case>,
    pub open_tips: Vec<OpenTip>,
    /// The townships of every case and tip, open or not (each has a roll-up).
    pub case_townships: BTreeSet<UnitId>,
}

impl WeekFacts {
    /// The facts of `week` in projection `p`, with the checks' answers from `decisions`.
    pub fn of_projection(p: &Projection, week: IsoWeek, decisions: &impl Decisions) -> WeekFacts {
        let patrols = p.patrols.values().filter(|x| IsoWeek::of_ms(x.started_at) == week);
        let findings = p.findings.values().filter(|f| IsoWeek::of_ms(f.observed_at) == week);
        let enrolled: BTreeSet<UserId> = p.users.values().filter(|u| u.role == Role::VillageOfficer).map(|u| u.user.clone()).collect();
        let officers: BTreeSet<&UserId> = p
            .patrols
            .values()
            .map(|x| &x.officer)
            .chain(p.findings.values().map(|f| &f.officer))
            .chain(p.zero_reports.values().map(|z| &z.officer))
            .chain(&enrolled)
            .collect();
        let zero = p.zero_reports.values().filter(|z| z.week == week).map(|z| z.officer.clone());
        let patrols: Vec<PatrolFact> = patrols
            .map(|x| PatrolFact { id: x.id, officer: x.officer.clone(), zone: x.zone.clone(), counts: decisions.counts(&x.id) })
            .collect();
        WeekFacts {
            patrols: PatrolTally::of(&patrols),
            findings: findings.map(|f| FindingFact::of(p, f)).collect(),
            zero_reports: zero.collect(),
            flags: officers.into_iter().map(|o| (o.clone(), decisions.flags(o, week))).filter(|(_, n)| *n > 0).collect(),
            assignments: Assignments::from_assignments(p.assignments.values().flatten()),
            zones: p.zone_versions.clone(),
            open_cases: p.cases.values().filter(|c| !c.is_closed()).cloned().collect(),
            open_tips: p.open_tips().map(|t| OpenTip { id: t.id, township: t.township.clone() }).collect(),
            case_townships: p.cases.values().map(|c| c.township.clone()).chain(p.tips.values().map(|t| t.township.clone())).collect(),
            enrolled,
        }
    }

    /// Where `officer`'s week lies (its village and township): the place of the zone assigned at the
    /// week's end, else of the zone of their week's last patrol (by id), placed at the week's end.
    pub fn place_of(&self, officer: &UserId, week: IsoWeek) -> Option<&ZonePlace> {
        let end = week.bounds_ms().1 - 1;
        let last_patrol = || self.patrols.get(officer).and_then(|t| t.last_zone.as_ref());
        let zone = self.assignments.zone_at(officer, end).or_else(last_patrol)?;
        self.zones.place_at(zone, end)
    }
}
