//! The whole read model in memory: built from events one by one as a store applies them
//! ([`ReadModel::apply`]) or derived from the fold of them all ([`Rows::of_projection`]). The
//! tests prove the two equal whatever the order of delivery; [`ReadModel::week_facts`] gives what
//! compliance reads, as a store's queries give it.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;

use super::rows::{FindingRow, case_group, patrol_group, tip_group};
use super::{Filed, Refold, group_events, touch};
use crate::body::{Body, CaseSource, Role};
use crate::compliance::{Decisions, FindingFact, OpenTip, PatrolFact, PatrolTally, WeekFacts};
use crate::event::Event;
use crate::fold::{Case, Projection, Tip};
use crate::ids::{EventId, UnitId, UserId, ZoneId};
use crate::ledger::PatrolEntry;
use crate::values::IsoWeek;
use crate::zones::{Assignments, ZoneVersions};

/// The rows of the read model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    /// Each patrol's ledger entry, and the village and township it lies in.
    pub patrols: BTreeMap<EventId, (PatrolEntry, Option<(UnitId, UnitId)>)>,
    /// Each finding, and the township it lies in.
    pub findings: BTreeMap<EventId, (FindingRow, Option<UnitId>)>,
    pub cases: BTreeMap<EventId, Case>,
    /// Tips, their `cases` left empty (see [`super::tip_group`]).
    pub tips: BTreeMap<EventId, Tip>,
    pub zero_reports: BTreeSet<(UserId, IsoWeek)>,
}

impl Rows {
    /// The rows of the fold `p`; `hash_of` gives an event's hash (hex).
    pub fn of_projection(p: &Projection, hash_of: impl Fn(&EventId) -> Option<String>) -> Rows {
        let place = |zone: &ZoneId, t: i64| p.place_of(zone, t).map(|z| (z.village.clone(), z.township.clone()));
        let patrols = p.patrols.values().filter_map(|x| Some((x.id, (PatrolEntry::of(p, &x.id, &hash_of)?, place(&x.zone, x.started_at)))));
        let findings = p.findings.values().map(|f| (f.id, (FindingRow::of(f), place(&f.zone, f.observed_at).map(|(_, t)| t))));
        let tips = p.tips.values().map(|t| (t.id, Tip { cases: Vec::new(), ..t.clone() }));
        Rows {
            patrols: patrols.collect(),
            findings: findings.collect(),
            cases: p.cases.clone(),
            tips: tips.collect(),
            zero_reports: p.zero_reports.values().map(|z| (z.officer.clone(), z.week)).collect(),
        }
    }
}

/// The read model kept in memory, with the reference it needs and every event applied.
#[derive(Debug, Clone, Default)]
pub struct ReadModel {
    events: BTreeMap<EventId, Event>,
    filed: BTreeMap<EventId, Vec<EventId>>,
    pub zones: ZoneVersions,
    pub assignments: Assignments,
    pub roles: BTreeMap<UserId, Role>,
    pub rows: Rows,
}

impl Filed<Infallible> for ReadModel {
    fn event(&mut self, id: &EventId) -> Result<Option<Event>, Infallible> {
        Ok(self.events.get(id).cloned())
    }

    fn filed_under(&mut self, key: &EventId) -> Result<Vec<Event>, Infallible> {
        Ok(self.filed.get(key).into_iter().flatten().filter_map(|id| self.events.get(id).cloned()).collect())
    }
}

impl ReadModel {
    /// Applies one accepted event (a second copy of an event changes nothing). Reference events
    /// are applied in the order given, as the store applies them in its one chain's order.
    pub fn apply(&mut self, event: &Event) {
        let Ok(body) = Body::parse(&event.kind, &event.body) else { return };
        if self.events.insert(event.id, event.clone()).is_some() {
            return;
        }
        let t = touch(event.id, &body);
        if let Some(key) = t.filed_under {
            self.filed.entry(key).or_default().push(event.id);
        }
        match t.refold {
            Refold::Patrol(p) => self.refold_patrol(&p),
            Refold::PatrolOfFinding(f) => {
                if let Some(p) = self.rows.findings.get(&f).map(|(r, _)| r.patrol) {
                    self.refold_patrol(&p);
                }
            }
            Refold::Case(c) => {
                let Ok(events) = group_events(self, &c, false);
                set(&mut self.rows.cases, c, case_group(&c, &events));
            }
            Refold::Tip(tip) => {
                let Ok(events) = group_events(self, &tip, false);
                set(&mut self.rows.tips, tip, tip_group(&tip, &events));
            }
            Refold::ZeroReport(officer, week) => {
                self.rows.zero_reports.insert((officer, week));
            }
            Refold::Zone => {
                if let Body::ZoneDefined(z) = &body {
                    self.zones.define(z);
                    self.place_zone(&z.zone);
                }
            }
            Refold::Nothing => match body {
                Body::UserEnrolled(u) => {
                    self.roles.insert(u.user, u.role);
                }
                Body::AssignmentSet(a) => self.assignments.set(&a),
                _ => {}
            },
        }
    }

