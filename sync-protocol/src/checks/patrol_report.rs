//! A whole patrol against the zone assigned at each fix's own time: shares, time and distance
//! inside and outside, the greatest distance outside, crossings, and the flag.
//!
//! # Segments
//! The stretch between two consecutive fixes counts by its end points: both inside → inside,
//! both outside → outside, one of each → split where it crosses the tolerance line. That point
//! is estimated by linear interpolation along the segment of each end's signed excess (distance
//! beyond the tolerance line: negative inside, positive outside, see
//! [`geofence::signed_excess_m`]): at fraction `f = e_a / (e_a − e_b)` of the way from `a` to `b`,
//! in time and in distance alike. When an end has no zone assigned, the split is at the middle.
//! Each end is measured against its own zone, so an assignment changing mid-patrol is handled
//! fix by fix. The track is taken in the order given; a step back in time adds no time.
//!
//! # Distance: movement beyond the GPS error
//! A phone lying still scatters its fixes by its GPS error, and the steps between them add up: an
//! hour on a desk, a fix every 10 s with 4 m of error, reads as 2 km. So distance is measured
//! between *anchor* fixes: from the last anchor to the first later fix that the caller's `moved`
//! says lies beyond the jitter allowance of it (on the server and the phone,
//! [`super::plausibility::motion::moved_beyond_jitter`]: twice the two fixes' reported
//! accuracies, at least 30 m); that fix is the next anchor, and the step adds its length, split
//! inside and outside like a segment. A walk then measures its path in steps of at least the
//! allowance (a few per cent short on tight bends), while fixes scattered about one place add
//! nothing. Time is measured between consecutive fixes, as above.
//!
//! # Implausible steps
//! A step between two fixes that no officer can make (faster than `max_speed_kmh`, see
//! [`super::plausibility::motion`]) adds no time and no distance, inside or outside (nor does a
//! step between anchors with such a step inside it): the report keeps them apart in
//! `excluded_ms` and `excluded_m`, so a teleport cannot buy minutes or kilometres in the zone.
//! Its fixes still count for the shares.

use serde::{Deserialize, Serialize};

use super::geofence::{self, GeofenceConfig, Placement, PreparedZone};
use super::metres;
use crate::values::TrackPoint;

/// The geofence verdict on one patrol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeofenceReport {
    pub fixes: usize,
    /// Fixes inside their zone (tolerance included).
    pub fixes_inside: usize,
    /// Fixes with no zone assigned at their time (counted outside).
    pub fixes_unassigned: usize,
    pub inside_ms: i64,
    pub outside_ms: i64,
    pub inside_m: f64,
    pub outside_m: f64,
    /// The greatest distance beyond the polygon of a fix counted outside, in metres (0 if none;
    /// fixes with no zone assigned have no distance and do not count here).
    pub max_outside_m: f64,
    /// Estimated times the track crossed the tolerance line, in order.
    pub crossings: Vec<Crossing>,
    /// Time and distance of the implausible steps, counted neither inside nor outside (left out
    /// when none, so reports stored before this field read and compare the same).
    #[serde(default, skip_serializing_if = "is_zero_ms")]
    pub excluded_ms: i64,
    #[serde(default, skip_serializing_if = "is_zero_m")]
    pub excluded_m: f64,
    /// The share of fixes outside exceeds [`GeofenceConfig::flag_outside_share`].
    pub flagged: bool,
}

/// One estimated crossing of a zone's tolerance line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crossing {
    /// Unix milliseconds, interpolated between the two fixes around it.
    pub t: i64,
    /// Into the zone (`true`) or out of it.
    pub entering: bool,
}

impl GeofenceReport {
    /// The share of fixes inside, 0 to 1 (0 for an empty track).
    pub fn share_inside(&self) -> f64 {
        if self.fixes == 0 { 0.0 } else { self.fixes_inside as f64 / self.fixes as f64 }
    }

    /// The share of fixes outside, 0 to 1 (0 for an empty track, which is never flagged).
    pub fn share_outside(&self) -> f64 {
        if self.fixes == 0 { 0.0 } else { (self.fixes - self.fixes_inside) as f64 / self.fixes as f64 }
    }
}

fn is_zero_ms(v: &i64) -> bool {
    *v == 0
}

fn is_zero_m(v: &f64) -> bool {
    *v == 0.0
}

/// Checks `track` fix by fix against `zone_at(fix.t)`, the zone assigned at that fix's time,
/// every step counting (no step implausible, no GPS error allowed for).
pub fn check_patrol<'z>(
    track: &[TrackPoint],
    zone_at: impl Fn(i64) -> Option<&'z PreparedZone>,
    config: &GeofenceConfig,
) -> GeofenceReport {
    check_patrol_with(track, zone_at, config, |_, _| false, |_, _| true)
}

