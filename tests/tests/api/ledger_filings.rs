//! A patrol's ledger row holds what was filed under it before the patrol itself reached the server
//! (a finding from the officer's other phone, which synced first): the writer learns what is filed
//! under a push's patrols once per push, so such a patrol is folded with its group, and the read
//! model equals its rebuild from the log.

use anyhow::{Context, Result, ensure};
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::tracks;
use reqwest::StatusCode;
use serde_json::Value;
use sync_protocol::body::{FindingKind, Mineral};
use sync_protocol::event::Event;
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::wire::AckStatus;

const HOUR_MS: i64 = 3_600_000;

async fn pushed(d: &mut RawDevice, events: &[Event]) -> Result<()> {
    let reply = d.sync(events).await?;
    ensure!(reply.acks.len() == events.len(), "{:?}", reply.acks);
    ensure!(reply.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", reply.acks);
    Ok(())
}

/// The ledger row of `patrol` in the county's ledger of the last two days.
async fn row_of(county: &RawDevice, patrol: EventId) -> Result<Value> {
    let day = |ms: i64| chrono::DateTime::from_timestamp_millis(ms + 8 * HOUR_MS).map(|t| t.format("%Y-%m-%d").to_string());
    let now = now_ms() as i64;
    let path = format!("/v1/ledger?from={}&to={}", day(now - 48 * HOUR_MS).context("day")?, day(now).context("day")?);
    let (status, body) = county.get_json(&path).await?;
    ensure!(status == StatusCode::OK, "{path}: {status} {body}");
    let rows = body["rows"].as_array().context("rows")?;
    rows.iter().find(|r| r["patrol"] == patrol.to_string()).cloned().with_context(|| format!("no row for {patrol}"))
}

#[tokio::test]
async fn a_finding_that_reaches_the_server_before_its_patrol_is_on_the_patrols_row() -> Result<()> {
    let server = spawn_app()?;
    let mut phone = server.device("vo-t01-v01").await?;
    let mut second_phone = server.device("vo-t01-v01").await?;
    let county = server.device("ca-1").await?;
    let zone = ZoneId::new("Z-T01-V01")?;
    let start = now_ms() as i64 - 6 * HOUR_MS;

    // The patrol is recorded on one phone, which stays offline; the officer's second phone reports
    // a finding on it afterwards and syncs first.
    let patrol = phone.seal(&tracks::patrol(&zone, start, 40, 1));
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let finding =
        second_phone.seal(&tracks::finding(&zone, patrol.id, start + 600_000, FindingKind::UnlicensedMining, Some(Mineral::RareEarth)));
    pushed(&mut second_phone, &[finding]).await?;
    pushed(&mut phone, std::slice::from_ref(&patrol)).await?;
    let row = row_of(&county, patrol.id).await?;
    assert_eq!(row["findings"], "unlicensed_mining/rare_earth stopped_on_spot high_priority", "{row}");
    assert_eq!(row["high_priority"], true, "{row}");

    // A finding sealed before its patrol on the same phone (the patrol named ahead) precedes it in
    // the fold: a conflict, off the patrol's row, in the read model as in its rebuild.
    let named = EventId(uuid::Uuid::now_v7());
    let early = phone.seal(&tracks::finding(&zone, named, start + 2 * HOUR_MS, FindingKind::IllegalTrading, None));
    let late_patrol = phone.seal_as(named, &tracks::patrol(&zone, start + 2 * HOUR_MS, 40, 2));
    pushed(&mut phone, &[early, late_patrol]).await?;
    assert_eq!(row_of(&county, named).await?["findings"], "", "a finding folded before its patrol is not on its row");

    let audit = server.offline_store().read_model()?;
    assert_eq!(audit.differences, 0, "the read model equals its rebuild from the log: {audit:?}");
    Ok(())
}
