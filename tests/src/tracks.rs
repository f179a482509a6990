//! Generated field data for tests and the bench: patrol tracks walked inside a demo zone,
//! findings and zero reports, deterministic for a given seed.

use geo::{Centroid, Point};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sync_protocol::body::{Body, FindingKind, FindingReported, Mineral, PatrolRecorded, PatrolResult, ZeroReportFiled, ZoneDefined};
use sync_protocol::ids::{EventId, UserId, ZoneId};
use sync_protocol::values::{Coord, IsoWeek, TrackPoint};

/// The centre of a demo zone, in 1e-7 degree.
pub fn zone_centre(zone: &ZoneId) -> Coord {
    let county = patrolsync_server::tools::demo::county();
    centre_of(county.zone(zone).unwrap_or_else(|| panic!("{zone} is not a demo zone")))
}

/// The centre of `zone`'s boundary, in 1e-7 degree.
pub fn centre_of(zone: &ZoneDefined) -> Coord {
    let c: Point<f64> = zone.boundary.to_geo().centroid().unwrap_or_else(|| Point::new(114.5, 25.5));
    Coord::from_degrees(c.x(), c.y()).unwrap_or(Coord { lon: 1_145_000_000, lat: 255_000_000 })
}

/// The centre of a demo zone, `(lon, lat)` in degrees (as `report-finding --lon --lat` takes it).
pub fn zone_centre_degrees(zone: &ZoneId) -> (f64, f64) {
    let c = zone_centre(zone);
    (f64::from(c.lon) / 1e7, f64::from(c.lat) / 1e7)
}

/// A walk of `points` fixes, one every 30 s from `start_ms` (a phone logging at a fixed
/// interval), starting near the zone centre and moving up to about 35 m between fixes.
pub fn patrol(zone: &ZoneId, start_ms: i64, points: usize, seed: u64) -> Body {
    patrol_every(zone, start_ms, points, seed, 30_000)
}

/// [`patrol`] with a fix every `every_ms`.
pub fn patrol_every(zone: &ZoneId, start_ms: i64, points: usize, seed: u64, every_ms: i64) -> Body {
    patrol_every_about(zone, zone_centre(zone), start_ms, points, seed, every_ms)
}

/// [`patrol_every`] starting near `centre`, the centre of `zone` (see [`counting_patrol_about`]).
pub fn patrol_every_about(zone: &ZoneId, centre: Coord, start_ms: i64, points: usize, seed: u64, every_ms: i64) -> Body {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut lon, mut lat) = (centre.lon + rng.gen_range(-20_000..20_000), centre.lat + rng.gen_range(-20_000..20_000));
    let track: Vec<TrackPoint> = (0..points)
        .map(|i| {
            lon += rng.gen_range(-2_500..2_500);
            lat += rng.gen_range(-2_500..2_500);
            TrackPoint { t: start_ms + i as i64 * every_ms, lon, lat, acc: Some(rng.gen_range(3..15)) }
        })
        .collect();
    river_patrol(zone, start_ms, start_ms + points.saturating_sub(1) as i64 * every_ms, track)
}

/// A patrol of the river bank and the quarry that found nothing, from `start_ms` to `end_ms`.
fn river_patrol(zone: &ZoneId, start_ms: i64, end_ms: i64, track: Vec<TrackPoint>) -> Body {
    Body::PatrolRecorded(PatrolRecorded {
        zone: zone.clone(),
        started_at: start_ms,
        ended_at: end_ms,
        track,
        summary: "巡查河道与采石场 checked the river bank and the quarry".into(),
        result: PatrolResult::NothingFound,
        mock_fixes: 0,
    })
}

/// A patrol that counts toward the quota: `points` fixes one every `every_ms` round a loop of 180
/// to 260 m radius about the zone's centre (about 1.3 km for a lap), at the walker's own pace
/// (each step 80 to 120 % of the mean) with GPS noise of 4 m (σ) on each axis, deterministic for
/// `seed`. At the load bench's 20 fixes 100 s apart it lasts 31 min 40 s and covers more than 1 km,
/// all inside any demo zone; two such walks are never copies of each other.
pub fn counting_patrol(zone: &ZoneId, start_ms: i64, points: usize, seed: u64, every_ms: i64) -> Body {
    counting_patrol_about(zone, zone_centre(zone), start_ms, points, seed, every_ms)
}

/// [`counting_patrol`] round `centre`, the centre of `zone` (a zone of any demo county, where
/// [`zone_centre`] knows the first county's only).
pub fn counting_patrol_about(zone: &ZoneId, centre: Coord, start_ms: i64, points: usize, seed: u64, every_ms: i64) -> Body {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let radius_m: f64 = rng.gen_range(180.0..260.0);
    let mut angle: f64 = rng.gen_range(0.0..std::f64::consts::TAU);
    let lat = f64::from(centre.lat) / 1e7;
    let (e7_per_m_lat, e7_per_m_lon) = (1e7 / 111_195.0, 1e7 / (111_195.0 * lat.to_radians().cos()));
    let step = std::f64::consts::TAU / points.saturating_sub(1).max(1) as f64;
    let mut noise = || -> f64 { (0..4).map(|_| rng.gen_range(-1.0..1.0)).sum::<f64>() * 4.0 * 0.866 };
    let track: Vec<TrackPoint> = (0..points)
        .map(|i| {
            let (dx, dy) = (radius_m * angle.cos() + noise(), radius_m * angle.sin() + noise());
            angle += step * (0.8 + 0.4 * ((seed as f64 * 0.37 + i as f64 * 1.7).sin() * 0.5 + 0.5));
            TrackPoint {
                t: start_ms + i as i64 * every_ms,
                lon: centre.lon + (dx * e7_per_m_lon).round() as i32,
                lat: centre.lat + (dy * e7_per_m_lat).round() as i32,
                acc: Some(8),
            }
        })
        .collect();
    river_patrol(zone, start_ms, start_ms + points.saturating_sub(1) as i64 * every_ms, track)
}

