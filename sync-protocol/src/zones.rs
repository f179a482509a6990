//! Which version of a zone is in force at a time, decided here once: the checks pick a boundary
//! by it, and the read model, the reports and the phone pick a zone's village and township by it.
//!
//! # The rule
//! A zone is defined by `zone.defined` events, each with a `valid_from`. Sorted by `valid_from`,
//! a version holds from its `valid_from` (inclusive) until the next one's (exclusive), or for
//! ever. Two definitions with the same `valid_from` are one slot: the one applied last in fold
//! order replaces the other. [`in_force_at`] answers "which version holds at `t`" over any list
//! kept by [`upsert_by_time`]; [`super::checks::zone_history::ZoneHistory`] keeps its prepared
//! boundaries that way, [`ZoneVersions`] the places.
//!
//! # The current version
//! A zone's current version (what routing, the reference export and a zone's own page read) is the
//! one with the latest `valid_from`; of two that start together, the one applied later
//! ([`supersedes`], [`ZoneVersions::current`]). An officer's current assignment is decided the
//! same way. The order definitions arrive in does not decide it.
//!
//! # Where a zone lies
//! Something done in a zone at `t` (a patrol started, a finding observed, an officer's week ending)
//! lies in the village and township of the version in force at `t`; before the zone's first
//! version, in those of its first version (the event names the zone, so it belongs to its first
//! place rather than to none). [`ZoneVersions::place_at`] answers it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::body::{AssignmentSet, ZoneDefined};
use crate::ids::{UnitId, UserId, ZoneId};

/// The item of `versions` (sorted by `start`, one per start) in force at `t`: the last whose start
/// is at or before `t`; `None` before the first.
pub fn in_force_at<T>(versions: &[T], start: impl Fn(&T) -> i64, t: i64) -> Option<&T> {
    let i = versions.partition_point(|v| start(v) <= t);
    versions.get(i.checked_sub(1)?)
}

/// Puts `item` into `list`, kept sorted by `start`, replacing an entry with the same start;
/// returns the start of the entry after it (where its period ends), if any.
pub fn upsert_by_time<T>(list: &mut Vec<T>, item: T, start: impl Fn(&T) -> i64) -> Option<i64> {
    let at = start(&item);
    let i = list.partition_point(|x| start(x) < at);
    match list.get_mut(i) {
        Some(x) if start(x) == at => *x = item,
        _ => list.insert(i, item),
    }
    list.get(i + 1).map(start)
}

/// Whether a version starting at `new_from`, applied after the current one starting at
/// `current_from`, becomes the current one: the latest start wins, and of two that start together
/// the later applied.
pub fn supersedes(new_from: i64, current_from: i64) -> bool {
    new_from >= current_from
}

/// The village and township of one version of a zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZonePlace {
    pub valid_from: i64,
    pub village: UnitId,
    pub township: UnitId,
}

/// Every zone's versions (their places, not their boundaries), by the rule above.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ZoneVersions {
    zones: BTreeMap<ZoneId, Vec<ZonePlace>>,
}

impl ZoneVersions {
    /// Adds the versions of zones held elsewhere (another part of a fold: each zone's versions
    /// are all in one part, so the zones do not overlap).
    pub fn merge(&mut self, other: ZoneVersions) {
        self.zones.extend(other.zones);
    }

    /// Applies `zone.defined` bodies in fold order.
    pub fn from_definitions<'a>(defs: impl IntoIterator<Item = &'a ZoneDefined>) -> ZoneVersions {
        let mut v = ZoneVersions::default();
        for z in defs {
            v.define(z);
        }
        v
    }

    /// Adds a version (or replaces the one with the same `valid_from`); returns the period
    /// `[valid_from, until)` whose places it may have changed (`until`: `None` for ever). A zone's
    /// first version also places what came before it, so then the period starts at `i64::MIN`.
    pub fn define(&mut self, z: &ZoneDefined) -> (i64, Option<i64>) {
        let versions = self.zones.entry(z.zone.clone()).or_default();
        let first = versions.first().is_none_or(|v| z.valid_from <= v.valid_from);
        let place = ZonePlace { valid_from: z.valid_from, village: z.village.clone(), township: z.township.clone() };
        let until = upsert_by_time(versions, place, |v| v.valid_from);
        (if first { i64::MIN } else { z.valid_from }, until)
    }

    /// Puts a version as a store kept it (one per `valid_from`, the later replacing the earlier).
    pub fn insert(&mut self, zone: ZoneId, place: ZonePlace) {
        upsert_by_time(self.zones.entry(zone).or_default(), place, |v| v.valid_from);
    }

    /// The place of `zone` at `t` (see the module documentation); `None` for a zone never defined.
    pub fn place_at(&self, zone: &ZoneId, t: i64) -> Option<&ZonePlace> {
        let versions = self.zones.get(zone)?;
        in_force_at(versions, |v| v.valid_from, t).or(versions.first())
    }

    /// The current version of `zone` (see the module documentation); `None` for a zone never
    /// defined.
    pub fn current(&self, zone: &ZoneId) -> Option<&ZonePlace> {
        self.zones.get(zone)?.last()
    }

    /// Every zone with its versions in time order.
    pub fn iter(&self) -> impl Iterator<Item = (&ZoneId, &[ZonePlace])> {
        self.zones.iter().map(|(z, v)| (z, v.as_slice()))
    }

    pub fn is_empty(&self) -> bool {
        self.zones.is_empty()
    }
}

/// Officers' zone assignments in time order, by the same rule: an assignment holds from its
/// `from` until the officer's next one; two with the same `from` are one slot, the later in fold
/// order standing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignments {
    officers: BTreeMap<UserId, Vec<(i64, Option<ZoneId>)>>,
}

