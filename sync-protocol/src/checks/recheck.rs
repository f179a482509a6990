//! Re-checking patrols after a zone or an assignment changes: a pure planner whose plan the
//! server carries out later, in one transaction.
//!
//! # Steps
//! 1. Apply the change to the [`ZoneHistory`]; it returns the [`ChangedPeriod`] whose answers
//!    may differ.
//! 2. [`affected`] picks, from patrols' time spans alone, those that may have been touched: a
//!    patrol of the officer whose assignment changed, or of an officer assigned the redefined
//!    zone, whose span meets the changed period (and, for a zone, the assignment period). So
//!    the caller loads only those tracks.
//! 3. [`plan`] checks those tracks against the history and keeps only the patrols whose stored
//!    check differs from the new one, with their old and new flag states.
//!
//! # Idempotency
//! The new check is a function of the track and the history alone, and a patrol enters the plan
//! only when it differs from what is stored. So re-checking an unaffected patrol, or applying the
//! same change twice (the history is unchanged by the second, see [`super::zone_history`]),
//! yields an empty plan; carrying out a plan twice leaves the same state as once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::geofence::GeofenceConfig;
use super::patrol_report::{GeofenceReport, check_patrol_with};
use super::plausibility::PlausibilityFlag;
use super::plausibility::motion::{impossible_speed, least_speed_kmh, moved_beyond_jitter};
use super::valid_patrol::{QuotaDecision, QuotaHold, QuotaRules, decide_with};
use super::zone_history::{ChangeScope, ChangedPeriod, ZoneHistory, overlaps};
use crate::ids::{EventId, UserId};
use crate::values::TrackPoint;

/// The settings a patrol is checked with (the server's `[checks]` config section).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckConfig {
    pub geofence: GeofenceConfig,
    pub rules: QuotaRules,
    pub plausibility: super::plausibility::PlausibilityRules,
    /// Photo position and time against the finding and patrol (`[checks.evidence]`).
    pub evidence: super::evidence::EvidenceRules,
}

/// What is stored for one patrol: its geofence report, the holds on it and its quota decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatrolCheck {
    pub report: GeofenceReport,
    pub decision: QuotaDecision,
    /// What keeps it from counting whatever its numbers (left out when none, so checks stored
    /// before holds existed read and compare the same).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holds: Vec<QuotaHold>,
    /// The reviews of its flags (`flag.reviewed`), which may lift a hold (`hold_review`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<super::hold_review::HoldReview>,
}

/// The flags a patrol carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagState {
    /// Too much of the track outside the zone.
    pub flagged: bool,
    /// Counts toward the weekly quota.
    pub counts: bool,
}

impl PatrolCheck {
    pub fn flags(&self) -> FlagState {
        FlagState { flagged: self.report.flagged, counts: self.decision.counts }
    }

    /// This check held as a copy of patrol `of` (decided at ingest, where the stored patrols are
    /// known), the decision explained again.
    pub fn held_as_copy(mut self, of: EventId, rules: &QuotaRules) -> PatrolCheck {
        if !self.holds.contains(&QuotaHold::Copy { of }) {
            self.holds.push(QuotaHold::Copy { of });
            self.redecide(rules);
        }
        self
    }

    /// The copy holds of this check: what a re-check keeps, since it sees the track alone.
    fn copy_holds(&self) -> impl Iterator<Item = EventId> + '_ {
        self.holds.iter().filter_map(|h| match h {
            QuotaHold::Copy { of } => Some(*of),
            QuotaHold::ImpossibleJump { .. } => None,
        })
    }
}

/// A patrol's time span, enough to tell whether a change may touch it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatrolSpan {
    pub patrol: EventId,
    pub officer: UserId,
    /// The earliest and latest fix times (Unix ms); `None` for an empty track, which no
    /// change touches. Must cover every fix, so take them from the track, not from the
    /// patrol's stated start and end.
    pub fixes: Option<(i64, i64)>,
}

impl PatrolSpan {
    pub fn of_track(patrol: EventId, officer: UserId, track: &[TrackPoint]) -> Self {
        let lo = track.iter().map(|p| p.t).min();
        let hi = track.iter().map(|p| p.t).max();
        PatrolSpan { patrol, officer, fixes: lo.zip(hi) }
    }
}

/// A patrol to re-check: who walked it, and its track.
#[derive(Debug, Clone, Copy)]
pub struct PatrolTrack<'a> {
    pub patrol: EventId,
    pub officer: &'a UserId,
    pub track: &'a [TrackPoint],
}

/// One patrol whose stored check changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recheck {
    pub patrol: EventId,
    /// `None` when the patrol had no stored check.
    pub old: Option<FlagState>,
    pub new: FlagState,
    pub check: PatrolCheck,
}

/// The patrols whose checks change, in patrol id order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecheckPlan {
    pub rechecks: Vec<Recheck>,
}