/// A patrol of `fixes` fixes about one every 30 s, walking east and back along a line through `at`,
/// `step_e7` (1e-7 degree of longitude) between fixes and 10 fixes each way: a track whose time and
/// distance the test knows (to a few centimetres: each fix's latitude carries a jitter of up to
/// 44 cm). Like a real walk, no two keep the same timing: each fix but the first and last is
/// stamped up to 5 s off the 30 s beat, drawn from the start time and its index, so that two walks
/// of one line are not taken for copies of each other (`checks::plausibility::copies`).
pub fn line_patrol(zone: &ZoneId, at: Coord, start_ms: i64, fixes: usize, step_e7: i32) -> Body {
    let draw = |t: i64, range: i64| t.wrapping_mul(6_364_136_223_846_793_005).rotate_left(17).rem_euclid(range);
    let track: Vec<TrackPoint> = (0..fixes)
        .map(|i| {
            let leg = (i / 10) % 2;
            let k = (i % 10) as i32;
            let offset = if leg == 0 { k } else { 10 - k };
            let beat = start_ms + i as i64 * 30_000;
            let t = if i == 0 || i + 1 == fixes { beat } else { beat + draw(beat ^ 0x5bd1_e995, 10_001) - 5_000 };
            let jitter = draw(t, 40) as i32;
            TrackPoint { t, lon: at.lon + offset * step_e7, lat: at.lat + if leg == 0 { jitter } else { -jitter }, acc: Some(5) }
        })
        .collect();
    Body::PatrolRecorded(PatrolRecorded {
        zone: zone.clone(),
        started_at: start_ms,
        ended_at: start_ms + fixes.saturating_sub(1) as i64 * 30_000,
        track,
        summary: "沿线巡查 walked the line".into(),
        result: PatrolResult::NothingFound,
        mock_fixes: 0,
    })
}

/// A finding on `patrol` near the zone centre.
pub fn finding(zone: &ZoneId, patrol: EventId, at_ms: i64, kind: FindingKind, mineral: Option<Mineral>) -> Body {
    let centre = zone_centre(zone);
    Body::FindingReported(FindingReported {
        patrol,
        zone: zone.clone(),
        kind,
        location: centre,
        depth_m: Some(12),
        surface_elevation_m: None,
        licence: None,
        mineral,
        description: "露天开挖 open pit with an excavator".into(),
        stopped_on_spot: true,
        observed_at: at_ms,
    })
}

pub fn zero_report(officer: &UserId, zone: &ZoneId, week: IsoWeek) -> Body {
    Body::ZeroReportFiled(ZeroReportFiled { officer: officer.clone(), week, zone: Some(zone.clone()), note: String::new() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sync_protocol::checks::plausibility::{PatrolUnderCheck, PlausibilityContext, check_plausibility};
    use sync_protocol::checks::recheck::{CheckConfig, check};
    use sync_protocol::checks::zone_history::ZoneHistory;

    /// 2026-11-02 00:00 UTC, after every demo assignment begins.
    const START: i64 = 1_793_577_600_000;

    fn id(n: usize) -> EventId {
        EventId(uuid::Uuid::from_u128(n as u128 + 1))
    }

    fn walk(body: &Body) -> &PatrolRecorded {
        match body {
            Body::PatrolRecorded(p) => p,
            other => panic!("not a patrol: {other:?}"),
        }
    }

    /// The load bench's patrols (20 fixes 100 s apart) count, raise no flag, and no two of an
    /// officer's are copies of each other: the bench measures the traffic of honest phones.
    #[test]
    fn counting_patrols_count_and_are_not_copies() {
        let county = patrolsync_server::tools::demo::county();
        let history = ZoneHistory::from_events(county.zones(), county.assignments());
        let config = CheckConfig::default();
        for (n, officer) in county.officers().iter().take(12).enumerate() {
            let zone = county.zone_of(&officer.user).map(|z| z.zone.clone()).expect("an officer has a zone");
            let walks: Vec<Body> =
                (0..8).map(|i| counting_patrol(&zone, START + i * 2_100_000, 20, (n * 1_000_003) as u64 + i as u64, 100_000)).collect();
            for (i, body) in walks.iter().enumerate() {
                let p = walk(body);
                let checked = check(&history, &officer.user, &p.track, &config);
                assert!(checked.decision.counts, "{} walk {i}: {}", officer.user, checked.decision.explanation);
                assert!(!checked.report.flagged, "{} walk {i} flagged outside", officer.user);
                // Every earlier walk is offered as a possible source of this one.
                let earlier: Vec<(EventId, &[TrackPoint])> =
                    walks[..i].iter().enumerate().map(|(j, w)| (id(j), walk(w).track.as_slice())).collect();
                let context = PlausibilityContext {
                    device_now: START + 30 * 86_400_000,
                    device_previous_max_t: None,
                    officer_patrols: &[],
                    duplicate_candidates: &earlier,
                };
                let flags = check_plausibility(&PatrolUnderCheck::of(id(i), &officer.user, p), &context, &config.plausibility);
                assert!(flags.is_empty(), "{} walk {i}: {flags:?}", officer.user);
            }
        }
    }
}
