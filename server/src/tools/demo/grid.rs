//! The shared vertex grid every boundary is cut from: 14 × 10 cells whose interior vertices are
//! jittered, so that neighbouring units share their edges exactly and the tiling has no gaps.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use sync_protocol::values::Polygon;

/// Cells west to east.
pub const COLS: usize = 14;
/// Cells south to north.
pub const ROWS: usize = 10;
/// The south-west corner of the county, in 1e-7 degree (about 114.32°E, 25.34°N).
pub const WEST_E7: i32 = 1_143_209_680;
pub const SOUTH_E7: i32 = 253_433_700;
/// A cell before jitter: 0.025576° of longitude (about 2.57 km at 25.5°N) by 0.031294° of
/// latitude (about 3.47 km), so the county is about 36.0 km × 34.7 km = 1,248 km².
pub const CELL_W_E7: i32 = 255_760;
pub const CELL_H_E7: i32 = 312_940;
/// How far an interior vertex may move, as a share of the cell's size. Below 1/4, so every cell
/// stays a simple quadrilateral, and a cell's core (20 %–80 % of each side) is always inside it.
const JITTER_PERMILLE: i32 = 180;

/// A rectangle of cells: columns `c0..c1` and rows `r0..r1` (half-open, row 0 in the south).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub c0: usize,
    pub c1: usize,
    pub r0: usize,
    pub r1: usize,
}

impl Block {
    pub const fn new(c0: usize, c1: usize, r0: usize, r1: usize) -> Self {
        Block { c0, c1, r0, r1 }
    }

    /// The single cell at column `c`, row `r`.
    pub const fn cell(c: usize, r: usize) -> Self {
        Block { c0: c, c1: c + 1, r0: r, r1: r + 1 }
    }

    pub fn contains_cell(&self, c: usize, r: usize) -> bool {
        (self.c0..self.c1).contains(&c) && (self.r0..self.r1).contains(&r)
    }
}

/// The grid's `(COLS + 1) × (ROWS + 1)` vertices in 1e-7 degree, row by row from the south.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    vertices: Vec<[i32; 2]>,
}

impl Grid {
    /// The regular grid with every interior vertex moved by a pseudo-random offset of at most
    /// 18 % of a cell in each direction. The outer ring stays straight: the county is a rectangle.
    pub fn jittered(rng: &mut ChaCha8Rng) -> Self {
        let (max_dx, max_dy) = (CELL_W_E7 / 1000 * JITTER_PERMILLE, CELL_H_E7 / 1000 * JITTER_PERMILLE);
        let mut vertices = Vec::with_capacity((COLS + 1) * (ROWS + 1));
        for j in 0..=ROWS {
            for i in 0..=COLS {
                let [lon, lat] = regular(i, j);
                let interior = (1..COLS).contains(&i) && (1..ROWS).contains(&j);
                let (dx, dy) = if interior { (rng.gen_range(-max_dx..=max_dx), rng.gen_range(-max_dy..=max_dy)) } else { (0, 0) };
                vertices.push([lon + dx, lat + dy]);
            }
        }
        Grid { vertices }
    }

    pub fn vertex(&self, i: usize, j: usize) -> [i32; 2] {
        self.vertices[j * (COLS + 1) + i]
    }

    /// The outline of a block of cells through every grid vertex on its perimeter, counter-clockwise
    /// from its south-west corner and closed, so it shares each edge exactly with its neighbours.
    pub fn outline(&self, b: Block) -> Polygon {
        let south = (b.c0..b.c1).map(|i| (i, b.r0));
        let east = (b.r0..b.r1).map(|j| (b.c1, j));
        let north = (b.c0 + 1..=b.c1).rev().map(|i| (i, b.r1));
        let west = (b.r0 + 1..=b.r1).rev().map(|j| (b.c0, j));
        let mut ring: Vec<[i32; 2]> = south.chain(east).chain(north).chain(west).map(|(i, j)| self.vertex(i, j)).collect();
        ring.push(self.vertex(b.c0, b.r0));
        Polygon(vec![ring])
    }
}

/// A vertex of the grid before jitter.
pub fn regular(i: usize, j: usize) -> [i32; 2] {
    // Both indices are at most 14, so the products stay far below i32::MAX.
    let (i, j) = (i32::try_from(i).unwrap_or(0), i32::try_from(j).unwrap_or(0));
    [WEST_E7 + i * CELL_W_E7, SOUTH_E7 + j * CELL_H_E7]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn outlines_walk_the_perimeter_counter_clockwise() {
        let grid = Grid::jittered(&mut ChaCha8Rng::seed_from_u64(1));
        let Polygon(rings) = grid.outline(Block::new(2, 4, 3, 4));
        let expected = [(2, 3), (3, 3), (4, 3), (4, 4), (3, 4), (2, 4), (2, 3)].map(|(i, j)| grid.vertex(i, j));
        assert_eq!(rings, vec![expected.to_vec()]);
        assert_eq!(grid.vertex(0, 5), regular(0, 5), "the outer ring is not jittered");
        assert_ne!(grid.vertex(1, 5), regular(1, 5), "interior vertices are");
    }
}