/// [`check_patrol`], leaving out the steps `implausible(a, b)` says no one can make, and measuring
/// distance between the fixes `moved(a, b)` says the phone moved between, beyond the GPS error
/// (see the module docs).
pub fn check_patrol_with<'z>(
    track: &[TrackPoint],
    zone_at: impl Fn(i64) -> Option<&'z PreparedZone>,
    config: &GeofenceConfig,
    implausible: impl Fn(&TrackPoint, &TrackPoint) -> bool,
    moved: impl Fn(&TrackPoint, &TrackPoint) -> bool,
) -> GeofenceReport {
    let placed: Vec<(Option<&PreparedZone>, Placement)> = track
        .iter()
        .map(|fix| {
            let zone = zone_at(fix.t);
            (zone, geofence::place(fix, zone, config))
        })
        .collect();
    let mut report = GeofenceReport {
        fixes: track.len(),
        fixes_inside: placed.iter().filter(|(_, p)| p.is_inside()).count(),
        fixes_unassigned: placed.iter().filter(|(_, p)| *p == Placement::Unassigned).count(),
        inside_ms: 0,
        outside_ms: 0,
        inside_m: 0.0,
        outside_m: 0.0,
        max_outside_m: placed
            .iter()
            .filter_map(|(_, p)| match p {
                Placement::Outside { distance_m, .. } => Some(*distance_m),
                _ => None,
            })
            .fold(0.0, f64::max),
        crossings: Vec::new(),
        excluded_ms: 0,
        excluded_m: 0.0,
        flagged: false,
    };
    let mut anchor = 0;
    let mut jumped = false;
    for i in 1..track.len() {
        let (a, b) = (&track[i - 1], &track[i]);
        let impossible = implausible(a, b);
        jumped |= impossible;
        if impossible {
            report.excluded_ms += b.t.saturating_sub(a.t).max(0);
        } else {
            add_time(&mut report, (a, placed[i - 1]), (b, placed[i]), config);
        }
        if !moved(&track[anchor], b) {
            continue;
        }
        if jumped {
            report.excluded_m += metres::between_m(geofence::fix_coord(&track[anchor]), geofence::fix_coord(b));
        } else {
            add_distance(&mut report, (&track[anchor], placed[anchor]), (b, placed[i]), config);
        }
        (anchor, jumped) = (i, false);
    }
    report.flagged = report.fixes > 0 && report.share_outside() > config.flag_outside_share;
    report
}

type Placed<'a, 'z> = (&'a TrackPoint, (Option<&'z PreparedZone>, Placement));

/// Where a step from `a` to `b` crosses the tolerance line, as a fraction of the way from `a`;
/// `None` when both ends are on the same side.
fn crossing(a: Placed<'_, '_>, b: Placed<'_, '_>, config: &GeofenceConfig) -> Option<f64> {
    let ((fa, (za, pa)), (fb, (zb, pb))) = (a, b);
    if pa.is_inside() == pb.is_inside() {
        return None;
    }
    Some(match (geofence::signed_excess_m(fa, za, pa, config), geofence::signed_excess_m(fb, zb, pb, config)) {
        (Some(ea), Some(eb)) if (ea - eb).is_finite() && ea != eb => (ea / (ea - eb)).clamp(0.0, 1.0),
        _ => 0.5,
    })
}

/// Adds the time from `a` to `b` to the report's times inside and outside, and the crossing.
fn add_time(report: &mut GeofenceReport, a: Placed<'_, '_>, b: Placed<'_, '_>, config: &GeofenceConfig) {
    let dt = b.0.t.saturating_sub(a.0.t).max(0);
    let a_side = match crossing(a, b, config) {
        Some(f) => {
            let first = (dt as f64 * f).round() as i64;
            report.crossings.push(Crossing { t: a.0.t + first, entering: b.1.1.is_inside() });
            first
        }
        None => dt,
    };
    let (inside_ms, outside_ms) = if a.1.1.is_inside() { (a_side, dt - a_side) } else { (dt - a_side, a_side) };
    report.inside_ms += inside_ms;
    report.outside_ms += outside_ms;
}

/// Adds the distance from `a` to `b` to the report's distances inside and outside.
fn add_distance(report: &mut GeofenceReport, a: Placed<'_, '_>, b: Placed<'_, '_>, config: &GeofenceConfig) {
    let len = metres::between_m(geofence::fix_coord(a.0), geofence::fix_coord(b.0));
    let a_side = crossing(a, b, config).map_or(len, |f| len * f);
    let (inside_m, outside_m) = if a.1.1.is_inside() { (a_side, len - a_side) } else { (len - a_side, a_side) };
    report.inside_m += inside_m;
    report.outside_m += outside_m;
}
