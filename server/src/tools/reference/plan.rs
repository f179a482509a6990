//! Deciding what an import authors: the file compared with what the store holds, feature by
//! feature. Pure: the import carries the plan out in one transaction.

use std::fmt;
use sync_protocol::body::{AssignmentSet, Body, UnitDefined, UnitLevel, UserEnrolled, ZoneDefined};

use super::format::{ZoneEntry, instant_text};
use super::licence_plan::licence_change;
use super::parse::{Item, Parsed};
use super::problem::{Finding, Findings, Problem};
use super::stored::Stored;

/// What an import authors or authored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub units: usize,
    pub zones: usize,
    pub licences: usize,
    pub assignments: usize,
    pub users: usize,
    /// Features (and zone assignments) already in the store as they are in the file.
    pub unchanged: usize,
}

impl Summary {
    pub fn authored(&self) -> usize {
        self.units + self.zones + self.licences + self.assignments + self.users
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} units, {} zones, {} licences, {} assignments authored; {} unchanged",
            self.units, self.zones, self.licences, self.assignments, self.unchanged
        )?;
        if self.users > 0 {
            write!(f, "; {} users enrolled", self.users)?;
        }
        Ok(())
    }
}

/// The bodies to author, in an order where each only names what an earlier one (or the store)
/// defined: units top-down, zones, users, assignments, licences.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub bodies: Vec<Body>,
    pub summary: Summary,
}

/// Compares the file with the store. `enrol` are users to enrol with the import (the demo's).
/// `now_ms` is when licence changes take effect (see [`super::licence_plan`]).
pub fn plan(parsed: &[Parsed], stored: &Stored, enrol: &[UserEnrolled], now_ms: i64) -> Result<Plan, Findings> {
    let mut summary = Summary::default();
    let mut findings = Findings::default();
    let (mut units, mut zones, mut assignments, mut licences) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for p in parsed {
        let problem = |problem| Finding::feature(p.index, Some(p.item.id()), problem);
        match &p.item {
            Item::Unit(u) => match unit(u, stored) {
                Some(body) => units.push((u.level, body)),
                None => summary.unchanged += 1,
            },
            Item::Zone(entry) => {
                let (zone, assignment) = zone(entry, stored).map_err(|e| findings.push(problem(e))).unwrap_or((None, None));
                summary.unchanged += usize::from(zone.is_none()) + usize::from(entry.assignment.is_some() && assignment.is_none());
                zones.extend(zone);
                assignments.extend(assignment);
            }
            Item::Licence(l) => match licence_change(stored.licences.get(&l.terms.licence), l, now_ms) {
                Ok(bodies) if bodies.is_empty() => summary.unchanged += 1,
                Ok(bodies) => licences.extend(bodies),
                Err(e) => findings.push(problem(e)),
            },
        }
    }
    if !findings.is_empty() {
        return Err(findings);
    }
    assignments.extend(waiting_assignments(parsed, stored, &assignments));
    // Parents before children: a stable sort keeps the file's order within a level.
    units.sort_by_key(|(level, _)| depth(*level));
    summary.units = units.len();
    summary.zones = zones.len();
    summary.users = enrol.len();
    summary.assignments = assignments.len();
    summary.licences = licences.len();
    let users = enrol.iter().cloned().map(Body::UserEnrolled);
    let bodies = units.into_iter().map(|(_, b)| b).chain(zones).chain(users).chain(assignments).chain(licences).collect();
    Ok(Plan { bodies, summary })
}

/// Officers assigned (by a roster) to a zone the store did not know yet: their assignment was
/// routed to the county only, so it is authored again after the zone, for their village.
fn waiting_assignments(parsed: &[Parsed], stored: &Stored, planned: &[Body]) -> Vec<Body> {
    let new_zones: std::collections::BTreeSet<_> = parsed
        .iter()
        .filter_map(|p| match &p.item {
            Item::Zone(entry) if !stored.zones.contains_key(&entry.zone.zone) => Some(&entry.zone.zone),
            _ => None,
        })
        .collect();
    let planned_officers: std::collections::BTreeSet<_> = planned
        .iter()
        .filter_map(|b| match b {
            Body::AssignmentSet(a) => Some(&a.officer),
            _ => None,
        })
        .collect();
    stored
        .assignments
        .values()
        .filter(|a| a.zone.as_ref().is_some_and(|z| new_zones.contains(z)) && !planned_officers.contains(&a.officer))
        .map(|a| Body::AssignmentSet(a.clone()))
        .collect()
}

pub(super) fn depth(level: UnitLevel) -> u8 {
    match level {
        UnitLevel::County => 0,
        UnitLevel::Township | UnitLevel::Town | UnitLevel::Farm => 1,
        UnitLevel::Village => 2,
    }
}

/// A new or changed unit is (re)defined; units have no versions, the latest definition holds.
fn unit(u: &UnitDefined, stored: &Stored) -> Option<Body> {
    (stored.units.get(&u.unit) != Some(u)).then(|| Body::UnitDefined(u.clone()))
}

/// A new zone, or a new version of a changed one (never starting before the stored version, or
/// it would not be the latest and every import would author it again); and the officer's
/// assignment when it is not already their latest.
fn zone(entry: &ZoneEntry, stored: &Stored) -> Result<(Option<Body>, Option<Body>), Problem> {
    let z: &ZoneDefined = &entry.zone;
    let version = match stored.zones.get(&z.zone) {
        Some(old) if old == z => None,
        Some(old) if z.valid_from < old.valid_from => {
            return Err(Problem::ZoneVersionBeforeCurrent { stored: instant_text(old.valid_from), file: instant_text(z.valid_from) });
        }
        _ => Some(Body::ZoneDefined(z.clone())),
    };
    let Some(a) = &entry.assignment else { return Ok((version, None)) };
    let wanted = AssignmentSet { officer: a.officer.clone(), zone: Some(z.zone.clone()), from: a.from, by: None };
    let assignment = match stored.assignments.get(&a.officer) {
        // Who made it (a roster import names its admin) is no difference.
        Some(current) if current.zone == wanted.zone && current.from == wanted.from => None,
        Some(current) if a.from < current.from => {
            return Err(Problem::AssignmentBeforeCurrent {
                officer: a.officer.to_string(),
                stored: instant_text(current.from),
                file: instant_text(a.from),
            });
        }
        _ => Some(Body::AssignmentSet(wanted)),
    };
    Ok((version, assignment))
}
