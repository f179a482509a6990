//! Offline life with the server away, through the real server process killed and restarted: a
//! session ended while offline needs a login, then the pending events sync under their author; the
//! upload loop retries on its own timer until the server is back.

use anyhow::{Context, Result};
use patrolsync_client::replica::OutboxState;
use patrolsync_client::sync::{self, Backoff, LoopConfig, SyncLoop};
use patrolsync_tests::device::{
    DeviceCli, new_patrol, outbox, phone, replica_ids, stored_by_device, stored_events, wait_for, walk, write_walk,
};
use patrolsync_tests::raw::now_ms;
use patrolsync_tests::server::TestServer;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use sync_protocol::ids::EventId;

use super::{runtime, zone};

#[test]
fn an_ended_session_needs_a_login_and_the_pending_events_then_sync_under_their_author() -> Result<()> {
    // Access tokens of 1 s and refresh tokens of 2 s: days offline end the session.
    let mut server = TestServer::start_with(&[("PATROLSYNC_TOKEN_TTL_S", "1"), ("PATROLSYNC_AUTH_SESSIONS_REFRESH_TTL_S", "2")])?;
    let dir = tempfile::tempdir()?;
    let cli = DeviceCli::new(dir.path().join("phone.db"));
    cli.login_and_sync(&server.url(), "vo-t01-v01")?;

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

    cli.login_and_sync(&server.url(), "vo-t01-v01")?;
    let status = cli.status()?;
    assert_eq!((status["pending"].as_u64(), status["device_id"].as_str()), (Some(0), Some(device.as_str())));
    let authors: BTreeMap<String, String> =
        stored_events(&server.open_store()?)?.into_iter().filter(|(id, _, _)| ids.contains(id)).map(|(id, a, _)| (id, a)).collect();
    assert_eq!(authors.len(), 3);
    assert!(authors.values().all(|a| a == "vo-t01-v01"), "{authors:?}");
    assert_eq!(stored_by_device(&server.open_store()?, &device)?.len(), 3);
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
