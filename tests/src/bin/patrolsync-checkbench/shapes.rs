//! The walk of each planted case that stands on its own (copies, in `copies`, need their source):
//! its path in the officer's zone, its length in time, its fixes and what the phone does to them.
//! Each shape is checked against its intent on the planted positions (no noise) with geo: a loop
//! stays 60 m inside, an edge walk within 8 m of the boundary, an excursion puts 40 % of its fixes
//! 60 m or more outside.

use anyhow::{Context, Result, bail};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use sync_protocol::gcj02::{Crs, wgs84_to_gcj02};
use sync_protocol::values::TrackPoint;

use crate::cases::PatrolCase::{self, *};
use crate::frame::{Xy, depth_m};
use crate::officers::Officer;
use crate::walks::{Pace, Path, edge_stretch, log, loop_in, offset_along, straddle, walk};

const MINUTE: f64 = 60.0;

/// A walk as the phone records it.
#[derive(Debug, Clone)]
pub struct Walked {
    pub track: Vec<TrackPoint>,
    pub started_at: i64,
    pub ended_at: i64,
    pub mock_fixes: u32,
}

/// The walk of `case` by `officer` from `start_ms`; `border` is the edge shared with a neighbour
/// (for [`PatrolCase::BorderWalk`]).
pub fn walk_case(case: PatrolCase, officer: &Officer, start_ms: i64, border: Option<[Xy; 2]>, rng: &mut ChaCha8Rng) -> Result<Walked> {
    let minutes = |lo: f64, hi: f64, rng: &mut ChaCha8Rng| rng.gen_range(lo..hi) * MINUTE;
    let (path, from, duration_s, fixes, sigma) = match case {
        Road => (officer.road.clone(), 0.0, minutes(50.0, 110.0, rng), 220.0, rng.gen_range(3.0..6.0)),
        EdgeWalk | Gcj02Edge => {
            let first = rng.gen_range(0..officer.ring.len());
            let path = edge_stretch(&officer.ring, first, rng.gen_range(1_000.0..2_000.0), rng.gen_range(-8.0..8.0));
            (path, 0.0, minutes(50.0, 100.0, rng), 220.0, rng.gen_range(2.0..3.4))
        }
        BorderWalk => {
            let edge = border.context("a border walk needs a shared edge")?;
            (
                Path::there_and_back(offset_along(&edge, rng.gen_range(-8.0..8.0))),
                0.0,
                minutes(50.0, 100.0, rng),
                220.0,
                rng.gen_range(2.0..3.4),
            )
        }
        SmallExcursion | Excursion => return excursion(case, officer, start_ms, rng),
        Short => (loop_path(officer, rng)?, 0.0, minutes(4.0, 9.0, rng), 30.0, rng.gen_range(3.0..6.0)),
        Sparse => (loop_path(officer, rng)?, 0.0, minutes(40.0, 55.0, rng), 8.5, rng.gen_range(3.0..6.0)),
        Brief | BriefReviewed => (loop_path(officer, rng)?, 0.0, minutes(14.0, 24.0, rng), 80.0, rng.gen_range(3.0..6.0)),
        Slow => return slow(officer, start_ms, rng),
        Parked => return parked(officer, start_ms, rng),
        Overlap => (loop_path(officer, rng)?, 0.0, minutes(40.0, 60.0, rng), 200.0, rng.gen_range(3.0..6.0)),
        _ => (loop_path(officer, rng)?, 0.0, minutes(45.0, 110.0, rng), 220.0, rng.gen_range(2.5..6.0)),
    };
    let pace = if case == Sparse {
        Pace { speed_mps: rng.gen_range(0.9..1.3), every_s: duration_s / rng.gen_range(7..=8) as f64 }
    } else {
        Pace::draw(rng, duration_s, fixes)
    };
    let planted = walk(&path, from, start_ms, duration_s, pace, rng);
    let mut track = log(&officer.frame, &planted, sigma, rng);
    let mut mock_fixes = 0;
    match case {
        Glitch => glitch(&mut track, officer, &planted, rng),
        NearGap => drop_stretch(&mut track, rng.gen_range(5.0..8.5) * MINUTE),
        Gap => drop_stretch(&mut track, rng.gen_range(12.0..25.0) * MINUTE),
        Jump | JumpFalseAlarm | JumpConfirmed => teleport(&mut track, officer, rng),
        Mocked => mock_fixes = rng.gen_range(1..=(track.len() / 3).max(1)) as u32,
        Gcj02Loop | Gcj02Edge => track = through_a_map_app(&track)?,
        _ => {}
    }
    // The phone is started before it has a fix: the stated start comes 11 to 15 min before the first.
    let started_at = if case == GapAtStart { start_ms - rng.gen_range(11 * 60_000..15 * 60_000) } else { start_ms };
    Ok(Walked { started_at, ended_at: planted.last().map_or(start_ms, |p| p.0), track, mock_fixes })
}

