//! The fingerprint index's copy search over a long history of one route: a year of one officer
//! walking the same lap at the same pace, which lines up with every earlier walk of it cell for
//! cell, and a copy of one early walk that must still be among the few candidates compared in full.

use super::copies::copied;
use super::fingerprint_index::{COMPARED, FingerprintIndex};
use super::{DuplicateBasis, PlausibilityRules, TrackFingerprint, TrackProbes};
use crate::ids::EventId;
use crate::values::TrackPoint;

/// 2026-01-05 07:00 UTC.
const T0: i64 = 1_767_596_400_000;
const DAY: i64 = 86_400_000;

/// SplitMix64: a reproducible stream of numbers for the test's noise.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }

    /// About normal, σ = `sigma` (the sum of four uniforms, as the load bench's GPS noise).
    fn normal(&mut self, sigma: f64) -> f64 {
        (0..4).map(|_| self.unit()).sum::<f64>() * sigma * 0.866
    }
}

/// 1e-7 degree per metre near 25.5°N, east and north.
const EAST: f64 = 99.6;
const NORTH: f64 = 89.9;

/// Walk `n` of the lap: a loop of 240 m radius walked in 30 min, a fix every 10 s (181 fixes),
/// starting at the same point at 07:00 and 15:00 every day, with GPS noise of 4 m (σ) on each
/// axis and each fix stamped up to a second off its beat.
fn walk(n: u64) -> Vec<TrackPoint> {
    let mut draw = Draw(n);
    let start = T0 + (n / 2) as i64 * DAY + (n % 2) as i64 * 8 * 3_600_000;
    (0..181)
        .map(|i| {
            let a = std::f64::consts::TAU * f64::from(i) / 180.0;
            let (x, y) = (240.0 * a.cos() + draw.normal(4.0), 240.0 * a.sin() + draw.normal(4.0));
            TrackPoint {
                t: start + i64::from(i) * 10_000 + (draw.unit() * 1_000.0) as i64,
                lon: 1_145_000_000 + (x * EAST) as i32,
                lat: 255_000_000 + (y * NORTH) as i32,
                acc: Some(8),
            }
        })
        .collect()
}

/// `source` shifted by `shift_ms`, every `every`-th fix kept, each moved by up to `metres` and its
/// time by up to 0.5 s.
fn copy_of(source: &[TrackPoint], shift_ms: i64, every: usize, metres: f64, seed: u64) -> Vec<TrackPoint> {
    let mut draw = Draw(seed);
    let step = metres / std::f64::consts::SQRT_2;
    source
        .iter()
        .step_by(every)
        .map(|p| TrackPoint {
            t: p.t + shift_ms + (draw.unit() * 500.0) as i64,
            lon: p.lon + (draw.unit() * step * EAST) as i32,
            lat: p.lat + (draw.unit() * step * NORTH) as i32,
            ..*p
        })
        .collect()
}

fn id(n: u64) -> EventId {
    EventId(uuid::Uuid::from_u64_pair(0x7061_7472_6f6c, n))
}

/// Without the positions (every stored pass in a probed cell voting), 710 to 720 of the 730 walks
/// were candidates for each copy, and the copy of every third fix of walk 512 ranked 181st of them:
/// it was never compared, and so not found. With them its source ranks first, in every case.
#[test]
fn a_copy_of_one_walk_of_a_year_on_one_route_is_among_the_few_compared() {
    let rules = PlausibilityRules::default();
    let walks: Vec<Vec<TrackPoint>> = (0..730).map(walk).collect();
    let mut index = FingerprintIndex::default();
    for (n, w) in walks.iter().enumerate() {
        index.insert(id(n as u64), &TrackFingerprint::of(w).expect("a walk").cells);
    }
    // Honest walks of the lap are no copies of each other, even lined up at offset 0.
    for n in [1, 300, 729] {
        assert_eq!(copied(&walks[n], &walks[0], &rules), None, "walk {n} against walk 0");
    }
    let cases = [
        ("walk 37, shifted 200 days and 3 h, moved by up to 2 m", 37, 200 * DAY + 3 * 3_600_000, 1, 2.0),
        ("walk 37, every 2nd fix of it", 37, 200 * DAY + 3 * 3_600_000, 2, 2.0),
        ("walk 512, every 3rd fix of it, 9 days later", 512, 9 * DAY, 3, 1.5),
        ("walk 700, moved by up to 3 m, a week later", 700, 7 * DAY, 1, 3.0),
    ];
    for (what, source, shift, every, metres) in cases {
        let copy = copy_of(&walks[source as usize], shift, every, metres, source + 99);
        let probes = TrackProbes::of(&copy, rules.copy_distance_m, rules.copy_time_ms);
        let all = index.candidates(&probes, probes.min_hits(), usize::MAX);
        let compared = index.candidates(&probes, probes.min_hits(), COMPARED);
        assert!(compared.contains(&id(source)), "{what}: not among the {COMPARED} compared ({} candidates in all)", all.len());
        assert_eq!(compared.first(), Some(&id(source)), "{what}: the source has the most votes");
        let found = copied(&copy, &walks[source as usize], &rules).map(|c| c.0);
        assert_eq!(found, Some(DuplicateBasis::Sequence), "{what}");
    }
}
