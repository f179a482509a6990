//! Walks: paths planted in a zone's plane (a loop, the officer's road, a stretch of the zone's edge,
//! an excursion across it), walked at a person's own pace, and the phone that logs them with GPS
//! error. Every path is walked round and round (a road out and back) for as long as the patrol lasts.

use geo::{Polygon, Winding};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use sync_protocol::values::TrackPoint;

use crate::frame::{Frame, Xy, depth_m, gps_error, reported_accuracy, toward};

/// A closed path in the plane, walked by arc length.
#[derive(Debug, Clone)]
pub struct Path {
    points: Vec<Xy>,
    /// Arc length at each point; the last closes the path back to the first.
    cum: Vec<f64>,
}

impl Path {
    /// The path through `points` and back to the first.
    pub fn cycle(points: Vec<Xy>) -> Path {
        let mut cum = vec![0.0];
        for i in 0..points.len() {
            let (a, b) = (points[i], points[(i + 1) % points.len()]);
            cum.push(cum[i] + (b.0 - a.0).hypot(b.1 - a.1));
        }
        Path { points, cum }
    }

    /// Out along `points` and back the same way.
    pub fn there_and_back(points: Vec<Xy>) -> Path {
        let back: Vec<Xy> = points.iter().rev().skip(1).take(points.len().saturating_sub(2)).copied().collect();
        Path::cycle(points.into_iter().chain(back).collect())
    }

    /// An ellipse of half-axes `rx`, `ry` about `centre`, turned by `turn` radians.
    pub fn ellipse(centre: Xy, rx: f64, ry: f64, turn: f64) -> Path {
        let points = (0..72)
            .map(|i| {
                let a = std::f64::consts::TAU * f64::from(i) / 72.0;
                let (x, y) = (rx * a.cos(), ry * a.sin());
                (centre.0 + x * turn.cos() - y * turn.sin(), centre.1 + x * turn.sin() + y * turn.cos())
            })
            .collect();
        Path::cycle(points)
    }

    pub fn length(&self) -> f64 {
        self.cum.last().copied().unwrap_or(0.0)
    }

    /// The point at arc length `s` (taken round the path).
    pub fn at(&self, s: f64) -> Xy {
        let total = self.length();
        if total <= 0.0 {
            return self.points.first().copied().unwrap_or((0.0, 0.0));
        }
        let s = s.rem_euclid(total);
        let i = self.cum.partition_point(|c| *c <= s).saturating_sub(1).min(self.points.len() - 1);
        let (a, b) = (self.points[i], self.points[(i + 1) % self.points.len()]);
        toward(a, b, s - self.cum[i])
    }

    /// The corner points (for checking a path lies where it should).
    pub fn corners(&self) -> &[Xy] {
        &self.points
    }
}

/// How one person walks on one day: their speed and how often their phone logs a fix.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    pub speed_mps: f64,
    pub every_s: f64,
}

impl Pace {
    /// A walker's pace, logging often enough for about `fixes` fixes in `duration_s`.
    pub fn draw(rng: &mut ChaCha8Rng, duration_s: f64, fixes: f64) -> Pace {
        Pace { speed_mps: rng.gen_range(0.9..1.5), every_s: (duration_s / fixes).clamp(8.0, 30.0) * rng.gen_range(0.9..1.1) }
    }
}

/// Where the phone truly was at each fix: `path` walked from arc length `from` for `duration_s`,
/// each step 70 to 130 % of the mean, each fix stamped up to a second off the phone's beat.
pub fn walk(path: &Path, from: f64, start_ms: i64, duration_s: f64, pace: Pace, rng: &mut ChaCha8Rng) -> Vec<(i64, Xy)> {
    let fixes = (duration_s / pace.every_s).floor() as usize + 1;
    let mut s = from;
    (0..fixes)
        .map(|i| {
            let beat = start_ms + (i as f64 * pace.every_s * 1_000.0) as i64;
            let t = if i == 0 || i + 1 == fixes { beat } else { beat + rng.gen_range(-1_000..=1_000) };
            let at = (t, path.at(s));
            s += pace.speed_mps * pace.every_s * rng.gen_range(0.7..1.3);
            at
        })
        .collect()
}

/// What a phone logs of `planted`: each fix with GPS error of `sigma_m` per axis, reporting the
/// matching accuracy.
pub fn log(frame: &Frame, planted: &[(i64, Xy)], sigma_m: f64, rng: &mut ChaCha8Rng) -> Vec<TrackPoint> {
    let acc = reported_accuracy(sigma_m);
    planted
        .iter()
        .map(|&(t, (x, y))| {
            let (dx, dy) = gps_error(rng, sigma_m);
            let (lon, lat) = frame.e7((x + dx, y + dy));
            TrackPoint { t, lon, lat, acc: Some(acc) }
        })
        .collect()
}

/// Whether the whole of `path` (every 10 m of it) lies at least `margin_m` inside `area`.
pub fn well_inside(area: &Polygon<f64>, path: &Path, margin_m: f64) -> bool {
    let steps = (path.length() / 10.0).ceil() as usize;
    (0..=steps).all(|i| depth_m(area, path.at(i as f64 * 10.0)) >= margin_m)
}

