//! The geofence and quota checks at ingest, end to end: patrols of known truth pushed by an
//! officer's phone are checked against the zone assigned at each fix's time, flagged, listed per
//! level with filters, and re-checked when the officer's assignment changes.

use anyhow::Result;
use patrolsync_server::args;
use patrolsync_server::store::sql::Sql;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::tracks;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::AckStatus;

const OFFICER: &str = "vo-t03-v02";

async fn push(d: &mut RawDevice, body: &sync_protocol::body::Body) -> Result<EventId> {
    let e = d.seal(body);
    let r = d.sync(std::slice::from_ref(&e)).await?;
    assert_eq!(r.acks[0].status, AckStatus::Accepted, "{:?}", r.acks);
    Ok(e.id)
}

/// `(counts, explanation)` stored for a patrol.
fn stored_check(server: &TestApp, patrol: EventId) -> Result<(bool, String)> {
    let row = server.sql()?.one("SELECT counts, explanation FROM patrol_checks WHERE patrol = ?1", args![patrol.0.as_bytes()])?;
    Ok((row.get(0)?, row.get(1)?))
}

async fn flags(d: &RawDevice, query: &str) -> Result<Vec<Value>> {
    let (status, body) = d.get_json(&format!("/v1/flags{query}")).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    Ok(body["flags"].as_array().cloned().unwrap_or_default())
}

fn flagged_events(list: &[Value]) -> Vec<String> {
    list.iter().map(|f| f["event"].as_str().unwrap_or_default().to_string()).collect()
}

#[tokio::test]
async fn patrols_are_checked_in_event_time_flagged_and_rechecked() -> Result<()> {
    let server = spawn_app()?;
    let own = ZoneId::new("Z-T03-V02")?;
    let other = ZoneId::new("Z-T03-V01")?;
    let mut officer = server.device(OFFICER).await?;
    let start = now_ms() as i64 - 6 * 3_600_000;

    // 100 fixes (49.5 min), 20 m apart along a line at the zone's centre: 1.98 km, all inside.
    let counted = push(&mut officer, &tracks::line_patrol(&own, tracks::zone_centre(&own), start, 100, 2_000)).await?;
    // 24 fixes (11.5 min) inside: too short to count, so listed as not counted.
    let short = push(&mut officer, &tracks::line_patrol(&own, tracks::zone_centre(&own), start + 3_600_000, 24, 2_000)).await?;
    // The same walk in the neighbouring village's zone, two hours later: all outside.
    let later = start + 2 * 3_600_000;
    let astray = push(&mut officer, &tracks::line_patrol(&own, tracks::zone_centre(&other), later, 100, 2_000)).await?;

    let (counts, why) = stored_check(&server, counted)?;
    assert!(counts, "{why}");
    assert_eq!(why, "counts: 49 min, 1.9 km in zone, 100 % inside");
    assert_eq!(stored_check(&server, short)?, (false, "does not count: 11 min in zone, below 30; 0.4 km in zone, below 1.0".into()));
    let (counts, why) = stored_check(&server, astray)?;
    assert!(!counts);
    assert!(why.starts_with("does not count: 0 min in zone, below 30; 0.0 km in zone, below 1.0; 0 % inside, below 80"), "{why}");

    // Each level lists the flag in its scope, and only there.
    let week = IsoWeek::of_ms(later).to_string();
    let mine = flags(&officer, "?kind=outside_zone").await?;
    assert_eq!(flagged_events(&mine), vec![astray.to_string()]);
    let not_counted = flags(&officer, "?kind=not_counted").await?;
    assert_eq!(flagged_events(&not_counted), vec![astray.to_string(), short.to_string()], "every patrol that does not count");
    assert_eq!(not_counted[1]["detail"], stored_check(&server, short)?.1, "with its explanation");
    assert_eq!(mine[0]["kind"], "outside_zone");
    assert_eq!((mine[0]["village"].as_str(), mine[0]["township"].as_str()), (Some("T03-V02"), Some("T03")));
    assert!(mine[0]["detail"].as_str().unwrap_or_default().starts_with("100 % of fixes outside zone Z-T03-V02"), "{}", mine[0]);
    let inspector = server.device("ti-t03-1").await?;
    assert_eq!(flagged_events(&flags(&inspector, &format!("?kind=outside_zone&week={week}&village=T03-V02")).await?).len(), 1);
    assert!(flags(&inspector, "?kind=impossible_speed").await?.is_empty());
    assert!(flags(&inspector, "?village=T03-V01").await?.is_empty());
    let elsewhere = server.device("ti-t01-1").await?;
    assert!(flags(&elsewhere, "").await?.is_empty(), "another township sees nothing");
    assert!(flags(&elsewhere, "?township=T03").await?.is_empty(), "not even when it asks for it");
    let auditor = server.device("ca-1").await?;
    assert_eq!(flagged_events(&flags(&auditor, "?township=T03&kind=outside_zone").await?), vec![astray.to_string()]);
    assert_eq!(flagged_events(&flags(&auditor, &format!("?officer={OFFICER}&kind=outside_zone")).await?), vec![astray.to_string()]);
    assert!(flags(&auditor, "?officer=vo-t03-v01").await?.is_empty(), "another officer's flags only");
    for bad in ["?colour=red", "?week=2026-W99", "?village=../etc", "?limit=-1", "?kind=outside", "?kind=tampering:gap"] {
        let (status, body) = auditor.get_json(&format!("/v1/flags{bad}")).await?;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }

    // The officer is reassigned to the neighbouring zone from just before the stray patrol:
    // it is re-checked, now counts, and its flag is withdrawn; the earlier patrols stay as they were.
    let admin = server.device("admin").await?;
    let assign = json!({ "officer": OFFICER, "zone": other.as_str(), "from": later - 60_000 }).to_string();
    let (status, body) = admin.post("/v1/admin/assignments", assign.as_bytes()).await?;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let (counts, why) = stored_check(&server, astray)?;
    assert!(counts, "{why}");
    assert!(flags(&auditor, "?kind=outside_zone").await?.is_empty(), "the flag is withdrawn");
    assert_eq!(flagged_events(&flags(&auditor, "?kind=not_counted").await?), vec![short.to_string()], "and so is not_counted");
    let withdrawn = flags(&auditor, "?withdrawn=true&kind=outside_zone").await?;
    assert_eq!(flagged_events(&withdrawn), vec![astray.to_string()]);
    assert!(withdrawn[0]["withdrawn_at"].is_i64());
    assert!(stored_check(&server, counted)?.0);

    // The same assignment again changes nothing (idempotent re-check).
    let (status, _) = admin.post("/v1/admin/assignments", assign.as_bytes()).await?;
    assert_eq!(status, StatusCode::OK);
    let rows = server.sql()?.count("SELECT count(*) FROM flags WHERE kind = 'outside_zone'", &[])?;
    assert_eq!(rows, 1, "no flag raised or duplicated by the repeated change");

    // Moving the officer back from before the first patrol flags the stray one again.
    let back = json!({ "officer": OFFICER, "zone": own.as_str(), "from": later - 60_000 }).to_string();
    admin.post("/v1/admin/assignments", back.as_bytes()).await?;
    assert_eq!(flagged_events(&flags(&auditor, "?kind=outside_zone").await?), vec![astray.to_string()]);
    assert_eq!(flagged_events(&flags(&auditor, "?kind=not_counted").await?), vec![astray.to_string(), short.to_string()]);
    Ok(())
}
