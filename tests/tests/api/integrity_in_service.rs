//! Issue 11, point 8: integrity in service, on the application in-process. A stored event edited
//! in the database is withheld from pulls with a marker and flagged once, and the phone that pulls
//! it still applies its acks and the good events, keeping the bad one aside. A store rolled back to
//! an older copy, which takes restarts, is in `process/integrity_in_service.rs`.

use anyhow::{Context, Result};
use patrolsync_server::args;
use patrolsync_server::store::sql::Sql;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::device::{DeviceCli, write_walk};
use patrolsync_tests::raw::now_ms;
use std::path::Path;
use sync_protocol::ids::ZoneId;

const OFFICER: &str = "vo-t01-v01";
const INSPECTOR: &str = "ti-t01-1";

/// A patrol of the officer's zone recorded on `phone`, `seed` minutes after five hours ago.
fn patrol(phone: &DeviceCli, dir: &Path, name: &str, seed: u64) -> Result<String> {
    let start = now_ms() as i64 - 5 * 3_600_000 + seed as i64 * 60_000;
    let track = write_walk(dir, name, &ZoneId::new("Z-T01-V01")?, start, 30, seed)?;
    Ok(phone.record_patrol(&track, &["--findings", "--summary", "plain"])?.to_string())
}

fn flags_of_kind(server: &TestApp, kind: &str) -> Result<i64> {
    server.sql()?.count("SELECT count(*) FROM flags WHERE kind = ?1", args![kind])
}

#[test]
fn a_changed_stored_event_is_withheld_and_flagged_and_the_puller_applies_the_rest() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = spawn_app()?;
    let officer = DeviceCli::new(dir.path().join("officer.db"));
    officer.login(&server.url(), OFFICER, DEMO_PASSWORD)?;
    officer.run(&["sync"])?;
    let first = patrol(&officer, dir.path(), "a.gpx", 1)?;
    let finding = officer.report_finding(&first, "unlicensed_mining", (114.4861, 25.5461), "open pit")?.to_string();
    officer.run(&["sync"])?;
    let inspector = DeviceCli::new(dir.path().join("inspector.db"));
    inspector.login(&server.url(), INSPECTOR, DEMO_PASSWORD)?;
    inspector.run(&["sync"])?;

    let second = patrol(&officer, dir.path(), "b.gpx", 2)?;
    let third = patrol(&officer, dir.path(), "c.gpx", 3)?;
    officer.run(&["sync"])?;
    // Someone with the database file edits the second patrol's stored text (triggers dropped).
    let store = server.sql()?;
    store.unguard("events")?;
    let changed = store.run(
        "UPDATE events SET raw = replace(raw, '\"summary\":\"plain\"', '\"summary\":\"edited\"') WHERE id = ?1",
        args![uuid::Uuid::parse_str(&second)?.as_bytes()],
    )?;
    assert_eq!(changed, 1);
    let edited = store.count("SELECT count(*) FROM events WHERE raw LIKE '%\"summary\":\"edited\"%'", &[])?;
    assert_eq!(edited, 1, "the stored text was changed");
    drop(store);

    // The inspector has an own event pending; its sync pulls the changed row.
    inspector.run(&["case", "open", "--finding", &finding, "--township", "T01"])?;
    let out = inspector.run(&["sync"])?;
    assert!(out.contains("kept aside"), "{out}");
    let status = inspector.status()?;
    assert_eq!((status["pending"].as_u64(), status["sent"].as_u64()), (Some(0), Some(1)), "its own ack was applied: {status}");
    let ledger = inspector.ledger()?.to_string();
    assert!(ledger.contains(&third), "the good events after the bad one were applied");
    assert!(!ledger.contains(&second), "the changed one was not");
    let problems = inspector.json(&["problems", "--json"])?;
    let aside = problems["aside"].as_array().context("aside")?;
    assert_eq!(aside.len(), 1, "{problems}");
    assert_eq!(aside[0]["event_id"], second.as_str());
    assert!(aside[0]["problem"].as_str().unwrap_or_default().contains("服务器已扣留"), "{problems}");

    assert_eq!(flags_of_kind(&server, "tampering:stored_event_changed")?, 1);
    inspector.run(&["sync"])?;
    let other = DeviceCli::new(dir.path().join("auditor.db"));
    other.login(&server.url(), "ca-1", DEMO_PASSWORD)?;
    other.run(&["sync"])?;
    assert_eq!(flags_of_kind(&server, "tampering:stored_event_changed")?, 1, "raised once, however often it is served");
    Ok(())
}
