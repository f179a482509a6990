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
//! # Implausible steps
//! A step between two fixes that no officer can make (faster than `max_speed_kmh`, see
//! [`super::plausibility::motion`]) adds no time and no distance, inside or outside: the report
//! keeps it apart in `excluded_ms` and `excluded_m`, so a teleport cannot buy minutes or
//! kilometres in the zone. Its fixes still count for the shares.

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

/// Checks `track` fix by fix against `zone_at(fix.t)`, the zone assigned at that fix's time.
pub fn check_patrol<'z>(
    track: &[TrackPoint],
    zone_at: impl Fn(i64) -> Option<&'z PreparedZone>,
    config: &GeofenceConfig,
) -> GeofenceReport {
    check_patrol_with(track, zone_at, config, |_, _| false)
}

/// [`check_patrol`], leaving out the steps `implausible(a, b)` says no one can make (see the
/// module docs).
pub fn check_patrol_with<'z>(
    track: &[TrackPoint],
    zone_at: impl Fn(i64) -> Option<&'z PreparedZone>,
    config: &GeofenceConfig,
    implausible: impl Fn(&TrackPoint, &TrackPoint) -> bool,
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
    for i in 1..track.len() {
        let (a, b) = (&track[i - 1], &track[i]);
        if implausible(a, b) {
            report.excluded_ms += b.t.saturating_sub(a.t).max(0);
            report.excluded_m += metres::between_m(geofence::fix_coord(a), geofence::fix_coord(b));
            continue;
        }
        add_segment(&mut report, (a, placed[i - 1]), (b, placed[i]), config);
    }
    report.flagged = report.fixes > 0 && report.share_outside() > config.flag_outside_share;
    report
}

type Placed<'a, 'z> = (&'a TrackPoint, (Option<&'z PreparedZone>, Placement));

/// Adds the segment from `a` to `b` to the report's times and distances (see module docs).
fn add_segment(report: &mut GeofenceReport, a: Placed<'_, '_>, b: Placed<'_, '_>, config: &GeofenceConfig) {
    let ((fa, (za, pa)), (fb, (zb, pb))) = (a, b);
    let dt = fb.t.saturating_sub(fa.t).max(0);
    let len = metres::between_m(geofence::fix_coord(fa), geofence::fix_coord(fb));
    let (in_a, in_b) = (pa.is_inside(), pb.is_inside());
    if in_a == in_b {
        if in_a {
            report.inside_ms += dt;
            report.inside_m += len;
        } else {
            report.outside_ms += dt;
            report.outside_m += len;
        }
        return;
    }
    let f = match (geofence::signed_excess_m(fa, za, pa, config), geofence::signed_excess_m(fb, zb, pb, config)) {
        (Some(ea), Some(eb)) if (ea - eb).is_finite() && ea != eb => (ea / (ea - eb)).clamp(0.0, 1.0),
        _ => 0.5,
    };
    let dt_first = (dt as f64 * f).round() as i64;
    let (ms_a_side, ms_b_side) = (dt_first, dt - dt_first);
    let (m_a_side, m_b_side) = (len * f, len * (1.0 - f));
    if in_a {
        report.inside_ms += ms_a_side;
        report.inside_m += m_a_side;
        report.outside_ms += ms_b_side;
        report.outside_m += m_b_side;
    } else {
        report.outside_ms += ms_a_side;
        report.outside_m += m_a_side;
        report.inside_ms += ms_b_side;
        report.inside_m += m_b_side;
    }
    report.crossings.push(Crossing { t: fa.t + dt_first, entering: in_b });
}