fn loop_path(officer: &Officer, rng: &mut ChaCha8Rng) -> Result<Path> {
    loop_in(&officer.area, rng).with_context(|| format!("no loop fits in {}", officer.zone))
}

/// A rectangle straddling the zone's edge: for an excursion at least 40 % of the planted fixes
/// 60 m or more outside (so more than 20 % outside the tolerance whatever the GPS error, and under
/// 80 % inside); for a small one at least 3 % that far out, but at most 15 % beyond 5 m outside
/// (GPS error of at most 15 m cannot take any other beyond the 20 m tolerance).
fn excursion(case: PatrolCase, officer: &Officer, start_ms: i64, rng: &mut ChaCha8Rng) -> Result<Walked> {
    for _ in 0..400 {
        let edge = rng.gen_range(0..officer.ring.len());
        let path = if case == Excursion {
            straddle(&officer.ring, edge, rng.gen_range(200.0..300.0), rng.gen_range(200.0..350.0), rng.gen_range(400.0..700.0))
        } else {
            straddle(&officer.ring, edge, rng.gen_range(800.0..1_000.0), rng.gen_range(80.0..120.0), rng.gen_range(40.0..100.0))
        };
        let duration_s = rng.gen_range(55.0..100.0) * MINUTE;
        let planted = walk(&path, 0.0, start_ms, duration_s, Pace::draw(rng, duration_s, 220.0), rng);
        let share =
            |f: &dyn Fn(f64) -> bool| planted.iter().filter(|p| f(depth_m(&officer.area, p.1))).count() as f64 / planted.len() as f64;
        let inside_corners =
            path.corners().iter().filter(|c| depth_m(&officer.area, **c) > 0.0).all(|c| depth_m(&officer.area, *c) >= 60.0);
        let fits = match case {
            Excursion => share(&|d| d <= -60.0) >= 0.40,
            _ => share(&|d| d <= -60.0) >= 0.03 && share(&|d| d < -5.0) <= 0.15,
        };
        if fits && inside_corners {
            let track = log(&officer.frame, &planted, rng.gen_range(3.0..6.0), rng);
            return Ok(Walked { started_at: start_ms, ended_at: planted.last().map_or(start_ms, |p| p.0), track, mock_fixes: 0 });
        }
    }
    bail!("no {case:?} fits in {}", officer.zone)
}

/// 35 to 50 minutes round one site (a loop of 20-40 m radius at a few cm/s), a fix a minute, GPS
/// error of 2-3 m: well under a kilometre even with the noise.
fn slow(officer: &Officer, start_ms: i64, rng: &mut ChaCha8Rng) -> Result<Walked> {
    let site = crate::walks::point_inside(&officer.area, 200.0, rng).context("a site")?;
    let r = rng.gen_range(20.0..40.0);
    let path = Path::ellipse(site, r, r, 0.0);
    let duration_s = rng.gen_range(35.0..50.0) * MINUTE;
    let pace = Pace { speed_mps: rng.gen_range(0.08..0.15), every_s: 60.0 };
    let planted = walk(&path, 0.0, start_ms, duration_s, pace, rng);
    let track = log(&officer.frame, &planted, rng.gen_range(2.0..3.0), rng);
    Ok(Walked { started_at: start_ms, ended_at: planted.last().map_or(start_ms, |p| p.0), track, mock_fixes: 0 })
}

