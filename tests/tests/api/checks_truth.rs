//! Plausibility and licence flags on a generated set of patrols and findings whose truth the test
//! knows, pushed through the real server by officers' devices: every tampered patrol and every
//! finding outside the rules carries exactly the flags its construction implies, and no clean
//! patrol or lawful finding carries any.

use anyhow::{Context, Result, ensure};
use geo::{Centroid, Contains, Point};
use patrolsync_server::tools::demo::{DemoCounty, county};
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{DEMO_PASSWORD, tracks};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};
use sync_protocol::body::{Body, FindingKind, FindingReported, LicenceGranted, Mineral, PatrolRecorded, RightKind};
use sync_protocol::ids::{EventId, LicenceId, UserId, ZoneId};
use sync_protocol::values::{Coord, TrackPoint};
use sync_protocol::wire::AckStatus;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// What each event must carry: its flag kinds (empty for clean ones).
type Truth = BTreeMap<EventId, BTreeSet<String>>;

/// One officer's phone, pushing one event at a time and recording what it should raise.
struct Phone {
    device: RawDevice,
    zone: ZoneId,
}

impl Phone {
    async fn new(server: &TestApp, officer: &UserId, zone: &ZoneId) -> Result<Phone> {
        let mut device = RawDevice::new(&server.url(), officer.as_str())?;
        device.login(DEMO_PASSWORD).await?;
        Ok(Phone { device, zone: zone.clone() })
    }