    fn refold_patrol(&mut self, patrol: &EventId) {
        let Ok(events) = group_events(self, patrol, true);
        let group = patrol_group(patrol, &events);
        let entry = group.patrol.map(|e| {
            let place = self.place(&e.zone, e.started_at);
            (e, place)
        });
        set(&mut self.rows.patrols, *patrol, entry);
        for f in group.findings {
            let township = self.place(&f.zone, f.observed_at).map(|(_, t)| t);
            self.rows.findings.insert(f.id, (f, township));
        }
    }

    fn place(&self, zone: &ZoneId, t: i64) -> Option<(UnitId, UnitId)> {
        self.zones.place_at(zone, t).map(|z| (z.village.clone(), z.township.clone()))
    }

    /// Places every row of `zone` again.
    fn place_zone(&mut self, zone: &ZoneId) {
        let zones = &self.zones;
        let place = |t: i64| zones.place_at(zone, t).map(|z| (z.village.clone(), z.township.clone()));
        for (entry, at) in self.rows.patrols.values_mut().filter(|(e, _)| &e.zone == zone) {
            *at = place(entry.started_at);
        }
        for (f, at) in self.rows.findings.values_mut().filter(|(f, _)| &f.zone == zone) {
            *at = place(f.observed_at).map(|(_, t)| t);
        }
    }

    /// What compliance reads for `week`, as a store's queries read it from these rows.
    pub fn week_facts(&self, week: IsoWeek, decisions: &impl Decisions) -> WeekFacts {
        let rows = &self.rows;
        let in_week = |t: i64| IsoWeek::of_ms(t) == week;
        let patrols = rows.patrols.values().filter(|(e, _)| in_week(e.started_at));
        let findings = rows.findings.values().filter(|(f, _)| in_week(f.observed_at));
        let cases_of = |f: EventId| rows.cases.values().filter(move |c| c.source == CaseSource::Finding(f));
        let officers: BTreeSet<&UserId> =
            patrols.clone().map(|(e, _)| &e.officer).chain(findings.clone().map(|(f, _)| &f.officer)).collect();
        let zero: BTreeSet<UserId> = rows.zero_reports.iter().filter(|(_, w)| *w == week).map(|(o, _)| o.clone()).collect();
        let enrolled: BTreeSet<UserId> = self.roles.iter().filter(|(_, r)| **r == Role::VillageOfficer).map(|(u, _)| u.clone()).collect();
        let flagged = officers.into_iter().chain(&zero).chain(&enrolled);
        let patrols: Vec<PatrolFact> = patrols
            .map(|(e, _)| PatrolFact {
                id: e.patrol,
                officer: e.officer.clone(),
                zone: e.zone.clone(),
                counts: decisions.counts(&e.patrol),
            })
            .collect();
        WeekFacts {
            patrols: PatrolTally::of(&patrols),
            findings: findings
                .map(|(f, township)| FindingFact {
                    id: f.id,
                    officer: f.officer.clone(),
                    township: township.clone(),
                    observed_at: f.observed_at,
                    stopped_on_spot: f.stopped_on_spot,
                    received_at: cases_of(f.id).map(|c| c.opened_at).min(),
                    stopped_at: cases_of(f.id).filter_map(|c| c.stopped_at).min(),
                })
                .collect(),
            flags: flagged.map(|o| (o.clone(), decisions.flags(o, week))).filter(|(_, n)| *n > 0).collect(),
            zero_reports: zero,
            assignments: self.assignments.clone(),
            zones: self.zones.clone(),
            open_cases: rows.cases.values().filter(|c| !c.is_closed()).cloned().collect(),
            open_tips: rows.tips.values().filter(|t| t.is_open()).map(|t| OpenTip { id: t.id, township: t.township.clone() }).collect(),
            case_townships: rows.cases.values().map(|c| c.township.clone()).chain(rows.tips.values().map(|t| t.township.clone())).collect(),
            enrolled,
        }
    }
}

/// Puts `value` at `key`, or removes the row when there is none.
fn set<V>(map: &mut BTreeMap<EventId, V>, key: EventId, value: Option<V>) {
    match value {
        Some(v) => map.insert(key, v),
        None => map.remove(&key),
    };
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
