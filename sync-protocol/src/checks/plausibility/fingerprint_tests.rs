//! Tests of the track fingerprint and its probes: the cells kept, the passes, the votes and the
//! positions that keep honest walks of one route from looking like copies.

use super::*;
use proptest::prelude::*;

fn track(coords: &[(i32, i32)], t0: i64) -> Vec<TrackPoint> {
    coords.iter().enumerate().map(|(i, &(lon, lat))| TrackPoint { t: t0 + i as i64 * 10_000, lon, lat, acc: Some(5) }).collect()
}

/// A path of `n` fixes heading north-east, about 11 m apart (1e-7 degree is about 1.1 cm).
fn path(n: i32, salt: i32) -> Vec<(i32, i32)> {
    (0..n).map(|i| (1_145_000_000 + i * 700 + (i * salt) % 130, 255_000_000 + i * 800 + (i * salt) % 70)).collect()
}

#[test]
fn the_cell_value_has_a_fixed_definition() {
    // Independently (Python, 64-bit wrapping): key = (1272222 << 32) | 283333;
    // z = (key ^ 0x706174726f6c6331) + 0x9E3779B97F4A7C15; z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9;
    // z = (z ^ z >> 27) * 0x94D049BB133111EB; (z ^ z >> 31) >> 1.
    assert_eq!(cell_of(1_145_000_000, 255_000_000), (1_272_222, 283_333));
    assert_eq!(cell_value((1_272_222, 283_333)), CELL_VALUE_OF_THE_COUNTY_POINT);
    assert_ne!(cell_value((1_272_222, 283_334)), cell_value((1_272_222, 283_333)));
    assert!(cell_value((-1, -1)) < 1 << 63);
    assert_eq!(cell_of(-1, -900), (-1, -1), "cells floor, also west and south of zero");
}
const CELL_VALUE_OF_THE_COUNTY_POINT: u64 = 1_206_905_277_529_653_123;

#[test]
fn fingerprints_are_small_ascending_and_missing_below_three_fixes() {
    assert_eq!(TrackFingerprint::of(&track(&path(2, 3), 0)), None);
    let three = TrackFingerprint::of(&track(&path(3, 3), 0)).expect("3 fixes");
    assert_eq!(three.cells.len(), 3, "11 m apart: three cells");
    let mut times: Vec<u32> = three.cells.iter().map(|c| c.at_s).collect();
    times.sort();
    assert_eq!(times, [0, 10, 20], "each with its seconds into the track");
    let long = TrackFingerprint::of(&track(&path(2_000, 3), 0)).expect("long");
    assert!(long.cells.windows(2).all(|w| w[0].value < w[1].value), "a walk that never turns back passes each cell once");
    assert!((400..600).contains(&long.cells.len()), "about a quarter of 2,000 cells: {}", long.cells.len());
    let repeated = track(&[(1, 1), (2, 2), (3, 3), (1, 1)], 0);
    assert_eq!(
        TrackFingerprint::of(&repeated).expect("4 fixes").cells,
        vec![KeptPass { value: cell_value((0, 0)), at_s: 0, east: 1, north: 1 }],
        "one cell, first reached at 0 s, at its first fix"
    );
}

#[test]
fn each_fix_probes_every_cell_within_the_distance() {
    // A fix in the middle of a cell probes it alone at 2 m; one at a corner probes four.
    let middle = (450 + 1_145_000_000 / CELL_E7 * CELL_E7, 450 + 255_000_000 / CELL_E7 * CELL_E7);
    let probes = TrackProbes::of(&track(&[middle, middle, middle], 0), 2.0, 1_500);
    assert_eq!(probes.probes.len(), 3, "{probes:?}");
    assert_eq!((probes.seconds.clone(), probes.window_s), (vec![0, 10, 20], 3));
    let corner = (1_145_000_000 / CELL_E7 * CELL_E7, 255_000_000 / CELL_E7 * CELL_E7);
    let probes = TrackProbes::of(&track(&[corner, corner, corner], 0), 2.0, 1_500);
    assert_eq!(probes.probes.len(), 12);
    assert_eq!(probes.min_hits(), 3);
}

/// `laps` laps of a circle of about 110 m radius, 60 fixes a lap 10 s apart.
fn laps(laps: usize) -> Vec<TrackPoint> {
    let (lon0, lat0) = (1_145_000_000.0, 255_000_000.0);
    let points: Vec<(i32, i32)> = (0..laps * 60)
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / 60.0;
            ((lon0 + 11_000.0 * a.cos()) as i32, (lat0 + 10_000.0 * a.sin()) as i32)
        })
        .collect();
    track(&points, 1_700_000_000_000)
}

#[test]
fn each_pass_through_a_kept_cell_is_kept_and_a_wavering_phone_passes_once() {
    let one = TrackFingerprint::of(&laps(1)).expect("a lap");
    let six = TrackFingerprint::of(&laps(6)).expect("six laps");
    assert_eq!(six.cells.len(), 6 * one.cells.len(), "each kept cell once a lap");
    let KeptPass { value, at_s: first, .. } = one.cells[0];
    assert_eq!(six.passes(value).map(|c| c.at_s).collect::<Vec<_>>(), (0..6).map(|k| first + k * 600).collect::<Vec<_>>());
    assert!(six.cells.windows(2).all(|w| w[0] < w[1]), "ascending");
    // A phone wavering between two cells, a fix every 10 s for five minutes: one pass each.
    let wavering = track(&(0..30).map(|i| (1_145_000_450 + if i % 2 == 0 { -600 } else { 600 }, 255_000_450)).collect::<Vec<_>>(), 0);
    let cells = TrackFingerprint::of(&wavering).expect("30 fixes").cells;
    assert!(cells.len() <= 2 && cells.iter().all(|c| c.at_s <= 10), "{cells:?}");
}

