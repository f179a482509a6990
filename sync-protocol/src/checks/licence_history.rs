//! Every mine licence's terms in event time: the grant, then each lifecycle event from its
//! effective time on, with every licensed area prepared once and found through an R-tree.
//!
//! # When a licence is in force (the one place that says it)
//! Licence dates are the start of a day (00:00 Asia/Shanghai, which has no daylight saving, so a
//! day is always [`DAY_MS`]). `valid_from` is the first day of validity and `valid_to` the
//! **last** day, which is valid in full: a licence is in force at `t` when
//! `valid_from <= t < valid_to + DAY_MS`, and no cancellation is effective at `t`
//! (`effective_from <= t`). Anything else (not yet valid, expired, cancelled, never granted)
//! counts as no licence.
//!
//! # Terms at a time
//! The terms at `t` are the grant's, with every lifecycle event whose `effective_from <= t`
//! applied in [`LicenceChange`] order (effective time, then kind, then text): an extension sets
//! `valid_to`, a change its terms, a transfer the holder, a cancellation ends the licence.
//! Events kept for a licence not granted yet wait for its grant, so the answers do not depend on
//! the order lifecycle events arrive in, and an event applied twice is kept once. A second grant
//! of one licence replaces the first (the one applied last wins).

use std::collections::BTreeMap;

use geo::Coord;
use geo::coordinate_position::CoordPos;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::prepared_polygon::PreparedPolygon;
use crate::body::{Body, IssuingLevel, LicenceChange, LicenceGranted, Mineral, RightKind};
use crate::ids::LicenceId;
use crate::values::Polygon;

/// One day in milliseconds (Asia/Shanghai keeps UTC+8 all year).
pub const DAY_MS: i64 = 86_400_000;

type AreaEntry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Licences in event time, areas prepared once.
#[derive(Debug, Clone, Default)]
pub struct LicenceHistory {
    licences: BTreeMap<LicenceId, Record>,
    /// Prepared areas by id; `None` once a replaced grant freed it.
    areas: Vec<Option<Area>>,
    tree: RTree<AreaEntry>,
}

#[derive(Debug, Clone)]
struct Area {
    licence: LicenceId,
    prepared: PreparedPolygon,
}

#[derive(Debug, Clone, Default)]
struct Record {
    /// The grant and its area's id.
    granted: Option<(LicenceGranted, usize)>,
    /// Lifecycle events in order, each once, with the id of the area a change sets.
    changes: Vec<(LicenceChange, Option<usize>)>,
}

/// A licence's terms at one time (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceTerms {
    pub licence: LicenceId,
    pub holder: String,
    pub mineral: Mineral,
    pub right: RightKind,
    pub issuer: IssuingLevel,
    pub valid_from: i64,
    /// The last valid day (start of day, Asia/Shanghai).
    pub valid_to: i64,
    pub top_m: i32,
    pub bottom_m: i32,
    /// The effective time of the first cancellation at or before the time asked, if any.
    pub cancelled_from: Option<i64>,
    area: usize,
}

/// Whether a licence is in force at a time, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    InForce,
    NotYetValid,
    /// Past the end of its last valid day.
    Expired,
    Cancelled,
}

impl LicenceTerms {
    /// Whether the licence is in force at `t`, by the rule in the module documentation.
    pub fn standing_at(&self, t: i64) -> Standing {
        if self.cancelled_from.is_some_and(|c| c <= t) {
            Standing::Cancelled
        } else if t < self.valid_from {
            Standing::NotYetValid
        } else if t >= self.valid_to.saturating_add(DAY_MS) {
            Standing::Expired
        } else {
            Standing::InForce
        }
    }

    pub fn in_force_at(&self, t: i64) -> bool {
        self.standing_at(t) == Standing::InForce
    }

    /// Whether an elevation (metres above sea level) lies in the licensed levels, both ends included.
    pub fn allows_elevation(&self, elevation_m: i32) -> bool {
        (self.bottom_m..=self.top_m).contains(&elevation_m)
    }
}

