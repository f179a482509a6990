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
use crate::ids::{EventId, UserId, ZoneId};
use crate::values::TrackPoint;
use crate::wire::FlagKind;

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

    /// The quota flags this check settles on its patrol in `zone`, in the order the server raises
    /// them: `outside_zone` with its numbers when too much of the track lies outside, then
    /// `not_counted` with the explanation when it does not count; `None` when the flag does not hold.
    pub fn quota_flags(&self, zone: &ZoneId) -> [(FlagKind, Option<String>); 2] {
        let outside = self.report.flagged.then(|| outside_detail(zone, &self.report));
        let not_counted = (!self.decision.counts).then(|| self.decision.explanation.clone());
        [(FlagKind::OutsideZone, outside), (FlagKind::NotCounted, not_counted)]
    }

    /// The copy holds of this check: what a re-check keeps, since it sees the track alone.
    fn copy_holds(&self) -> impl Iterator<Item = EventId> + '_ {
        self.holds.iter().filter_map(|h| match h {
            QuotaHold::Copy { of } => Some(*of),
            QuotaHold::ImpossibleJump { .. } => None,
        })
    }
}

/// "31 % of fixes outside zone Z-T03-V02, 14 min and 1.2 km outside, up to 412 m beyond its boundary".
fn outside_detail(zone: &ZoneId, r: &GeofenceReport) -> String {
    let percent = ((r.fixes - r.fixes_inside) * 100).checked_div(r.fixes).unwrap_or(0);
    let mut text = format!(
        "{percent} % of fixes outside zone {zone}, {} min and {:.1} km outside, up to {:.0} m beyond its boundary",
        r.outside_ms / 60_000,
        r.outside_m / 1_000.0,
        r.max_outside_m
    );
    if r.fixes_unassigned > 0 {
        text.push_str(&format!("; {} fixes when no zone was assigned", r.fixes_unassigned));
    }
    text
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
#[path = "recheck_tests.rs"]
mod tests;
