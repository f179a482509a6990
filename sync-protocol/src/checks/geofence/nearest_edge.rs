//! The distance from a point to a polygon's boundary, as [`metres::to_boundary_m`] computes it,
//! bit for bit, without visiting every edge: the edges are bucketed in a grid over the polygon's
//! bounding box, and cells are visited in rings around the point until no unvisited edge can be
//! as near as the nearest found.
//!
//! # Why the answer is identical
//! `to_boundary_m` keeps, in edge order, the first edge whose squared distance `d2` in the local
//! plane is smallest, then measures the haversine distance to that edge's nearest point. Here each
//! visited edge's `d2` and nearest point are computed by the same expressions, and the winner is
//! the smallest `(d2, edge order)`: the same edge. An edge not yet visited lies wholly outside the
//! visited block of cells (it is registered in every cell its bounding box meets), so it is at
//! least the gap from the point to the block's sides away (the local plane only scales each axis);
//! the search stops when that gap exceeds the best distance by [`MARGIN_M`], far above rounding,
//! so no unvisited edge can win or tie. A point that is not finite, or a polygon with coordinates
//! that are not, goes through `to_boundary_m` itself.

use geo::{Coord, Polygon};

use crate::checks::metres;

/// Slack on the stopping rule, in metres (rounding errors here are around 1e-9 m).
const MARGIN_M: f64 = 1e-3;
/// Edges per cell aimed at, and the most cells on one side.
const EDGES_PER_CELL: f64 = 2.0;
const MAX_SIDE: usize = 512;

/// geo's mean Earth radius, as in [`metres`].
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The nearest edge so far: squared distance in the local plane, edge order, nearest point.
type Best = (f64, u32, Coord<f64>);

#[derive(Debug, Clone)]
pub(super) struct NearestEdge {
    grid: Option<Grid>,
}

#[derive(Debug, Clone)]
struct Grid {
    x0: f64,
    y0: f64,
    cell_w: f64,
    cell_h: f64,
    nx: usize,
    ny: usize,
    /// Edges of cell `(i, j)` are `items[starts[j * nx + i]..starts[j * nx + i + 1]]`, in edge order.
    starts: Vec<u32>,
    items: Vec<u32>,
    /// Every edge of the shell, then of each hole, in `to_boundary_m`'s order.
    edges: Vec<(Coord<f64>, Coord<f64>)>,
}

impl NearestEdge {
    pub(super) fn new(polygon: &Polygon<f64>) -> Self {
        NearestEdge { grid: Grid::new(polygon) }
    }

    /// Exactly `metres::to_boundary_m(polygon, c)`, for the polygon this was made from.
    pub(super) fn to_boundary_m(&self, polygon: &Polygon<f64>, c: Coord<f64>) -> f64 {
        match &self.grid {
            Some(grid) if c.x.is_finite() && c.y.is_finite() => grid.to_boundary_m(c),
            _ => metres::to_boundary_m(polygon, c),
        }
    }
}