impl LicenceHistory {
    pub fn new() -> Self {
        LicenceHistory::default()
    }

    /// Builds the history from event bodies; bodies of other kinds are skipped.
    pub fn from_events<'a>(bodies: impl IntoIterator<Item = &'a Body>) -> Self {
        let mut h = LicenceHistory::new();
        for b in bodies {
            h.apply(b);
        }
        h
    }

    /// Applies a `licence.*` body; returns whether it was one.
    pub fn apply(&mut self, body: &Body) -> bool {
        match body {
            Body::LicenceGranted(g) => self.grant(g),
            other => match other.licence_change() {
                Some(change) => self.record(change),
                None => return false,
            },
        }
        true
    }

    /// Adds a grant, or replaces the licence's earlier one.
    pub fn grant(&mut self, g: &LicenceGranted) {
        let record = self.licences.entry(g.licence.clone()).or_default();
        if let Some((old, id)) = &record.granted {
            let (same_area, id) = (old.area == g.area, *id);
            if same_area {
                record.granted = Some((g.clone(), id));
                return;
            }
            self.free_area(id);
        }
        let id = self.add_area(&g.licence, &g.area);
        self.licences.entry(g.licence.clone()).or_default().granted = Some((g.clone(), id));
    }

    /// Adds a lifecycle event; one already recorded changes nothing.
    pub fn record(&mut self, change: LicenceChange) {
        let record = self.licences.entry(change.licence().clone()).or_default();
        let Err(at) = record.changes.binary_search_by(|(c, _)| c.cmp(&change)) else { return };
        let area = match &change {
            LicenceChange::Changed(c) => c.area.as_ref().map(|a| self.add_area(&c.licence, a)),
            _ => None,
        };
        let record = self.licences.entry(change.licence().clone()).or_default();
        record.changes.insert(at, (change, area));
    }

    /// The licence's terms at `t`, in force or not; `None` if it was never granted.
    pub fn terms_at(&self, licence: &LicenceId, t: i64) -> Option<LicenceTerms> {
        let record = self.licences.get(licence)?;
        let (g, area) = record.granted.as_ref()?;
        let mut terms = LicenceTerms {
            licence: g.licence.clone(),
            holder: g.holder.clone(),
            mineral: g.mineral,
            right: g.right,
            issuer: g.issuer,
            valid_from: g.valid_from,
            valid_to: g.valid_to,
            top_m: g.top_m,
            bottom_m: g.bottom_m,
            cancelled_from: None,
            area: *area,
        };
        for (change, area) in record.changes.iter().take_while(|(c, _)| c.effective_from() <= t) {
            apply_change(&mut terms, change, *area);
        }
        Some(terms)
    }

    /// Whether `licence` is in force at `t`.
    pub fn in_force_at(&self, licence: &LicenceId, t: i64) -> bool {
        self.terms_at(licence, t).is_some_and(|terms| terms.in_force_at(t))
    }

    /// Where `c` (degrees) lies relative to the area of `terms`: exactly as the geofence tests
    /// a point (`PreparedPolygon`, identical to `geo::CoordinatePosition`).
    pub fn position(&self, terms: &LicenceTerms, c: Coord<f64>) -> CoordPos {
        self.areas.get(terms.area).and_then(Option::as_ref).map_or(CoordPos::Outside, |a| a.prepared.position(c))
    }

    /// The licences in force at `t` whose area at `t` holds `c` (inside or on its boundary),
    /// with where `c` lies, in licence id order.
    pub fn in_force_containing(&self, c: Coord<f64>, t: i64) -> Vec<(LicenceTerms, CoordPos)> {
        self.containing(c, t).into_iter().filter(|(terms, _)| terms.in_force_at(t)).collect()
    }

    /// The licences, in force at `t` or not (expired, cancelled, not yet valid), whose area at `t`
    /// holds `c`, with where `c` lies, in licence id order.
    pub fn containing(&self, c: Coord<f64>, t: i64) -> Vec<(LicenceTerms, CoordPos)> {
        let mut found: BTreeMap<&LicenceId, (LicenceTerms, CoordPos)> = BTreeMap::new();
        for entry in self.tree.locate_in_envelope_intersecting(&AABB::from_point([c.x, c.y])) {
            let Some(area) = self.areas.get(entry.data).and_then(Option::as_ref) else { continue };
            if found.contains_key(&area.licence) {
                continue;
            }
            let Some(terms) = self.terms_at(&area.licence, t).filter(|x| x.area == entry.data) else { continue };
            let pos = area.prepared.position(c);
            if pos != CoordPos::Outside {
                found.insert(&area.licence, (terms, pos));
            }
        }
        found.into_values().collect()
    }

    fn add_area(&mut self, licence: &LicenceId, polygon: &Polygon) -> usize {
        let prepared = PreparedPolygon::new(&polygon.to_geo());
        let id = self.areas.len();
        if let Some(b) = prepared.bbox() {
            self.tree.insert(GeomWithData::new(Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]), id));
        }
        self.areas.push(Some(Area { licence: licence.clone(), prepared }));
        id
    }

    fn free_area(&mut self, id: usize) {
        if let Some(b) = self.areas.get_mut(id).and_then(Option::take).and_then(|a| a.prepared.bbox()) {
            self.tree.remove(&GeomWithData::new(Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]), id));
        }
    }
}

