//! Checking the references of a file's features against the file itself and the store: unit
//! parents and levels, a zone's village and township, licence villages, and zone officers.

use std::collections::HashMap;
use sync_protocol::body::{Role, UnitLevel};
use sync_protocol::ids::{UnitId, UserId};

use super::parse::{Item, Parsed};
use super::problem::{Finding, Findings, Problem};
use super::stored::Stored;

/// What the file's units will be once imported, over what the store holds.
struct Units<'a> {
    file: HashMap<&'a UnitId, (UnitLevel, Option<&'a UnitId>)>,
    stored: &'a Stored,
}

impl Units<'_> {
    fn get(&self, id: &UnitId) -> Option<(UnitLevel, Option<&UnitId>)> {
        self.file.get(id).copied().or_else(|| self.stored.units.get(id).map(|u| (u.level, u.parent.as_ref())))
    }

    /// The unit's level if it is one of `expected`; else the problem.
    fn expect(&self, what: &'static str, id: &UnitId, expected: &'static str, ok: fn(UnitLevel) -> bool) -> Result<(), Problem> {
        match self.get(id) {
            None => Err(Problem::UnknownReference { what, id: id.to_string() }),
            Some((level, _)) if ok(level) => Ok(()),
            Some((level, _)) => Err(Problem::WrongLevel { what, id: id.to_string(), found: level_name(level), expected }),
        }
    }
}

fn level_name(level: UnitLevel) -> String {
    serde_json::to_value(level).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn is_county(level: UnitLevel) -> bool {
    level == UnitLevel::County
}

fn is_village(level: UnitLevel) -> bool {
    level == UnitLevel::Village
}

/// Every unresolved or inconsistent reference. `users` are the users known besides the store's
/// (those enrolled in the same import).
pub fn resolve(parsed: &[Parsed], stored: &Stored, users: &HashMap<UserId, Role>) -> Findings {
    let file = parsed
        .iter()
        .filter_map(|p| match &p.item {
            Item::Unit(u) => Some((&u.unit, (u.level, u.parent.as_ref()))),
            _ => None,
        })
        .collect();
    let units = Units { file, stored };
    let mut officers: HashMap<&UserId, usize> = HashMap::new();
    let mut findings = Findings::default();
    for p in parsed {
        let mut problems = Vec::new();
        match &p.item {
            Item::Unit(u) => problems.extend(parent(&units, u.level, u.parent.as_ref())),
            Item::Zone(entry) => {
                let z = &entry.zone;
                problems.extend(units.expect("village", &z.village, "village", is_village).err());
                problems.extend(units.expect("township", &z.township, "township, town or farm", UnitLevel::is_township_level).err());
                if let Some((UnitLevel::Village, Some(actual))) = units.get(&z.village)
                    && actual != &z.township
                {
                    let (village, township, actual) = (z.village.to_string(), z.township.to_string(), actual.to_string());
                    problems.push(Problem::TownshipMismatch { village, township, actual });
                }
                if let Some(a) = &entry.assignment {
                    problems.extend(officer(&a.officer, stored, users));
                    if let Some(first) = officers.insert(&a.officer, p.index) {
                        officers.insert(&a.officer, first);
                        problems.push(Problem::OfficerTwice { officer: a.officer.to_string(), first });
                    }
                }
            }
            Item::Licence(l) => {
                problems.extend(l.terms.villages.iter().filter_map(|v| units.expect("village", v, "village", is_village).err()));
            }
        }
        problems.into_iter().for_each(|problem| findings.push(Finding::feature(p.index, Some(p.item.id()), problem)));
    }
    findings
}

/// A county has no parent; a township-level unit's parent is the county; a village's is a
/// township-level unit.
fn parent(units: &Units<'_>, level: UnitLevel, parent: Option<&UnitId>) -> Option<Problem> {
    let expected: (&'static str, fn(UnitLevel) -> bool) = match level {
        UnitLevel::County => {
            return parent.map(|_| Problem::InvalidProperty { name: "parent", reason: "a county has no parent unit".into() });
        }
        UnitLevel::Village => ("township, town or farm", UnitLevel::is_township_level),
        _ => ("county", is_county),
    };
    let Some(parent) = parent else { return Some(Problem::MissingProperty("parent")) };
    units.expect("parent", parent, expected.0, expected.1).err()
}

fn officer(officer: &UserId, stored: &Stored, users: &HashMap<UserId, Role>) -> Option<Problem> {
    match users.get(officer).or_else(|| stored.users.get(officer)) {
        None => Some(Problem::UnknownReference { what: "officer", id: officer.to_string() }),
        Some(Role::VillageOfficer) => None,
        Some(role) => Some(Problem::NotVillageOfficer { officer: officer.to_string(), role: role.as_str().to_string() }),
    }
}
