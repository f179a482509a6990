//! Durability with real replicas against the real server process: acknowledged events survive a
//! SIGKILL in the middle of a sync storm, nothing is stored twice; a device process killed in the
//! middle of a sync (the server frozen with SIGSTOP) loses and duplicates nothing.

use anyhow::{Context, Result, ensure};
use patrolsync_client::sync;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::device::{
    DeviceCli, new_patrol, outbox, phone, replica_ids, signal, stored_by_device, stored_events, wait_for, walk, write_walk,
};
use patrolsync_tests::raw::now_ms;
use patrolsync_tests::server::TestServer;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use sync_protocol::ids::{UserId, ZoneId};

use super::{runtime, zone};

const STORM_PHONES: usize = 6;
const STORM_EVENTS: usize = 150;
const STORM_CHUNK: usize = 10;

#[derive(Default)]
struct Storm {
    in_flight: AtomicUsize,
    acked: AtomicUsize,
    paused: AtomicBool,
}

/// One phone of the storm: records its patrols offline in chunks and syncs after each chunk,
/// riding out the server's death; returns its device id once everything is recorded and sent.
fn storm_phone(path: PathBuf, url: String, user: UserId, zone: ZoneId, storm: Arc<Storm>) -> Result<String> {
    let rt = runtime();
    let mut replica = rt.block_on(phone(&path, &url, user.as_str()))?;
    rt.block_on(sync::sync(&mut replica))?;
    let start = now_ms() as i64 - 6 * 3_600_000;
    let mut recorded = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        for _ in 0..STORM_CHUNK.min(STORM_EVENTS - recorded) {
            let track = walk(&zone, start + recorded as i64 * 60_000, 4, recorded as u64);
            replica.record_patrol(new_patrol(None, track, &format!("storm {recorded}")))?;
            recorded += 1;
        }
        while storm.paused.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(2));
        }
        storm.in_flight.fetch_add(1, Ordering::SeqCst);
        let result = rt.block_on(sync::sync(&mut replica));
        storm.in_flight.fetch_sub(1, Ordering::SeqCst);
        match result {
            Ok(report) => {
                storm.acked.fetch_add(report.accepted + report.duplicates, Ordering::SeqCst);
                if recorded == STORM_EVENTS && report.pending == 0 {
                    return Ok(replica.require_active()?.device_id.to_string());
                }
            }
            Err(e) if !e.is_permanent() => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(e.into()),
        }
        ensure!(std::time::Instant::now() < deadline, "{user}: the storm did not settle");
    }
}

#[test]
fn acknowledged_events_survive_a_sigkill_in_a_sync_storm_and_nothing_is_stored_twice() -> Result<()> {
    let mut server = TestServer::start()?;
    let dir = tempfile::tempdir()?;
    let county = patrolsync_server::tools::demo::county();
    let storm = Arc::new(Storm::default());
    let mut phones = Vec::new();
    for (i, officer) in county.officers().iter().take(STORM_PHONES).enumerate() {
        let zone = county.zone_of(&officer.user).context("officer zone")?.zone.clone();
        let path = dir.path().join(format!("phone-{i}.db"));
        let (url, user, storm) = (server.url(), officer.user.clone(), storm.clone());
        let p = path.clone();
        phones.push((path, std::thread::spawn(move || storm_phone(p, url, user, zone, storm))));
    }

    // Kill once a good share is acknowledged and requests are on the wire.
    let half = STORM_PHONES * STORM_EVENTS / 3;
    wait_for("the storm to be under way", Duration::from_secs(90), || {
        Ok(storm.acked.load(Ordering::SeqCst) >= half && storm.in_flight.load(Ordering::SeqCst) > 0)
    })?;
    server.kill();
    storm.paused.store(true, Ordering::SeqCst);
    wait_for("the replies in flight to fail or land", Duration::from_secs(30), || Ok(storm.in_flight.load(Ordering::SeqCst) == 0))?;
    // Anything marked sent now was acknowledged before the kill.
    let mut acked = Vec::new();
    for (path, _) in &phones {
        acked.extend(outbox(path, "sent")?);
    }
    ensure!(acked.len() >= half, "only {} acknowledged before the kill", acked.len());

    server.restart()?;
    let stored: BTreeSet<String> = stored_events(&server.open_store()?)?.into_iter().map(|(id, _, _)| id).collect();
    let lost: Vec<&String> = acked.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(lost.is_empty(), "{} acknowledged events are missing after the restart: {lost:?}", lost.len());

    storm.paused.store(false, Ordering::SeqCst);
    for (path, handle) in phones {
        let device = handle.join().map_err(|_| anyhow::anyhow!("phone thread panicked"))??;
        let recorded = replica_ids(&path, "SELECT event_id FROM outbox")?;
        assert_eq!(recorded.len(), STORM_EVENTS);
        assert!(outbox(&path, "pending")?.is_empty() && outbox(&path, "rejected")?.is_empty());
        let on_server = stored_by_device(&server.open_store()?, &device)?;
        assert_eq!(on_server.len(), STORM_EVENTS, "every recorded event is stored");
        assert!(on_server.values().all(|n| *n == 1), "no event twice");
        assert_eq!(on_server.keys().cloned().collect::<BTreeSet<_>>(), recorded.into_iter().collect());
    }
    Ok(())
}

#[test]
fn a_device_process_killed_mid_sync_loses_nothing_and_duplicates_nothing() -> Result<()> {
    let server = TestServer::start()?;
    let dir = tempfile::tempdir()?;
    let cli = DeviceCli::new(dir.path().join("phone.db"));
    cli.login(&server.url(), "vo-t01-v01", DEMO_PASSWORD)?;
    cli.run(&["sync"])?;
    let start = now_ms() as i64 - 5 * 3_600_000;
    let mut ids = BTreeSet::new();
    for i in 0..5 {
        let track = write_walk(dir.path(), &format!("walk-{i}.gpx"), &zone("Z-T01-V01"), start + i * 1_800_000, 6, i as u64)?;
        ids.insert(cli.record_patrol(&track, &["--summary", "river bank"])?.to_string());
    }
    assert_eq!(cli.status()?["pending"], 5);

    // The server is frozen: the sync sends its request and waits for a reply that never comes.
    let pid = server.pid().context("server pid")?;
    signal(pid, "STOP")?;
    let mut child = cli.spawn(&["sync"])?;
    let attempted = || Ok(replica_ids(&cli.replica, "SELECT event_id FROM outbox WHERE attempts > 0")?.len() == 5);
    let waited = wait_for("the sync to push", Duration::from_secs(30), attempted);
    child.kill()?; // SIGKILL
    child.wait()?;
    signal(pid, "CONT")?;
    waited?;
    assert_eq!(outbox(&cli.replica, "pending")?, ids, "nothing was acknowledged to the killed process");

    // The server may well have committed the push it read after waking up; a new sync settles it.
    let report = cli.run(&["sync"])?;
    let status = cli.status()?;
    assert_eq!((status["pending"].as_u64(), status["sent"].as_u64()), (Some(0), Some(5)), "{report}");
    let on_server = stored_by_device(&server.open_store()?, status["device_id"].as_str().context("device id")?)?;
    assert_eq!(on_server.keys().cloned().collect::<BTreeSet<_>>(), ids);
    assert!(on_server.values().all(|n| *n == 1), "no event twice");
    Ok(())
}
