//! Checking one GeoJSON Polygon and turning it into the protocol's [`Polygon`] (1e-7 degrees):
//! the form (positions, ranges, closed rings, the vertex cap) here, the topology by `geo`'s `Validation`.

use geo::algorithm::Validation;
use geo::algorithm::validation::{InvalidPolygon, RingRole};
use sync_protocol::values::{Coord, MAX_POLYGON_VERTICES, Polygon};

use super::problem::Problem;

/// The default cap on vertices per polygon (all rings together).
pub const DEFAULT_MAX_VERTICES: usize = 10_000;

/// The most vertices a cap may allow: what the protocol accepts in a body.
pub const MAX_VERTICES_LIMIT: usize = MAX_POLYGON_VERTICES;

/// Checks a GeoJSON Polygon's rings and converts them; returns every problem found. Coordinates
/// are rounded to the nearest 1e-7 degree (about 1 cm), the precision of the protocol; an altitude
/// is dropped. Topology is checked only when the form is right and the cap is kept.
pub fn polygon(rings: &[Vec<Vec<f64>>], max_vertices: usize) -> Result<Polygon, Vec<Problem>> {
    if rings.is_empty() || rings[0].is_empty() {
        return Err(vec![Problem::NoShell]);
    }
    let mut problems = Vec::new();
    let count: usize = rings.iter().map(Vec::len).sum();
    if count > max_vertices {
        problems.push(Problem::TooManyVertices { count, cap: max_vertices });
    }
    let converted: Vec<Vec<[i32; 2]>> = rings.iter().enumerate().map(|(i, ring)| ring_form(i, ring, &mut problems)).collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    let polygon = Polygon(converted);
    problems.extend(topology(&polygon));
    if problems.is_empty() { Ok(polygon) } else { Err(problems) }
}

/// How many positions a GeoJSON Polygon's rings hold, all rings together, read from its JSON
/// without converting it (0 for anything that is not a Polygon's shape).
pub fn position_count(geometry: &serde_json::Value) -> usize {
    if geometry.get("type").and_then(serde_json::Value::as_str) != Some("Polygon") {
        return 0;
    }
    let rings = geometry.get("coordinates").and_then(serde_json::Value::as_array);
    rings.map_or(0, |rings| rings.iter().filter_map(serde_json::Value::as_array).map(Vec::len).sum())
}

/// One ring's positions: each 2 (or 3) finite numbers in range; at least 4, the last equal to the first.
fn ring_form(ring: usize, positions: &[Vec<f64>], problems: &mut Vec<Problem>) -> Vec<[i32; 2]> {
    let before = problems.len();
    let mut out = Vec::with_capacity(positions.len());
    for (index, p) in positions.iter().enumerate() {
        match position(ring, index, p) {
            Ok(c) => out.push([c.lon, c.lat]),
            Err(problem) => problems.push(problem),
        }
    }
    if positions.len() < 4 {
        problems.push(Problem::RingTooShort { ring, count: positions.len() });
    } else if problems.len() == before && out.first() != out.last() {
        problems.push(Problem::RingNotClosed { ring });
    }
    out
}

fn position(ring: usize, index: usize, p: &[f64]) -> Result<Coord, Problem> {
    let (lon, lat) = match p {
        [lon, lat] | [lon, lat, _] => (*lon, *lat),
        _ => return Err(Problem::PositionForm { ring, index }),
    };
    if !lon.is_finite() || !lat.is_finite() {
        return Err(Problem::NotFinite { ring, index });
    }
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(Problem::OutOfRange { ring, index, lon, lat });
    }
    Coord::from_degrees(lon, lat).map_err(|_| Problem::OutOfRange { ring, index, lon, lat })
}

/// Self-intersections, holes outside the shell and crossing rings, as `geo` finds them (OGC
/// simple-feature rules; rings may touch at a point).
fn topology(polygon: &Polygon) -> Vec<Problem> {
    let ring = |role: RingRole| match role {
        RingRole::Exterior => 0,
        RingRole::Interior(i) => i + 1,
    };
    let mut problems: Vec<Problem> = polygon
        .to_geo()
        .validation_errors()
        .into_iter()
        .map(|e| match e {
            InvalidPolygon::TooFewPointsInRing(r) => Problem::RingDegenerate { ring: ring(r) },
            InvalidPolygon::SelfIntersection(r) => Problem::SelfIntersection { ring: ring(r) },
            // Checked before conversion; kept so that the mapping stays exhaustive.
            InvalidPolygon::NonFiniteCoord(r, i) => Problem::NotFinite { ring: ring(r), index: i.0 },
            InvalidPolygon::InteriorRingNotContainedInExteriorRing(r) => Problem::HoleOutsideShell { ring: ring(r) },
            InvalidPolygon::IntersectingRingsOnALine(a, b) | InvalidPolygon::IntersectingRingsOnAnArea(a, b) => {
                Problem::RingsCross { a: ring(a), b: ring(b) }
            }
        })
        .collect();
    problems.dedup();
    problems
}

