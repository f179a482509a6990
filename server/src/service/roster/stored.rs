//! The people, units and zones the store holds now, folded from its reference events: what a
//! roster import plans against and an export writes.

use std::collections::BTreeMap;
use sync_protocol::body::{AssignmentSet, Body, Role, UnitDefined, UnitLevel};
use sync_protocol::ids::{UnitId, UserId};
use sync_protocol::zones::{ZoneVersions, supersedes};

/// A user's record as the store holds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub role: Role,
    pub units: Vec<UnitId>,
    pub phone: Option<String>,
    pub disabled: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct People {
    pub units: BTreeMap<UnitId, UnitDefined>,
    /// Each zone's versions: its village is its current version's ([`ZoneVersions::current`]).
    pub zones: ZoneVersions,
    pub people: BTreeMap<UserId, Person>,
    /// Each officer's assignment with the latest `from` (the later event when two start together).
    pub assignments: BTreeMap<UserId, AssignmentSet>,
}

impl People {
    /// Folds reference bodies given in commit order; other bodies are ignored.
    pub fn fold<'a>(bodies: impl IntoIterator<Item = &'a Body>) -> People {
        let mut s = People::default();
        for body in bodies {
            s.apply(body);
        }
        s
    }

    fn apply(&mut self, body: &Body) {
        match body {
            Body::UnitDefined(u) => {
                self.units.insert(u.unit.clone(), u.clone());
            }
            Body::ZoneDefined(z) => {
                self.zones.define(z);
            }
            Body::AssignmentSet(a) if self.assignments.get(&a.officer).is_none_or(|old| supersedes(a.from, old.from)) => {
                self.assignments.insert(a.officer.clone(), a.clone());
            }
            Body::UserEnrolled(u) => {
                let p =
                    Person { name: u.display_name.clone(), role: u.role, units: u.units.clone(), phone: u.phone.clone(), disabled: false };
                self.people.insert(u.user.clone(), p);
            }
            Body::UserChanged(u) => {
                let disabled = self.people.get(&u.user).is_some_and(|p| p.disabled);
                let p = Person { name: u.display_name.clone(), role: u.role, units: u.units.clone(), phone: u.phone.clone(), disabled };
                self.people.insert(u.user.clone(), p);
            }
            Body::UserDisabled(u) => self.set_disabled(&u.user, true),
            Body::UserEnabled(u) => self.set_disabled(&u.user, false),
            _ => {}
        }
    }

    fn set_disabled(&mut self, user: &UserId, disabled: bool) {
        if let Some(p) = self.people.get_mut(user) {
            p.disabled = disabled;
        }
    }

    pub fn level(&self, unit: &UnitId) -> Option<UnitLevel> {
        self.units.get(unit).map(|u| u.level)
    }
}
