//! What a roster changes, decided purely against what the store holds: every problem that needs
//! other rows or the store (a duplicate id, an unknown unit, a unit at the wrong level, units that
//! do not fit a role, a zone of another village, an assignment older than the current one), or
//! the events that make the store say what the roster says, and nothing else.

use std::collections::{BTreeMap, BTreeSet};
use sync_protocol::body::{
    AssignmentSet, Body, Role, UnitDefined, UnitLevel, UserChanged, UserDisabled, UserEnabled, UserEnrolled, check_placement,
};
use sync_protocol::ids::{UnitId, UserId};

use super::columns::Column;
use super::dates::day_of;
use super::parse::{PersonRow, Roster, UnitRow};
use super::problem::RosterProblems;
use super::stored::People;

/// What an import authors, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub bodies: Vec<Body>,
    pub summary: Summary,
}

/// Counts of what an import authors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub units: usize,
    pub enrolled: usize,
    pub changed: usize,
    pub assigned: usize,
    pub enabled: usize,
    pub disabled: usize,
    pub unchanged: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self;
        write!(
            f,
            "{} units, {} people enrolled, {} changed, {} assignments, {} enabled, {} disabled authored; {} people unchanged",
            s.units, s.enrolled, s.changed, s.assigned, s.enabled, s.disabled, s.unchanged
        )
    }
}

/// Plans `roster` against `stored` on behalf of the admin `by`.
pub fn plan(roster: &Roster, stored: &People, by: &UserId) -> Result<Plan, RosterProblems> {
    let mut problems = RosterProblems::default();
    let units = check_units(roster, stored, &mut problems);
    let level = |u: &UnitId| units.get(u).map(|r| r.level).or_else(|| stored.level(u));
    check_people(roster, stored, &level, &mut problems);
    if !problems.is_empty() {
        return Err(problems.sorted());
    }
    let mut plan = Plan::default();
    plan_units(roster, stored, &mut plan);
    plan_people(roster, stored, by, &mut plan);
    Ok(plan)
}

/// Duplicate unit ids, unknown parents, parents at the wrong level. Returns the file's units.
fn check_units<'a>(roster: &'a Roster, stored: &People, problems: &mut RosterProblems) -> BTreeMap<UnitId, &'a UnitRow> {
    let mut units: BTreeMap<UnitId, &UnitRow> = BTreeMap::new();
    for u in &roster.units {
        if let Some(first) = units.get(&u.unit) {
            problems.push(roster.cell(u.row, Column::Id), "duplicate_id", format!("unit {} is also on row {}", u.unit, first.row));
        } else {
            units.insert(u.unit.clone(), u);
        }
    }
    for u in &roster.units {
        let parent = units.get(&u.parent).map(|p| p.level).or_else(|| stored.level(&u.parent));
        let fits = match parent {
            None => {
                problems.push(
                    roster.cell(u.row, Column::Unit),
                    "unknown_unit",
                    format!("unit {} is neither in the roster nor in the store", u.parent),
                );
                continue;
            }
            Some(p) if u.level == UnitLevel::Village => p.is_township_level(),
            Some(p) => p == UnitLevel::County,
        };
        if !fits {
            let want = if u.level == UnitLevel::Village { "a township-level unit (乡、镇、场)" } else { "the county" };
            problems.push(roster.cell(u.row, Column::Unit), "wrong_level", format!("the unit above a {:?} is {want}", u.level));
        }
    }
    units
}

