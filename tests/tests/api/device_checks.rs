//! The checks on the phone: before syncing, the officer's CLI says whether a patrol will count and
//! why, offline, with the same functions as the server; after syncing, the server's stored check
//! is the same, and the `flags` command lists what the server flagged in the officer's scope.

use anyhow::{Context, Result};
use patrolsync_server::args;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::device::{DeviceCli, write_track};
use patrolsync_tests::raw::now_ms;
use patrolsync_tests::tracks;
use sync_protocol::body::Body;
use sync_protocol::checks::recheck::PatrolCheck;
use sync_protocol::ids::{EventId, ZoneId};

/// Records a patrol and returns its id and what the CLI told the officer.
fn record(phone: &DeviceCli, track: &std::path::Path) -> Result<(EventId, String)> {
    let out = phone.output(&["record-patrol", "--track", track.to_str().context("utf-8 path")?])?;
    anyhow::ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Ok((String::from_utf8(out.stdout)?.trim().parse()?, String::from_utf8(out.stderr)?))
}

fn device_check(phone: &DeviceCli, patrol: EventId) -> Result<PatrolCheck> {
    let verdict: serde_json::Value = serde_json::from_str(&phone.run(&["check-patrol", "--patrol", &patrol.to_string(), "--json"])?)?;
    Ok(serde_json::from_value(verdict["check"].clone())?)
}

fn server_check(server: &TestApp, patrol: EventId) -> Result<PatrolCheck> {
    let json: String = server.sql()?.value("SELECT report FROM patrol_checks WHERE patrol = ?1", args![patrol.0.as_bytes()])?;
    Ok(serde_json::from_str(&json)?)
}

#[test]
fn the_phone_says_offline_whether_a_patrol_counts_and_the_server_agrees() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    let phone = DeviceCli::new(dir.path().join("phone.db"));
    phone.login(&server.url(), "vo-t01-v01", DEMO_PASSWORD)?;
    phone.run(&["sync"])?;
    let start = now_ms() as i64 - 5 * 3_600_000;

    // 49.5 min and 1.98 km in the officer's own zone, then the same in the neighbouring village's.
    let line = |zone: &str, start: i64| -> Result<Vec<sync_protocol::values::TrackPoint>> {
        let zone = ZoneId::new(zone)?;
        let Body::PatrolRecorded(p) = tracks::line_patrol(&zone, tracks::zone_centre(&zone), start, 100, 2_000) else {
            anyhow::bail!("not a patrol")
        };
        Ok(p.track)
    };
    let home = write_track(dir.path(), "home.gpx", &line("Z-T01-V01", start)?)?;
    let astray = write_track(dir.path(), "astray.gpx", &line("Z-T01-V02", start + 2 * 3_600_000)?)?;
    let (counted, said) = record(&phone, &home)?;
    assert!(said.contains("counts: 49 min, 1.9 km in zone, 100 % inside (计入每周巡查次数)"), "{said}");
    let (flagged, said) = record(&phone, &astray)?;
    assert!(said.contains("does not count: 0 min in zone, below 30") && said.contains("(不计入每周巡查次数)"), "{said}");
    assert!(said.contains("FLAGGED (预警)"), "{said}");

    // Offline, before syncing: the same answers from `check-patrol`.
    let before = (device_check(&phone, counted)?, device_check(&phone, flagged)?);
    assert!(before.0.decision.counts && !before.1.decision.counts && before.1.report.flagged);
    phone.run(&["sync"])?;
    assert_eq!(server_check(&server, counted)?, before.0, "the server's check equals the phone's");
    assert_eq!(server_check(&server, flagged)?, before.1);

    let listed = phone.run(&["flags"])?;
    assert!(listed.contains("flags (预警): 2") && listed.contains("outside_zone") && listed.contains(&flagged.to_string()), "{listed}");
    assert!(listed.contains("not_counted") && listed.contains("does not count: 0 min in zone, below 30"), "{listed}");
    let mine = phone.run(&["flags", "--officer", "vo-t01-v01", "--kind", "not_counted"])?;
    assert!(mine.contains("flags (预警): 1"), "{mine}");
    let unknown_kind = phone.output(&["flags", "--kind", "outside"])?;
    assert!(!unknown_kind.status.success(), "an unknown kind is refused on the phone");
    let week: serde_json::Value = serde_json::from_str(&phone.run(&["report", "compliance"])?)?;
    assert!(week.to_string().contains("vo-t01-v01"), "the officer's own compliance row: {week}");
    let refused = phone.output(&["report", "integrity"])?;
    assert!(!refused.status.success(), "the integrity check is for county roles");
    let none = phone.run(&["flags", "--kind", "unlicensed_area"])?;
    assert!(none.contains("flags (预警): 0"), "{none}");
    let bad = phone.output(&["flags", "--week", "2026-W77"])?;
    assert!(!bad.status.success());
    let unknown = phone.output(&["check-patrol", "--patrol", &EventId(uuid::Uuid::now_v7()).to_string()])?;
    assert!(!unknown.status.success() && String::from_utf8_lossy(&unknown.stderr).contains("no patrol"));
    Ok(())
}

/// RFC 3339 text of Unix ms, as the CLI takes times.
fn rfc3339(ms: i64) -> Result<String> {
    Ok(chrono::DateTime::from_timestamp_millis(ms).context("a time")?.to_rfc3339())
}

