//! Plausibility of a recorded patrol: flags for what an honest phone and officer do not produce.
//! Flags never reject an event (DESIGN.md "Accept and flag"); they are shown to the reviewer.
//!
//! # The rules (thresholds are [`PlausibilityRules`], defaults in brackets)
//! - `impossible_speed`: between two consecutive fixes the slowest speed consistent with both
//!   fixes' reported accuracies exceeds `max_speed_kmh` [150] (see [`motion`]).
//! - `tracking_gap`: no fix for more than `max_gap_s` [600 s] within `[started_at, ended_at]`.
//! - `duplicate_track`: the track keeps another patrol's sequence of fixes, shifted in time, within
//!   `copy_distance_m` [5 m] and `copy_time_ms` [1.5 s] for `copy_share` [0.8] of its fixes; or
//!   shares exact coordinates with it beyond `duplicate_share` of its 3-fix runs or
//!   `duplicate_fix_share` [0.9] of its fixes (see [`copies`]; candidates through [`fingerprint`]).
//! - `too_short`: shorter than `min_duration_s` [600 s] or fewer than `min_fixes` [10] fixes.
//! - `future_timestamp`: a time later than the device's clock at sync (bounded by the server's
//!   clock and `clock_tolerance_s` [24 h], see [`super::clock`]) by more than `future_slack_s` [300 s].
//! - `behind_device_clock`: it starts earlier than the latest patrol time the same device sent
//!   before it, by more than `behind_slack_s` [300 s] (see [`timing`]).
//! - `overlapping_patrol`: it overlaps another patrol of the same officer by more than
//!   `overlap_slack_s` [60 s].
//! - `mock_location`: the phone's OS marked at least one fix as from a mock location provider.
//!
//! # Layout
//! - [`flag`]: the flags, their stable kinds and their explanations with numbers.
//! - [`motion`]: speed and gap rules over consecutive fixes.
//! - [`timing`]: too short, future, behind the device's clock, overlapping.
//! - [`fingerprint`]: the cells of a track the server indexes to find candidate copies.
//! - [`fingerprint_index`]: the index of those cells that finds the few candidates compared in
//!   full, the server's and the phone's (`fingerprint_history_tests`: a year of walks of one route).
//! - [`copies`]: whether a track copies a candidate: its sequence of fixes, or exact positions.

pub mod copies;
pub mod fingerprint;
pub mod fingerprint_index;
pub mod flag;
pub mod motion;
pub mod timing;

#[cfg(test)]
mod fingerprint_history_tests;
#[cfg(test)]
mod scenario_tests;

use serde::{Deserialize, Serialize};

pub use copies::{duplicate_share, fix_share};
pub use fingerprint::{KeptPass, Probe, TrackFingerprint, TrackProbes};
pub use fingerprint_index::FingerprintIndex;
pub use flag::{DuplicateBasis, PlausibilityFlag};

use crate::body::PatrolRecorded;
use crate::ids::{EventId, UserId};
use crate::values::TrackPoint;

/// The thresholds of the rules; a partial config fills the rest from the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlausibilityRules {
    /// Above this a step between fixes is impossible for an officer on foot or in a vehicle on
    /// the county's roads.
    pub max_speed_kmh: u32,
    /// The least jitter allowance between two fixes, in metres, used when their reported
    /// accuracies add up to less (or are missing).
    pub jitter_floor_m: u32,
    pub max_gap_s: u32,
    /// A patrol lasting less than this is too short. 10 min: at walking pace (5 km/h) that is
    /// about 800 m, less than the side of one village zone, and a third of the quota's 30 min in
    /// zone, so a shorter one is an accidental or token recording.
    pub min_duration_s: u32,
    /// A track with fewer fixes is too short. 10: the fewest that a phone logging every 5–60 s
    /// records in any real patrol, and enough for 8 three-fix runs to compare for duplicates.
    pub min_fixes: u32,
    pub future_slack_s: u32,
    /// How far ahead of the server a device's clock is taken at its word (a wrong time zone, a
    /// clock set by hand): within it a device gets one `clock_offset` notice, not a flag on every
    /// patrol; beyond it its times are future. 24 h: the widest time-zone error is 14 h.
    pub clock_tolerance_s: u32,
    /// An event's clock further back than this is a reset or forged clock. 365 days: no phone stays
    /// offline for a year.
    pub stale_clock_days: u32,
    pub behind_slack_s: u32,
    pub overlap_slack_s: u32,
    /// Share (0 to 1) of the track's 3-fix runs found exactly in another track.
    pub duplicate_share: f64,
    /// Share (0 to 1) of the track's distinct fixes found exactly in another track (a thinned copy).
    pub duplicate_fix_share: f64,
    /// Share (0 to 1) of the track's fixes that must follow another track's for a copy: a copy keeps
    /// nearly all (a copy moved by 2 m keeps every fix within `copy_distance_m`), while honest walks
    /// of one road line up for a fraction of their fixes at most.
    pub copy_share: f64,
    /// A copied fix lies this close to its source fix, metres: a copy moved "by a metre or two"
    /// stays within it, while two phones' independent GPS errors (3–20 m) mostly do not.
    pub copy_distance_m: f64,
    /// ... and this close in time, once shifted, milliseconds ("give or take a second").
    pub copy_time_ms: u32,
    /// A copy is shifted by at least this much (two officers walking together are not copying).
    pub copy_min_shift_s: u32,
    /// The copied fixes span at least this many metres (a phone left in one place is no copy).
    pub copy_min_moved_m: f64,
}

