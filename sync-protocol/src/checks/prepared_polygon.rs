//! A polygon prepared once for fast exact point tests: each ring's edges are bucketed into
//! horizontal bands, so a test touches only the edges whose height range holds the point; and a
//! grid of cells over each ring's bounding box says which cells lie wholly inside or wholly
//! outside the ring, so most points need no edge test at all.
//!
//! The test is geo's own winding-number rule (`coord_pos_relative_to_ring`), edge by edge, with
//! the same robust `orient2d`. An edge whose closed `y` range does not hold the point adds nothing
//! to geo's sum and cannot hold the point, so skipping it changes nothing: results are identical
//! to `geo::CoordinatePosition` on the same `geo::Polygon` (proved by the property test in
//! `zone_index`).
//!
//! # The cells
//! A cell is widened by 1 % of its size on every side (far more than the rounding of the cell a
//! point falls in). Every edge that touches a widened cell, by exact orientation tests of the
//! cell's corners against the edge's line, makes it a boundary cell, answered by the bands. Any
//! other cell is a convex region free of edges, in which the winding number (which geo computes
//! exactly, with robust predicates, for every point off the boundary) cannot change: its answer
//! is the bands' answer at the cell's centre, Inside or Outside, for every point in it.

use geo::coordinate_position::CoordPos;
use geo::{Coord, GeoNum, Kernel, LineString, Orientation, Polygon, Rect};

/// The most bands one ring gets; more edges share a band.
const MAX_BANDS: usize = 4096;
/// Cells per edge of a ring aimed at, and the most cells on one side.
const CELLS_PER_EDGE: usize = 4;
const MAX_CELLS_SIDE: usize = 1024;
/// How much each cell is widened on every side, as a share of its size.
const CELL_WIDENING: f64 = 0.01;
const BOUNDARY: u8 = 0;
const INSIDE: u8 = 1;
const OUTSIDE: u8 = 2;

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
    cells: Option<Cells>,
}

/// Cells over a ring's bounding box, each [`BOUNDARY`], [`INSIDE`] or [`OUTSIDE`] (row-major).
#[derive(Debug, Clone)]
struct Cells {
    x0: f64,
    y0: f64,
    cell_w: f64,
    cell_h: f64,
    nx: usize,
    ny: usize,
    class: Vec<u8>,
}

impl Cells {
    /// The column of `x`, clamped to the grid.
    fn col(&self, x: f64) -> usize {
        (((x - self.x0) / self.cell_w).max(0.0) as usize).min(self.nx - 1)
    }

    fn row(&self, y: f64) -> usize {
        (((y - self.y0) / self.cell_h).max(0.0) as usize).min(self.ny - 1)
    }

    /// Cell `(i, j)` widened by [`CELL_WIDENING`]: (min, max) corners.
    fn widened(&self, i: usize, j: usize) -> (Coord<f64>, Coord<f64>) {
        let (ex, ey) = (self.cell_w * CELL_WIDENING, self.cell_h * CELL_WIDENING);
        (
            Coord { x: self.x0 + i as f64 * self.cell_w - ex, y: self.y0 + j as f64 * self.cell_h - ey },
            Coord { x: self.x0 + (i + 1) as f64 * self.cell_w + ex, y: self.y0 + (j + 1) as f64 * self.cell_h + ey },
        )
    }
}

/// Whether segment `a`–`b` touches the closed rectangle `lo`–`hi` (exact: comparisons and
/// robust orientations only; a segment of one point counts as touching when in the box).
fn touches(a: Coord<f64>, b: Coord<f64>, lo: Coord<f64>, hi: Coord<f64>) -> bool {
    if a.x.max(b.x) < lo.x || a.x.min(b.x) > hi.x || a.y.max(b.y) < lo.y || a.y.min(b.y) > hi.y {
        return false;
    }
    let corners = [lo, Coord { x: hi.x, y: lo.y }, hi, Coord { x: lo.x, y: hi.y }];
    let sides = corners.map(|p| <f64 as GeoNum>::Ker::orient2d(a, b, p));
    !(sides.iter().all(|o| *o == Orientation::CounterClockwise) || sides.iter().all(|o| *o == Orientation::Clockwise))
}

impl PreparedRing {
    fn new(ring: &LineString<f64>) -> Self {
        let mut prepared =
            PreparedRing { bbox: None, single: None, y0: 0.0, per_unit_y: 0.0, starts: vec![0, 0], edges: Vec::new(), cells: None };
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
        prepared.cells = prepared.classify_cells(ring, bbox, n - 1);
        prepared
    }

    /// The cells of this ring (see the module's documentation), or none for a flat or
    /// non-finite bounding box.
    fn classify_cells(&self, ring: &LineString<f64>, bbox: Rect<f64>, edges: usize) -> Option<Cells> {
        let (w, h) = (bbox.width(), bbox.height());
        if !(w > 0.0 && h > 0.0 && w.is_finite() && h.is_finite()) {
            return None;
        }
        let target = (edges * CELLS_PER_EDGE).max(16) as f64;
        let nx = ((target * w / h).sqrt().ceil() as usize).clamp(1, MAX_CELLS_SIDE);
        let ny = ((target * h / w).sqrt().ceil() as usize).clamp(1, MAX_CELLS_SIDE);
        let mut cells =
            Cells { x0: bbox.min().x, y0: bbox.min().y, cell_w: w / nx as f64, cell_h: h / ny as f64, nx, ny, class: Vec::new() };
        let mut class = vec![OUTSIDE; nx * ny];
        let mut boundary = vec![false; nx * ny];
        for line in ring.lines() {
            let (a, b) = (line.start, line.end);
            // One cell more each way than the edge's box: widened cells reach 1 % into neighbours.
            let (i0, i1) = (cells.col(a.x.min(b.x)).saturating_sub(1), (cells.col(a.x.max(b.x)) + 1).min(nx - 1));
            let (j0, j1) = (cells.row(a.y.min(b.y)).saturating_sub(1), (cells.row(a.y.max(b.y)) + 1).min(ny - 1));
            for j in j0..=j1 {
                for i in i0..=i1 {
                    if !boundary[j * nx + i] {
                        let (lo, hi) = cells.widened(i, j);
                        boundary[j * nx + i] = touches(a, b, lo, hi);
                    }
                }
            }
        }
        for j in 0..ny {
            for i in 0..nx {
                let k = j * nx + i;
                let (lo, hi) = cells.widened(i, j);
                let centre = Coord { x: (lo.x + hi.x) / 2.0, y: (lo.y + hi.y) / 2.0 };
                class[k] = match (boundary[k], self.banded_position(centre)) {
                    (false, CoordPos::Inside) => INSIDE,
                    (false, CoordPos::Outside) => OUTSIDE,
                    _ => BOUNDARY,
                };
            }
        }
        cells.class = class;
        Some(cells)
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
        if let Some(cells) = &self.cells {
            // Left or right of every edge (or NaN): on no edge, and winding zero.
            if !(c.x >= bbox.min().x && c.x <= bbox.max().x) {
                return CoordPos::Outside;
            }
            match cells.class[cells.row(c.y) * cells.nx + cells.col(c.x)] {
                INSIDE => return CoordPos::Inside,
                OUTSIDE => return CoordPos::Outside,
                _ => {}
            }
        }
        self.banded_position(c)
    }

    /// The answer from the bands alone (`c` within the bounding box's height, not a single point).
    fn banded_position(&self, c: Coord<f64>) -> CoordPos {
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
