//! Offline life of a phone against the application in-process: an expired access token renewed
//! with the refresh token, without the password; a second officer on the same phone who neither
//! sees nor loses the first one's pending events.

use anyhow::{Context, Result};
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::device::{DeviceCli, outbox, replica_ids, stored_by_device, stored_events, wait_for, write_walk};
use patrolsync_tests::raw::now_ms;
use std::collections::BTreeSet;
use std::time::Duration;
use sync_protocol::ids::ZoneId;

fn zone(id: &str) -> ZoneId {
    ZoneId::new(id).expect("zone id")
}

#[test]
fn an_expired_access_token_is_renewed_with_the_refresh_token_without_the_password() -> Result<()> {
    let server = TestApp::spawn(&[("PATROLSYNC_TOKEN_TTL_S", "1")])?;
    let dir = tempfile::tempdir()?;
    let cli = DeviceCli::new(dir.path().join("phone.db"));
    cli.login_and_sync(&server.url(), "vo-t01-v01")?;
    let refresh_before = replica_ids(&cli.replica, "SELECT refresh_token FROM identities")?;
    let expires = cli.status()?["token_expires_at"].as_i64().context("token expiry")?;
    wait_for("the token to expire", Duration::from_secs(10), || Ok(now_ms() as i64 > expires + 500))?;
    let start = now_ms() as i64 - 3_600_000;
    let track = write_walk(dir.path(), "w.gpx", &zone("Z-T01-V01"), start, 5, 7)?;
    let id = cli.record_patrol(&track, &[])?.to_string();
    let out = cli.output(&["sync"])?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(cli.status()?["pending"].as_u64(), Some(0));
    assert_ne!(replica_ids(&cli.replica, "SELECT refresh_token FROM identities")?, refresh_before, "the refresh token rotated");
    assert!(stored_events(&server.sql()?)?.iter().any(|(e, a, _)| e == &id && a == "vo-t01-v01"));
    // Logging out ends the session on the server; the phone then needs the password again.
    let out = cli.output(&["logout"])?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let why: String = server.sql()?.value("SELECT revoked_why FROM sessions ORDER BY created_at DESC LIMIT 1", &[])?;
    assert_eq!(why, "logout");
    let out = cli.output(&["sync"])?;
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("log in again"));
    Ok(())
}

#[test]
fn a_second_officer_on_the_phone_neither_sees_nor_loses_the_first_ones_pending_events() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    let cli = DeviceCli::new(dir.path().join("shared-phone.db"));
    cli.login(&server.url(), "vo-t01-v01", DEMO_PASSWORD)?;
    cli.run(&["sync"])?;
    let first_device = cli.status()?["device_id"].as_str().context("device")?.to_owned();
    let start = now_ms() as i64 - 4 * 3_600_000;
    let mut firsts = BTreeSet::new();
    for i in 0..2 {
        let track = write_walk(dir.path(), &format!("a{i}.gpx"), &zone("Z-T01-V01"), start + i * 3_600_000, 5, i as u64)?;
        firsts.insert(cli.record_patrol(&track, &[])?.to_string());
    }

    cli.login(&server.url(), "vo-t01-v02", DEMO_PASSWORD)?;
    let status = cli.status()?;
    assert_eq!((status["user"].as_str(), status["pending"].as_u64()), (Some("vo-t01-v02"), Some(0)));
    assert_eq!(status["others"], serde_json::json!([{ "username": "vo-t01-v01", "pending": 2 }]));
    cli.run(&["sync"])?;
    let track = write_walk(dir.path(), "b.gpx", &zone("Z-T01-V02"), start, 5, 9)?;
    let second = cli.record_patrol(&track, &[])?.to_string();
    cli.run(&["sync"])?;
    let shown: Vec<String> = cli.ledger()?["patrols"]
        .as_array()
        .context("patrols")?
        .iter()
        .filter_map(|p| p["row"]["patrol"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(shown, vec![second.clone()], "the second officer sees only their own village");
    let stored: BTreeSet<String> = stored_events(&server.sql()?)?.into_iter().map(|(id, _, _)| id).collect();
    assert!(stored.contains(&second));
    assert!(firsts.iter().all(|id| !stored.contains(id)), "the first officer's events wait for the first officer");

    cli.run(&["switch-user", "--user", "vo-t01-v01"])?;
    assert_eq!(outbox(&cli.replica, "pending")?, firsts);
    cli.run(&["sync"])?;
    assert_eq!(cli.status()?["pending"], 0);
    let on_server = stored_by_device(&server.sql()?, &first_device)?;
    assert_eq!(on_server.keys().cloned().collect::<BTreeSet<_>>(), firsts);
    let authors: BTreeSet<String> =
        stored_events(&server.sql()?)?.into_iter().filter(|(id, _, _)| firsts.contains(id)).map(|(_, a, _)| a).collect();
    assert_eq!(authors, BTreeSet::from(["vo-t01-v01".to_string()]));
    Ok(())
}