    async fn push(&mut self, body: Body, truth: &mut Truth, flags: &[&'static str]) -> Result<EventId> {
        let event = self.device.seal(&body);
        let reply = self.device.sync(std::slice::from_ref(&event)).await?;
        ensure!(reply.acks[0].status == AckStatus::Accepted, "{:?}", reply.acks);
        truth.insert(event.id, flags.iter().map(|f| f.to_string()).collect());
        Ok(event.id)
    }
}

/// An hour's walk round a circle of 300 m about the zone's centre, a fix every 20 s at the
/// walker's own pace (which also varies from fix to fix), each fix with GPS noise whose 68 % radius
/// is its reported accuracy of 6 to 12 m: about 1.9 km at 2 km/h.
fn circle_walk(zone: &ZoneId, start: i64, rng: &mut ChaCha8Rng) -> Vec<TrackPoint> {
    let c = tracks::zone_centre(zone);
    let lat_deg = f64::from(c.lat) / 1e7;
    let (m_lat, m_lon) = (1e7 / 111_320.0, 1e7 / (111_320.0 * lat_deg.to_radians().cos()));
    let pace: f64 = rng.gen_range(0.85..1.15);
    let mut a: f64 = rng.gen_range(0.0..std::f64::consts::TAU);
    (0..181)
        .map(|i| {
            a += std::f64::consts::TAU / 180.0 * pace * rng.gen_range(0.7..1.3);
            let acc: u32 = rng.gen_range(6..=12);
            let sigma = f64::from(acc) / 1.515;
            let (dx, dy) = (300.0 * a.cos() + normal(rng) * sigma, 300.0 * a.sin() + normal(rng) * sigma);
            TrackPoint {
                t: start + i64::from(i) * 20_000,
                lon: c.lon + (dx * m_lon).round() as i32,
                lat: c.lat + (dy * m_lat).round() as i32,
                acc: Some(acc),
            }
        })
        .collect()
}

/// A standard normal draw (Box-Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let (u, v): (f64, f64) = (rng.gen_range(f64::EPSILON..1.0), rng.gen_range(0.0..1.0));
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn patrol(zone: &ZoneId, track: Vec<TrackPoint>, mock_fixes: u32) -> Body {
    let (started_at, ended_at) = (track.first().map_or(0, |p| p.t), track.last().map_or(0, |p| p.t));
    Body::PatrolRecorded(PatrolRecorded {
        zone: zone.clone(),
        started_at,
        ended_at,
        track,
        summary: "generated patrol".into(),
        result: sync_protocol::body::PatrolResult::NothingFound,
        mock_fixes,
    })
}

/// The clean tracks must lie inside their zone by an exact test independent of the server's.
fn assert_inside(county: &DemoCounty, zone: &ZoneId, track: &[TrackPoint]) -> Result<()> {
    let polygon = county.zone(zone).context("zone")?.boundary.to_geo();
    let outside = track.iter().filter(|p| !polygon.contains(&Point::new(f64::from(p.lon) / 1e7, f64::from(p.lat) / 1e7))).count();
    ensure!(outside == 0, "the generator left {zone}: {outside} fixes outside");
    Ok(())
}

/// A point of a licence's area (its centroid, checked to lie inside).
fn inside(l: &LicenceGranted) -> Result<Coord> {
    let area = l.area.to_geo();
    let c = area.centroid().context("centroid")?;
    ensure!(area.contains(&c), "the centroid of {} lies outside it", l.licence);
    Ok(Coord::from_degrees(c.x(), c.y())?)
}

/// The officer and zone of the village a licence lies in (the licence must be in an assigned zone).
fn host(county: &DemoCounty, l: &LicenceGranted) -> Option<(UserId, ZoneId)> {
    let village = l.villages.first()?;
    let zone = county.zones().iter().find(|z| &z.village == village)?;
    Some((county.officer_of(&zone.zone)?.user.clone(), zone.zone.clone()))
}

struct FindingSpec {
    kind: FindingKind,
    location: Coord,
    licence: Option<LicenceId>,
    depth: Option<(i32, i32)>,
    mineral: Option<Mineral>,
}

fn finding(zone: &ZoneId, patrol: EventId, observed_at: i64, s: FindingSpec) -> Body {
    Body::FindingReported(FindingReported {
        patrol,
        zone: zone.clone(),
        kind: s.kind,
        location: s.location,
        depth_m: s.depth.map(|(_, depth)| depth),
        surface_elevation_m: s.depth.map(|(surface, _)| surface),
        licence: s.licence,
        mineral: s.mineral,
        description: "generated finding".into(),
        stopped_on_spot: false,
        observed_at,
    })
}

/// The open flags the county sees, by event.
async fn flags_by_event(server: &TestApp) -> Result<Truth> {
    let mut auditor = RawDevice::new(&server.url(), "ca-1")?;
    auditor.login(DEMO_PASSWORD).await?;
    let (_, list) = auditor.flags("limit=5000").await?;
    let mut out = Truth::new();
    for f in list["flags"].as_array().context("flags")? {
        let event: EventId = f["event"].as_str().context("flag without event")?.parse()?;
        let kind = f["kind"].as_str().context("kind")?.to_string();
        out.entry(event).or_default().insert(kind);
    }
    Ok(out)
}

#[tokio::test]
async fn flags_match_the_known_truth_and_clean_data_raises_none() -> Result<()> {
    let server = spawn_app()?;
    let county = county();
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let mut truth = Truth::new();
    let base = now_ms() as i64 - 12 * DAY;

    // Four officers, each with four clean patrols over a week.
    let officers: Vec<(UserId, ZoneId)> =
        county.officers().iter().filter_map(|o| Some((o.user.clone(), county.zone_of(&o.user)?.zone.clone()))).take(4).collect();
    let mut phones = Vec::new();
    let mut first_tracks = Vec::new();
    let mut day_two = Vec::new();
    for (officer, zone) in &officers {
        let mut phone = Phone::new(&server, officer, zone).await?;
        for day in [0, 2, 4, 6] {
            let track = circle_walk(zone, base + day * DAY + 8 * HOUR, &mut rng);
            assert_inside(&county, zone, &track)?;
            if day == 0 {
                first_tracks.push(track.clone());
            }
            let id = phone.push(patrol(zone, track, 0), &mut truth, &[]).await?;
            if day == 2 {
                day_two.push(id);
            }
        }
        phones.push(phone);
    }

    // Officer 0: a teleport, a tracking gap, then a patrol dated before the phone's last one.
    let z = phones[0].zone.clone();
    let mut teleport = circle_walk(&z, base + 7 * DAY + 8 * HOUR, &mut rng);
    teleport[90].lon += 500_000; // about 5 km east for one fix, 20 s either side
    phones[0].push(patrol(&z, teleport, 0), &mut truth, &["impossible_speed", "not_counted"]).await?;
    let mut gap = circle_walk(&z, base + 8 * DAY + 8 * HOUR, &mut rng);
    gap.drain(60..120); // 20 minutes without a fix
    phones[0].push(patrol(&z, gap, 0), &mut truth, &["tracking_gap"]).await?;
    let behind = circle_walk(&z, base - 3 * DAY + 8 * HOUR, &mut rng);
    phones[0].push(patrol(&z, behind, 0), &mut truth, &["behind_device_clock"]).await?;

    // Officer 1: last week's walk replayed nine days later, a 5-minute patrol, a future one.
    let z = phones[1].zone.clone();
    let copy: Vec<TrackPoint> = first_tracks[1].iter().map(|p| TrackPoint { t: p.t + 9 * DAY, ..*p }).collect();
    phones[1].push(patrol(&z, copy, 0), &mut truth, &["duplicate_track", "not_counted"]).await?;
    let short: Vec<TrackPoint> = circle_walk(&z, base + 10 * DAY + 8 * HOUR, &mut rng).into_iter().step_by(2).take(8).collect();
    phones[1].push(patrol(&z, short, 0), &mut truth, &["too_short", "not_counted"]).await?;
    let future = circle_walk(&z, now_ms() as i64 + 2 * DAY, &mut rng);
    phones[1].push(patrol(&z, future, 0), &mut truth, &["future_timestamp"]).await?;

    // Officer 2, on a second phone: a patrol overlapping their day-2 patrol by half an hour. Both
    // are flagged, each naming the other.
    let (officer, z) = officers[2].clone();
    let mut second = Phone::new(&server, &officer, &z).await?;
    let overlap = circle_walk(&z, base + 2 * DAY + 8 * HOUR + 30 * MINUTE, &mut rng);
    second.push(patrol(&z, overlap, 0), &mut truth, &["overlapping_patrol"]).await?;
    truth.insert(day_two[2], ["overlapping_patrol".to_string()].into());

    // Officer 3: fixes from a mock location provider, then a walk in another officer's zone.
    let z = phones[3].zone.clone();
    let mocked = circle_walk(&z, base + 8 * DAY + 8 * HOUR, &mut rng);
    phones[3].push(patrol(&z, mocked, 5), &mut truth, &["mock_location"]).await?;
    let elsewhere = circle_walk(&officers[0].1, base + 10 * DAY + 8 * HOUR, &mut rng);
    phones[3].push(patrol(&z, elsewhere, 0), &mut truth, &["outside_zone", "not_counted"]).await?;

    // Findings against the demo licences, each by the officer of the village the licence is in.
    let at = now_ms() as i64 - DAY;
    let valid = |l: &&LicenceGranted| l.valid_from <= at && at < l.valid_to && host(&county, l).is_some();
    let mining = county.licences().iter().filter(|l| l.right == RightKind::Mining).find(valid).context("a mining licence in force")?;
    let exploring =
        county.licences().iter().filter(|l| l.right == RightKind::Exploration).find(valid).context("an exploration licence in force")?;
    let expired = county
        .licences()
        .iter()
        .find(|l| l.valid_to + DAY <= at && host(&county, l).is_some())
        .context("an expired licence in an assigned zone")?;
    // A point of the zone in no licence's area: the first, on a 100 m grid out from its centre.
    let in_no_licence = |zone: &ZoneId| -> Result<Coord> {
        let c = tracks::zone_centre(zone);
        let boundary = county.zone(zone).context("zone")?.boundary.to_geo();
        let areas: Vec<_> = county.licences().iter().map(|l| l.area.to_geo()).collect();
        let rings = (0..15).flat_map(|r: i32| (-r..=r).flat_map(move |i| [(i, -r), (i, r), (-r, i), (r, i)]));
        rings
            .map(|(i, j)| Coord { lon: c.lon + i * 10_000, lat: c.lat + j * 9_000 })
            .find(|p| {
                let p = Point::new(f64::from(p.lon) / 1e7, f64::from(p.lat) / 1e7);
                boundary.contains(&p) && areas.iter().all(|a| !a.contains(&p))
            })
            .with_context(|| format!("no point of {zone} outside every licence"))
    };
    let cases: Vec<(&LicenceGranted, FindingSpec, &[&'static str])> = vec![
        (
            mining,
            FindingSpec { kind: FindingKind::UnapprovedMethod, location: inside(mining)?, licence: None, depth: None, mineral: None },
            &[],
        ),
        (
            mining,
            FindingSpec {
                kind: FindingKind::BeyondLicence,
                location: inside(mining)?,
                licence: Some(mining.licence.clone()),
                depth: Some((mining.top_m + 50, mining.top_m + 50 - (mining.bottom_m - 30))),
                mineral: None,
            },
            &["outside_licence"],
        ),
        (
            exploring,
            FindingSpec { kind: FindingKind::UnlicensedMining, location: inside(exploring)?, licence: None, depth: None, mineral: None },
            &["mining_under_exploration"],
        ),
        (
            expired,
            FindingSpec { kind: FindingKind::UnapprovedMethod, location: inside(expired)?, licence: None, depth: None, mineral: None },
            &["expired_licence", "unlicensed_area"],
        ),
    ];
    let (mut protected, mut lawful) = (None, None);
    // One phone and one patrol per host officer, the findings made on it.
    let mut hosts: BTreeMap<UserId, (Phone, EventId)> = BTreeMap::new();
    for (licence, spec, flags) in cases {
        let (officer, zone) = host(&county, licence).context("host")?;
        if !hosts.contains_key(&officer) {
            let mut phone = Phone::new(&server, &officer, &zone).await?;
            let walk = circle_walk(&zone, at - 2 * HOUR, &mut rng);
            let p = phone.push(patrol(&zone, walk, 0), &mut truth, &[]).await?;
            hosts.insert(officer.clone(), (phone, p));
        }
        let (phone, p) = hosts.get_mut(&officer).context("host phone")?;
        let p = *p;
        // A finding in a licence of a protected mineral is high priority, in force or not.
        let protected_flag: &[&'static str] = if licence.mineral.is_protected() { &["protected_mineral"] } else { &[] };
        let flags: Vec<&'static str> = flags.iter().chain(protected_flag).copied().collect();
        let id = phone.push(finding(&zone, p, at - HOUR, spec), &mut truth, &flags).await?;
        lawful = lawful.or(Some(id));
        // In the same zone: mining where no licence is, a named licence elsewhere, a hazard (no flag).
        if licence.licence == mining.licence && protected.is_none() {
            let free = in_no_licence(&zone)?;
            let spec = |kind, licence, mineral| FindingSpec { kind, location: free, licence, depth: None, mineral };
            phone
                .push(finding(&zone, p, at - HOUR, spec(FindingKind::UnlicensedMining, None, None)), &mut truth, &["unlicensed_area"])
                .await?;
            let named = spec(FindingKind::BeyondLicence, Some(mining.licence.clone()), None);
            // Naming a licence does not license a place outside it: both flags.
            phone.push(finding(&zone, p, at - HOUR, named), &mut truth, &["outside_licence", "unlicensed_area"]).await?;
            let tin = spec(FindingKind::GeologicalHazard, None, Some(Mineral::Tin));
            protected = Some((phone.push(finding(&zone, p, at - HOUR, tin), &mut truth, &["protected_mineral"]).await?, p));
        }
    }

    let raised = flags_by_event(&server).await?;
    let expected: Truth = truth.iter().filter(|(_, f)| !f.is_empty()).map(|(e, f)| (*e, f.clone())).collect();
    assert_eq!(raised, expected, "flags raised vs the truth (clean events must carry none)");
    let clean = truth.values().filter(|f| f.is_empty()).count();
    assert!(clean >= 18 && expected.len() >= 10 + 6, "{clean} clean events, {} flagged: 10 patrols, 6 findings or more", expected.len());

    let (protected, tin_patrol) = protected.context("the tin finding")?;
    let mut auditor = RawDevice::new(&server.url(), "ca-1")?;
    auditor.login(DEMO_PASSWORD).await?;
    let (_, high) = auditor.flags("high_priority=true").await?;
    let high = high["flags"].as_array().context("flags")?;
    assert!(high.iter().all(|f| f["high_priority"] == true), "{high:?}");
    assert!(high.iter().any(|f| f["event"] == protected.to_string() && f["kind"] == "protected_mineral"), "{high:?}");
    // The ledger shows it in its high-priority column, on the patrol of the tin finding.
    let day = |ms: i64| sync_protocol::values::county_date(ms);
    let (_, ledger) = auditor.get_json(&format!("/v1/ledger?from={}&to={}", day(at - 2 * DAY), day(at))).await?;
    let rows = ledger["rows"].as_array().context("ledger rows")?;
    let high_rows: BTreeSet<String> =
        rows.iter().filter(|r| r["high_priority"] == true).filter_map(|r| r["patrol"].as_str().map(str::to_owned)).collect();
    ensure!(high_rows.contains(&tin_patrol.to_string()), "the tin finding's patrol is high priority: {high_rows:?}");
    let hosts: BTreeSet<String> = hosts.values().map(|(_, p)| p.to_string()).collect();
    ensure!(high_rows.is_subset(&hosts), "only patrols with findings are high priority: {high_rows:?}");
    ensure!(rows.len() > hosts.len(), "the ledger lists the clean patrols too");
    let store = server.open_store()?;
    let high: bool =
        store.query_row("SELECT high_priority FROM finding_checks WHERE finding = ?1", [protected.0.as_bytes()], |r| r.get(0))?;
    assert!(high, "tin is a protected mineral");
    let lawful = lawful.context("the lawful finding")?;
    let linked: String = store.query_row("SELECT licence FROM finding_checks WHERE finding = ?1", [lawful.0.as_bytes()], |r| r.get(0))?;
    assert_eq!(linked, mining.licence.as_str(), "the lawful finding is linked to the licence it lies in");
    Ok(())
}
