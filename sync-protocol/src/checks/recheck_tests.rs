//! Tests of the re-check as the reference history changes: holds, moved boundaries, assignments
//! changed mid-patrol, a change made twice, and re-checking per change equal to checking once.

use super::*;
use crate::body::{AssignmentSet, ZoneDefined};
use crate::checks::zone_history::ReferenceChange;
use crate::ids::{UnitId, ZoneId};
use crate::values::Polygon;
use proptest::prelude::*;
use uuid::Uuid;

const LON0: i32 = 1_145_000_000;
const LAT0: i32 = 255_000_000;
/// One grid cell: 0.002°, about 200 m by 220 m at the test latitude.
const CELL: i32 = 20_000;
const T0: i64 = 1_764_000_000_000;
const MIN: i64 = 60_000;

fn officer(i: usize) -> UserId {
    UserId::new(format!("o{i}")).expect("user id")
}

fn zone_id(i: usize) -> ZoneId {
    ZoneId::new(format!("Z{i}")).expect("zone id")
}

fn patrol_id(i: usize) -> EventId {
    EventId(Uuid::from_u128(i as u128 + 1))
}

/// The rectangle of grid cells `[x0, x1) × [y0, y1)`.
fn rect(x0: i32, y0: i32, x1: i32, y1: i32) -> Polygon {
    let (w, e, s, n) = (LON0 + x0 * CELL, LON0 + x1 * CELL, LAT0 + y0 * CELL, LAT0 + y1 * CELL);
    Polygon(vec![vec![[w, s], [e, s], [e, n], [w, n], [w, s]]])
}

fn zone(i: usize, boundary: Polygon, valid_from: i64) -> ReferenceChange {
    ReferenceChange::Zone(ZoneDefined {
        zone: zone_id(i),
        village: UnitId::new("V1").expect("unit"),
        township: UnitId::new("T1").expect("unit"),
        name: format!("zone {i}"),
        boundary,
        valid_from,
    })
}

fn assign(o: usize, z: Option<usize>, from: i64) -> ReferenceChange {
    ReferenceChange::Assignment(AssignmentSet { officer: officer(o), zone: z.map(zone_id), from, by: None })
}

/// A fix at minute `m` at half-cell position `(hx, hy)` (odd values are cell centres).
fn fix(m: i64, hx: i32, hy: i32) -> TrackPoint {
    TrackPoint { t: T0 + m * MIN, lon: LON0 + hx * CELL / 2, lat: LAT0 + hy * CELL / 2, acc: None }
}

/// 41 fixes a minute apart from `start`, walking to and fro along the centres of cells
/// `x0..x0 + 5` in the bottom row (200 m a step, 8 km in all).
fn walk(start: i64, x0: i32) -> Vec<TrackPoint> {
    (0..=40).map(|i: i32| fix(start + i64::from(i), 2 * (x0 + [0, 1, 2, 3, 4, 3, 2, 1][i as usize % 8]) + 1, 1)).collect()
}

struct World {
    history: ZoneHistory,
    patrols: Vec<(EventId, UserId, Vec<TrackPoint>)>,
    stored: BTreeMap<EventId, PatrolCheck>,
    config: CheckConfig,
}

impl World {
    fn new(changes: &[ReferenceChange], patrols: Vec<(usize, Vec<TrackPoint>)>) -> Self {
        let mut history = ZoneHistory::new();
        for c in changes {
            history.apply(c);
        }
        let patrols: Vec<_> = patrols.into_iter().enumerate().map(|(i, (o, track))| (patrol_id(i), officer(o), track)).collect();
        let mut w = World { history, patrols, stored: BTreeMap::new(), config: CheckConfig::default() };
        w.stored = w.check_all();
        w
    }

    fn tracks(&self) -> impl Iterator<Item = PatrolTrack<'_>> {
        self.patrols.iter().map(|(patrol, officer, track)| PatrolTrack { patrol: *patrol, officer, track })
    }

    fn spans(&self) -> Vec<PatrolSpan> {
        self.patrols.iter().map(|(p, o, track)| PatrolSpan::of_track(*p, o.clone(), track)).collect()
    }

    fn check_all(&self) -> BTreeMap<EventId, PatrolCheck> {
        self.patrols.iter().map(|(p, o, track)| (*p, check(&self.history, o, track, &self.config))).collect()
    }

    /// Applies `change`, plans the re-check from the affected spans and carries it out.
    fn change(&mut self, change: &ReferenceChange) -> (Vec<EventId>, RecheckPlan) {
        let changed = self.history.apply(change);
        let spans = self.spans();
        let touched: Vec<EventId> = affected(&self.history, &changed, &spans).into_iter().map(|s| s.patrol).collect();
        let plan = plan_change(&self.history, &changed, self.tracks(), &self.stored, &self.config);
        plan.apply_to(&mut self.stored);
        (touched, plan)
    }
}

fn flags(flagged: bool, counts: bool) -> FlagState {
    FlagState { flagged, counts }
}

