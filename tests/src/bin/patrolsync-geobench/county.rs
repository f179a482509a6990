//! The generated county: a 14 × 10 grid of jittered cells, six pairs of neighbouring cells merged
//! (140 − 6 = 134 villages, as in the demo county), each grid edge densified into a jagged
//! polyline once and used by both neighbours (reversed on one side), so the villages tile the
//! county exactly. Then tracks of 60 to 600 fixes walking in their village, some wandering out.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sync_protocol::values::{Polygon, TrackPoint};

use crate::dataset::{Dataset, Track, Village};

const NX: usize = 14;
const NY: usize = 10;
/// South-west corner and cell size, in 1e-7 degree.
const LON0: i32 = 1_142_000_000;
const LAT0: i32 = 252_000_000;
const CELL_X: f64 = 500_000.0;
const CELL_Y: f64 = 450_000.0;
/// Cells `(column, row)` merged with their east neighbour.
const MERGED: [(usize, usize); 6] = [(0, 0), (4, 2), (8, 4), (2, 6), (10, 7), (6, 9)];
/// Start of the first track, Unix milliseconds; fixes every 30 s.
const T0: i64 = 1_764_115_200_000;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub seed: u64,
    /// Track fixes in all, at least.
    pub points: usize,
}

/// Segments per grid edge, inclusive: a cell has 4 edges (200 to 1,000 vertices), a merged pair
/// 6, whose edges get fewer (300 to 996).
const SEGMENTS: (usize, usize) = (50, 250);
const SEGMENTS_MERGED: (usize, usize) = (50, 166);

/// Whether cell `(i, j)` is half of a merged pair (cells off the grid are not).
fn merged(i: usize, j: usize) -> bool {
    MERGED.contains(&(i, j)) || (i > 0 && MERGED.contains(&(i - 1, j)))
}

fn segments(touches_merged: bool) -> (usize, usize) {
    if touches_merged { SEGMENTS_MERGED } else { SEGMENTS }
}

type Line = Vec<[i32; 2]>;

/// Generates the county and its tracks, deterministically for a spec.
pub fn generate(spec: Spec) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let corner: Vec<Vec<[f64; 2]>> = (0..=NX)
        .map(|i| {
            (0..=NY)
                .map(|j| {
                    let jx = rng.gen_range(-0.15..0.15) * CELL_X;
                    let jy = rng.gen_range(-0.15..0.15) * CELL_Y;
                    [f64::from(LON0) + i as f64 * CELL_X + jx, f64::from(LAT0) + j as f64 * CELL_Y + jy]
                })
                .collect()
        })
        .collect();
    // h[i][j]: corner (i, j) to (i + 1, j); v[i][j]: corner (i, j) to (i, j + 1).
    let h: Vec<Vec<Line>> = (0..NX)
        .map(|i| {
            (0..=NY)
                .map(|j| {
                    let n = segments(merged(i, j) || (j > 0 && merged(i, j - 1)));
                    jagged(&mut rng, corner[i][j], corner[i + 1][j], n)
                })
                .collect()
        })
        .collect();
    let v: Vec<Vec<Line>> = (0..=NX)
        .map(|i| {
            (0..NY)
                .map(|j| {
                    let n = segments(merged(i, j) || (i > 0 && merged(i - 1, j)));
                    jagged(&mut rng, corner[i][j], corner[i][j + 1], n)
                })
                .collect()
        })
        .collect();
    let mut villages = Vec::with_capacity(134);
    for j in 0..NY {
        let mut i = 0;
        while i < NX {
            let wide = if MERGED.contains(&(i, j)) { 2 } else { 1 };
            // Counter-clockwise: south edges west to east, east edge up, north edges back, west edge down.
            let mut sides: Vec<Line> = (i..i + wide).map(|k| h[k][j].clone()).collect();
            sides.push(v[i + wide][j].clone());
            sides.extend((i..i + wide).rev().map(|k| reversed(&h[k][j + 1])));
            sides.push(reversed(&v[i][j]));
            let mut ring: Line = Vec::new();
            for side in sides {
                let skip = usize::from(!ring.is_empty());
                ring.extend(side.into_iter().skip(skip));
            }
            villages.push(Village { id: villages.len() as i64 + 1, boundary: Polygon(vec![ring]) });
            i += wide;
        }
    }
    let tracks = walk_tracks(&mut rng, &villages, spec.points);
    Dataset { villages, tracks, expected: None }
}