/// A phone left at one spot (an office desk) for 45 to 70 minutes, logging a fix every 10 s with
/// 3 to 5 m GPS error: nobody walked.
fn parked(officer: &Officer, start_ms: i64, rng: &mut ChaCha8Rng) -> Result<Walked> {
    let desk = crate::walks::point_inside(&officer.area, 200.0, rng).context("a desk")?;
    let duration_s = rng.gen_range(45.0..70.0) * MINUTE;
    let planted = walk(&Path::cycle(vec![desk]), 0.0, start_ms, duration_s, Pace { speed_mps: 0.0, every_s: 10.0 }, rng);
    let track = log(&officer.frame, &planted, rng.gen_range(3.0..5.0), rng);
    Ok(Walked { started_at: start_ms, ended_at: planted.last().map_or(start_ms, |p| p.0), track, mock_fixes: 0 })
}

/// One or two fixes in the middle moved 80 to 150 m, the receiver reporting 60 to 90 m accuracy.
fn glitch(track: &mut [TrackPoint], officer: &Officer, planted: &[(i64, Xy)], rng: &mut ChaCha8Rng) {
    let at = rng.gen_range(track.len() / 4..track.len() * 3 / 4);
    for i in at..(at + rng.gen_range(1..=2)).min(track.len() - 1) {
        let (x, y) = planted[i].1;
        let (d, a) = (rng.gen_range(80.0..150.0), rng.gen_range(0.0..std::f64::consts::TAU));
        let (lon, lat) = officer.frame.e7((x + d * f64::cos(a), y + d * f64::sin(a)));
        track[i] = TrackPoint { lon, lat, acc: Some(rng.gen_range(60..=90)), ..track[i] };
    }
}

/// Removes the fixes of a stretch of `seconds` from the middle of the track.
fn drop_stretch(track: &mut Vec<TrackPoint>, seconds: f64) {
    let (first, last) = (track[0].t, track[track.len() - 1].t);
    let from = first + (last - first) / 3;
    let to = from + (seconds * 1_000.0) as i64;
    track.retain(|p| p.t <= from || p.t >= to);
}

/// One or two consecutive fixes in the middle teleported 3 to 8 km, reporting 5 m accuracy.
fn teleport(track: &mut [TrackPoint], officer: &Officer, rng: &mut ChaCha8Rng) {
    let at = rng.gen_range(track.len() / 4..track.len() * 3 / 4);
    let (d, a) = (rng.gen_range(3_000.0..8_000.0), rng.gen_range(0.0..std::f64::consts::TAU));
    for p in track.iter_mut().skip(at).take(rng.gen_range(1..=2)) {
        let (x, y) = officer.frame.xy(p.lon, p.lat);
        let (lon, lat) = officer.frame.e7((x + d * a.cos(), y + d * a.sin()));
        *p = TrackPoint { lon, lat, acc: Some(5), ..*p };
    }
}

/// The track as a Chinese map app logs it (GCJ-02, in a GPX file) and the phone imports it with
/// the device's own reader, converting every fix back to WGS 84.
fn through_a_map_app(track: &[TrackPoint]) -> Result<Vec<TrackPoint>> {
    let shifted: Vec<(f64, f64, i64)> = track
        .iter()
        .map(|p| {
            let (lon, lat) = wgs84_to_gcj02(f64::from(p.lon) / 1e7, f64::from(p.lat) / 1e7);
            (lon, lat, p.t)
        })
        .collect();
    let file = patrolsync_tests::device::gpx(&shifted);
    Ok(patrolsync_client::track::read_gpx(&file, Crs::Gcj02)?)
}