/// Officer 0 patrols zone 0 (cells x 0..5) for 40 minutes from T0, all inside.
fn one_patrol_in_zone_0() -> World {
    World::new(&[zone(0, rect(0, 0, 5, 1), T0 - 60 * MIN), assign(0, Some(0), T0 - 60 * MIN)], vec![(0, walk(0, 0))])
}

#[test]
fn an_impossible_jump_adds_nothing_and_holds_the_patrol() {
    let w = World::new(&[zone(0, rect(0, 0, 30, 5), 0), assign(0, Some(0), 0)], vec![]);
    let honest = walk(0, 0);
    let mut jumped = honest.clone();
    jumped[20] = fix(20, 2 * 25 + 1, 1); // about 4 km east for one minute, and back
    let (a, b) = (check(&w.history, &officer(0), &honest, &w.config), check(&w.history, &officer(0), &jumped, &w.config));
    assert!(a.decision.counts && a.holds.is_empty(), "{}", a.decision.explanation);
    assert_eq!((a.report.excluded_ms, a.report.excluded_m), (0, 0.0));
    assert_eq!(b.report.inside_ms, a.report.inside_ms - 2 * MIN, "the two impossible steps add no time");
    assert!((a.report.inside_m - b.report.inside_m - 400.0).abs() < 5.0, "nor the 400 m they replaced: {}", b.report.inside_m);
    assert_eq!(b.report.excluded_ms, 2 * MIN);
    assert!(b.report.excluded_m > 7_500.0, "{}", b.report.excluded_m);
    assert!(!b.decision.counts);
    assert!(matches!(b.holds.as_slice(), [QuotaHold::ImpossibleJump { from_fix: 19 | 20, .. }]), "{:?}", b.holds);
    assert!(
        b.decision.explanation.starts_with("does not count: a jump of ")
            && b.decision.explanation.contains("(impossible_speed) until a township or county user reviews it; "),
        "{}",
        b.decision.explanation
    );
}

/// A phone left on a desk for an hour, a fix every 10 s scattered up to 10 m about the desk
/// (each reporting 6 m accuracy), has walked nowhere: no distance, so it does not count. A walk
/// logged as often, 12 m between fixes (under the jitter allowance), keeps its length.
#[test]
fn a_phone_lying_still_walks_no_distance() {
    let w = World::new(&[zone(0, rect(0, 0, 30, 5), 0), assign(0, Some(0), 0)], vec![]);
    // 1e-7 degree per metre at the test latitude, east and north.
    let (east, north) = (99.64, 89.93);
    let at = |i: i64, x_m: f64, y_m: f64| TrackPoint {
        t: T0 + i * 10_000,
        lon: LON0 + 5 * CELL + (x_m * east) as i32,
        lat: LAT0 + 2 * CELL + (y_m * north) as i32,
        acc: Some(6),
    };
    let desk: Vec<TrackPoint> = (0..360)
        .map(|i| {
            let (r, a) = (10.0 * ((i * 7_919) % 101) as f64 / 100.0, i as f64 * 2.399);
            at(i, r * a.cos(), r * a.sin())
        })
        .collect();
    let still = check(&w.history, &officer(0), &desk, &w.config);
    assert_eq!(still.report.inside_m, 0.0, "scattered fixes are no walk");
    assert_eq!(still.report.inside_ms, 359 * 10_000, "the time is still the time");
    assert!(!still.decision.counts, "{}", still.decision.explanation);
    assert!(still.decision.explanation.contains("0.0 km in zone, below 1.0"), "{}", still.decision.explanation);
    let walk: Vec<TrackPoint> = (0..=300).map(|i| at(i, i as f64 * 12.0, 0.0)).collect();
    let walked = check(&w.history, &officer(0), &walk, &w.config);
    assert!((walked.report.inside_m - 3_600.0).abs() < 40.0, "{}", walked.report.inside_m);
    assert!(walked.decision.counts, "{}", walked.decision.explanation);
}

#[test]
fn a_recheck_keeps_a_copy_held() {
    let mut w = World::new(&[zone(0, rect(0, 0, 10, 5), 0), assign(0, Some(0), 0)], vec![(0, walk(0, 0))]);
    let held = w.stored[&patrol_id(0)].clone().held_as_copy(patrol_id(9), &w.config.rules);
    assert!(!held.decision.counts && held.decision.explanation.contains("a copy of patrol"), "{}", held.decision.explanation);
    w.stored.insert(patrol_id(0), held.clone());
    assert!(plan(&w.history, w.tracks(), &w.stored, &w.config).is_empty(), "the hold is kept, so nothing changes");
    assert_eq!(held.clone().held_as_copy(patrol_id(9), &w.config.rules), held, "held once");
}

#[test]
fn a_moved_boundary_flags_the_patrol() {
    let mut w = one_patrol_in_zone_0();
    assert_eq!(w.stored[&patrol_id(0)].flags(), flags(false, true));
    let (touched, plan) = w.change(&zone(0, rect(10, 0, 15, 1), T0 - 30 * MIN));
    assert_eq!(touched, vec![patrol_id(0)]);
    assert_eq!(plan.rechecks.len(), 1);
    let r = &plan.rechecks[0];
    assert_eq!((r.patrol, r.old, r.new), (patrol_id(0), Some(flags(false, true)), flags(true, false)));
    assert_eq!(r.check.report.fixes_inside, 0);
    assert_eq!(plan.flag_changes().count(), 1);
    assert_eq!(w.stored, w.check_all());
}

