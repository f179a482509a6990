//! A set of polygons (zones or villages) prepared once: an R-tree of their bounding boxes over
//! [`PreparedPolygon`]s, answering "which polygons hold this point" with exact results.

use geo::coordinate_position::CoordPos;
use geo::{Coord, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::prepared_polygon::PreparedPolygon;

type BoxEntry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Polygons keyed by `K` (a zone or unit id), in the order given.
#[derive(Debug, Clone)]
pub struct ZoneIndex<K> {
    tree: RTree<BoxEntry>,
    entries: Vec<(K, PreparedPolygon)>,
}

impl<K> ZoneIndex<K> {
    /// Prepares every polygon and bulk-loads the R-tree (deterministic for the same input).
    pub fn new(polygons: impl IntoIterator<Item = (K, Polygon<f64>)>) -> Self {
        let entries: Vec<(K, PreparedPolygon)> = polygons.into_iter().map(|(k, p)| (k, PreparedPolygon::new(&p))).collect();
        let boxes = entries
            .iter()
            .enumerate()
            .filter_map(|(i, (_, p))| {
                let b = p.bbox()?;
                Some(GeomWithData::new(Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]), i))
            })
            .collect();
        ZoneIndex { tree: RTree::bulk_load(boxes), entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The `i`-th polygon as given to [`ZoneIndex::new`].
    pub fn get(&self, i: usize) -> Option<(&K, &PreparedPolygon)> {
        self.entries.get(i).map(|(k, p)| (k, p))
    }

    /// Every polygon that holds `c` (inside or on its boundary), with where `c` lies in it, in
    /// the order the polygons were given. Identical to testing each polygon with
    /// `geo::CoordinatePosition` and keeping the ones not outside.
    pub fn locate(&self, c: Coord<f64>) -> Vec<(usize, CoordPos)> {
        let mut found: Vec<(usize, CoordPos)> = self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_point([c.x, c.y]))
            .filter_map(|e| {
                let pos = self.entries[e.data].1.position(c);
                (pos != CoordPos::Outside).then_some((e.data, pos))
            })
            .collect();
        found.sort_unstable_by_key(|(i, _)| *i);
        found
    }

    /// The polygon `c` lies in: the first (in given order) that has it inside, else the first
    /// that has it on its boundary (a point on a shared border belongs to both neighbours).
    /// The same answer as taking the first of [`ZoneIndex::locate`] that is inside, but with
    /// no allocation: the least index inside, else the least on a boundary.
    pub fn first_containing(&self, c: Coord<f64>) -> Option<&K> {
        let (mut inside, mut boundary) = (usize::MAX, usize::MAX);
        for e in self.tree.locate_in_envelope_intersecting(&AABB::from_point([c.x, c.y])) {
            match self.entries[e.data].1.position(c) {
                CoordPos::Inside => inside = inside.min(e.data),
                CoordPos::OnBoundary => boundary = boundary.min(e.data),
                CoordPos::Outside => {}
            }
        }
        let pick = if inside != usize::MAX { inside } else { boundary };
        self.entries.get(pick).map(|(k, _)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Polygon as WirePolygon;
    use geo::CoordinatePosition;
    use proptest::prelude::*;

    /// A ring in 1e-7 degree on a coarse grid (so points often fall on edges and vertices),
    /// closed; `star` makes it star-shaped around its centre (concave, simple), otherwise the
    /// vertices are arbitrary (possibly self-intersecting: the index must still agree with geo).
    fn ring(cx: i32, cy: i32, step: i32, cells: Vec<(i32, i32)>, star: bool) -> Vec<[i32; 2]> {
        let n = cells.len();
        let mut pts: Vec<[i32; 2]> = if star {
            cells
                .iter()
                .enumerate()
                .map(|(i, (r, _))| {
                    let a = std::f64::consts::TAU * i as f64 / n as f64;
                    let r = f64::from(*r + 2);
                    [cx + (r * a.cos()).round() as i32 * step, cy + (r * a.sin()).round() as i32 * step]
                })
                .collect()
        } else {
            cells.iter().map(|(x, y)| [cx + x * step, cy + y * step]).collect()
        };
        pts.push(pts[0]);
        pts
    }

    fn polygon() -> impl Strategy<Value = WirePolygon> {
        let cells = prop::collection::vec((0..10i32, -10..10i32), 3..40);
        let hole = prop::collection::vec((0..2i32, 0..1i32), 3..10);
        (cells, any::<bool>(), prop::collection::vec(hole, 0..3), 0..3usize).prop_map(|(cells, star, holes, scale)| {
            let step = [1, 100, 1_000][scale];
            let (cx, cy) = (1_145_000_000, 255_000_000);
            let mut rings = vec![ring(cx, cy, step, cells, star)];
            // Holes: small stars at the centre and either side; inside a star shell of radius >= 2.
            for (k, h) in holes.into_iter().enumerate() {
                let dx = [0, -1, 1][k] * step;
                rings.push(ring(cx + dx, cy, step / 2 + 1, h, true));
            }
            WirePolygon(rings)
        })
    }

    fn point() -> impl Strategy<Value = Coord<f64>> {
        (-14..14i32, -14..14i32, prop::sample::select(vec![1, 50, 100, 500, 1_000, 1_001]))
            .prop_map(|(x, y, step)| crate::values::Coord { lon: 1_145_000_000 + x * step, lat: 255_000_000 + y * step }.to_geo())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn prepared_test_is_identical_to_geo(polygons in prop::collection::vec(polygon(), 1..5), points in prop::collection::vec(point(), 1..200)) {
            let geos: Vec<Polygon<f64>> = polygons.iter().map(WirePolygon::to_geo).collect();
            let index = ZoneIndex::new(geos.iter().cloned().enumerate());
            // Every vertex of every ring, and every edge midpoint, as extra boundary candidates.
            let boundary = geos.iter().flat_map(|g| std::iter::once(g.exterior()).chain(g.interiors())).flat_map(|r| {
                r.lines().flat_map(|l| [l.start, Coord { x: (l.start.x + l.end.x) / 2.0, y: (l.start.y + l.end.y) / 2.0 }])
            });
            for c in points.iter().copied().chain(boundary) {
                let exact: Vec<(usize, CoordPos)> = geos
                    .iter()
                    .enumerate()
                    .map(|(i, g)| (i, g.coordinate_position(&c)))
                    .filter(|(_, p)| *p != CoordPos::Outside)
                    .collect();
                let first = exact.iter().find(|(_, p)| *p == CoordPos::Inside).or(exact.first()).map(|(i, _)| *i);
                prop_assert_eq!(index.first_containing(c).copied(), first, "at {:?}", c);
                prop_assert_eq!(index.locate(c), exact, "at {:?}", c);
                for (i, g) in geos.iter().enumerate() {
                    let prepared = index.get(i).map(|(_, p)| p.position(c));
                    prop_assert_eq!(prepared, Some(g.coordinate_position(&c)));
                }
            }
        }
    }

    #[test]
    fn the_first_holder_wins_and_borders_are_shared() {
        let square = |x0: i32| WirePolygon(vec![vec![[x0, 0], [x0 + 10, 0], [x0 + 10, 10], [x0, 10], [x0, 0]]]).to_geo();
        let index = ZoneIndex::new([("west", square(0)), ("east", square(10))]);
        let at = |x: i32, y: i32| crate::values::Coord { lon: x, lat: y }.to_geo();
        assert_eq!(index.first_containing(at(5, 5)), Some(&"west"));
        assert_eq!(index.first_containing(at(15, 5)), Some(&"east"));
        assert_eq!(index.locate(at(10, 5)), vec![(0, CoordPos::OnBoundary), (1, CoordPos::OnBoundary)]);
        assert_eq!(index.first_containing(at(10, 5)), Some(&"west"));
        assert_eq!(index.first_containing(at(25, 5)), None);
        assert_eq!(index.len(), 2);
        let empty: ZoneIndex<u8> = ZoneIndex::new([]);
        assert!(empty.is_empty() && empty.locate(at(0, 0)).is_empty());
    }
}
