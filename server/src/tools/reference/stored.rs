//! The reference data the store holds now, folded from its accepted reference events (read with
//! `ReferenceData::reference_bodies`): every unit, each zone's latest version, each officer's
//! latest assignment, every licence, every user's role.

use std::collections::BTreeMap;
use sync_protocol::body::{AssignmentSet, Body, Role, UnitDefined, ZoneDefined};
use sync_protocol::fold::LicenceState;
use sync_protocol::ids::{LicenceId, UnitId, UserId, ZoneId};
use sync_protocol::zones::supersedes;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored {
    pub units: BTreeMap<UnitId, UnitDefined>,
    /// The version with the latest `valid_from` (the later event when two start together).
    pub zones: BTreeMap<ZoneId, ZoneDefined>,
    /// The assignment with the latest `from` (the later event when two start together).
    pub assignments: BTreeMap<UserId, AssignmentSet>,
    /// Each licence's latest terms: its grant with every lifecycle event applied.
    pub licences: BTreeMap<LicenceId, LicenceState>,
    pub users: BTreeMap<UserId, Role>,
}

impl Stored {
    /// Folds reference bodies given in commit order; other bodies are ignored.
    pub fn fold<'a>(bodies: impl IntoIterator<Item = &'a Body>) -> Stored {
        let mut s = Stored::default();
        for body in bodies {
            s.apply(body);
        }
        s
    }

    pub fn apply(&mut self, body: &Body) {
        match body {
            Body::UnitDefined(u) => {
                self.units.insert(u.unit.clone(), u.clone());
            }
            Body::ZoneDefined(z) if self.zones.get(&z.zone).is_none_or(|old| supersedes(z.valid_from, old.valid_from)) => {
                self.zones.insert(z.zone.clone(), z.clone());
            }
            Body::AssignmentSet(a) if self.assignments.get(&a.officer).is_none_or(|old| supersedes(a.from, old.from)) => {
                self.assignments.insert(a.officer.clone(), a.clone());
            }
            Body::LicenceGranted(l) => match self.licences.get_mut(&l.licence) {
                Some(state) => state.regrant(l.clone()),
                None => {
                    self.licences.insert(l.licence.clone(), l.clone().into());
                }
            },
            Body::UserEnrolled(u) => {
                self.users.insert(u.user.clone(), u.role);
            }
            Body::UserChanged(u) => {
                self.users.insert(u.user.clone(), u.role);
            }
            other => {
                if let Some(change) = other.licence_change()
                    && let Some(state) = self.licences.get_mut(change.licence())
                {
                    state.record(change);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sync_protocol::values::Polygon;

    fn zone(valid_from: i64, name: &str) -> Body {
        Body::ZoneDefined(ZoneDefined {
            zone: ZoneId::new("Z-1").expect("id"),
            village: UnitId::new("V").expect("id"),
            township: UnitId::new("T").expect("id"),
            name: name.into(),
            boundary: Polygon(vec![]),
            valid_from,
        })
    }

    fn assign(from: i64, zone: &str) -> Body {
        Body::AssignmentSet(AssignmentSet {
            officer: UserId::new("vo").expect("id"),
            zone: Some(ZoneId::new(zone).expect("id")),
            from,
            by: None,
        })
    }

    #[test]
    fn the_latest_version_and_assignment_win_and_ties_go_to_the_later_event() {
        let table: Vec<(Vec<Body>, &str, &str)> = vec![
            (vec![zone(10, "a"), zone(20, "b")], "b", "in order"),
            (vec![zone(20, "b"), zone(10, "a")], "b", "an older version authored later"),
            (vec![zone(10, "a"), zone(10, "b")], "b", "same start: the later event"),
        ];
        for (bodies, name, case) in table {
            let s = Stored::fold(&bodies);
            assert_eq!(s.zones.values().next().map(|z| z.name.as_str()), Some(name), "{case}");
        }
        let s = Stored::fold(&[assign(20, "Z-2"), assign(10, "Z-1")]);
        assert_eq!(s.assignments.values().next().and_then(|a| a.zone.as_ref()).map(ZoneId::as_str), Some("Z-2"));
    }
}
