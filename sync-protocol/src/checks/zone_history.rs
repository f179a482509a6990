//! Which zone boundary applied to an officer at a given time: the reference data in event time,
//! with every boundary prepared once.
//!
//! # Semantics
//! - A zone may be defined several times (`zone.defined` with `valid_from`). A **boundary
//!   version** holds from its `valid_from` (inclusive) until the next version's `valid_from`
//!   (exclusive), or for ever if there is none. Before a zone's first version it has **no
//!   boundary**: a fix then has no zone (see [`super::geofence::Placement::Unassigned`]), even
//!   when the officer is assigned to that zone.
//! - An officer's **assignment** (`assignment.set` with `from`) holds from `from` (inclusive)
//!   until their next assignment's `from` (exclusive). Before their first assignment, and while
//!   an assignment to `None` holds, the officer has no zone.
//! - Two definitions of one zone with the same `valid_from`, or two assignments of one officer
//!   with the same `from`, are one slot: the one applied last replaces the other (as the
//!   projection's `zone_of` picks the last one folded). Applying the same event twice therefore
//!   changes nothing.
//!
//! The rule of which version holds is [`crate::zones`]'s, the one the places of zones follow too.
//!
//! So the boundary for officer `O` at time `t` is the version of the zone of `O`'s assignment in
//! force at `t` that is itself in force at `t`. [`ZoneHistory::zone_at`] answers it in two
//! binary searches; [`ZoneHistory::zone_at_fn`] is the closure
//! [`super::patrol_report::check_patrol`] takes.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::geofence::PreparedZone;
use crate::body::{AssignmentSet, ZoneDefined};
use crate::ids::{UserId, ZoneId};
use crate::zones::{in_force_at, upsert_by_time};

/// Zone boundary versions and officers' assignments over time, boundaries prepared once.
#[derive(Debug, Clone, Default)]
pub struct ZoneHistory {
    /// Per zone, its boundary versions sorted by `valid_from`, no two with the same time.
    zones: BTreeMap<ZoneId, Vec<BoundaryVersion>>,
    /// Per officer, their assignments sorted by `from`, no two with the same time.
    assignments: BTreeMap<UserId, Vec<Assignment>>,
}

#[derive(Debug, Clone)]
struct BoundaryVersion {
    valid_from: i64,
    /// Shared, so that a copy of the history (the server's snapshot for its parallel checks)
    /// copies no polygon.
    prepared: Arc<PreparedZone>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Assignment {
    from: i64,
    zone: Option<ZoneId>,
}

/// One change to the reference data the geofence depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceChange {
    Zone(ZoneDefined),
    Assignment(AssignmentSet),
}

/// What a change could have altered: the answers of [`ZoneHistory::zone_at`] differ (at most)
/// for the officer, or for whoever is assigned the zone, at times in `[from, until)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedPeriod {
    pub scope: ChangeScope,
    pub from: i64,
    /// Exclusive; `None` for "for ever".
    pub until: Option<i64>,
}

/// Whose answers a change could have altered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeScope {
    /// A zone's boundary: every officer while assigned to it.
    Zone(ZoneId),
    /// One officer's assignment.
    Officer(UserId),
}

impl ChangedPeriod {
    /// Whether the closed span `[start, end]` meets `[from, until)`.
    pub fn overlaps(&self, start: i64, end: i64) -> bool {
        overlaps(start, end, self.from, self.until)
    }
}

/// Whether the closed span `[start, end]` meets the half-open period `[from, until)`.
pub(crate) fn overlaps(start: i64, end: i64, from: i64, until: Option<i64>) -> bool {
    let lo = start.max(from);
    start <= end && lo <= end && until.is_none_or(|u| lo < u)
}

impl ZoneHistory {
    pub fn new() -> Self {
        ZoneHistory::default()
    }

