//! Device clocks through the real server: a phone whose clock runs hours ahead gets one notice and
//! no patrol flags; days ahead, its patrols are future; a correct clock with a forged future patrol
//! is flagged; an event whose clock runs back along its chain, or reads years back, is flagged.
//! (Withdrawing a notice when the clock is set right is tested beside the rule, in
//! `sync_protocol::checks::clock`: a device's HLC never runs back, so it comes right only as real
//! time catches up with it.)

use anyhow::{Context, Result};
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{DEMO_PASSWORD, tracks};
use serde_json::Value;
use std::collections::BTreeMap;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::wire::AckStatus;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

async fn phone(server: &TestApp, user: &str, clock_offset_ms: i64) -> Result<RawDevice> {
    let mut d = RawDevice::new(&server.url(), user)?;
    d.clock_offset_ms = clock_offset_ms;
    d.login(DEMO_PASSWORD).await?;
    Ok(d)
}

/// Records and pushes a patrol of an hour and a half in `zone` ending `ends_before` ms before the
/// phone's own clock (so its times are the phone's).
async fn patrol(d: &mut RawDevice, zone: &str, ends_before: i64) -> Result<EventId> {
    let zone = ZoneId::new(zone)?;
    let start = d.now() as i64 - ends_before - 90 * 60_000;
    let event = d.seal(&tracks::line_patrol(&zone, tracks::zone_centre(&zone), start, 181, 2_000));
    let reply = d.sync(std::slice::from_ref(&event)).await?;
    anyhow::ensure!(reply.acks[0].status == AckStatus::Accepted, "{:?}", reply.acks);
    Ok(event.id)
}

/// Every open flag, with its kind, event and device-level detail.
async fn flags(server: &TestApp) -> Result<Vec<Value>> {
    let mut auditor = RawDevice::new(&server.url(), "ca-1")?;
    auditor.login(DEMO_PASSWORD).await?;
    let (_, list) = auditor.flags("limit=5000").await?;
    Ok(list["flags"].as_array().context("flags")?.clone())
}

fn kinds_of(flags: &[Value], event: EventId) -> Vec<String> {
    let mut k: Vec<String> =
        flags.iter().filter(|f| f["event"] == event.to_string()).map(|f| f["kind"].as_str().unwrap_or_default().to_string()).collect();
    k.sort();
    k
}

#[tokio::test]
async fn device_clocks_are_judged_by_what_the_device_says_within_a_tolerance() -> Result<()> {
    let server = spawn_app()?;
    // Three hours ahead (a wrong time zone): two patrols, two syncs.
    let mut ahead = phone(&server, "vo-t01-v01", 3 * HOUR).await?;
    let a1 = patrol(&mut ahead, "Z-T01-V01", 2 * HOUR).await?;
    let a2 = patrol(&mut ahead, "Z-T01-V01", 0).await?;
    // Three days ahead (a clock set by hand, wrongly).
    let mut days = phone(&server, "vo-t01-v02", 3 * DAY).await?;
    let d1 = patrol(&mut days, "Z-T01-V02", 0).await?;
    // A right clock, and a patrol dated two days ahead of it.
    let mut forger = phone(&server, "vo-t02-v01", 0).await?;
    let f2 = patrol(&mut forger, "Z-T02-V01", 3 * HOUR).await?;
    let f1 = patrol(&mut forger, "Z-T02-V01", -2 * DAY).await?;

    let all = flags(&server).await?;
    assert!(kinds_of(&all, a1).is_empty() && kinds_of(&all, a2).is_empty(), "hours ahead: no flag on any patrol: {all:?}");
    let notices: BTreeMap<String, Vec<&Value>> = all.iter().filter(|f| f["kind"] == "clock_offset").fold(BTreeMap::new(), |mut m, f| {
        m.entry(f["officer"].as_str().unwrap_or_default().to_string()).or_default().push(f);
        m
    });
    let mine = notices.get("vo-t01-v01").context("a notice for the phone 3 h ahead")?;
    assert_eq!(mine.len(), 1, "once, though it synced twice: {mine:?}");
    assert!(mine[0]["event"].is_null() && mine[0]["village"] == "T01-V01", "{}", mine[0]);
    let detail = mine[0]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with("the device's clock is 2 h 59 min ahead") || detail.starts_with("the device's clock is 3 h 0 min ahead"),
        "{detail}"
    );

    assert_eq!(kinds_of(&all, d1), ["clock_skew", "future_timestamp"], "days ahead: beyond the tolerance");
    assert_eq!(notices.get("vo-t01-v02").map(Vec::len), Some(1));
    assert_eq!(kinds_of(&all, f1), ["future_timestamp"], "ahead of the phone's own clock");
    assert!(kinds_of(&all, f2).is_empty());
    assert!(!notices.contains_key("vo-t02-v01"), "a right clock has no notice");

    Ok(())
}

#[tokio::test]
async fn an_event_clock_running_back_or_years_back_is_flagged() -> Result<()> {
    let server = spawn_app()?;
    let mut d = phone(&server, "vo-t03-v01", 0).await?;
    let zone = ZoneId::new("Z-T03-V01")?;
    let zero =
        |d: &mut RawDevice, week: i64| d.seal(&tracks::zero_report(&d.user.clone(), &zone, sync_protocol::values::IsoWeek::of_ms(week)));
    let first = zero(&mut d, now_ms() as i64);
    // The next event's clock two days before the first's (its HLC state lost and its wall clock
    // set back, or forged): an honest HLC only moves forward.
    d.clock_offset_ms = -2 * DAY;
    d.hlc = Hlc::ZERO;
    let back = zero(&mut d, now_ms() as i64 - 7 * DAY);
    let after = zero(&mut d, now_ms() as i64 - 14 * DAY);
    d.sync(&[first.clone(), back.clone(), after.clone()]).await?;
    // A new phone whose first event reads three years back.
    let mut reset = phone(&server, "vo-t03-v02", -3 * 365 * DAY).await?;
    reset.hlc = Hlc::ZERO;
    let zone2 = ZoneId::new("Z-T03-V02")?;
    let old = reset.seal(&tracks::zero_report(&reset.user.clone(), &zone2, sync_protocol::values::IsoWeek::of_ms(now_ms() as i64)));
    reset.sync(std::slice::from_ref(&old)).await?;

    let all = flags(&server).await?;
    assert!(kinds_of(&all, first.id).is_empty());
    assert_eq!(kinds_of(&all, back.id), ["behind_device_clock"]);
    assert!(kinds_of(&all, after.id).is_empty(), "only where the clock ran back");
    assert_eq!(kinds_of(&all, old.id), ["behind_device_clock"]);
    let detail = all.iter().find(|f| f["event"] == old.id.to_string()).and_then(|f| f["detail"].as_str()).unwrap_or_default();
    assert!(detail.contains("3 y") && detail.contains("a reset or forged clock"), "{detail}");
    Ok(())
}