/// Reports a finding at the zone's centre on `patrol`, observed at `at` if given.
fn report(phone: &DeviceCli, patrol: EventId, zone: &ZoneId, at: Option<i64>) -> Result<std::process::Output> {
    let c = tracks::zone_centre(zone);
    let (lon, lat) = (f64::from(c.lon) / 1e7, f64::from(c.lat) / 1e7);
    let mut args: Vec<String> =
        ["report-finding", "--patrol", &patrol.to_string(), "--kind", "unlicensed_exploration"].into_iter().map(str::to_owned).collect();
    args.extend(["--lon".into(), lon.to_string(), "--lat".into(), lat.to_string(), "--description".into(), "钻孔取样 drilling".into()]);
    if let Some(at) = at {
        args.extend(["--observed-at".into(), rfc3339(at)?]);
    }
    phone.output(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn a_finding_states_when_it_was_seen_and_a_zero_report_it_contradicts_is_flagged() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    let phone = DeviceCli::new(dir.path().join("phone.db"));
    phone.login(&server.url(), "vo-t01-v01", DEMO_PASSWORD)?;
    phone.run(&["sync"])?;
    let zone = ZoneId::new("Z-T01-V01")?;
    let line = |start: i64| -> Result<Vec<sync_protocol::values::TrackPoint>> {
        let Body::PatrolRecorded(p) = tracks::line_patrol(&zone, tracks::zone_centre(&zone), start, 100, 2_000) else {
            anyhow::bail!("not a patrol")
        };
        Ok(p.track)
    };
    // This week's zero report is filed first; last week's after a finding of last week.
    let this_week = now_ms() as i64 - 3_600_000;
    let last_week = this_week - 7 * 86_400_000;
    phone.run(&["zero-report"])?;
    phone.run(&["sync"])?;

    let (patrol, _) = record(&phone, &write_track(dir.path(), "last.gpx", &line(last_week - 3_600_000)?)?)?;
    let late = report(&phone, patrol, &zone, Some(last_week + 86_400_000))?;
    assert!(!late.status.success(), "a day after the patrol is refused");
    assert!(String::from_utf8_lossy(&late.stderr).contains("is not within its patrol"), "{}", String::from_utf8_lossy(&late.stderr));
    let seen = last_week - 3_600_000 + 10 * 60_000;
    let out = report(&phone, patrol, &zone, Some(seen))?;
    anyhow::ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let finding: EventId = String::from_utf8(out.stdout)?.trim().parse()?;
    let week = sync_protocol::values::IsoWeek::of_ms(seen).to_string();
    phone.run(&["zero-report", "--week", &week])?;
    // A finding of this week, typed in now: it contradicts the zero report filed before it.
    let (today, _) = record(&phone, &write_track(dir.path(), "today.gpx", &line(this_week - 3_600_000)?)?)?;
    let typed = report(&phone, today, &zone, None)?;
    let said = String::from_utf8_lossy(&typed.stderr);
    anyhow::ensure!(typed.status.success(), "{said}");
    // Taken at the typing time, after its patrol: the phone says so, and how to give the time seen.
    anyhow::ensure!(said.contains("observed at the typing time") && said.contains("give --observed-at"), "{said}");
    phone.run(&["sync"])?;

    let raw: String = server.sql()?.value("SELECT raw FROM events WHERE id = ?1", args![finding.0.as_bytes()])?;
    let event: serde_json::Value = serde_json::from_str(&raw)?;
    assert_eq!(event["body"]["observed_at"], seen, "the time it was seen, not the typing time");
    let listed = phone.run(&["flags", "--kind", "contradictory_zero_report"])?;
    assert!(listed.contains("flags (预警): 2"), "both zero reports, whichever arrived first: {listed}");
    assert!(listed.contains(&format!("a zero report for {week}, in which the officer reported finding {finding}")), "{listed}");

    // A tin finding is high priority, and the phone's flag list says so.
    let mut tin: Vec<String> = ["report-finding", "--patrol", &today.to_string(), "--kind", "geological_hazard", "--mineral", "tin"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    let c = tracks::zone_centre(&zone);
    tin.extend(["--lon".into(), (f64::from(c.lon) / 1e7).to_string(), "--lat".into(), (f64::from(c.lat) / 1e7).to_string()]);
    tin.extend(["--description".into(), "锡矿石堆 a heap of tin ore".into()]);
    phone.run(&tin.iter().map(String::as_str).collect::<Vec<_>>())?;
    phone.run(&["sync"])?;
    let high = phone.run(&["flags", "--high-priority"])?;
    assert!(high.contains("flags (预警): 1") && high.contains("- HIGH PRIORITY (重点) ") && high.contains("protected_mineral"), "{high}");
    let all = phone.run(&["flags"])?;
    assert_eq!(all.matches("HIGH PRIORITY").count(), 1, "only the tin finding's flag is marked: {all}");
    Ok(())
}

/// `patrol-device sync | head -1`: the reader gone, the command ends quietly (it panicked on the
/// closed pipe), its sync done.
#[test]
fn a_command_whose_reader_stops_ends_quietly() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    let phone = DeviceCli::new(dir.path().join("phone.db"));
    phone.login(&server.url(), "vo-t01-v01", DEMO_PASSWORD)?;
    let (reader, writer) = std::io::pipe()?;
    drop(reader);
    let out = phone.command(&["sync"])?.stdout(writer).stderr(std::process::Stdio::piped()).output()?;
    let said = String::from_utf8_lossy(&out.stderr);
    anyhow::ensure!(out.status.success() && !said.contains("panicked"), "{}: {said}", out.status);
    let status = phone.run(&["status"])?;
    anyhow::ensure!(
        !status.contains("last sync (上次同步)       never") && status.contains("last sync (上次同步)"),
        "the sync was done: {status}"
    );
    Ok(())
}