#[test]
fn an_assignment_changed_mid_patrol_is_taken_fix_by_fix() {
    // 20 minutes in zone 0 (x 0..5), then 20 in zone 1 (x 5..10), assigned zone 0 throughout.
    let track: Vec<TrackPoint> = walk(0, 0).into_iter().take(21).chain(walk(21, 5).into_iter().take(20)).collect();
    let mut w = World::new(
        &[zone(0, rect(0, 0, 5, 1), T0 - 60 * MIN), zone(1, rect(5, 0, 10, 1), T0 - 60 * MIN), assign(0, Some(0), T0 - 60 * MIN)],
        vec![(0, track)],
    );
    assert_eq!(w.stored[&patrol_id(0)].flags(), flags(true, false));
    let (touched, plan) = w.change(&assign(0, Some(1), T0 + 20 * MIN + 30_000));
    assert_eq!(touched, vec![patrol_id(0)]);
    let r = &plan.rechecks[0];
    assert_eq!((r.old, r.new), (Some(flags(true, false)), flags(false, true)));
    assert_eq!(r.check.report.fixes_inside, 41);
    assert!(r.check.report.crossings.is_empty(), "the switch of zone between two inside fixes is no crossing");
}

#[test]
fn a_change_away_from_the_patrol_touches_nothing() {
    let mut w = one_patrol_in_zone_0();
    let before = w.stored.clone();
    let unrelated = [
        zone(1, rect(0, 0, 5, 1), T0 - 60 * MIN),    // a zone the officer is not assigned
        assign(1, Some(0), T0),                      // another officer
        zone(0, rect(10, 0, 15, 1), T0 + 41 * MIN),  // from after the patrol's last fix
        assign(0, None, T0 + 40 * MIN + 1),          // likewise
        zone(0, rect(10, 0, 15, 1), T0 - 600 * MIN), // before the version in force
    ];
    for c in &unrelated {
        let (touched, plan) = w.change(c);
        assert!(touched.is_empty() && plan.is_empty(), "{c:?}");
    }
    assert_eq!(w.stored, before);
    // Re-checking every patrol anyway changes nothing either.
    assert!(plan(&w.history, w.tracks(), &w.stored, &w.config).is_empty());
}

#[test]
fn the_same_change_twice_changes_nothing_the_second_time() {
    let mut w = one_patrol_in_zone_0();
    let change = zone(0, rect(2, 0, 7, 1), T0 + 10 * MIN);
    let (_, first) = w.change(&change);
    assert_eq!(first.rechecks.len(), 1);
    let after_first = w.stored.clone();
    let (touched, second) = w.change(&change);
    assert_eq!(touched, vec![patrol_id(0)], "still touched by its period");
    assert!(second.is_empty());
    assert_eq!(w.stored, after_first);
    // Carrying out the first plan again leaves the same state too.
    first.apply_to(&mut w.stored);
    assert_eq!(w.stored, after_first);
}

fn any_change() -> impl Strategy<Value = ReferenceChange> {
    let grid_rect = (0..5i32, 0..5i32, 1..=3i32, 1..=3i32).prop_map(|(x, y, w, h)| rect(x, y, (x + w).min(6), (y + h).min(6)));
    let minute = (-10..130i64).prop_map(|m| T0 + m * MIN);
    prop_oneof![
        (0..2usize, grid_rect, minute.clone()).prop_map(|(z, r, t)| zone(z, r, t)),
        (0..2usize, proptest::option::weighted(0.8, 0..2usize), minute).prop_map(|(o, z, t)| assign(o, z, t)),
    ]
}

fn any_patrol() -> impl Strategy<Value = (usize, Vec<TrackPoint>)> {
    (0..2usize, 0..100i64, proptest::collection::vec((0..=12i32, 0..=12i32), 0..10))
        .prop_map(|(o, start, cells)| (o, cells.into_iter().zip(0..).map(|((hx, hy), i)| fix(start + 3 * i, hx, hy)).collect()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Issue 3: re-checking after each of any sequence of zone and assignment changes ends
    /// with the same checks as checking every patrol once against the final zones; and
    /// applying a change a second time plans nothing.
    #[test]
    fn rechecking_after_each_change_equals_checking_once_at_the_end(
        changes in proptest::collection::vec(any_change(), 1..10),
        patrols in proptest::collection::vec(any_patrol(), 1..8),
    ) {
        let mut w = World::new(&[], patrols.clone());
        for c in &changes {
            let (touched, plan) = w.change(c);
            prop_assert!(plan.rechecks.iter().all(|r| touched.contains(&r.patrol)));
            prop_assert!(w.change(c).1.is_empty(), "applied twice: {:?}", c);
        }
        let once = World::new(&changes, patrols);
        prop_assert_eq!(&w.stored, &once.stored);
        prop_assert_eq!(&w.stored, &w.check_all());
    }
}