/// The GeoJSON rings of a protocol polygon, in degrees.
pub fn to_positions(polygon: &Polygon) -> Vec<Vec<Vec<f64>>> {
    polygon.0.iter().map(|ring| ring.iter().map(|[lon, lat]| vec![f64::from(*lon) / 1e7, f64::from(*lat) / 1e7]).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(points: &[(f64, f64)]) -> Vec<Vec<f64>> {
        points.iter().map(|(x, y)| vec![*x, *y]).collect()
    }

    const SHELL: &[(f64, f64)] = &[(114.0, 25.0), (114.1, 25.0), (114.1, 25.1), (114.0, 25.1), (114.0, 25.0)];

    fn rules(rings: &[Vec<Vec<f64>>], cap: usize) -> Vec<&'static str> {
        match polygon(rings, cap) {
            Ok(_) => vec![],
            Err(problems) => problems.iter().map(Problem::rule).collect(),
        }
    }

    #[test]
    fn every_rule_of_a_polygon() {
        let hole_inside = ring(&[(114.02, 25.02), (114.02, 25.04), (114.04, 25.04), (114.04, 25.02), (114.02, 25.02)]);
        let hole_outside = ring(&[(114.5, 25.5), (114.5, 25.6), (114.6, 25.6), (114.6, 25.5), (114.5, 25.5)]);
        let hole_crossing = ring(&[(114.05, 25.05), (114.05, 25.2), (114.2, 25.2), (114.2, 25.05), (114.05, 25.05)]);
        let hole_a = ring(&[(114.02, 25.02), (114.02, 25.06), (114.06, 25.06), (114.06, 25.02), (114.02, 25.02)]);
        let hole_b = ring(&[(114.04, 25.04), (114.04, 25.08), (114.08, 25.08), (114.08, 25.04), (114.04, 25.04)]);
        let bow_tie = ring(&[(114.0, 25.0), (114.1, 25.1), (114.1, 25.0), (114.0, 25.1), (114.0, 25.0)]);
        let open = ring(&[(114.0, 25.0), (114.1, 25.0), (114.1, 25.1), (114.0, 25.1), (114.0, 25.05)]);
        let three = ring(&[(114.0, 25.0), (114.1, 25.0), (114.0, 25.0)]);
        let degenerate = ring(&[(114.0, 25.0), (114.1, 25.0), (114.0, 25.0), (114.0, 25.0)]);
        let mut nan = ring(SHELL);
        nan[1][0] = f64::NAN;
        let mut infinite = ring(SHELL);
        infinite[2][1] = f64::INFINITY;
        let mut far = ring(SHELL);
        far[1] = vec![181.0, 25.0];
        let mut short_position = ring(SHELL);
        short_position[1] = vec![114.1];
        let mut with_altitude = ring(SHELL);
        with_altitude.iter_mut().for_each(|p| p.push(350.0));
        type Case<'a> = (&'a str, Vec<Vec<Vec<f64>>>, usize, Vec<&'a str>);
        let table: Vec<Case> = vec![
            ("a square", vec![ring(SHELL)], 10, vec![]),
            ("an altitude is dropped", vec![with_altitude], 10, vec![]),
            ("a hole inside", vec![ring(SHELL), hole_inside.clone()], 10, vec![]),
            ("exactly the cap", vec![ring(SHELL)], 5, vec![]),
            ("one over the cap", vec![ring(SHELL)], 4, vec!["too_many_vertices"]),
            ("no rings", vec![], 10, vec!["no_shell"]),
            ("an empty shell", vec![vec![]], 10, vec!["no_shell"]),
            ("bow-tie", vec![bow_tie], 10, vec!["self_intersection"]),
            ("unclosed ring", vec![open], 10, vec!["ring_not_closed"]),
            ("3-position ring", vec![three], 10, vec!["ring_too_short"]),
            ("4 positions, 2 distinct", vec![degenerate], 10, vec!["ring_degenerate"]),
            ("NaN", vec![nan], 10, vec!["not_finite"]),
            ("infinity", vec![infinite], 10, vec!["not_finite"]),
            ("longitude 181", vec![far], 10, vec!["out_of_range"]),
            ("a 1-number position", vec![short_position], 10, vec!["position_form"]),
            ("hole outside the shell", vec![ring(SHELL), hole_outside], 20, vec!["hole_outside_shell"]),
            ("hole crossing the shell", vec![ring(SHELL), hole_crossing], 20, vec!["hole_outside_shell"]),
            ("holes overlapping", vec![ring(SHELL), hole_a, hole_b], 20, vec!["rings_cross"]),
        ];
        for (name, rings, cap, expected) in table {
            assert_eq!(rules(&rings, cap), expected, "{name}");
        }
    }

    #[test]
    fn every_form_problem_of_every_ring_is_reported() {
        let mut nan = ring(SHELL);
        nan[1][0] = f64::NAN;
        nan[2][1] = f64::NAN;
        let three = ring(&[(114.0, 25.0), (114.1, 25.0), (114.0, 25.0)]);
        assert_eq!(rules(&[nan, three], 7), ["too_many_vertices", "not_finite", "not_finite", "ring_too_short"]);
    }

    #[test]
    fn degrees_round_to_1e7_and_back() {
        let rings = vec![ring(&[(114.123_456_78, 25.0), (114.2, 25.0), (114.2, 25.1), (114.123_456_78, 25.0)])];
        let p = polygon(&rings, 10).expect("valid");
        assert_eq!(p.0[0][0], [1_141_234_568, 250_000_000]);
        let back = to_positions(&p);
        assert_eq!(back[0][0], vec![114.123_456_8, 25.0]);
        assert_eq!(polygon(&back, 10).expect("valid"), p, "a written polygon reads back equal");
    }
}
