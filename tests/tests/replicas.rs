//! End to end with real device replicas (the `patrol-device` CLI as a process, or the replica
//! library it runs) against the real server process: durability under SIGKILL in a sync storm,
//! a device process killed mid-sync, offline life (no network, expired tokens, a shared phone,
//! the upload loop's own timer), and scope (village, township, reassignment).

use anyhow::{Context, Result, ensure};
use patrolsync_client::replica::{OutboxState, Replica};
use patrolsync_client::sync::{self, Backoff, LoopConfig, SyncLoop};
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::device::{
    DeviceCli, local_projection, new_patrol, phone, replica_ids, server_projection, signal, stored_events, uuid_text, wait_for, walk,
    write_walk,
};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::server::TestServer;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use sync_protocol::ids::{EventId, UnitId, UserId, ZoneId};
use sync_protocol::scope::Bucket;

fn zone(id: &str) -> ZoneId {
    ZoneId::new(id).expect("zone id")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

/// How many times each id is stored, as accepted data, by `device`.
fn stored_by_device(server: &TestServer, device: &str) -> Result<BTreeMap<String, i64>> {
    let store = server.open_store()?;
    let mut stmt = store.prepare("SELECT id, count(*) FROM events WHERE device_id = ?1 AND accepted = 1 GROUP BY id")?;
    let device = uuid::Uuid::parse_str(device)?;
    let rows = stmt.query_map([device.as_bytes().to_vec()], |r| Ok((uuid_text(&r.get::<_, Vec<u8>>(0)?), r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn outbox(path: &Path, state: &str) -> Result<BTreeSet<String>> {
    Ok(replica_ids(path, &format!("SELECT event_id FROM outbox WHERE state = '{state}'"))?.into_iter().collect())
}

// ---------------------------------------------------------------------------------------------
// 1. Durability: SIGKILL in the middle of a sync storm.

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
        let on_server = stored_by_device(&server, &device)?;
        assert_eq!(on_server.len(), STORM_EVENTS, "every recorded event is stored");
        assert!(on_server.values().all(|n| *n == 1), "no event twice");
        assert_eq!(on_server.keys().cloned().collect::<BTreeSet<_>>(), recorded.into_iter().collect());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 2. A device process killed between writing and syncing.

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
    let on_server = stored_by_device(&server, status["device_id"].as_str().context("device id")?)?;
    assert_eq!(on_server.keys().cloned().collect::<BTreeSet<_>>(), ids);
    assert!(on_server.values().all(|n| *n == 1), "no event twice");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 3. Offline life.

/// Logs in and syncs; with one-second tokens the sync can miss the token's life, so try again.
fn login_and_sync(cli: &DeviceCli, url: &str, user: &str) -> Result<String> {
    for _ in 0..5 {
        cli.login(url, user, DEMO_PASSWORD)?;
        let out = cli.output(&["sync"])?;
        if out.status.success() {
            return Ok(String::from_utf8(out.stdout)?);
        }
        let err = String::from_utf8_lossy(&out.stderr);
        ensure!(err.contains("log in again"), "sync failed: {err}");
    }
    anyhow::bail!("no sync within five fresh tokens")
}

#[test]
fn an_expired_access_token_is_renewed_with_the_refresh_token_without_the_password() -> Result<()> {
    let server = TestServer::start_with(&[("PATROLSYNC_TOKEN_TTL_S", "1")])?;
    let dir = tempfile::tempdir()?;
    let cli = DeviceCli::new(dir.path().join("phone.db"));
    login_and_sync(&cli, &server.url(), "vo-t01-v01")?;
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
    assert!(stored_events(&server.open_store()?)?.iter().any(|(e, a, _)| e == &id && a == "vo-t01-v01"));
    // Logging out ends the session on the server; the phone then needs the password again.
    let out = cli.output(&["logout"])?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let why: String =
        server.open_store()?.query_row("SELECT revoked_why FROM sessions ORDER BY created_at DESC LIMIT 1", [], |r| r.get(0))?;
    assert_eq!(why, "logout");
    let out = cli.output(&["sync"])?;
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("log in again"));
    Ok(())
}

#[test]
fn an_ended_session_needs_a_login_and_the_pending_events_then_sync_under_their_author() -> Result<()> {
    // Access tokens of 1 s and refresh tokens of 2 s: days offline end the session.
    let mut server = TestServer::start_with(&[("PATROLSYNC_TOKEN_TTL_S", "1"), ("PATROLSYNC_AUTH_SESSIONS_REFRESH_TTL_S", "2")])?;
    let dir = tempfile::tempdir()?;
    let cli = DeviceCli::new(dir.path().join("phone.db"));
    login_and_sync(&cli, &server.url(), "vo-t01-v01")?;

    // Days in the mountains: no server, and the token runs out. Recording needs neither.
    server.kill();
    let start = now_ms() as i64 - 4 * 3_600_000;
    let mut ids = BTreeSet::new();
    for i in 0..3 {
        let track = write_walk(dir.path(), &format!("w{i}.gpx"), &zone("Z-T01-V01"), start + i * 3_600_000, 5, i as u64)?;
        ids.insert(cli.record_patrol(&track, &[])?.to_string());
    }
    let status = cli.status()?;
    let expires = status["token_expires_at"].as_i64().context("token expiry")?;
    let device = status["device_id"].as_str().context("device")?.to_owned();
    wait_for("the token to expire", Duration::from_secs(10), || Ok(now_ms() as i64 > expires + 2_000))?;
    assert_eq!(cli.status()?["token_valid"], false);

    server.restart()?;
    let out = cli.output(&["sync"])?;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("log in again") && err.contains("需要重新登录"), "{err}");
    assert_eq!(outbox(&cli.replica, "pending")?, ids, "the outbox is untouched");
    let attempts = replica_ids(&cli.replica, "SELECT CAST(sum(attempts) AS TEXT) FROM outbox")?;
    assert_eq!(attempts, vec!["0".to_string()], "nothing was even tried without a token");

    login_and_sync(&cli, &server.url(), "vo-t01-v01")?;
    let status = cli.status()?;
    assert_eq!((status["pending"].as_u64(), status["device_id"].as_str()), (Some(0), Some(device.as_str())));
    let authors: BTreeMap<String, String> =
        stored_events(&server.open_store()?)?.into_iter().filter(|(id, _, _)| ids.contains(id)).map(|(id, a, _)| (id, a)).collect();
    assert_eq!(authors.len(), 3);
    assert!(authors.values().all(|a| a == "vo-t01-v01"), "{authors:?}");
    assert_eq!(stored_by_device(&server, &device)?.len(), 3);
    Ok(())
}

#[test]
fn a_second_officer_on_the_phone_neither_sees_nor_loses_the_first_ones_pending_events() -> Result<()> {
    let server = TestServer::start()?;
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
    let shown: Vec<String> =
        cli.ledger()?["patrols"].as_array().context("patrols")?.iter().filter_map(|p| p["id"].as_str().map(str::to_owned)).collect();
    assert_eq!(shown, vec![second.clone()], "the second officer sees only their own village");
    let stored: BTreeSet<String> = stored_events(&server.open_store()?)?.into_iter().map(|(id, _, _)| id).collect();
    assert!(stored.contains(&second));
    assert!(firsts.iter().all(|id| !stored.contains(id)), "the first officer's events wait for the first officer");

    cli.run(&["switch-user", "--user", "vo-t01-v01"])?;
    assert_eq!(outbox(&cli.replica, "pending")?, firsts);
    cli.run(&["sync"])?;
    assert_eq!(cli.status()?["pending"], 0);
    let on_server = stored_by_device(&server, &first_device)?;
    assert_eq!(on_server.keys().cloned().collect::<BTreeSet<_>>(), firsts);
    let authors: BTreeSet<String> =
        stored_events(&server.open_store()?)?.into_iter().filter(|(id, _, _)| firsts.contains(id)).map(|(_, a, _)| a).collect();
    assert_eq!(authors, BTreeSet::from(["vo-t01-v01".to_string()]));
    Ok(())
}

#[test]
fn the_upload_loop_retries_on_its_own_timer_until_the_server_is_back() -> Result<()> {
    let mut server = TestServer::start()?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("phone.db");
    let rt = runtime();
    let mut replica = rt.block_on(phone(&path, &server.url(), "vo-t01-v01"))?;
    rt.block_on(sync::sync(&mut replica))?;
    let start = now_ms() as i64 - 3 * 3_600_000;
    let ids: Vec<EventId> = (0..2)
        .map(|i| replica.record_patrol(new_patrol(None, walk(&zone("Z-T01-V01"), start + i * 600_000, 4, 1), "loop")))
        .collect::<Result<_, _>>()?;
    let events_before = replica.event_count()?;
    server.kill();

    let (outcomes, seen) = std::sync::mpsc::channel::<Result<u64, String>>();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let looper = std::thread::spawn(move || {
        let config = LoopConfig {
            interval: Duration::from_millis(50),
            backoff: Backoff { base: Duration::from_millis(40), max: Duration::from_millis(200) },
        };
        let exit = runtime().block_on(SyncLoop::new(config).run(
            &mut replica,
            async {
                let _ = stopped.await;
            },
            |(result, _)| {
                let _ = outcomes.send(result.as_ref().map(|r| r.pending).map_err(|e| e.to_string()));
            },
        ));
        (replica, exit)
    });
    for _ in 0..2 {
        let failed = seen.recv_timeout(Duration::from_secs(30))?;
        assert!(failed.is_err(), "the server is down: {failed:?}");
    }
    server.restart()?;
    loop {
        match seen.recv_timeout(Duration::from_secs(30))? {
            Ok(0) => break,
            Ok(_) | Err(_) => continue,
        }
    }
    let _ = stop.send(());
    let (replica, exit) = looper.join().map_err(|_| anyhow::anyhow!("loop thread panicked"))?;
    let exit = exit?;
    assert!(exit.attempts >= 3 && exit.successes >= 1, "{exit:?}");
    assert_eq!(replica.event_count()?, events_before, "no local write woke the loop");
    assert!(ids.iter().all(|id| replica.outbox_state(*id).ok().flatten() == Some(OutboxState::Sent)));
    assert!(replica.status()?.last_sync_at.is_some());
    let stored: BTreeSet<String> = stored_events(&server.open_store()?)?.into_iter().map(|(id, _, _)| id).collect();
    assert!(ids.iter().all(|id| stored.contains(&id.to_string())));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 4. Scope with replicas.

fn patrol_ids(replica: &Replica) -> Result<BTreeSet<EventId>> {
    Ok(replica.projection()?.patrols.into_keys().collect())
}

#[tokio::test]
async fn replicas_hold_their_scope_only_and_a_reassignment_moves_it() -> Result<()> {
    let server = TestServer::start()?;
    let url = server.url();
    let dir = tempfile::tempdir()?;
    let start = now_ms() as i64 - 8 * 3_600_000;
    let mut officers = BTreeMap::new();
    let mut mine: BTreeMap<&str, BTreeSet<EventId>> = BTreeMap::new();
    for (i, user) in ["vo-t01-v01", "vo-t01-v02", "vo-t02-v01"].into_iter().enumerate() {
        let mut replica = phone(&dir.path().join(format!("{user}.db")), &url, user).await?;
        sync::sync(&mut replica).await?;
        let zone = replica.assigned_zone(replica.now_ms())?;
        for k in 0..2 {
            let track = walk(&zone, start + k * 3_600_000, 5, i as u64);
            mine.entry(user).or_default().insert(replica.record_patrol(new_patrol(None, track, user))?);
        }
        sync::sync(&mut replica).await?;
        officers.insert(user, replica);
    }
    for replica in officers.values_mut() {
        sync::sync(replica).await?;
    }

    // A village officer holds their own village and nothing of any other.
    let v01 = officers.get_mut("vo-t01-v01").context("v01")?;
    assert_eq!(patrol_ids(v01)?, mine["vo-t01-v01"]);
    let zones: Vec<String> = replica_ids(
        &dir.path().join("vo-t01-v01.db"),
        "SELECT DISTINCT json_extract(raw, '$.body.zone') FROM events WHERE json_extract(raw, '$.body.zone') IS NOT NULL",
    )?;
    assert_eq!(zones, vec!["Z-T01-V01".to_string()]);
    assert_eq!(local_projection(v01)?, server_projection(v01, &url).await?);

    // A township inspector holds their township's villages and no other township.
    let county = patrolsync_server::tools::demo::county();
    let inspector = county.inspectors_of(&UnitId::new("T01")?).next().context("T01 inspector")?.user.clone();
    let mut ti = phone(&dir.path().join("inspector.db"), &url, inspector.as_str()).await?;
    sync::sync(&mut ti).await?;
    let t01: BTreeSet<EventId> = mine["vo-t01-v01"].union(&mine["vo-t01-v02"]).copied().collect();
    assert_eq!(patrol_ids(&ti)?, t01);
    assert!(ti.projection()?.zones.keys().all(|z| z.as_str().starts_with("Z-T01-")));
    assert_eq!(local_projection(&ti)?, server_projection(&ti, &url).await?);

    // Reassignment: recorded offline before the switch (allowed) and after it on the old zone.
    let v01 = officers.get_mut("vo-t01-v01").context("v01")?;
    let switch = now_ms() as i64 - 1_800_000;
    let before = v01.record_patrol(new_patrol(None, walk(&zone("Z-T01-V01"), switch - 3_600_000, 5, 7), "before the switch"))?;
    let after = v01.record_patrol(new_patrol(None, walk(&zone("Z-T01-V01"), switch + 300_000, 5, 8), "after the switch"))?;
    let mut admin = RawDevice::new(&url, "admin")?;
    admin.login(DEMO_PASSWORD).await?;
    let body = serde_json::json!({ "officer": "vo-t01-v01", "zone": "Z-T01-V02", "from": switch });
    let (status, reply) = admin.post("/v1/admin/assignments", &serde_json::to_vec(&body)?).await?;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));

    let report = sync::sync(v01).await?;
    assert_eq!((report.accepted, report.rejected, report.pending), (1, 1, 0), "{report:?}");
    assert_eq!(v01.outbox_state(before)?, Some(OutboxState::Sent));
    let rejected = v01.rejected()?;
    assert_eq!(rejected.len(), 1);
    assert_eq!((rejected[0].event_id.as_str(), rejected[0].reason.as_str()), (after.to_string().as_str(), "not_allowed"));
    assert_eq!(v01.cursors()?.into_keys().collect::<Vec<_>>(), vec![Bucket::Village(UnitId::new("T01-V02")?)]);
    let p = v01.projection()?;
    assert!(p.zones.contains_key(&zone("Z-T01-V02")) && !p.zones.contains_key(&zone("Z-T01-V01")), "old village purged");
    assert!(mine["vo-t01-v02"].iter().all(|id| p.patrols.contains_key(id)), "the new village from its start");
    // The old village's own sent patrols (synced earlier, and `before`, accepted in this very
    // sync) are out of scope now: they leave the fold, as they are not in the server's fold of the
    // new village, but stay in the outbox as history. `after` is visible as rejected.
    assert!(!p.patrols.contains_key(&before) && !p.patrols.contains_key(&after));
    assert!(mine["vo-t01-v01"].iter().all(|id| !p.patrols.contains_key(id)), "old village's own sent patrols left the fold");
    assert!(mine["vo-t01-v01"].iter().all(|id| v01.outbox_state(*id).ok().flatten() == Some(OutboxState::Sent)), "own events kept");
    assert!(v01.ledger()?.patrols.iter().any(|l| l.id == after.to_string() && l.sync == "rejected"), "the rejected one is shown");
    assert_eq!(local_projection(v01)?, server_projection(v01, &url).await?, "the replica folds what the server folds for the new scope");

    // The next sync changes nothing, and a patrol in the new zone joins the fold.
    sync::sync(v01).await?;
    let now = v01.record_patrol(new_patrol(None, walk(&zone("Z-T01-V02"), now_ms() as i64 - 600_000, 5, 9), "new village"))?;
    let report = sync::sync(v01).await?;
    assert_eq!((report.accepted, report.pending), (1, 0), "{report:?}");
    assert!(v01.projection()?.patrols.contains_key(&now));
    assert_eq!(local_projection(v01)?, server_projection(v01, &url).await?);
    Ok(())
}
