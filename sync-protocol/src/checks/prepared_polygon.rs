//! A polygon prepared once for fast exact point tests: each ring's edges are bucketed into
//! horizontal bands, so a test touches only the edges whose height range holds the point.
//!
//! The test is geo's own winding-number rule (`coord_pos_relative_to_ring`), edge by edge, with
//! the same robust `orient2d`. An edge whose closed `y` range does not hold the point adds nothing
//! to geo's sum and cannot hold the point, so skipping it changes nothing: results are identical
//! to `geo::CoordinatePosition` on the same `geo::Polygon` (proved by the property test in
//! `zone_index`).

use geo::coordinate_position::CoordPos;
use geo::{Coord, GeoNum, Kernel, LineString, Orientation, Polygon, Rect};

/// The most bands one ring gets; more edges share a band.
const MAX_BANDS: usize = 4096;

/// A polygon prepared for [`PreparedPolygon::position`].
#[derive(Debug, Clone)]
pub struct PreparedPolygon {
    shell: PreparedRing,
    holes: Vec<PreparedRing>,
}

impl PreparedPolygon {
    pub fn new(polygon: &Polygon<f64>) -> Self {
        PreparedPolygon { shell: PreparedRing::new(polygon.exterior()), holes: polygon.interiors().iter().map(PreparedRing::new).collect() }
    }

    /// Where `c` lies, exactly as `geo::CoordinatePosition::coordinate_position` answers: on the
    /// boundary of the shell or of a hole, inside the shell and in no hole, or outside.
    pub fn position(&self, c: Coord<f64>) -> CoordPos {
        match self.shell.position(c) {
            CoordPos::Inside => {}
            other => return other,
        }
        for hole in &self.holes {
            match hole.position(c) {
                CoordPos::Outside => {}
                CoordPos::OnBoundary => return CoordPos::OnBoundary,
                CoordPos::Inside => return CoordPos::Outside,
            }
        }
        CoordPos::Inside
    }

    /// The shell's bounding box, when the shell has points.
    pub fn bbox(&self) -> Option<Rect<f64>> {
        self.shell.bbox
    }
}

/// One ring: its bounding box and its edges bucketed by band (compressed rows: the edges of
/// band `i` are `edges[starts[i]..starts[i + 1]]`).
#[derive(Debug, Clone)]
struct PreparedRing {
    bbox: Option<Rect<f64>>,
    /// Only a ring of one point: geo compares the point itself.
    single: Option<Coord<f64>>,
    y0: f64,
    per_unit_y: f64,
    starts: Vec<u32>,
    edges: Vec<(Coord<f64>, Coord<f64>)>,
}

impl PreparedRing {
    fn new(ring: &LineString<f64>) -> Self {
        let mut prepared = PreparedRing { bbox: None, single: None, y0: 0.0, per_unit_y: 0.0, starts: vec![0, 0], edges: Vec::new() };
        let (Some(first), n) = (ring.0.first(), ring.0.len()) else {
            return prepared;
        };
        let bbox = ring.0.iter().fold(Rect::new(*first, *first), |r, c| {
            Rect::new(Coord { x: r.min().x.min(c.x), y: r.min().y.min(c.y) }, Coord { x: r.max().x.max(c.x), y: r.max().y.max(c.y) })
        });
        prepared.bbox = Some(bbox);
        if n == 1 {
            prepared.single = Some(*first);
            return prepared;
        }
        let bands = (n - 1).clamp(1, MAX_BANDS);
        let height = bbox.max().y - bbox.min().y;
        let per_unit_y = bands as f64 / height;
        prepared.y0 = bbox.min().y;
        prepared.per_unit_y = if per_unit_y.is_finite() { per_unit_y } else { 0.0 };
        let mut rows: Vec<Vec<(Coord<f64>, Coord<f64>)>> = vec![Vec::new(); bands];
        for line in ring.lines() {
            let (lo, hi) = (line.start.y.min(line.end.y), line.start.y.max(line.end.y));
            for row in &mut rows[prepared.band(lo, bands)..=prepared.band(hi, bands)] {
                row.push((line.start, line.end));
            }
        }
        prepared.starts = Vec::with_capacity(bands + 1);
        prepared.starts.push(0);
        for row in rows {
            prepared.edges.extend(row);
            prepared.starts.push(u32::try_from(prepared.edges.len()).unwrap_or(u32::MAX));
        }
        prepared
    }

    /// The band of height `y`: monotone in `y`, so an edge registered from the band of its lowest
    /// to the band of its highest point is found from any height in between.
    fn band(&self, y: f64, bands: usize) -> usize {
        (((y - self.y0) * self.per_unit_y) as usize).min(bands - 1)
    }

    fn position(&self, c: Coord<f64>) -> CoordPos {
        let Some(bbox) = self.bbox else { return CoordPos::Outside };
        if let Some(only) = self.single {
            return if c == only { CoordPos::OnBoundary } else { CoordPos::Outside };
        }
        // No edge's y range holds `c.y` (this also catches NaN): geo's sum is zero.
        if !(c.y >= bbox.min().y && c.y <= bbox.max().y) {
            return CoordPos::Outside;
        }
        let bands = self.starts.len() - 1;
        let band = self.band(c.y, bands);
        let (from, to) = (self.starts[band] as usize, self.starts[band + 1] as usize);
        let mut winding = 0i32;
        for &(start, end) in &self.edges[from..to] {
            match edge_effect(start, end, c) {
                EdgeEffect::OnEdge => return CoordPos::OnBoundary,
                EdgeEffect::Wind(w) => winding += w,
            }
        }
        if winding == 0 { CoordPos::Outside } else { CoordPos::Inside }
    }
}

enum EdgeEffect {
    OnEdge,
    Wind(i32),
}

/// One edge's part in geo's winding number (same rules, same order of tests).
fn edge_effect(start: Coord<f64>, end: Coord<f64>, c: Coord<f64>) -> EdgeEffect {
    let orient = |a, b, p| <f64 as GeoNum>::Ker::orient2d(a, b, p);
    let between = |v: f64, a: f64, b: f64| if a < b { v >= a && v <= b } else { v >= b && v <= a };
    if start.y <= c.y {
        if end.y >= c.y {
            let o = orient(start, end, c);
            if o == Orientation::CounterClockwise && end.y != c.y {
                return EdgeEffect::Wind(1);
            } else if o == Orientation::Collinear && between(c.x, start.x, end.x) {
                return EdgeEffect::OnEdge;
            }
        }
    } else if end.y <= c.y {
        let o = orient(start, end, c);
        if o == Orientation::Clockwise {
            return EdgeEffect::Wind(-1);
        } else if o == Orientation::Collinear && between(c.x, start.x, end.x) {
            return EdgeEffect::OnEdge;
        }
    }
    EdgeEffect::Wind(0)
}