fn reversed(line: &Line) -> Line {
    line.iter().rev().copied().collect()
}

/// The edge from `a` to `b` as a polyline of a random number of segments, each inner vertex
/// moved across the edge (a smooth wave, tapered to zero at the corners, plus noise): a graph
/// over the straight edge, so it never crosses itself or, at the corners, its neighbours.
fn jagged(rng: &mut ChaCha8Rng, a: [f64; 2], b: [f64; 2], segments: (usize, usize)) -> Line {
    let n = rng.gen_range(segments.0..=segments.1).max(1);
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let (nx, ny) = (-dy, dx); // perpendicular, same length as the edge
    let waves: Vec<(f64, f64, f64)> =
        (0..3).map(|k| (rng.gen_range(-0.02..0.02), f64::from(k + 1), rng.gen_range(0.0..std::f64::consts::TAU))).collect();
    let mut line = Vec::with_capacity(n + 1);
    for s in 0..=n {
        let t = s as f64 / n as f64;
        let taper = (std::f64::consts::PI * t).sin();
        let wave: f64 = waves.iter().map(|(amp, f, ph)| amp * (std::f64::consts::TAU * f * t + ph).sin()).sum();
        let off = if s == 0 || s == n { 0.0 } else { taper * (wave + rng.gen_range(-0.004..0.004)) };
        line.push([(a[0] + t * dx + off * nx).round() as i32, (a[1] + t * dy + off * ny).round() as i32]);
    }
    line
}

/// Tracks of 60 to 600 fixes (one every 30 s, about 40 m apart) until `points` fixes in all. Most
/// walk around their village's centre; one in six wanders farther and crosses the boundary; one
/// fix in a thousand sits exactly on a vertex of its village's boundary.
fn walk_tracks(rng: &mut ChaCha8Rng, villages: &[Village], points: usize) -> Vec<Track> {
    let mut tracks = Vec::new();
    let mut total = 0;
    while total < points {
        let village = rng.gen_range(0..villages.len());
        let ring = &villages[village].boundary.0[0];
        let (cx, cy) = centre(ring);
        // The last track takes what is left (60 to 600 when the total allows).
        let left = points - total;
        let mut len: usize = rng.gen_range(60..=600);
        if left <= 600 && left < len + 60 {
            len = left;
        } else if left < len + 60 {
            len = left - 60;
        }
        let wander = rng.gen_bool(1.0 / 6.0);
        let radius = if wander { 0.65 } else { 0.3 };
        let (mut x, mut y) = (cx + rng.gen_range(-0.15..0.15) * CELL_X, cy + rng.gen_range(-0.15..0.15) * CELL_Y);
        let mut heading: f64 = rng.gen_range(0.0..std::f64::consts::TAU);
        let step = 4_000.0; // 1e-7 degree, about 40 m
        let mut fixes = Vec::with_capacity(len);
        for seq in 0..len {
            heading += rng.gen_range(-0.6..0.6);
            let (ex, ey) = ((x - cx) / CELL_X, (y - cy) / CELL_Y);
            if ex.hypot(ey) > radius {
                heading = (-ey).atan2(-ex) + rng.gen_range(-0.5..0.5);
            }
            x += step * heading.cos();
            y += step * heading.sin();
            let (lon, lat) = if rng.gen_bool(0.001) {
                let vertex = ring[rng.gen_range(0..ring.len())];
                (vertex[0], vertex[1])
            } else {
                (x.round() as i32, y.round() as i32)
            };
            fixes.push(TrackPoint { t: T0 + seq as i64 * 30_000, lon, lat, acc: Some(rng.gen_range(3..25)) });
        }
        total += fixes.len();
        tracks.push(Track { id: tracks.len() as u64 + 1, village, fixes });
    }
    tracks
}

/// The mean of a ring's vertices (inside for these near-convex cells).
fn centre(ring: &[[i32; 2]]) -> (f64, f64) {
    let n = ring.len().max(1) as f64;
    let (sx, sy) = ring.iter().fold((0.0, 0.0), |(sx, sy), p| (sx + f64::from(p[0]), sy + f64::from(p[1])));
    (sx / n, sy / n)
}
