//! The application on an injected clock, in-process on port 0: a fixed date decides the reports'
//! default week and `as_of`, and a token's expiry; moving the clock, with no sleeping, expires the
//! token.

use anyhow::{Context, Result};
use patrolsync_server::clock::{Clock, TestClock};
use patrolsync_server::config::Config;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::TestApp;
use patrolsync_tests::raw::RawDevice;
use reqwest::StatusCode;

/// 2026-12-10 12:00 county time (04:00 UTC), a Thursday of ISO week 2026-W50.
const DEC_10_NOON: i64 = 1_796_875_200_000;

#[tokio::test]
async fn a_fixed_clock_decides_the_default_week_and_when_a_token_expires() -> Result<()> {
    let clock = TestClock::at(DEC_10_NOON);
    let app = TestApp::spawn_on(clock.clone(), &[])?;
    let mut auditor = RawDevice::new(&app.url(), "ca-1")?;
    let login = auditor.login(DEMO_PASSWORD).await?;
    let ttl_ms = Config::default().token_ttl_s * 1_000;
    assert_eq!(login.expires_at, DEC_10_NOON + ttl_ms, "the token expires a lifetime after the clock's now");

    let (status, report) = auditor.compliance("").await?;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["week"], "2026-W50", "the default week is the clock's");
    assert_eq!(report["as_of"], DEC_10_NOON);

    clock.advance(ttl_ms);
    let (status, _) = auditor.compliance("").await?;
    assert_eq!(status, StatusCode::OK, "still valid at its expiry second");
    clock.advance(1_000);
    let (status, body) = auditor.compliance("").await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "expired one second later: {body}");
    assert_eq!(clock.now_ms(), DEC_10_NOON + ttl_ms + 1_000);
    Ok(())
}

/// The clock rules read the injected clock: on 10 December (the server's clock), a phone three
/// hours ahead of it is a clock to set, not a forger, though the machine's real date is another.
#[tokio::test]
async fn the_clock_checks_judge_a_device_against_the_injected_clock() -> Result<()> {
    use patrolsync_tests::tracks;
    use sync_protocol::ids::ZoneId;
    use sync_protocol::wire::AckStatus;

    const HOUR: i64 = 3_600_000;
    let clock = TestClock::at(DEC_10_NOON);
    let app = TestApp::spawn_on(clock.clone(), &[])?;
    let mut phone = RawDevice::new(&app.url(), "vo-t01-v01")?;
    phone.clock_offset_ms = DEC_10_NOON + 3 * HOUR - patrolsync_tests::raw::now_ms() as i64;
    phone.login(DEMO_PASSWORD).await?;
    let zone = ZoneId::new("Z-T01-V01")?;
    let start = phone.now() as i64 - 90 * 60_000;
    let event = phone.seal(&tracks::line_patrol(&zone, tracks::zone_centre(&zone), start, 181, 2_000));
    let reply = phone.sync(std::slice::from_ref(&event)).await?;
    anyhow::ensure!(reply.acks[0].status == AckStatus::Accepted, "{:?}", reply.acks);

    let mut auditor = RawDevice::new(&app.url(), "ca-1")?;
    auditor.login(DEMO_PASSWORD).await?;
    let (_, list) = auditor.flags("limit=100").await?;
    let flags = list["flags"].as_array().context("flags")?;
    let on_patrol: Vec<&str> = flags.iter().filter(|f| f["event"] == event.id.to_string()).filter_map(|f| f["kind"].as_str()).collect();
    assert!(!on_patrol.contains(&"future_timestamp") && !on_patrol.contains(&"clock_skew"), "{flags:?}");
    let notice = flags.iter().find(|f| f["kind"] == "clock_offset").context("a clock_offset notice")?;
    let detail = notice["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with("the device's clock is 2 h 59 min ahead") || detail.starts_with("the device's clock is 3 h 0 min ahead"),
        "{detail}"
    );
    Ok(())
}