fn apply_change(terms: &mut LicenceTerms, change: &LicenceChange, area: Option<usize>) {
    match change {
        LicenceChange::Extended(e) => terms.valid_to = e.valid_to,
        LicenceChange::Transferred(t) => terms.holder = t.holder.clone(),
        LicenceChange::Cancelled(c) => terms.cancelled_from = terms.cancelled_from.or(Some(c.effective_from)),
        LicenceChange::Changed(c) => {
            if let Some(area) = area {
                terms.area = area;
            }
            if let (Some(top), Some(bottom)) = (c.top_m, c.bottom_m) {
                (terms.top_m, terms.bottom_m) = (top, bottom);
            }
            terms.mineral = c.mineral.unwrap_or(terms.mineral);
            terms.right = c.right.unwrap_or(terms.right);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::{LicenceCancelled, LicenceChanged, LicenceExtended, LicenceTransferred};
    use crate::ids::UnitId;
    use proptest::prelude::*;

    /// 2026-01-01 00:00 Asia/Shanghai.
    const D0: i64 = 1_767_196_800_000;
    const LON: i32 = 1_145_000_000;
    const LAT: i32 = 255_000_000;

    fn id(s: &str) -> LicenceId {
        LicenceId::new(s).expect("licence")
    }

    /// A rectangle in 1e-7 degree offsets from the base point.
    fn rect(x0: i32, y0: i32, x1: i32, y1: i32) -> Polygon {
        Polygon(vec![vec![[LON + x0, LAT + y0], [LON + x1, LAT + y0], [LON + x1, LAT + y1], [LON + x0, LAT + y1], [LON + x0, LAT + y0]]])
    }

    fn at(x: i32, y: i32) -> Coord<f64> {
        crate::values::Coord { lon: LON + x, lat: LAT + y }.to_geo()
    }

    fn grant(licence: &str, area: Polygon, valid_days: i64) -> LicenceGranted {
        LicenceGranted {
            licence: id(licence),
            holder: "甲公司".into(),
            mineral: Mineral::Tungsten,
            right: RightKind::Mining,
            issuer: IssuingLevel::County,
            valid_from: D0,
            valid_to: D0 + valid_days * DAY_MS,
            area,
            top_m: 850,
            bottom_m: 620,
            villages: vec![UnitId::new("T01-V01").expect("unit")],
        }
    }

    fn extended(licence: &str, valid_days: i64, from_days: i64) -> LicenceChange {
        LicenceChange::Extended(LicenceExtended {
            licence: id(licence),
            valid_to: D0 + valid_days * DAY_MS,
            effective_from: D0 + from_days * DAY_MS,
            reason: "延续".into(),
        })
    }

    fn cancelled(licence: &str, from_days: i64) -> LicenceChange {
        LicenceChange::Cancelled(LicenceCancelled {
            licence: id(licence), effective_from: D0 + from_days * DAY_MS, reason: "注销".into()
        })
    }

    fn moved(licence: &str, area: Polygon, from_days: i64) -> LicenceChange {
        LicenceChange::Changed(LicenceChanged {
            licence: id(licence),
            effective_from: D0 + from_days * DAY_MS,
            area: Some(area),
            top_m: None,
            bottom_m: None,
            mineral: None,
            right: None,
            villages: None,
        })
    }

    fn standing(h: &LicenceHistory, licence: &str, t: i64) -> Option<Standing> {
        h.terms_at(&id(licence), t).map(|x| x.standing_at(t))
    }

    #[test]
    fn validity_runs_from_the_first_day_through_the_last() {
        let mut h = LicenceHistory::new();
        h.grant(&grant("A", rect(0, 0, 10, 10), 100));
        h.record(cancelled("C", 50));
        h.grant(&grant("C", rect(0, 0, 10, 10), 100));
        h.grant(&grant("E", rect(0, 0, 10, 10), 100));
        h.record(extended("E", 200, 90)); // extended before it ran out
        h.grant(&grant("L", rect(0, 0, 10, 10), 100));
        h.record(extended("L", 200, 110)); // extended late: a lapse in between
        use Standing::*;
        let cases = [
            ("A", D0 - 1, Some(NotYetValid)),
            ("A", D0, Some(InForce)),
            ("A", D0 + 100 * DAY_MS, Some(InForce)), // the last day, from its start
            ("A", D0 + 101 * DAY_MS - 1, Some(InForce)),
            ("A", D0 + 101 * DAY_MS, Some(Expired)), // the day after
            ("C", D0 + 50 * DAY_MS - 1, Some(InForce)),
            ("C", D0 + 50 * DAY_MS, Some(Cancelled)),
            ("E", D0 + 150 * DAY_MS, Some(InForce)),
            ("E", D0 + 201 * DAY_MS, Some(Expired)),
            ("L", D0 + 105 * DAY_MS, Some(Expired)),
            ("L", D0 + 110 * DAY_MS, Some(InForce)),
            ("never", D0, None),
        ];
        for (licence, t, want) in cases {
            assert_eq!(standing(&h, licence, t), want, "{licence} at day {}", (t - D0) as f64 / DAY_MS as f64);
            assert_eq!(h.in_force_at(&id(licence), t), want == Some(InForce));
        }
    }

    #[test]
    fn terms_follow_transfers_and_changes_at_their_effective_time() {
        let mut h = LicenceHistory::new();
        h.grant(&grant("A", rect(0, 0, 100, 100), 365));
        h.record(LicenceChange::Transferred(LicenceTransferred {
            licence: id("A"),
            holder: "乙公司".into(),
            effective_from: D0 + 10 * DAY_MS,
        }));
        h.record(moved("A", rect(0, 0, 50, 100), 20));
        let before = h.terms_at(&id("A"), D0 + 9 * DAY_MS).expect("granted");
        let after = h.terms_at(&id("A"), D0 + 20 * DAY_MS).expect("granted");
        assert_eq!((before.holder.as_str(), after.holder.as_str()), ("甲公司", "乙公司"));
        assert!(after.in_force_at(D0 + 20 * DAY_MS), "a transfer does not end the licence");
        let found =
            |t: i64, x: i32| h.in_force_containing(at(x, 50), t).into_iter().map(|(terms, pos)| (terms.licence, pos)).collect::<Vec<_>>();
        assert_eq!(found(D0 + 19 * DAY_MS, 70), vec![(id("A"), CoordPos::Inside)]);
        assert_eq!(found(D0 + 20 * DAY_MS, 70), vec![], "the changed area leaves the point out");
        assert_eq!(found(D0 + 20 * DAY_MS, 50), vec![(id("A"), CoordPos::OnBoundary)]);
        assert_eq!(found(D0 - 1, 10), vec![], "not yet valid");
    }

    #[test]
    fn a_second_grant_replaces_the_first_and_a_change_may_come_first() {
        let mut h = LicenceHistory::new();
        h.record(cancelled("A", 30));
        assert_eq!(h.terms_at(&id("A"), D0), None, "kept until its grant");
        h.grant(&grant("A", rect(0, 0, 10, 10), 365));
        h.grant(&grant("A", rect(100, 0, 110, 10), 365));
        assert!(h.in_force_containing(at(5, 5), D0).is_empty(), "the first area is gone");
        assert_eq!(h.in_force_containing(at(105, 5), D0).len(), 1);
        assert_eq!(standing(&h, "A", D0 + 30 * DAY_MS), Some(Standing::Cancelled));
        assert_eq!(h.tree.size(), 1);
    }

    /// A lifecycle event for licence "A" or "B" from a small alphabet, so that times tie often.
    fn change() -> impl Strategy<Value = LicenceChange> {
        (0..4u8, prop::bool::ANY, 0..6i64, 0..3i32).prop_map(|(kind, b, day, n)| {
            let licence = if b { "B" } else { "A" };
            match kind {
                0 => extended(licence, 40 + 20 * i64::from(n), day * 10),
                1 => cancelled(licence, 30 + day * 10),
                2 => moved(licence, rect(0, 0, 30 + 30 * n, 100), day * 10),
                _ => LicenceChange::Transferred(LicenceTransferred {
                    licence: id(licence),
                    holder: format!("h{n}"),
                    effective_from: D0 + day * 10 * DAY_MS,
                }),
            }
        })
    }

    fn answers(h: &LicenceHistory) -> Vec<(Option<LicenceTerms>, Vec<LicenceId>)> {
        let mut out = Vec::new();
        for day in -1..80 {
            let t = D0 + day * DAY_MS + DAY_MS / 2;
            for licence in ["A", "B"] {
                let found = (0..10).flat_map(|x| h.in_force_containing(at(x * 10, 50), t)).map(|(terms, _)| terms.licence).collect();
                let mut terms = h.terms_at(&id(licence), t);
                if let Some(x) = &mut terms {
                    // Area ids depend on arrival; compare the area by what it holds instead.
                    x.area = 0;
                }
                out.push((terms, found));
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn arrival_order_and_repeats_change_no_answer(
            (changes, shuffled) in prop::collection::vec(change(), 0..10).prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
            grant_first in prop::bool::ANY,
        ) {
            let grants = [Body::LicenceGranted(grant("A", rect(0, 0, 60, 100), 50)), Body::LicenceGranted(grant("B", rect(20, 0, 90, 100), 50))];
            let bodies = |list: &[LicenceChange]| -> Vec<Body> {
                list.iter().map(|c| match c.clone() {
                    LicenceChange::Extended(b) => Body::LicenceExtended(b),
                    LicenceChange::Changed(b) => Body::LicenceChanged(b),
                    LicenceChange::Transferred(b) => Body::LicenceTransferred(b),
                    LicenceChange::Cancelled(b) => Body::LicenceCancelled(b),
                }).collect()
            };
            let in_order = LicenceHistory::from_events(grants.iter().chain(&bodies(&changes)));
            let mut arrivals = bodies(&shuffled);
            if grant_first {
                arrivals.splice(0..0, grants.iter().cloned());
            } else {
                arrivals.extend(grants.iter().cloned());
            }
            let mut twice = LicenceHistory::from_events(&arrivals);
            prop_assert_eq!(answers(&twice), answers(&in_order));
            for b in &arrivals {
                prop_assert!(twice.apply(b));
            }
            prop_assert_eq!(answers(&twice), answers(&in_order));
            prop_assert_eq!(twice.tree.size(), in_order.tree.size());
        }
    }
}
