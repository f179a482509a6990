//! Generated field data for tests and the bench: patrol tracks walked inside a demo zone,
//! findings and zero reports, deterministic for a given seed.

use geo::{Centroid, Point};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sync_protocol::body::{Body, FindingKind, FindingReported, Mineral, PatrolRecorded, PatrolResult, ZeroReportFiled};
use sync_protocol::ids::{EventId, UserId, ZoneId};
use sync_protocol::values::{Coord, IsoWeek, TrackPoint};

/// The centre of a demo zone, in 1e-7 degree.
pub fn zone_centre(zone: &ZoneId) -> Coord {
    let county = patrolsync_server::tools::demo::county();
    let z = county.zone(zone).unwrap_or_else(|| panic!("{zone} is not a demo zone"));
    let c: Point<f64> = z.boundary.to_geo().centroid().unwrap_or_else(|| Point::new(114.5, 25.5));
    Coord::from_degrees(c.x(), c.y()).unwrap_or(Coord { lon: 1_145_000_000, lat: 255_000_000 })
}

/// A walk of `points` fixes, one every 30 s from `start_ms` (a phone logging at a fixed
/// interval), starting near the zone centre and moving up to about 35 m between fixes.
pub fn patrol(zone: &ZoneId, start_ms: i64, points: usize, seed: u64) -> Body {
    patrol_every(zone, start_ms, points, seed, 30_000)
}

/// [`patrol`] with a fix every `every_ms`.
pub fn patrol_every(zone: &ZoneId, start_ms: i64, points: usize, seed: u64, every_ms: i64) -> Body {
    let centre = zone_centre(zone);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut lon, mut lat) = (centre.lon + rng.gen_range(-20_000..20_000), centre.lat + rng.gen_range(-20_000..20_000));
    let track: Vec<TrackPoint> = (0..points)
        .map(|i| {
            lon += rng.gen_range(-2_500..2_500);
            lat += rng.gen_range(-2_500..2_500);
            TrackPoint { t: start_ms + i as i64 * every_ms, lon, lat, acc: Some(rng.gen_range(3..15)) }
        })
        .collect();
    Body::PatrolRecorded(PatrolRecorded {
        zone: zone.clone(),
        started_at: start_ms,
        ended_at: start_ms + points.saturating_sub(1) as i64 * every_ms,
        track,
        summary: "巡查河道与采石场 checked the river bank and the quarry".into(),
        result: PatrolResult::NothingFound,
        mock_fixes: 0,
    })
}

/// A patrol of `fixes` fixes one every 30 s, walking east and back along a line through `at`,
/// `step_e7` (1e-7 degree of longitude) between fixes and 10 fixes each way: a track whose
/// time and distance the test knows (to a few centimetres: each fix's latitude carries a jitter of
/// up to 44 cm, drawn from the start time, so that two walks of one line share few exact fixes,
/// as real GNSS fixes never do, and are not taken for a copied track).
pub fn line_patrol(zone: &ZoneId, at: Coord, start_ms: i64, fixes: usize, step_e7: i32) -> Body {
    let track: Vec<TrackPoint> = (0..fixes)
        .map(|i| {
            let leg = (i / 10) % 2;
            let k = (i % 10) as i32;
            let offset = if leg == 0 { k } else { 10 - k };
            let t = start_ms + i as i64 * 30_000;
            let jitter = (t.wrapping_mul(6_364_136_223_846_793_005).rotate_left(17).rem_euclid(40)) as i32;
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
