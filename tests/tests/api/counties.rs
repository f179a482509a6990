//! Many counties in one deployment (issue 16): each county a tenant with its own store. A device,
//! a token or a user of one county never reaches another's data, end to end on the demo deployment
//! of two counties (and of three, with a generated one); city and province officials read the
//! roll-ups of their counties only.
//!
//! On both engines: on SQLite each county's store is a file of its own, on PostgreSQL
//! (`PATROLSYNC_TEST_STORE=postgres`) a schema of its own in the one database.

use anyhow::Result;
use patrolsync_server::args;
use patrolsync_server::store::sql::Sql;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::{TestApp, spawn_counties};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::tracks;
use reqwest::StatusCode;
use std::collections::BTreeSet;
use sync_protocol::body::Body;
use sync_protocol::event::Event;
use sync_protocol::ids::ZoneId;
use sync_protocol::wire::AckStatus;

/// The westernmost longitude (1e-7 degrees) of the zone `Z-T12-V01` among `events`.
fn zone_west(events: &[Event]) -> Option<i32> {
    events.iter().find_map(|e| match Body::parse(&e.kind, &e.body) {
        Ok(Body::ZoneDefined(z)) if z.zone.as_str() == "Z-T12-V01" => z.boundary.0.iter().flatten().map(|[lon, _]| *lon).min(),
        _ => None,
    })
}

fn ids(events: &[Event]) -> BTreeSet<String> {
    events.iter().map(|e| e.id.to_string()).collect()
}