impl Grid {
    fn new(polygon: &Polygon<f64>) -> Option<Self> {
        let edges: Vec<(Coord<f64>, Coord<f64>)> =
            std::iter::once(polygon.exterior()).chain(polygon.interiors()).flat_map(|r| r.lines().map(|l| (l.start, l.end))).collect();
        if edges.is_empty() || u32::try_from(edges.len()).is_err() {
            return None;
        }
        let all = edges.iter().flat_map(|(a, b)| [*a, *b]);
        if all.clone().any(|p| !(p.x.is_finite() && p.y.is_finite())) {
            return None;
        }
        let (mut x0, mut y0, mut x1, mut y1) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
        for p in all {
            (x0, y0, x1, y1) = (x0.min(p.x), y0.min(p.y), x1.max(p.x), y1.max(p.y));
        }
        let (w, h) = ((x1 - x0).max(f64::MIN_POSITIVE), (y1 - y0).max(f64::MIN_POSITIVE));
        let cells = edges.len() as f64 / EDGES_PER_CELL;
        let nx = ((cells * w / h).sqrt().ceil() as usize).clamp(1, MAX_SIDE);
        let ny = ((cells * h / w).sqrt().ceil() as usize).clamp(1, MAX_SIDE);
        let mut grid = Grid { x0, y0, cell_w: w / nx as f64, cell_h: h / ny as f64, nx, ny, starts: Vec::new(), items: Vec::new(), edges };
        if !(grid.cell_w > 0.0 && grid.cell_h > 0.0 && grid.cell_w.is_finite() && grid.cell_h.is_finite()) {
            return None;
        }
        let mut rows: Vec<Vec<u32>> = vec![Vec::new(); nx * ny];
        for (k, (a, b)) in grid.edges.iter().enumerate() {
            let (i0, i1) = (grid.col(a.x.min(b.x)), grid.col(a.x.max(b.x)));
            let (j0, j1) = (grid.row(a.y.min(b.y)), grid.row(a.y.max(b.y)));
            for j in j0..=j1 {
                for i in i0..=i1 {
                    rows[j * nx + i].push(k as u32);
                }
            }
        }
        grid.starts = Vec::with_capacity(rows.len() + 1);
        grid.starts.push(0);
        for row in rows {
            grid.items.extend(row);
            grid.starts.push(u32::try_from(grid.items.len()).ok()?);
        }
        Some(grid)
    }

    /// The column of `x`, clamped to the grid (monotone in `x`).
    fn col(&self, x: f64) -> usize {
        (((x - self.x0) / self.cell_w).max(0.0) as usize).min(self.nx - 1)
    }

    fn row(&self, y: f64) -> usize {
        (((y - self.y0) / self.cell_h).max(0.0) as usize).min(self.ny - 1)
    }

    /// Offers every edge of `cell` to `best`: the smallest `(d2, edge order)` wins.
    fn visit(&self, cell: usize, c: Coord<f64>, (m_per_deg_x, m_per_deg_y): (f64, f64), best: &mut Option<Best>) {
        let local = |p: Coord<f64>| Coord { x: (p.x - c.x) * m_per_deg_x, y: (p.y - c.y) * m_per_deg_y };
        for &k in &self.items[self.starts[cell] as usize..self.starts[cell + 1] as usize] {
            let (start, end) = self.edges[k as usize];
            let nearest = metres::nearest_on_segment(local(start), local(end));
            let d2 = nearest.x * nearest.x + nearest.y * nearest.y;
            if best.is_none_or(|(bd2, bk, _)| d2 < bd2 || (d2 == bd2 && k < bk)) {
                *best = Some((d2, k, nearest));
            }
        }
    }