impl Assignments {
    /// Applies `assignment.set` bodies in fold order.
    pub fn from_assignments<'a>(list: impl IntoIterator<Item = &'a AssignmentSet>) -> Assignments {
        let mut a = Assignments::default();
        for x in list {
            a.set(x);
        }
        a
    }

    pub fn set(&mut self, a: &AssignmentSet) {
        let list = self.officers.entry(a.officer.clone()).or_default();
        upsert_by_time(list, (a.from, a.zone.clone()), |x| x.0);
    }

    /// The zone assigned to `officer` at `t`, if any.
    pub fn zone_at(&self, officer: &UserId, t: i64) -> Option<&ZoneId> {
        in_force_at(self.officers.get(officer)?, |x| x.0, t)?.1.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Polygon;

    #[test]
    fn the_current_version_is_the_latest_to_start_and_of_two_together_the_later_applied() -> Result<(), crate::ValidationError> {
        use crate::body::Body;
        use crate::fold::{Projection, case_tests::event};
        const T: i64 = 1_764_000_000_000;
        let def = |valid_from: i64, village: &str| -> Result<ZoneDefined, crate::ValidationError> {
            let (lon, lat) = (1_145_000_000, 255_000_000);
            Ok(ZoneDefined {
                zone: ZoneId::new("Z1")?,
                village: UnitId::new(village)?,
                township: UnitId::new("T01")?,
                name: format!("zone {village}"),
                boundary: Polygon(vec![vec![
                    [lon, lat],
                    [lon + 10_000, lat],
                    [lon + 10_000, lat + 10_000],
                    [lon, lat + 10_000],
                    [lon, lat],
                ]]),
                valid_from,
            })
        };
        let zone = ZoneId::new("Z1")?;
        let village = |v: &ZoneVersions| v.current(&zone).map(|p| p.village.to_string());
        // A correction of the old version arrives last: the later start stays current.
        let (old, new) = (def(T, "T01-V01")?, def(T + 1_000, "T01-V02")?);
        assert_eq!(village(&ZoneVersions::from_definitions([&new, &old])).as_deref(), Some("T01-V02"));
        let again = def(T + 1_000, "T01-V03")?;
        assert_eq!(village(&ZoneVersions::from_definitions([&new, &again])).as_deref(), Some("T01-V03"));
        assert!(supersedes(1_000, 1_000) && supersedes(1_001, 1_000) && !supersedes(999, 1_000));
        // The fold's current definitions follow the same rule.
        let events = [
            event(1, 1, 1_000, "admin", "zone.defined", Body::ZoneDefined(new).to_value()),
            event(2, 1, 2_000, "admin", "zone.defined", Body::ZoneDefined(old).to_value()),
        ];
        let p = Projection::fold(&events);
        assert_eq!(p.zones.values().map(|z| z.village.as_str()).collect::<Vec<_>>(), ["T01-V02"], "{:?}", p.unreadable);
        assert_eq!(p.zone_versions.place_at(&zone, T + 500).map(|z| z.village.as_str()), Some("T01-V01"));
        Ok(())
    }

    fn def(zone: &str, village: &str, valid_from: i64) -> ZoneDefined {
        ZoneDefined {
            zone: ZoneId::new(zone).expect("zone"),
            village: UnitId::new(village).expect("village"),
            township: UnitId::new("T01").expect("township"),
            name: zone.into(),
            boundary: Polygon(vec![vec![[0, 0], [10, 0], [10, 10], [0, 0]]]),
            valid_from,
        }
    }

    fn village_at(v: &ZoneVersions, t: i64) -> Option<&str> {
        v.place_at(&ZoneId::new("Z1").expect("zone"), t).map(|p| p.village.as_str())
    }

    #[test]
    fn a_zone_lies_where_its_version_in_force_says_and_before_its_first_where_the_first_says() {
        let v = ZoneVersions::from_definitions(&[def("Z1", "V2", 200), def("Z1", "V1", 100), def("Z1", "V3", 200)]);
        // The later definition at 200 replaced the earlier one; defined out of time order is fine.
        assert_eq!([50, 100, 199, 200, 10_000].map(|t| village_at(&v, t)), [Some("V1"), Some("V1"), Some("V1"), Some("V3"), Some("V3")]);
        assert_eq!(v.place_at(&ZoneId::new("Z9").expect("zone"), 100), None);
    }

    #[test]
    fn a_definition_says_which_period_it_may_have_moved() {
        let mut v = ZoneVersions::default();
        assert_eq!(v.define(&def("Z1", "V1", 100)), (i64::MIN, None));
        assert_eq!(v.define(&def("Z1", "V2", 300)), (300, None));
        assert_eq!(v.define(&def("Z1", "V3", 200)), (200, Some(300)));
        assert_eq!(v.define(&def("Z1", "V0", 50)), (i64::MIN, Some(100)));
    }

    #[test]
    fn the_assignment_in_force_is_the_last_before_and_the_later_of_two_at_one_time() {
        let officer = UserId::new("vo-1").expect("user");
        let set = |from, zone: Option<&str>| AssignmentSet {
            officer: officer.clone(),
            zone: zone.map(|z| ZoneId::new(z).expect("zone")),
            from,
            by: None,
        };
        let a = Assignments::from_assignments(&[set(100, Some("Z1")), set(300, None), set(200, Some("Z2")), set(200, Some("Z3"))]);
        let at = |t| a.zone_at(&officer, t).map(ZoneId::as_str);
        assert_eq!([99, 100, 200, 299, 300].map(at), [None, Some("Z1"), Some("Z3"), Some("Z3"), None]);
    }
}