impl Default for PlausibilityRules {
    fn default() -> Self {
        PlausibilityRules {
            max_speed_kmh: 150,
            jitter_floor_m: 30,
            max_gap_s: 600,
            min_duration_s: 600,
            min_fixes: 10,
            future_slack_s: 300,
            clock_tolerance_s: 86_400,
            stale_clock_days: 365,
            behind_slack_s: 300,
            overlap_slack_s: 60,
            duplicate_share: 0.5,
            duplicate_fix_share: 0.9,
            copy_share: 0.8,
            copy_distance_m: 5.0,
            copy_time_ms: 1_500,
            copy_min_shift_s: 600,
            copy_min_moved_m: 200.0,
        }
    }
}

/// The patrol checked: the parts of a `patrol.recorded` event the rules read.
#[derive(Debug, Clone, Copy)]
pub struct PatrolUnderCheck<'a> {
    /// The id of the `patrol.recorded` event.
    pub id: EventId,
    /// Its author: `officer_patrols` in the context must be this officer's.
    pub officer: &'a UserId,
    pub started_at: i64,
    pub ended_at: i64,
    pub track: &'a [TrackPoint],
    pub mock_fixes: u32,
}

impl<'a> PatrolUnderCheck<'a> {
    /// The patrol recorded by event `id` of `officer`.
    pub fn of(id: EventId, officer: &'a UserId, body: &'a PatrolRecorded) -> Self {
        PatrolUnderCheck {
            id,
            officer,
            started_at: body.started_at,
            ended_at: body.ended_at,
            track: &body.track,
            mock_fixes: body.mock_fixes,
        }
    }

    /// The earliest time the patrol states: its start or its first fix.
    pub fn earliest_t(&self) -> i64 {
        self.track.first().map_or(self.started_at, |p| p.t.min(self.started_at))
    }

    /// The latest time the patrol states: its end or its last fix. The server keeps the greatest
    /// of these over a device's patrols as the next patrol's `device_previous_max_t`.
    pub fn latest_t(&self) -> i64 {
        self.track.last().map_or(self.ended_at, |p| p.t.max(self.ended_at))
    }
}

/// Another patrol of the same officer, by its times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerPatrol {
    pub id: EventId,
    pub started_at: i64,
    pub ended_at: i64,
}

/// What the rules compare the patrol with, gathered by the caller.
#[derive(Debug, Clone, Copy)]
pub struct PlausibilityContext<'a> {
    /// Unix ms: the latest time the patrol may state. On the server the device's clock at sync
    /// bounded by the server's ([`super::clock::DeviceClock::latest_allowed`]); on the device its now.
    pub device_now: i64,
    /// The greatest [`PatrolUnderCheck::latest_t`] of the patrols this device sent before this one
    /// in its chain (patrol times only: a finding's `observed_at` is when it was typed in).
    pub device_previous_max_t: Option<i64>,
    /// The officer's other patrols (the patrol itself, if present, is skipped by id).
    pub officer_patrols: &'a [OfficerPatrol],
    /// Other patrols' tracks that may be this one's source (found through [`TrackFingerprint`]).
    pub duplicate_candidates: &'a [(EventId, &'a [TrackPoint])],
}

/// Every flag the rules raise on `patrol`, in the order of the rules above; empty when plausible.
pub fn check_plausibility(
    patrol: &PatrolUnderCheck<'_>,
    context: &PlausibilityContext<'_>,
    rules: &PlausibilityRules,
) -> Vec<PlausibilityFlag> {
    check_plausibility_with(OwnFlags::of(patrol, rules), patrol, context, rules)
}

/// [`check_plausibility`] with the flags of the rules that read the patrol alone computed
/// beforehand, by [`OwnFlags::of`] with the same patrol and rules: the server computes those ahead
/// of its writer, which alone knows the context.
pub fn check_plausibility_with(
    own: OwnFlags,
    patrol: &PatrolUnderCheck<'_>,
    context: &PlausibilityContext<'_>,
    rules: &PlausibilityRules,
) -> Vec<PlausibilityFlag> {
    let mut flags = Vec::new();
    flags.extend(own.speed);
    flags.extend(own.gap);
    flags.extend(copies::duplicate_tracks(patrol, context.duplicate_candidates, rules));
    flags.extend(own.too_short);
    flags.extend(timing::future_timestamp(patrol, context.device_now, rules));
    flags.extend(timing::behind_device_clock(patrol, context.device_previous_max_t, rules));
    flags.extend(timing::overlapping(patrol, context.officer_patrols, rules));
    flags.extend(own.mock_location);
    flags
}

/// The flags of the rules that read the patrol alone, not its context: impossible speed, tracking
/// gap, too short, mock location.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnFlags {
    speed: Option<PlausibilityFlag>,
    gap: Option<PlausibilityFlag>,
    too_short: Option<PlausibilityFlag>,
    mock_location: Option<PlausibilityFlag>,
}

impl OwnFlags {
    pub fn of(patrol: &PatrolUnderCheck<'_>, rules: &PlausibilityRules) -> Self {
        OwnFlags {
            speed: motion::impossible_speed(patrol.track, rules),
            gap: motion::tracking_gap(patrol, rules),
            too_short: timing::too_short(patrol, rules),
            mock_location: (patrol.mock_fixes > 0)
                .then_some(PlausibilityFlag::MockLocation { fixes: patrol.mock_fixes, of: patrol.track.len() }),
        }
    }
}