    fn to_boundary_m(&self, c: Coord<f64>) -> f64 {
        // As metres::to_boundary_m, expression for expression.
        let m_per_deg_y = EARTH_RADIUS_M.to_radians();
        let m_per_deg_x = m_per_deg_y * c.y.to_radians().cos();
        let mut best: Option<Best> = None;
        let (ci, cj) = (self.col(c.x) as isize, self.row(c.y) as isize);
        let (nx, ny) = (self.nx as isize, self.ny as isize);
        let visit = |i: isize, j: isize, best: &mut Option<Best>| {
            if i >= 0 && j >= 0 && i < nx && j < ny {
                self.visit(j as usize * self.nx + i as usize, c, (m_per_deg_x, m_per_deg_y), best);
            }
        };
        let mut k = 0isize;
        loop {
            if k == 0 {
                visit(ci, cj, &mut best);
            } else {
                for i in ci - k..=ci + k {
                    visit(i, cj - k, &mut best);
                    visit(i, cj + k, &mut best);
                }
                for j in cj - k + 1..=cj + k - 1 {
                    visit(ci - k, j, &mut best);
                    visit(ci + k, j, &mut best);
                }
            }
            let (i0, i1, j0, j1) = (ci - k, ci + k, cj - k, cj + k);
            if i0 <= 0 && j0 <= 0 && i1 >= nx - 1 && j1 >= ny - 1 {
                break;
            }
            if let Some((bd2, _, _)) = best {
                // Nearest an unvisited edge can be: the gap to the block's sides inside the grid.
                let mut gap = f64::INFINITY;
                if i0 > 0 {
                    gap = gap.min((c.x - (self.x0 + i0 as f64 * self.cell_w)) * m_per_deg_x);
                }
                if i1 < nx - 1 {
                    gap = gap.min((self.x0 + (i1 + 1) as f64 * self.cell_w - c.x) * m_per_deg_x);
                }
                if j0 > 0 {
                    gap = gap.min((c.y - (self.y0 + j0 as f64 * self.cell_h)) * m_per_deg_y);
                }
                if j1 < ny - 1 {
                    gap = gap.min((self.y0 + (j1 + 1) as f64 * self.cell_h - c.y) * m_per_deg_y);
                }
                if gap - MARGIN_M > bd2.sqrt() {
                    break;
                }
            }
            k += 1;
        }
        let Some((_, _, nearest)) = best else { return f64::INFINITY };
        if m_per_deg_x == 0.0 {
            return nearest.y.hypot(nearest.x);
        }
        metres::between_m(c, Coord { x: c.x + nearest.x / m_per_deg_x, y: c.y + nearest.y / m_per_deg_y })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Polygon as WirePolygon;
    use proptest::prelude::*;

    /// Rings of arbitrary vertices (possibly self-intersecting) near 114.5°E 25.5°N, in 1e-7
    /// degree at three scales, so edges are short or long and points fall on vertices.
    fn polygon() -> impl Strategy<Value = WirePolygon> {
        let ring = prop::collection::vec((-50..50i32, -50..50i32), 3..60);
        (prop::collection::vec(ring, 1..4), 0..3usize).prop_map(|(rings, scale)| {
            let step = [1, 100, 10_000][scale];
            WirePolygon(
                rings
                    .into_iter()
                    .map(|r| {
                        let mut r: Vec<[i32; 2]> = r.into_iter().map(|(x, y)| [1_145_000_000 + x * step, 255_000_000 + y * step]).collect();
                        r.push(r[0]);
                        r
                    })
                    .collect(),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn identical_to_the_plain_loop(wire in polygon(), points in prop::collection::vec((-80..80i32, -80..80i32, 0..4usize), 1..100)) {
            let g = wire.to_geo();
            let fast = NearestEdge::new(&g);
            let vertices = g.exterior().0.iter().chain(g.interiors().iter().flat_map(|r| r.0.iter())).copied();
            let far = points.iter().map(|(x, y, s)| {
                let step = [1, 100, 10_000, 1_000_000][*s];
                crate::values::Coord { lon: 1_145_000_000 + x * step, lat: 255_000_000 + y * step }.to_geo()
            });
            for c in far.chain(vertices) {
                let (got, want) = (fast.to_boundary_m(&g, c), metres::to_boundary_m(&g, c));
                prop_assert_eq!(got.to_bits(), want.to_bits(), "at {:?}: {} vs {}", c, got, want);
            }
        }
    }

    #[test]
    fn points_that_are_not_finite_take_the_plain_loop() {
        let g = WirePolygon(vec![vec![[0, 0], [10, 0], [10, 10], [0, 0]]]).to_geo();
        let fast = NearestEdge::new(&g);
        for c in [Coord { x: f64::NAN, y: 0.0 }, Coord { x: 0.0, y: f64::INFINITY }] {
            assert_eq!(fast.to_boundary_m(&g, c).to_bits(), metres::to_boundary_m(&g, c).to_bits());
        }
        let empty = Polygon::new(geo::LineString::new(vec![]), vec![]);
        assert_eq!(NearestEdge::new(&empty).to_boundary_m(&empty, Coord { x: 1.0, y: 1.0 }), f64::INFINITY);
    }
}
