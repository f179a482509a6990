//! `patrolsync-server reference import|export` end to end, through the real binary on real
//! stores: export and re-import of the demo county (zero events), the byte-identical round trip
//! through a fresh store, an invalid file refused whole with every problem listed, and a running
//! server that serves an import made beside it to the officer's device on its next sync.

use anyhow::{Context, Result, ensure};
use patrolsync_server::store::ReferenceData;
use patrolsync_server::store::sqlite::SqliteStore;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::server::server_binary;
use patrolsync_tests::{DEMO_PASSWORD, tracks};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};
use sync_protocol::body::Body;
use sync_protocol::ids::ZoneId;
use sync_protocol::wire::AckStatus;

/// Runs `patrolsync-server reference <args>`.
fn reference(args: &[&str]) -> Result<Output> {
    let output = Command::new(server_binary()).arg("reference").args(args).env("RUST_LOG", "warn").output()?;
    Ok(output)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

fn events(db: &Path) -> Result<i64> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    Ok(conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh store holding only the demo county's users (reference files carry none).
async fn store_with_demo_users(db: &Path) -> Result<()> {
    let store = SqliteStore::open(db)?;
    let users: Vec<Body> = patrolsync_server::tools::demo::county().users().cloned().map(Body::UserEnrolled).collect();
    store.author_planned(Box::new(move |_, _| users.clone()), Vec::new(), Box::new(|| {})).await?;
    Ok(())
}

#[tokio::test]
async fn export_reimport_and_round_trip_through_a_fresh_store() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    let first = dir.path().join("first.geojson");
    let out = reference(&["export", "--db", path(&server.db()), "-o", path(&first)])?;
    ensure!(out.status.success(), "export failed: {}", stderr(&out));

    let before = events(&server.db())?;
    let out = reference(&["import", "--db", path(&server.db()), path(&first)])?;
    ensure!(out.status.success(), "re-import failed: {}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "imported: 0 units, 0 zones, 0 licences, 0 assignments authored; 465 unchanged");
    assert_eq!(events(&server.db())?, before, "re-importing the demo county authors zero events");

    let fresh = dir.path().join("fresh.db");
    store_with_demo_users(&fresh).await?;
    let out = reference(&["import", "--db", path(&fresh), path(&first)])?;
    ensure!(out.status.success(), "import into a fresh store failed: {}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "imported: 150 units, 134 zones, 54 licences, 127 assignments authored; 0 unchanged");
    let out = reference(&["export", "--db", path(&fresh)])?;
    ensure!(out.status.success(), "export of the fresh store failed: {}", stderr(&out));
    assert!(out.stdout == std::fs::read(&first)?, "export → import into a fresh store → export is byte-identical");
    Ok(())
}

#[tokio::test]
async fn an_invalid_file_is_refused_whole_with_every_problem_listed() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("central.db");
    store_with_demo_users(&db).await?;
    let square = |lon: f64, lat: f64| json!([[[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]]);
    let feature = |id: &str, properties: Value, coordinates: Value| json!({ "type": "Feature", "id": id, "properties": properties, "geometry": { "type": "Polygon", "coordinates": coordinates } });
    let file = json!({ "type": "FeatureCollection", "features": [
        feature("CTY", json!({ "kind": "unit", "level": "county", "name": "C", "name_zh": "县" }), square(114.0, 25.0)),
        feature("T01", json!({ "kind": "unit", "level": "township", "name": "T", "name_zh": "乡", "parent": "CTY", "colour": "red" }), square(114.0, 25.0)),
        feature("Z-1", json!({ "kind": "zone", "name": "Z", "village": "NOWHERE", "township": "CTY", "valid_from": "2026-01-01T00:00:00+08:00" }),
            json!([[[114.0, 25.0], [114.1, 25.1], [114.1, 25.0], [114.0, 25.1], [114.0, 25.0]]])),
        feature("L-1", json!({ "kind": "mine" }), json!([[[114.0, 25.0], [114.1, 25.0], [114.0, 25.0]]])),
    ]});
    let file_path = dir.path().join("bad.geojson");
    std::fs::write(&file_path, file.to_string())?;
    let before = events(&db)?;
    let out = reference(&["import", "--db", path(&db), path(&file_path)])?;
    assert!(!out.status.success(), "an invalid file must fail");
    let err = stderr(&out);
    let problems: Vec<&str> = err.lines().filter(|l| l.starts_with("feature #")).collect();
    assert_eq!(
        problems.iter().map(|l| l.split(": ").take(2).collect::<Vec<_>>().join(": ")).collect::<Vec<_>>(),
        [
            "feature #1 (T01): unknown_property",
            "feature #2 (Z-1): self_intersection",
            "feature #3 (L-1): ring_too_short",
            "feature #3 (L-1): unknown_kind",
        ],
        "{err}"
    );
    assert!(err.contains("error: the file has 4 problem(s); nothing was imported"), "{err}");
    assert_eq!(events(&db)?, before, "nothing of the file was written");
    assert!(stdout(&out).is_empty());
    Ok(())
}

#[tokio::test]
async fn a_running_server_serves_an_import_made_beside_it() -> Result<()> {
    let server = spawn_app()?;
    let county = patrolsync_server::tools::demo::county();
    let old_zone = county.zone(&ZoneId::new("Z-T02-V09")?).context("demo zone")?.clone();
    let mut officer = RawDevice::new(&server.url(), "vo-t02-v08")?;
    officer.login(DEMO_PASSWORD).await?;
    officer.pull_all().await?;

    // A second zone in the vacant village T02-V09, and officer vo-t02-v08 moved to it.
    let now = now_ms() as i64;
    let from = chrono::DateTime::from_timestamp_millis(now - 2 * 3_600_000).context("time")?.to_rfc3339();
    let rings: Vec<Vec<[f64; 2]>> =
        old_zone.boundary.0.iter().map(|r| r.iter().map(|[x, y]| [f64::from(*x) / 1e7, f64::from(*y) / 1e7]).collect()).collect();
    let file = json!({ "type": "FeatureCollection", "features": [{
        "type": "Feature", "id": "Z-T02-V09-B", "geometry": { "type": "Polygon", "coordinates": rings },
        "properties": { "kind": "zone", "name": "second zone", "village": "T02-V09", "township": "T02",
                        "valid_from": "2026-01-01T00:00:00+08:00", "officer": "vo-t02-v08", "assigned_from": from },
    }]});
    let dir = tempfile::tempdir()?;
    let file_path = dir.path().join("zone.geojson");
    std::fs::write(&file_path, file.to_string())?;
    let out = reference(&["import", "--db", path(&server.db()), path(&file_path)])?;
    ensure!(out.status.success(), "import beside the server failed: {}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "imported: 0 units, 1 zones, 0 licences, 1 assignments authored; 0 unchanged");

    // The officer's next sync brings the new zone and the assignment.
    let pulled = officer.pull_all().await?;
    assert!(pulled.iter().any(|e| e.kind == "zone.defined" && e.body["zone"] == "Z-T02-V09-B"), "the new zone is pulled");
    assert!(pulled.iter().any(|e| e.kind == "assignment.set" && e.body["zone"] == "Z-T02-V09-B" && e.body["officer"] == "vo-t02-v08"));

    // The server's writer saw the import: a patrol in the new zone is admitted...
    let Body::PatrolRecorded(mut patrol) = tracks::patrol(&old_zone.zone, now - 3_600_000, 20, 7) else { anyhow::bail!("a patrol") };
    patrol.zone = ZoneId::new("Z-T02-V09-B")?;
    let event = officer.seal(&Body::PatrolRecorded(patrol));
    let reply = officer.sync(&[event]).await?;
    assert_eq!(reply.acks[0].status, AckStatus::Accepted, "{:?}", reply.acks);

    // ...and the server authors on its chain after the import's events.
    let mut admin = RawDevice::new(&server.url(), "admin")?;
    admin.login(DEMO_PASSWORD).await?;
    let request = json!({ "officer": "vo-t02-v08", "zone": "Z-T02-V08", "from": now });
    let (status, body) = admin.post("/v1/admin/assignments", &serde_json::to_vec(&request)?).await?;
    assert!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&body));
    Ok(())
}

/// A county whose server runs with its own `[checks]`: an import beside it re-checks the patrols
/// it touches by the same thresholds (the config file named to the import), never the defaults.
#[tokio::test]
async fn an_import_rechecks_by_the_countys_configured_thresholds() -> Result<()> {
    // A margin of 50 km: a walk in the neighbouring village's zone still lies within it.
    let server = TestApp::spawn(&[("PATROLSYNC_CHECKS_GEOFENCE_MARGIN_M", "50000")])?;
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("county.toml");
    std::fs::write(&config, "[checks.geofence]\nmargin_m = 50000.0\n")?;
    let (own, other) = (ZoneId::new("Z-T03-V02")?, ZoneId::new("Z-T03-V01")?);
    let mut officer = RawDevice::new(&server.url(), "vo-t03-v02")?;
    officer.login(DEMO_PASSWORD).await?;
    let now = now_ms() as i64;
    let walk = tracks::line_patrol(&own, tracks::zone_centre(&other), now - 3 * 3_600_000, 100, 2_000);
    let event = officer.seal(&walk);
    let reply = officer.sync(std::slice::from_ref(&event)).await?;
    assert_eq!(reply.acks[0].status, AckStatus::Accepted, "{:?}", reply.acks);
    let check = |server: &TestApp| -> Result<(bool, i64)> {
        let store = server.open_store()?;
        let counts = store.query_row("SELECT counts FROM patrol_checks WHERE patrol = ?1", [event.id.0.as_bytes()], |r| r.get(0))?;
        let flags = store.query_row(
            "SELECT count(*) FROM flags WHERE event_id = ?1 AND kind = 'outside_zone' AND cleared_at IS NULL",
            [event.id.0.as_bytes()],
            |r| r.get(0),
        )?;
        Ok((counts, flags))
    };
    assert_eq!(check(&server)?, (true, 0), "within the county's 50 km margin");

    // The roster moves the officer's assignment back to before the walk: the walk is re-checked.
    let county = patrolsync_server::tools::demo::county();
    let zone = county.zone(&own).context("demo zone")?.clone();
    let rings: Vec<Vec<[f64; 2]>> =
        zone.boundary.0.iter().map(|r| r.iter().map(|[x, y]| [f64::from(*x) / 1e7, f64::from(*y) / 1e7]).collect()).collect();
    let from = chrono::DateTime::from_timestamp_millis(now - 4 * 3_600_000).context("time")?.to_rfc3339();
    let valid_from = chrono::DateTime::from_timestamp_millis(zone.valid_from).context("time")?.to_rfc3339();
    let file = json!({ "type": "FeatureCollection", "features": [{
        "type": "Feature", "id": "Z-T03-V02", "geometry": { "type": "Polygon", "coordinates": rings },
        "properties": { "kind": "zone", "name": zone.name, "village": "T03-V02", "township": "T03",
                        "valid_from": valid_from, "officer": "vo-t03-v02", "assigned_from": from },
    }]});
    let file_path = dir.path().join("zone.geojson");
    std::fs::write(&file_path, file.to_string())?;
    let out = reference(&["import", "--db", path(&server.db()), "--config", path(&config), path(&file_path)])?;
    ensure!(out.status.success(), "import failed: {}", stderr(&out));
    ensure!(stdout(&out).contains("1 assignments authored"), "the assignment moved: {}", stdout(&out));
    assert_eq!(check(&server)?, (true, 0), "re-checked by the county's margin, not the default 20 m");
    Ok(())
}