/// How many events of `device` the county store `store` holds.
fn stored_events_of(store: &dyn Sql, device: &RawDevice) -> Result<i64> {
    Ok(store.one("SELECT count(*) FROM events WHERE device_id = ?1", args![device.device.0.as_bytes().as_slice()])?.get(0)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_of_one_county_never_pulls_nor_pushes_into_another() -> Result<()> {
    let app = spawn_counties()?;
    // The same user id in both counties: two accounts in two stores.
    let mut a = app.device_in("yunshan", "vo-t12-v01").await?;
    let mut b = app.device_in("baiyun", "vo-t12-v01").await?;
    assert_eq!((a.token_claims()?["cty"].as_str(), b.token_claims()?["cty"].as_str()), (Some("yunshan"), Some("baiyun")));
    let (pulled_a, pulled_b) = (a.pull_all().await?, b.pull_all().await?);
    // Each pulls its own county's zone: Baiyun's lies a degree east of Yunshan's.
    let (west_a, west_b) = (zone_west(&pulled_a).unwrap_or_default(), zone_west(&pulled_b).unwrap_or_default());
    assert!(west_a > 0 && west_b - west_a >= 9_000_000, "{west_a} {west_b}");
    assert!(ids(&pulled_a).is_disjoint(&ids(&pulled_b)), "no event of one county is pulled by the other's device");

    // A's officer records a patrol: stored in A's store only, never pulled by B.
    let zone = ZoneId::new("Z-T12-V01")?;
    let patrol = a.seal(&tracks::patrol(&zone, now_ms() as i64 - 3_600_000, 20, 1));
    assert_eq!(a.sync(std::slice::from_ref(&patrol)).await?.acks[0].status, AckStatus::Accepted);
    assert!(!ids(&b.pull_all().await?).contains(&patrol.id.to_string()));
    assert_eq!((stored_events_of(&app.sql()?, &a)?, stored_events_of(&app.county_sql("baiyun")?, &a)?), (1, 0));

    // A's token presented for B (the county header): refused, nothing pulled or pushed.
    a.county_header = Some("baiyun".into());
    let next = a.seal(&tracks::patrol(&zone, now_ms() as i64 - 1_800_000, 20, 2));
    let err = a.sync(&[next]).await.expect_err("a token of yunshan for baiyun");
    assert!(err.to_string().contains("403"), "{err}");
    let (status, _) = a.compliance("").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    a.county_header = Some("yunshan".into());
    assert_eq!(a.compliance("").await?.0, StatusCode::OK, "naming its own county is fine");

    // A's session named as B's in a token signed by the deployment's key: B's store holds no such
    // session or device, so the token is refused there (401) and B's store is unchanged.
    let mut claims = a.token_claims()?;
    claims["cty"] = "baiyun".into();
    a.token = Some(app.forge_token(&claims)?);
    a.county_header = None;
    assert!(a.sync(&[]).await.expect_err("no such session in baiyun").to_string().contains("401"));
    assert_eq!(stored_events_of(&app.county_sql("baiyun")?, &a)?, 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_logs_in_to_the_county_named_and_reads_nothing_of_another() -> Result<()> {
    let app = spawn_counties()?;
    // ti-t01-1 exists in Yunshan only (Baiyun has townships T05 and T12).
    let mut nowhere = RawDevice::new(&app.url(), "ti-t01-1")?;
    nowhere.county = Some("baiyun".into());
    assert!(nowhere.login(DEMO_PASSWORD).await.is_err(), "not a user of baiyun");
    let mut unnamed = RawDevice::new(&app.url(), "ti-t01-1")?;
    let err = unnamed.login(DEMO_PASSWORD).await.expect_err("a deployment of two: the county is named");
    assert!(err.to_string().contains("400"), "{err}");

    // B's officer records a patrol; A's inspector of the same township id never reads it.
    let mut b = app.device_in("baiyun", "vo-t12-v01").await?;
    let patrol = b.seal(&tracks::patrol(&ZoneId::new("Z-T12-V01")?, now_ms() as i64 - 3_600_000, 20, 3));
    assert_eq!(b.sync(std::slice::from_ref(&patrol)).await?.acks[0].status, AckStatus::Accepted);
    let b_inspector = app.device_in("baiyun", "ti-t12-1").await?;
    assert_eq!(b_inspector.patrol(&patrol.id.to_string()).await?.0, StatusCode::OK, "B's inspector reads it");
    let a_inspector = app.device_in("yunshan", "ti-t12-1").await?;
    assert_eq!(a_inspector.patrol(&patrol.id.to_string()).await?.0, StatusCode::NOT_FOUND);
    let ledger = a_inspector.ledger(&format!("township=T12&{}", week_range())).await?;
    assert_eq!(ledger.status(), StatusCode::OK);
    assert!(!ledger.text().await?.contains(&patrol.id.to_string()), "A's ledger holds no patrol of B");
    let mut a_auditor = app.device_in("yunshan", "ca-1").await?;
    assert!(!ids(&a_auditor.pull_all().await?).contains(&patrol.id.to_string()), "nor does A's county pull");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officials_read_the_roll_ups_of_their_counties_only() -> Result<()> {
    let app = spawn_counties()?;
    let mut b = app.device_in("baiyun", "vo-t12-v01").await?;
    let patrol = b.seal(&tracks::patrol(&ZoneId::new("Z-T12-V01")?, now_ms() as i64 - 3_600_000, 20, 4));
    assert_eq!(b.sync(&[patrol]).await?.acks[0].status, AckStatus::Accepted);

    let codes = |reply: &serde_json::Value| -> Vec<String> {
        reply["counties"].as_array().into_iter().flatten().filter_map(|c| c["code"].as_str().map(str::to_owned)).collect()
    };
    let mut province = RawDevice::new(&app.url(), "prov-1")?;
    assert_eq!(province.official_login("prov-1", DEMO_PASSWORD).await?.0, StatusCode::OK);
    let (status, all) = province.rollups("").await?;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(codes(&all), ["yunshan", "baiyun"]);
    let baiyun = &all["counties"][1]["rollup"];
    assert_eq!(baiyun["patrols"], 1, "Baiyun's week, from its own compliance report: {baiyun}");
    assert_eq!(all["counties"][0]["rollup"]["patrols"], 0, "Yunshan had none");
    assert!(baiyun["officers"].as_u64() < all["counties"][0]["rollup"]["officers"].as_u64());

    let mut city = RawDevice::new(&app.url(), "city-yunshan")?;
    assert_eq!(city.official_login("city-yunshan", DEMO_PASSWORD).await?.0, StatusCode::OK);
    let (status, mine) = city.rollups("").await?;
    assert_eq!((status, codes(&mine)), (StatusCode::OK, vec!["yunshan".to_owned()]));
    assert_eq!(city.rollups("counties=baiyun").await?.0, StatusCode::NOT_FOUND, "another city's county");
    // An official's token is no county's: every county route refuses it.
    assert_eq!(city.compliance("").await?.0, StatusCode::UNAUTHORIZED);
    assert!(city.sync(&[]).await.is_err());

    // No county user reads the roll-ups, whatever their role; a wrong password gets no token.
    let auditor = app.device_in("yunshan", "ca-1").await?;
    assert_eq!(auditor.rollups("").await?.0, StatusCode::FORBIDDEN);
    let mut guess = RawDevice::new(&app.url(), "prov-1")?;
    assert_eq!(guess.official_login("prov-1", "not the password").await?.0, StatusCode::UNAUTHORIZED);
    assert_eq!(guess.official_login("ca-1", DEMO_PASSWORD).await?.0, StatusCode::UNAUTHORIZED, "a county user is no official");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_of_three_counties_keeps_the_generated_one_apart_and_its_officials_read_all_three() -> Result<()> {
    let app = TestApp::spawn(&[("PATROLSYNC_DEMO_COUNTIES", "3")])?;
    let third = patrolsync_server::tools::demo::deployment_county(2);
    let zone = ZoneId::new("Z-T12-V01")?;
    let own_zone = third.zone(&zone).expect("the generated county has the demo's zones");
    // The same officer id in the first and the generated county: two accounts in two stores.
    let mut a = app.device_in("yunshan", "vo-t12-v01").await?;
    let mut c = app.device_in("county-03", "vo-t12-v01").await?;
    let (pulled_a, pulled_c) = (a.pull_all().await?, c.pull_all().await?);
    assert!(ids(&pulled_a).is_disjoint(&ids(&pulled_c)), "no event of one county is pulled by the other's device");
    let boundary = |events: &[Event]| {
        events.iter().find_map(|e| match Body::parse(&e.kind, &e.body) {
            Ok(Body::ZoneDefined(z)) if z.zone == zone => Some(z.boundary),
            _ => None,
        })
    };
    assert_eq!(boundary(&pulled_c).as_ref(), Some(&own_zone.boundary), "the generated county's own zone");
    assert!(boundary(&pulled_a).is_some_and(|b| b != own_zone.boundary), "Yunshan's zone of that id lies elsewhere");

    // C's officer walks its own zone: stored in C's store only, never pulled by A.
    let walk = tracks::counting_patrol_about(&zone, tracks::centre_of(own_zone), now_ms() as i64 - 10_800_000, 20, 5, 100_000);
    let patrol = c.seal(&walk);
    assert_eq!(c.sync(std::slice::from_ref(&patrol)).await?.acks[0].status, AckStatus::Accepted);
    assert!(!ids(&a.pull_all().await?).contains(&patrol.id.to_string()));
    assert_eq!((stored_events_of(&app.county_sql("county-03")?, &c)?, stored_events_of(&app.sql()?, &c)?), (1, 0));
    // A's token presented for C: refused.
    a.county_header = Some("county-03".into());
    assert!(a.sync(&[]).await.expect_err("a token of yunshan for county-03").to_string().contains("403"));

    let codes = |reply: &serde_json::Value| -> Vec<String> {
        reply["counties"].as_array().into_iter().flatten().filter_map(|c| c["code"].as_str().map(str::to_owned)).collect()
    };
    for (official, counties) in [
        ("prov-1", vec!["yunshan", "baiyun", "county-03"]),
        ("city-1", vec!["yunshan", "baiyun", "county-03"]),
        ("city-county-03", vec!["county-03"]),
    ] {
        let mut reader = RawDevice::new(&app.url(), official)?;
        assert_eq!(reader.official_login(official, DEMO_PASSWORD).await?.0, StatusCode::OK, "{official}");
        let (status, rollups) = reader.rollups("").await?;
        assert_eq!((status, codes(&rollups)), (StatusCode::OK, counties.iter().map(|c| (*c).to_owned()).collect()), "{official}");
        let generated = rollups["counties"].as_array().and_then(|all| all.last()).map(|c| c["rollup"]["patrols"].clone());
        assert_eq!(generated, Some(1.into()), "{official}: the generated county's week, from its own store: {rollups}");
    }
    Ok(())
}

/// `from` and `to` for the ledger: the last two days to tomorrow (county dates).
fn week_range() -> String {
    let today = chrono::Utc::now().date_naive();
    format!("from={}&to={}", today - chrono::Days::new(2), today + chrono::Days::new(1))
}
