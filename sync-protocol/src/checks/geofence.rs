//! What "inside a zone" means for one GNSS fix: the one place that decides the boundary and the
//! GPS tolerance (STYLE.md habit 6). Every other check asks [`place`].
//!
//! # The rule
//! A fix is **inside** its zone when its position is
//! - in the polygon's interior, or
//! - on the boundary of the shell or of a hole (geo's `CoordinatePosition::OnBoundary`; unlike
//!   `geo::Contains`, which calls a boundary point outside), or
//! - outside the shell, or inside a hole, but no farther from the nearest edge than the
//!   **tolerance** = max(configured margin, the fix's reported accuracy), both in metres.
//!
//! Holes count as outside, with the same tolerance from the hole's edge. Everything else is
//! **outside**, as is a fix with no zone assigned at its time. Positions are tested exactly with
//! [`PreparedPolygon`] (identical to `geo::CoordinatePosition`); distances are haversine metres
//! (see [`super::metres`] for their accuracy at the county's latitude).

use geo::coordinate_position::CoordPos;
use geo::{Coord, Polygon};

use super::prepared_polygon::PreparedPolygon;
use crate::ids::ZoneId;
use crate::values::TrackPoint;
use nearest_edge::NearestEdge;

mod nearest_edge;

/// Settings of the geofence.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GeofenceConfig {
    /// The least tolerance around a zone's boundary, in metres.
    pub margin_m: f64,
    /// A patrol is flagged when the share of its fixes outside exceeds this (0 to 1).
    pub flag_outside_share: f64,
}

impl Default for GeofenceConfig {
    /// A 20 m margin, flagged above 20 % of fixes outside.
    fn default() -> Self {
        GeofenceConfig { margin_m: 20.0, flag_outside_share: 0.20 }
    }
}

/// A zone's boundary prepared once for many fixes.
#[derive(Debug, Clone)]
pub struct PreparedZone {
    pub zone: ZoneId,
    polygon: Polygon<f64>,
    prepared: PreparedPolygon,
    nearest: NearestEdge,
}

impl PreparedZone {
    pub fn new(zone: ZoneId, boundary: &crate::values::Polygon) -> Self {
        let polygon = boundary.to_geo();
        PreparedZone { zone, prepared: PreparedPolygon::new(&polygon), nearest: NearestEdge::new(&polygon), polygon }
    }

    /// Where `c` lies relative to the polygon itself, without tolerance.
    pub fn position(&self, c: Coord<f64>) -> CoordPos {
        self.prepared.position(c)
    }

    /// Distance from `c` to the nearest edge (shell or hole), in metres: exactly
    /// [`super::metres::to_boundary_m`], found through a grid of the edges.
    pub fn distance_to_boundary_m(&self, c: Coord<f64>) -> f64 {
        self.nearest.to_boundary_m(&self.polygon, c)
    }
}

/// Where one fix lies, by the rule above.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Placement {
    /// In the interior (not in a hole).
    Interior,
    /// Exactly on the boundary of the shell or a hole: inside.
    OnBoundary,
    /// Outside the polygon (or in a hole) by `distance_m`, within the tolerance: inside.
    WithinTolerance { distance_m: f64, tolerance_m: f64 },
    /// Outside the polygon (or in a hole) by `distance_m`, beyond the tolerance.
    Outside { distance_m: f64, tolerance_m: f64 },
    /// No zone assigned at the fix's time: outside, at no known distance.
    Unassigned,
}

impl Placement {
    /// Whether the fix counts as inside its zone.
    pub fn is_inside(&self) -> bool {
        matches!(self, Placement::Interior | Placement::OnBoundary | Placement::WithinTolerance { .. })
    }
}

/// The tolerance for one fix: the larger of the margin and its reported accuracy, in metres.
pub fn tolerance_m(fix: &TrackPoint, config: &GeofenceConfig) -> f64 {
    let accuracy = fix.acc.map_or(0.0, f64::from);
    config.margin_m.max(accuracy)
}

/// Places one fix relative to `zone` (or no zone) by the rule in this module's documentation.
pub fn place(fix: &TrackPoint, zone: Option<&PreparedZone>, config: &GeofenceConfig) -> Placement {
    let Some(zone) = zone else { return Placement::Unassigned };
    let c = fix_coord(fix);
    match zone.position(c) {
        CoordPos::Inside => Placement::Interior,
        CoordPos::OnBoundary => Placement::OnBoundary,
        CoordPos::Outside => {
            let distance_m = zone.distance_to_boundary_m(c);
            let tolerance_m = tolerance_m(fix, config);
            if distance_m <= tolerance_m {
                Placement::WithinTolerance { distance_m, tolerance_m }
            } else {
                Placement::Outside { distance_m, tolerance_m }
            }
        }
    }
}

/// Whether each fix of `track` counts as inside the zone assigned at its time (`zone_at`), by
/// [`place`]: what a map colours, the same rule the check counts by.
pub fn inside_each<'z>(track: &[TrackPoint], zone_at: impl Fn(i64) -> Option<&'z PreparedZone>, config: &GeofenceConfig) -> Vec<bool> {
    track.iter().map(|fix| place(fix, zone_at(fix.t), config).is_inside()).collect()
}

/// How far beyond the tolerance line a fix lies, in metres: negative or zero inside, positive
/// outside; `None` when no zone is assigned. Used to estimate where a segment crosses.
pub fn signed_excess_m(fix: &TrackPoint, zone: Option<&PreparedZone>, placement: Placement, config: &GeofenceConfig) -> Option<f64> {
    let zone = zone?;
    let tolerance = tolerance_m(fix, config);
    Some(match placement {
        Placement::Interior => -zone.distance_to_boundary_m(fix_coord(fix)) - tolerance,
        Placement::OnBoundary => -tolerance,
        Placement::WithinTolerance { distance_m, tolerance_m } | Placement::Outside { distance_m, tolerance_m } => distance_m - tolerance_m,
        Placement::Unassigned => return None,
    })
}

/// A fix's position in degrees, as the polygons are (the wire's 1e-7 degree, divided).
pub fn fix_coord(fix: &TrackPoint) -> Coord<f64> {
    crate::values::Coord { lon: fix.lon, lat: fix.lat }.to_geo()
}
