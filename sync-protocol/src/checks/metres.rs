//! Distances in metres: haversine on the mean Earth radius (as `fold::track_length_m`), between
//! fixes and from a fix to the nearest edge of a polygon.
//!
//! # Accuracy at the county (about 25.5°N)
//! The sphere of radius 6,371,008.8 m differs from the WGS 84 ellipsoid there by about +0.37 %
//! north-south (meridian radius 6,347 km) and −0.17 % east-west (prime vertical 6,382 km), so a
//! 50 m distance is right to within 0.2 m. The nearest point of an edge is found in a local
//! equirectangular plane at the fix's latitude, which for edges within 10 km agrees with the
//! sphere to better than 0.01 %; the distance to that point is then measured by haversine.

use geo::{Coord, Distance, Haversine, Point, Polygon};

/// geo's mean Earth radius (IUGG), in metres, the one `Haversine` uses.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Haversine distance between two positions in degrees (`x` longitude, `y` latitude), in metres.
pub fn between_m(a: Coord<f64>, b: Coord<f64>) -> f64 {
    Haversine.distance(Point(a), Point(b))
}

/// Distance from `c` to the nearest edge of any ring of `polygon` (shell or hole), in metres;
/// infinite for a polygon without edges. Inside or outside makes no difference: this is the
/// distance to the boundary line.
pub fn to_boundary_m(polygon: &Polygon<f64>, c: Coord<f64>) -> f64 {
    let m_per_deg_y = EARTH_RADIUS_M.to_radians();
    let m_per_deg_x = m_per_deg_y * c.y.to_radians().cos();
    let local = |p: Coord<f64>| Coord { x: (p.x - c.x) * m_per_deg_x, y: (p.y - c.y) * m_per_deg_y };
    let mut best: Option<(f64, Coord<f64>)> = None;
    for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
        for line in ring.lines() {
            let (a, b) = (local(line.start), local(line.end));
            let nearest = nearest_on_segment(a, b);
            let d2 = nearest.x * nearest.x + nearest.y * nearest.y;
            if best.is_none_or(|(bd2, _)| d2 < bd2) {
                best = Some((d2, nearest));
            }
        }
    }
    let Some((_, nearest)) = best else { return f64::INFINITY };
    if m_per_deg_x == 0.0 {
        return nearest.y.hypot(nearest.x);
    }
    between_m(c, Coord { x: c.x + nearest.x / m_per_deg_x, y: c.y + nearest.y / m_per_deg_y })
}

/// The point of segment `a`–`b` nearest the origin.
pub(crate) fn nearest_on_segment(a: Coord<f64>, b: Coord<f64>) -> Coord<f64> {
    let d = b - a;
    let len2 = d.x * d.x + d.y * d.y;
    if len2 == 0.0 {
        return a;
    }
    let t = (-(a.x * d.x + a.y * d.y) / len2).clamp(0.0, 1.0);
    a + d * t
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn distance_to_an_edge_matches_haversine_to_the_foot_of_the_perpendicular() {
        // A square 0.01° on a side at 114.5°E 25.5°N; a point 0.001° east of its east edge.
        let square = polygon![(x: 114.50, y: 25.50), (x: 114.51, y: 25.50), (x: 114.51, y: 25.51), (x: 114.50, y: 25.51)];
        let c = Coord { x: 114.511, y: 25.505 };
        let expected = between_m(c, Coord { x: 114.51, y: 25.505 });
        assert!((to_boundary_m(&square, c) - expected).abs() < 1e-6);
        assert!((expected - 100.36).abs() < 0.01, "{expected}");
        // Beyond a corner the nearest point is the corner.
        let corner = Coord { x: 114.511, y: 25.511 };
        assert!((to_boundary_m(&square, corner) - between_m(corner, Coord { x: 114.51, y: 25.51 })).abs() < 0.01);
        // From inside, the nearest edge too.
        assert!((to_boundary_m(&square, Coord { x: 114.509, y: 25.505 }) - 100.36).abs() < 0.01);
    }
}