/// A copy of a walk round one loop six times, every fix moved by up to 2 m, is a candidate:
/// keeping only the first pass through each cell, its later laps voted for other offsets and
/// under a tenth of its fixes agreed.
#[test]
fn a_copy_of_many_laps_hits_its_source_on_every_lap() {
    let source = laps(6);
    let copy: Vec<TrackPoint> = source
        .iter()
        .enumerate()
        .map(|(i, p)| TrackPoint {
            t: p.t + 86_400_000,
            lon: p.lon + (i as i32 * 37) % 300 - 150,
            lat: p.lat + (i as i32 * 53) % 300 - 150,
            ..*p
        })
        .collect();
    let probes = TrackProbes::of(&copy, 5.0, 1_500);
    let hits = probes.hits(&TrackFingerprint::of(&source).expect("source"));
    assert!(hits >= copy.len() / 4 && hits >= probes.min_hits(), "{hits} of {} fixes", copy.len());
}

/// Copies of short walks (100 fixes, one every 8 to 30 s at walking pace, with GPS error), each
/// moved by up to 2.5 m and jittered by up to 1.5 s, are all candidates: their fixes hit the
/// source at about a quarter of them (1.3 to 4 times the least on these 400).
#[test]
fn copies_of_short_walks_are_all_candidates() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(13);
    let normal = |rng: &mut rand_chacha::ChaCha8Rng, sigma: f64| {
        let (u, v): (f64, f64) = (rng.gen_range(f64::EPSILON..1.0), rng.gen_range(0.0..1.0));
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos() * sigma
    };
    // 1e-7 degree per metre near 25.5°N, east and north.
    let (east, north) = (99.6, 89.9);
    for walk in 0..400 {
        let (every_s, speed, sigma) = (rng.gen_range(8.0..30.0), rng.gen_range(0.9..1.5), rng.gen_range(3.0..6.0));
        let (mut x, mut y, mut heading) = (0.0f64, 0.0f64, rng.gen_range(0.0..std::f64::consts::TAU));
        let source: Vec<TrackPoint> = (0..100)
            .map(|i| {
                heading += rng.gen_range(-0.3..0.3);
                let step = speed * every_s * rng.gen_range(0.7..1.3);
                (x, y) = (x + step * heading.cos(), y + step * heading.sin());
                let (ex, ey) = (normal(&mut rng, sigma), normal(&mut rng, sigma));
                let t = 1_700_000_000_000 + (i as f64 * every_s * 1_000.0) as i64;
                TrackPoint { t, lon: 1_145_000_000 + ((x + ex) * east) as i32, lat: 255_000_000 + ((y + ey) * north) as i32, acc: Some(8) }
            })
            .collect();
        let copy: Vec<TrackPoint> = source
            .iter()
            .map(|p| {
                let (r, a) = (2.5 * rng.gen_range(0.0f64..1.0).sqrt(), rng.gen_range(0.0..std::f64::consts::TAU));
                let t = p.t + 86_400_000 + rng.gen_range(-1_500..=1_500);
                TrackPoint { t, lon: p.lon + (r * a.cos() * east) as i32, lat: p.lat + (r * a.sin() * north) as i32, ..*p }
            })
            .collect();
        let probes = TrackProbes::of(&copy, 5.0, 1_500);
        let hits = probes.hits(&TrackFingerprint::of(&source).expect("source"));
        assert!(hits >= probes.min_hits(), "walk {walk}: {hits} hits, {} needed", probes.min_hits());
    }
}

proptest! {
    /// A copy whose every fix moved by up to the probing distance, at any time shift, hits
    /// every kept cell of its source stretch at one offset: its source fix lies in a probed
    /// cell, reached as long after the track's start.
    #[test]
    fn a_moved_copy_hits_its_source(salt in 1i32..50, start in 0usize..400, len in 10usize..200, noise in proptest::collection::vec((-300i32..300, -300i32..300), 200), shift in -1_000_000_000i64..1_000_000_000) {
        let original = track(&path(600, salt), 1_700_000_000_000);
        let source = &original[start..start + len];
        let copy: Vec<TrackPoint> = source.iter().zip(&noise).map(|(p, (dx, dy))| TrackPoint { t: p.t + shift, lon: p.lon + dx, lat: p.lat + dy, ..*p }).collect();
        prop_assume!(copy.windows(2).all(|w| w[0].t <= w[1].t));
        let fp = TrackFingerprint::of(source).expect("source");
        let probes = TrackProbes::of(&copy, 5.0, 1_500);
        prop_assert!(probes.hits(&fp) >= fp.cells.len(), "{} hits, {} cells kept", probes.hits(&fp), fp.cells.len());
        prop_assert!(fp.cells.len() * 16 >= len, "about a quarter are kept: {} of {len}", fp.cells.len());
        prop_assert!(probes.hits(&fp) >= probes.min_hits());
    }

    /// A whole track shifted in time has the same fingerprint: its cells, and their times into
    /// the track.
    #[test]
    fn fingerprints_ignore_a_time_shift(salt in 1i32..50, shift in -1_000_000_000i64..1_000_000_000) {
        let walk = track(&path(300, salt), 1_700_000_000_000);
        let moved: Vec<TrackPoint> = walk.iter().map(|p| TrackPoint { t: p.t + shift, ..*p }).collect();
        prop_assert_eq!(TrackFingerprint::of(&walk), TrackFingerprint::of(&moved));
    }
}