    /// Builds the history from reference events in fold order (later ones replace earlier ones
    /// in the same slot, see the module documentation).
    pub fn from_events<'a>(
        zones: impl IntoIterator<Item = &'a ZoneDefined>,
        assignments: impl IntoIterator<Item = &'a AssignmentSet>,
    ) -> Self {
        let mut h = ZoneHistory::new();
        for z in zones {
            h.define_zone(z);
        }
        for a in assignments {
            h.set_assignment(a);
        }
        h
    }

    /// Adds (or replaces, at the same `valid_from`) a boundary version, preparing it once.
    pub fn define_zone(&mut self, z: &ZoneDefined) -> ChangedPeriod {
        let versions = self.zones.entry(z.zone.clone()).or_default();
        let version = BoundaryVersion { valid_from: z.valid_from, prepared: Arc::new(PreparedZone::new(z.zone.clone(), &z.boundary)) };
        let until = upsert_by_time(versions, version, |v| v.valid_from);
        ChangedPeriod { scope: ChangeScope::Zone(z.zone.clone()), from: z.valid_from, until }
    }

    /// Adds (or replaces, at the same `from`) an officer's assignment.
    pub fn set_assignment(&mut self, a: &AssignmentSet) -> ChangedPeriod {
        let list = self.assignments.entry(a.officer.clone()).or_default();
        let until = upsert_by_time(list, Assignment { from: a.from, zone: a.zone.clone() }, |x| x.from);
        ChangedPeriod { scope: ChangeScope::Officer(a.officer.clone()), from: a.from, until }
    }

    /// Applies one change and returns the period whose answers it may have altered.
    pub fn apply(&mut self, change: &ReferenceChange) -> ChangedPeriod {
        match change {
            ReferenceChange::Zone(z) => self.define_zone(z),
            ReferenceChange::Assignment(a) => self.set_assignment(a),
        }
    }

    /// The prepared boundary that applied to `officer` at `t` (Unix ms), by the rules above.
    pub fn zone_at(&self, officer: &UserId, t: i64) -> Option<&PreparedZone> {
        let zone = self.assigned_at(officer, t)?;
        let versions = self.zones.get(zone)?;
        Some(in_force_at(versions, |v| v.valid_from, t)?.prepared.as_ref())
    }

    /// [`Self::zone_at`] for one officer, as the `zone_at` closure of `check_patrol`.
    pub fn zone_at_fn<'h>(&'h self, officer: &'h UserId) -> impl Fn(i64) -> Option<&'h PreparedZone> + 'h {
        move |t| self.zone_at(officer, t)
    }

    /// The zone `officer` was assigned at `t`, whether or not it had a boundary yet.
    pub fn assigned_at(&self, officer: &UserId, t: i64) -> Option<&ZoneId> {
        in_force_at(self.assignments.get(officer)?, |a| a.from, t)?.zone.as_ref()
    }

    /// The periods `[from, until)` in which `officer` was assigned `zone`, in time order.
    pub fn assigned_periods<'h>(&'h self, officer: &UserId, zone: &'h ZoneId) -> impl Iterator<Item = (i64, Option<i64>)> + 'h {
        let list = self.assignments.get(officer).map_or(&[][..], Vec::as_slice);
        list.iter()
            .enumerate()
            .filter(move |(_, a)| a.zone.as_ref() == Some(zone))
            .map(move |(i, a)| (a.from, list.get(i + 1).map(|next| next.from)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UnitId;
    use crate::values::Polygon;

    fn zone_id(s: &str) -> ZoneId {
        ZoneId::new(s).expect("zone id")
    }

    fn officer(s: &str) -> UserId {
        UserId::new(s).expect("user id")
    }

    fn square(w: i32) -> Polygon {
        Polygon(vec![vec![[w, 0], [w + 10, 0], [w + 10, 10], [w, 10], [w, 0]]])
    }

    fn zone(id: &str, w: i32, valid_from: i64) -> ZoneDefined {
        ZoneDefined {
            zone: zone_id(id),
            village: UnitId::new("V1").expect("unit"),
            township: UnitId::new("T1").expect("unit"),
            name: id.into(),
            boundary: square(w),
            valid_from,
        }
    }

    fn assign(o: &str, z: Option<&str>, from: i64) -> AssignmentSet {
        AssignmentSet { officer: officer(o), zone: z.map(zone_id), from, by: None }
    }

    /// Which zone and which version (told apart by the square's west edge) applied.
    fn at(h: &ZoneHistory, o: &str, t: i64) -> Option<(String, bool)> {
        h.zone_at(&officer(o), t).map(|z| {
            (
                z.zone.as_str().to_owned(),
                z.position(geo::coord! { x: 1e-7 * 105.0, y: 5e-7 }) != geo::coordinate_position::CoordPos::Outside,
            )
        })
    }

    #[test]
    fn versions_and_assignments_hold_half_open() {
        // Zone A: first square at x 0..10 from t=100, then square at x 100..110 from t=200.
        let h = ZoneHistory::from_events(
            &[zone("A", 0, 100), zone("A", 100, 200), zone("B", 0, 0)],
            &[assign("o1", Some("A"), 50), assign("o1", None, 300), assign("o1", Some("B"), 400)],
        );
        let cases = [
            (0, None),                            // before the first assignment
            (50, None),                           // assigned, but before A's first version
            (99, None),                           // still before it
            (100, Some(("A".to_owned(), false))), // the first version, from its valid_from on
            (199, Some(("A".to_owned(), false))),
            (200, Some(("A".to_owned(), true))), // the second version
            (299, Some(("A".to_owned(), true))),
            (300, None), // assigned to no zone
            (400, Some(("B".to_owned(), false))),
            (i64::MAX, Some(("B".to_owned(), false))),
        ];
        for (t, want) in cases {
            assert_eq!(at(&h, "o1", t), want, "t = {t}");
        }
        assert_eq!(at(&h, "o2", 250), None, "an officer never assigned");
        assert_eq!(h.assigned_at(&officer("o1"), 60), Some(&zone_id("A")));
    }

    #[test]
    fn the_same_slot_is_replaced_and_reapplying_changes_nothing() {
        let mut h = ZoneHistory::new();
        h.set_assignment(&assign("o1", Some("A"), 0));
        h.define_zone(&zone("A", 0, 0));
        assert_eq!(at(&h, "o1", 5), Some(("A".to_owned(), false)));
        let changed = h.define_zone(&zone("A", 100, 0));
        assert_eq!(changed, ChangedPeriod { scope: ChangeScope::Zone(zone_id("A")), from: 0, until: None });
        assert_eq!(at(&h, "o1", 5), Some(("A".to_owned(), true)));
        h.define_zone(&zone("A", 100, 0));
        assert_eq!(h.zones[&zone_id("A")].len(), 1);
        h.set_assignment(&assign("o1", None, 0));
        h.set_assignment(&assign("o1", None, 0));
        assert_eq!(h.assignments[&officer("o1")], vec![Assignment { from: 0, zone: None }]);
        assert_eq!(at(&h, "o1", 5), None);
    }

    #[test]
    fn a_change_reports_the_period_it_governs() {
        let mut h =
            ZoneHistory::from_events(&[zone("A", 0, 100), zone("A", 0, 300)], &[assign("o1", Some("A"), 0), assign("o1", None, 500)]);
        let z = h.apply(&ReferenceChange::Zone(zone("A", 100, 200)));
        assert_eq!((z.from, z.until), (200, Some(300)));
        let a = h.apply(&ReferenceChange::Assignment(assign("o1", Some("B"), 250)));
        assert_eq!((&a.scope, a.from, a.until), (&ChangeScope::Officer(officer("o1")), 250, Some(500)));
        let periods: Vec<_> = h.assigned_periods(&officer("o1"), &zone_id("A")).collect();
        assert_eq!(periods, vec![(0, Some(250))]);
        assert!(a.overlaps(100, 250) && a.overlaps(499, 600) && !a.overlaps(500, 600) && !a.overlaps(0, 249));
    }
}
