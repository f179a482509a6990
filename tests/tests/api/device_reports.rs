//! The reports on the phone: an officer's week computed offline ("1 of 2 patrols this week"),
//! and an inspector's ledger export written to a file by `patrol-device ledger-export`.

use anyhow::{Context, Result};
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::device::{DeviceCli, write_track};
use patrolsync_tests::raw::now_ms;
use patrolsync_tests::{DEMO_PASSWORD, tracks};
use sync_protocol::body::Body;
use sync_protocol::ids::ZoneId;

#[test]
fn the_phone_shows_its_week_offline_and_an_inspector_exports_the_ledger() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    let officer = DeviceCli::new(dir.path().join("officer.db"));
    officer.login(&server.url(), "vo-t03-v02", DEMO_PASSWORD)?;
    officer.run(&["sync"])?;
    let zone = ZoneId::new("Z-T03-V02")?;
    // Two patrols an hour apart in one county week, in the past: one that counts (100 fixes along
    // a line in the zone), one too short. Four hours ago, or the last hours of the week before
    // when the county's week began less than four hours ago (the second would fall in the next).
    let now = now_ms() as i64;
    let (week_start, _) = sync_protocol::values::IsoWeek::of_ms(now).bounds_ms();
    let start = if now - week_start >= 4 * 3_600_000 { now - 4 * 3_600_000 } else { week_start - 4 * 3_600_000 };
    for (name, fixes, at) in [("long.gpx", 100, start), ("short.gpx", 24, start + 3_600_000)] {
        let Body::PatrolRecorded(p) = tracks::line_patrol(&zone, tracks::zone_centre(&zone), at, fixes, 2_000) else { unreachable!() };
        officer.record_patrol(&write_track(dir.path(), name, &p.track)?, &[])?;
    }
    // Offline: the server is never asked.
    let w = sync_protocol::values::IsoWeek::of_ms(start).to_string();
    let week: serde_json::Value = serde_json::from_str(&officer.run(&["week", "--week", &w, "--json"])?)?;
    assert_eq!((week["patrols"].as_u64(), week["patrols_counting"].as_u64()), (Some(2), Some(1)));
    assert_eq!(week["status"], "1 of 2 patrols this week");
    assert!(officer.run(&["week", "--week", &w])?.contains("本周有效巡查 1/2 次"));
    officer.run(&["sync"])?;

    let inspector = DeviceCli::new(dir.path().join("inspector.db"));
    inspector.login(&server.url(), "ti-t03-1", DEMO_PASSWORD)?;
    let today = chrono::DateTime::from_timestamp_millis(now_ms() as i64 + 8 * 3_600_000).context("now")?.format("%Y-%m-%d").to_string();
    let out = dir.path().join("ledger.csv");
    let out_text = out.to_str().context("path")?;
    let yesterday =
        chrono::DateTime::from_timestamp_millis(now_ms() as i64 - 16 * 3_600_000).context("then")?.format("%Y-%m-%d").to_string();
    inspector.run(&["ledger-export", "--from", &yesterday, "--to", &today, "--township", "T03", "--lang", "en", "--out", out_text])?;
    let text = std::fs::read_to_string(&out)?;
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(reader.headers()?.get(0), Some("patrol"));
    let counts: Vec<String> = reader.records().map(|r| r.map(|r| r.get(9).unwrap_or_default().to_string())).collect::<Result<_, _>>()?;
    assert_eq!(counts, vec!["true", "false"], "one row per patrol, in order, with the server's check");
    // An officer may not export the township's ledger.
    let refused = officer.output(&["ledger-export", "--from", &yesterday, "--to", &today, "--township", "T03", "--out", out_text])?;
    assert!(!refused.status.success());
    Ok(())
}