/// Duplicate people, units that do not fit a role, zones of another village, assignments older
/// than the stored one.
fn check_people(roster: &Roster, stored: &People, level: &dyn Fn(&UnitId) -> Option<UnitLevel>, problems: &mut RosterProblems) {
    let mut seen: BTreeMap<&UserId, usize> = BTreeMap::new();
    for p in &roster.people {
        if let Some(first) = seen.insert(&p.user, p.row) {
            problems.push(roster.cell(p.row, Column::Id), "duplicate_id", format!("person {} is also on row {first}", p.user));
        }
        for unit in &p.units {
            if level(unit).is_none() {
                problems.push(
                    roster.cell(p.row, Column::Unit),
                    "unknown_unit",
                    format!("unit {unit} is neither in the roster nor in the store"),
                );
            }
        }
        if p.units.iter().all(|u| level(u).is_some())
            && let Err(why) = check_placement(p.role, &p.units, level)
        {
            let rule = if p.role == Role::TownshipInspector { "inspector_outside_township" } else { "misplaced" };
            problems.push(roster.cell(p.row, Column::Unit), rule, why.to_string());
        }
        let Some((zone, from)) = &p.zone else { continue };
        if let Some(village) = stored.zones.current(zone).map(|z| &z.village)
            && !p.units.contains(village)
        {
            problems.push(
                roster.cell(p.row, Column::Zone),
                "zone_elsewhere",
                format!("zone {zone} patrols village {village}, not the officer's"),
            );
        }
        if let Some(current) = stored.assignments.get(&p.user)
            && *from < day_of(current.from)
        {
            problems.push(
                roster.cell(p.row, Column::From),
                "assignment_before_current",
                "the officer's current zone started later: a new zone starts on or after it",
            );
        }
    }
}

/// A unit whose name, level, parent or land office differ (its boundary is kept).
fn plan_units(roster: &Roster, stored: &People, plan: &mut Plan) {
    // Township-level units before villages, so that every parent comes first.
    let mut rows: Vec<&UnitRow> = roster.units.iter().collect();
    rows.sort_by_key(|u| (u.level == UnitLevel::Village, u.row));
    for u in rows {
        let old = stored.units.get(&u.unit);
        let wanted = UnitDefined {
            unit: u.unit.clone(),
            level: u.level,
            name: u.name.clone(),
            name_zh: u.name_zh.clone(),
            parent: Some(u.parent.clone()),
            land_office: u.land_office,
            boundary: old.and_then(|o| o.boundary.clone()),
        };
        if old != Some(&wanted) {
            plan.bodies.push(Body::UnitDefined(wanted));
            plan.summary.units += 1;
        }
    }
}

/// New people, changed records, people listed again, assignments, and people no longer listed.
fn plan_people(roster: &Roster, stored: &People, by: &UserId, plan: &mut Plan) {
    let mut assignments = Vec::new();
    for p in &roster.people {
        match stored.people.get(&p.user) {
            None => {
                let enrolled = UserEnrolled {
                    user: p.user.clone(),
                    display_name: p.name.clone(),
                    role: p.role,
                    units: p.units.clone(),
                    phone: p.phone.clone(),
                    by: Some(by.clone()),
                };
                plan.bodies.push(Body::UserEnrolled(enrolled));
                plan.summary.enrolled += 1;
            }
            Some(old) => {
                let same = old.name == p.name && old.role == p.role && old.units == p.units && old.phone == p.phone;
                if !same {
                    plan.bodies.push(Body::UserChanged(changed(p, by)));
                    plan.summary.changed += 1;
                }
                if old.disabled {
                    plan.bodies.push(Body::UserEnabled(UserEnabled { user: p.user.clone(), by: by.clone() }));
                    plan.summary.enabled += 1;
                }
                if same && !old.disabled {
                    plan.summary.unchanged += 1;
                }
            }
        }
        if let Some((zone, from)) = &p.zone {
            let wanted = AssignmentSet { officer: p.user.clone(), zone: Some(zone.clone()), from: *from, by: Some(by.clone()) };
            // The same zone from the same day is no change (an assignment made through the API
            // starts mid-day; the roster says its day).
            let current = stored.assignments.get(&p.user);
            if current.is_none_or(|c| c.zone != wanted.zone || day_of(c.from) != *from) {
                assignments.push(Body::AssignmentSet(wanted));
            }
        }
    }
    plan.summary.assigned = assignments.len();
    plan.bodies.extend(assignments);
    let listed: BTreeSet<&UserId> = roster.people.iter().map(|p| &p.user).collect();
    for (user, person) in &stored.people {
        // Admins are not roster people: an import never locks the county's admins out.
        if !listed.contains(user) && !person.disabled && person.role != Role::Admin && user != by {
            plan.bodies.push(Body::UserDisabled(UserDisabled { user: user.clone(), by: by.clone() }));
            plan.summary.disabled += 1;
        }
    }
}

fn changed(p: &PersonRow, by: &UserId) -> UserChanged {
    UserChanged {
        user: p.user.clone(),
        display_name: p.name.clone(),
        role: p.role,
        units: p.units.clone(),
        phone: p.phone.clone(),
        by: by.clone(),
    }
}