/// A random point at least `margin_m` inside `area`, if one is found.
pub fn point_inside(area: &Polygon<f64>, margin_m: f64, rng: &mut ChaCha8Rng) -> Option<Xy> {
    let ring = area.exterior();
    let (xs, ys): (Vec<f64>, Vec<f64>) = ring.points().map(|p| (p.x(), p.y())).unzip();
    let (x0, x1) = (xs.iter().copied().fold(f64::INFINITY, f64::min), xs.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    let (y0, y1) = (ys.iter().copied().fold(f64::INFINITY, f64::min), ys.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    (0..2_000).map(|_| (rng.gen_range(x0..x1), rng.gen_range(y0..y1))).find(|p| depth_m(area, *p) >= margin_m)
}

/// A loop (an ellipse of 150 to 450 m half-axes) at least 60 m inside `area`.
pub fn loop_in(area: &Polygon<f64>, rng: &mut ChaCha8Rng) -> Option<Path> {
    (0..200).find_map(|_| {
        let centre = point_inside(area, 200.0, rng)?;
        let path = Path::ellipse(centre, rng.gen_range(150.0..450.0), rng.gen_range(150.0..450.0), rng.gen_range(0.0..3.2));
        well_inside(area, &path, 60.0).then_some(path)
    })
}

/// An officer's road: 4 to 6 legs of 250 to 450 m across the zone, each turning up to 40°, at
/// least 60 m inside it; walked out and back.
pub fn road_in(area: &Polygon<f64>, rng: &mut ChaCha8Rng) -> Option<Path> {
    (0..200).find_map(|_| {
        let mut at = point_inside(area, 300.0, rng)?;
        let mut heading: f64 = rng.gen_range(0.0..std::f64::consts::TAU);
        let mut points = vec![at];
        for _ in 0..rng.gen_range(4..=6) {
            heading += rng.gen_range(-0.7..0.7);
            let leg = rng.gen_range(250.0..450.0);
            at = (at.0 + leg * heading.cos(), at.1 + leg * heading.sin());
            points.push(at);
        }
        let path = Path::there_and_back(points);
        well_inside(area, &path, 60.0).then_some(path)
    })
}

/// The zone's boundary as a counter-clockwise ring of corners (closing corner left out).
pub fn ring_ccw(area: &Polygon<f64>) -> Vec<Xy> {
    let mut ring: Vec<Xy> = area.exterior().points().map(|p| (p.x(), p.y())).collect();
    ring.pop();
    if area.exterior().is_cw() {
        ring.reverse();
    }
    ring
}

/// Points along the polyline `corners`, every 5 m, each moved `offset_m` to its right (outward
/// for a counter-clockwise boundary; negative: inward).
pub fn offset_along(corners: &[Xy], offset_m: f64) -> Vec<Xy> {
    let mut out = Vec::new();
    for pair in corners.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let len = (b.0 - a.0).hypot(b.1 - a.1);
        let normal = ((b.1 - a.1) / len, -(b.0 - a.0) / len);
        let steps = (len / 5.0).ceil().max(1.0) as usize;
        for k in 0..steps {
            let p = toward(a, b, len * k as f64 / steps as f64);
            out.push((p.0 + normal.0 * offset_m, p.1 + normal.1 * offset_m));
        }
    }
    if let Some(last) = corners.last() {
        out.push(*last);
    }
    out
}

/// A stretch of about `length_m` of the zone's boundary from its corner `first`, `offset_m` off
/// it, walked out and back.
pub fn edge_stretch(ring: &[Xy], first: usize, length_m: f64, offset_m: f64) -> Path {
    let mut corners = vec![ring[first % ring.len()]];
    let mut walked = 0.0;
    let mut i = first;
    while walked < length_m {
        let (a, b) = (ring[i % ring.len()], ring[(i + 1) % ring.len()]);
        let len = (b.0 - a.0).hypot(b.1 - a.1);
        if walked + len >= length_m {
            corners.push(toward(a, b, length_m - walked));
            break;
        }
        corners.push(b);
        walked += len;
        i += 1;
    }
    Path::there_and_back(offset_along(&corners, offset_m))
}

/// A rectangle straddling one of the zone's edges: `inside_m` deep into the zone, `outside_m`
/// beyond the edge, `wide_m` along it, walked round.
pub fn straddle(ring: &[Xy], edge: usize, inside_m: f64, outside_m: f64, wide_m: f64) -> Path {
    let (a, b) = (ring[edge % ring.len()], ring[(edge + 1) % ring.len()]);
    let mid = toward(a, b, 0.5 * (b.0 - a.0).hypot(b.1 - a.1));
    let len = (b.0 - a.0).hypot(b.1 - a.1);
    let along = ((b.0 - a.0) / len, (b.1 - a.1) / len);
    let out = (along.1, -along.0);
    let at = |w: f64, o: f64| (mid.0 + along.0 * w + out.0 * o, mid.1 + along.1 * w + out.1 * o);
    let h = wide_m / 2.0;
    Path::cycle(vec![at(-h, -inside_m), at(-h, outside_m), at(h, outside_m), at(h, -inside_m)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn paths_are_walked_by_arc_length_round_and_round() {
        let square = Path::cycle(vec![(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)]);
        assert_eq!(square.length(), 400.0);
        assert_eq!(square.at(150.0), (100.0, 50.0));
        assert_eq!(square.at(450.0), (50.0, 0.0));
        let road = Path::there_and_back(vec![(0.0, 0.0), (100.0, 0.0), (100.0, 50.0)]);
        assert_eq!(road.length(), 300.0);
        assert_eq!(road.at(200.0), (100.0, 0.0), "on the way back");
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let fixes = walk(&square, 0.0, 0, 600.0, Pace { speed_mps: 1.0, every_s: 20.0 }, &mut rng);
        assert_eq!(fixes.len(), 31);
        assert_eq!(fixes.last().map(|f| f.0), Some(600_000));
    }
}
