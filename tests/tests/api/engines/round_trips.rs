//! The PostgreSQL writer's round trips for a push do not grow with the push's patrols: the stored
//! tracks their copied-track checks compare with are read once for the whole push
//! (`checks::read_ahead`), not once for nearly every patrol (issue 16's push).

use anyhow::{Context, Result, ensure};
use patrolsync_server::clock::TestClock;
use patrolsync_server::metrics::Metrics;
use patrolsync_server::pool::Blocking;
use patrolsync_server::service::ingest::prepare;
use patrolsync_server::store::postgres::{PostgresStore, off_runtime};
use patrolsync_server::store::sessions::{RefreshToken, SessionSettings};
use patrolsync_server::store::sqlite::Settings;
use patrolsync_server::store::{Ingest, Sessions};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{engines, tracks};
use serde_json::value::RawValue;
use std::sync::Arc;
use sync_protocol::admit::Caller;
use sync_protocol::body::Role;
use sync_protocol::event::Event;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::ZoneId;
use sync_protocol::wire::{AckStatus, DeviceEnrolment};

const OFFICER: &str = "vo-t01-v01";
const HOUR_MS: i64 = 3_600_000;

/// The walks first stored: each later patrol repeats one of them (the same fixes an hour or more
/// later), so the fingerprint index names a stored patrol for every one of them.
const WALKS: u64 = 3;

/// The messages the writer has sent its database so far, as `GET /metrics` shows them.
fn messages(metrics: &Metrics) -> Result<u64> {
    let text = metrics.encode();
    let line = text.lines().find(|l| l.starts_with("patrolsync_writer_messages_total ")).context("the writer's messages")?;
    Ok(line.rsplit(' ').next().unwrap_or_default().parse()?)
}

/// Pushes `events` as the sync use case does, and returns how many messages the writer sent for
/// it; every event must be accepted.
async fn push(store: &PostgresStore, d: &RawDevice, metrics: &Metrics, events: &[Event]) -> Result<u64> {
    let raw: Vec<Box<RawValue>> = events.iter().map(|e| Ok(RawValue::from_string(serde_json::to_string(e)?)?)).collect::<Result<_>>()?;
    let caller = Caller { user: d.user.clone(), device: d.device, role: Role::VillageOfficer };
    let before = messages(metrics)?;
    let prepared = prepare(&raw, &d.key.public(), &store.check_snapshot());
    let (acks, _) = store.ingest(caller, prepared, Hlc::new(d.hlc.ms, 0)).await.map_err(|e| anyhow::anyhow!("ingest: {e:?}"))?;
    ensure!(acks.len() == events.len() && acks.iter().all(|a| a.status == AckStatus::Accepted), "{acks:?}");
    Ok(messages(metrics)? - before)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pushs_round_trips_to_postgresql_do_not_grow_with_its_patrols_copy_candidates() -> Result<()> {
    let (_dir, _, db) = engines::demo_on_both()?;
    let now = i64::try_from(now_ms())?;
    let metrics = Arc::new(Metrics::new());
    let settings = Settings { clock: TestClock::at(now), metrics: metrics.clone(), ..Settings::default() };
    let store = PostgresStore::open(db.url(), settings, Blocking::new("store", 2)?).map_err(|e| anyhow::anyhow!("opening: {e:?}"))?;

    let mut d = RawDevice::new("http://127.0.0.1:9", OFFICER)?;
    let enrolment = DeviceEnrolment { device_id: d.device, public_key: d.key.public(), label: "phone".into(), proof: None };
    store.enrol_and_start_session(d.user.clone(), enrolment, RefreshToken::random(), SessionSettings::default()).await?;
    let own = ZoneId::new("Z-T01-V01")?;
    let start = now - 30 * 24 * HOUR_MS;
    let mut walked = 0_i64;
    let mut repeat = |d: &mut RawDevice, n: u64| -> Vec<Event> {
        (0..n)
            .map(|i| {
                walked += 1;
                d.seal(&tracks::patrol(&own, start + walked * HOUR_MS, 20, 1 + i % WALKS))
            })
            .collect()
    };
    let first = repeat(&mut d, WALKS);
    push(&store, &d, &metrics, &first).await?;

    // A push of a few repeats and one of many: each repeat's stored walk is a candidate it is
    // compared with, read from the store (the push's own patrols are compared from memory).
    let few = repeat(&mut d, WALKS);
    let for_few = push(&store, &d, &metrics, &few).await?;
    let many = repeat(&mut d, 8 * WALKS);
    let for_many = push(&store, &d, &metrics, &many).await?;
    ensure!(for_many == for_few, "{for_few} messages for {WALKS} patrols, {for_many} for {}", 8 * WALKS);

    // The candidates were read and compared: every repeat is flagged as a copy.
    let flagged: Vec<Vec<u8>> = off_runtime(|| -> Result<Vec<Vec<u8>>> {
        let rows = db.connect()?.query("SELECT DISTINCT event_id FROM flags WHERE kind = 'duplicate_track'", &[])?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    })?;
    let unflagged = few.iter().chain(&many).filter(|e| !flagged.contains(&e.id.0.as_bytes().to_vec())).count();
    ensure!(unflagged == 0, "{unflagged} repeats not flagged as copies");
    drop(store);
    Ok(())
}