impl RecheckPlan {
    pub fn is_empty(&self) -> bool {
        self.rechecks.is_empty()
    }

    /// The patrols whose flags (not only their numbers) change.
    pub fn flag_changes(&self) -> impl Iterator<Item = &Recheck> {
        self.rechecks.iter().filter(|r| r.old != Some(r.new))
    }

    /// Carries the plan out on an in-memory store (as the server does on its table).
    pub fn apply_to(&self, stored: &mut BTreeMap<EventId, PatrolCheck>) {
        for r in &self.rechecks {
            stored.insert(r.patrol, r.check.clone());
        }
    }
}

/// Checks one patrol once against the history: the geofence report (impossible steps left out),
/// the hold of an impossible jump, and the quota decision.
pub fn check(history: &ZoneHistory, officer: &UserId, track: &[TrackPoint], config: &CheckConfig) -> PatrolCheck {
    let rules = &config.plausibility;
    let limit = f64::from(rules.max_speed_kmh);
    let implausible = |a: &TrackPoint, b: &TrackPoint| least_speed_kmh(a, b, rules) > limit;
    let moved = |a: &TrackPoint, b: &TrackPoint| moved_beyond_jitter(a, b, rules);
    let report = check_patrol_with(track, history.zone_at_fn(officer), &config.geofence, implausible, moved);
    let holds: Vec<QuotaHold> = match impossible_speed(track, rules) {
        Some(PlausibilityFlag::ImpossibleSpeed { kmh, from_fix, at, .. }) => vec![QuotaHold::ImpossibleJump { kmh, from_fix, at }],
        _ => Vec::new(),
    };
    let decision = decide_with(&report, &config.rules, &holds);
    PatrolCheck { report, decision, holds, reviews: Vec::new() }
}

/// Whether `changed` may alter the check of the patrol spanning `span` (see the module docs).
pub fn may_touch(history: &ZoneHistory, changed: &ChangedPeriod, span: &PatrolSpan) -> bool {
    let Some((start, end)) = span.fixes else { return false };
    if !changed.overlaps(start, end) {
        return false;
    }
    match &changed.scope {
        ChangeScope::Officer(officer) => *officer == span.officer,
        ChangeScope::Zone(zone) => {
            // The part of the span inside the changed period must meet an assignment to the zone.
            let (lo, hi) = (start.max(changed.from), changed.until.map_or(end, |u| end.min(u.saturating_sub(1))));
            history.assigned_periods(&span.officer, zone).any(|(from, until)| overlaps(lo, hi, from, until))
        }
    }
}

/// The patrols, of `spans`, that `changed` may touch, in the order given.
pub fn affected<'s>(history: &ZoneHistory, changed: &ChangedPeriod, spans: &'s [PatrolSpan]) -> Vec<&'s PatrolSpan> {
    spans.iter().filter(|s| may_touch(history, changed, s)).collect()
}

/// Re-checks `patrols` against `history` and plans the ones whose check differs from `stored`.
pub fn plan<'a>(
    history: &ZoneHistory,
    patrols: impl IntoIterator<Item = PatrolTrack<'a>>,
    stored: &BTreeMap<EventId, PatrolCheck>,
    config: &CheckConfig,
) -> RecheckPlan {
    let mut rechecks: Vec<Recheck> = patrols
        .into_iter()
        .filter_map(|p| {
            let old = stored.get(&p.patrol);
            let copies = old.into_iter().flat_map(PatrolCheck::copy_holds);
            let mut new = copies.fold(check(history, p.officer, p.track, config), |c, of| c.held_as_copy(of, &config.rules));
            if let Some(old) = old.filter(|o| !o.reviews.is_empty()) {
                new.reviews.clone_from(&old.reviews);
                new.redecide(&config.rules);
            }
            (old != Some(&new)).then(|| Recheck { patrol: p.patrol, old: old.map(PatrolCheck::flags), new: new.flags(), check: new })
        })
        .collect();
    rechecks.sort_by_key(|r| r.patrol);
    rechecks.dedup_by_key(|r| r.patrol);
    RecheckPlan { rechecks }
}

/// Steps 2 and 3 in one, for a caller that holds every track: plans the re-check of the patrols
/// `changed` may touch.
pub fn plan_change<'a>(
    history: &ZoneHistory,
    changed: &ChangedPeriod,
    patrols: impl IntoIterator<Item = PatrolTrack<'a>>,
    stored: &BTreeMap<EventId, PatrolCheck>,
    config: &CheckConfig,
) -> RecheckPlan {
    let touched = patrols.into_iter().filter(|p| may_touch(history, changed, &PatrolSpan::of_track(p.patrol, p.officer.clone(), p.track)));
    plan(history, touched, stored, config)
}

#[cfg(test)]
mod tests {
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
}
