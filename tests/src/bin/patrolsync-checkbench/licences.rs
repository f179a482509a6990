//! The licence register the findings are judged against: the demo county's 54 licences and four
//! the county imports before the fortnight (with `patrolsync-server reference import`, as a county
//! adds licences): an expired tin mine and an expired rare-earth mine (protected minerals out of
//! force), and a fluorite mine renewed under a new number over the same area.

use anyhow::{Context, Result, ensure};
use geo::Polygon;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use sync_protocol::body::{IssuingLevel, LicenceGranted, Mineral, RightKind};
use sync_protocol::ids::LicenceId;
use sync_protocol::values::{Polygon as WirePolygon, county_date};

use crate::frame::{Frame, Xy, depth_m};
use crate::officers::Officer;
use crate::schedule::{DAY, Fortnight};

/// Whether licence `l` is in force at `t`: from `valid_from` through the whole `valid_to` day.
pub fn in_force(l: &LicenceGranted, t: i64) -> bool {
    l.valid_from <= t && t < l.valid_to + DAY
}

/// Whether the term of `l` has ended by `t`.
pub fn expired(l: &LicenceGranted, t: i64) -> bool {
    t >= l.valid_to + DAY
}

/// The licences the county imports, placed in the zones of officers of the corpus (never the
/// zone of a demo licence), each a square of 300-450 m at least 150 m inside the zone.
pub fn extra(officers: &[Officer], demo: &[LicenceGranted], fortnight: &Fortnight, rng: &mut ChaCha8Rng) -> Result<Vec<LicenceGranted>> {
    let free: Vec<&Officer> = officers.iter().filter(|o| !demo.iter().any(|l| o.holds(&l.area))).collect();
    ensure!(free.len() >= 3, "the corpus needs three officers without a demo licence (use more officers)");
    let ended = fortnight.monday - rng.gen_range(30..200) * DAY;
    let renewed_from = fortnight.monday - rng.gen_range(60..300) * DAY;
    let specs = [
        (Mineral::Tin, 90, ended - 7 * 365 * DAY, ended, 0),
        (Mineral::RareEarth, 91, ended - 5 * 365 * DAY - 40 * DAY, ended - 40 * DAY, 1),
        (Mineral::Fluorite, 92, renewed_from - 6 * 365 * DAY, renewed_from - DAY, 2),
        (Mineral::Fluorite, 93, renewed_from, renewed_from + 6 * 365 * DAY, 2),
    ];
    let squares: Vec<WirePolygon> = free[..3]
        .iter()
        .map(|o| square_in(o, demo, rng).with_context(|| format!("no room for a licence in {}", o.zone)))
        .collect::<Result<_>>()?;
    specs
        .into_iter()
        .map(|(mineral, serial, from, to, host)| {
            let year = &county_date(from)[..4];
            Ok(LicenceGranted {
                licence: LicenceId::new(format!("C360799{year}01711{serial:07}"))?,
                holder: format!("Checkbench {serial} Mine / 核查{serial}号矿"),
                mineral,
                right: RightKind::Mining,
                issuer: IssuingLevel::County,
                valid_from: from,
                valid_to: to,
                area: squares[host].clone(),
                top_m: 400,
                bottom_m: 250,
                villages: vec![free[host].village.clone()],
            })
        })
        .collect()
}

/// A square of 300-450 m at least 150 m inside the officer's zone and 300 m from any licence.
fn square_in(o: &Officer, demo: &[LicenceGranted], rng: &mut ChaCha8Rng) -> Option<WirePolygon> {
    let others: Vec<Polygon<f64>> = demo.iter().map(|l| o.frame.polygon(&l.area)).collect();
    (0..2_000).find_map(|_| {
        let half = rng.gen_range(150.0..225.0);
        let c: Xy = crate::walks::point_inside(&o.area, 150.0 + half * 1.5, rng)?;
        let corners = [(-half, -half), (half, -half), (half, half), (-half, half)].map(|(dx, dy)| (c.0 + dx, c.1 + dy));
        let clear = others.iter().all(|a| corners.iter().chain([&c]).all(|p| depth_m(a, *p) < -300.0));
        let inside = corners.iter().all(|p| depth_m(&o.area, *p) >= 150.0);
        (clear && inside).then(|| ring(&o.frame, &corners))
    })
}

fn ring(frame: &Frame, corners: &[Xy; 4]) -> WirePolygon {
    let mut r: Vec<[i32; 2]> = corners.iter().map(|p| frame.e7(*p)).map(|(lon, lat)| [lon, lat]).collect();
    r.push(r[0]);
    WirePolygon(vec![r])
}

/// The import file of `licences`: a GeoJSON FeatureCollection as `reference export` writes it.
pub fn import_file(licences: &[LicenceGranted]) -> Result<Value> {
    let features: Vec<Value> = licences
        .iter()
        .map(|l| {
            let rings: Vec<Vec<[f64; 2]>> =
                l.area.0.iter().map(|r| r.iter().map(|[x, y]| [f64::from(*x) / 1e7, f64::from(*y) / 1e7]).collect()).collect();
            Ok(json!({
                "type": "Feature",
                "id": l.licence.as_str(),
                "geometry": { "type": "Polygon", "coordinates": rings },
                "properties": {
                    "kind": "licence", "holder": l.holder, "mineral": l.mineral, "right": l.right, "issuer": l.issuer,
                    "valid_from": county_date(l.valid_from), "valid_to": county_date(l.valid_to),
                    "top_m": l.top_m, "bottom_m": l.bottom_m, "villages": l.villages,
                },
            }))
        })
        .collect::<Result<_>>()?;
    Ok(json!({ "type": "FeatureCollection", "features": features }))
}
