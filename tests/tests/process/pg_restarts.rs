//! A server on PostgreSQL killed with SIGKILL while a phone pushes, and PostgreSQL itself stopped
//! and started again under a running server (issue 16): nothing acked is lost, every chain stays
//! gap-free, the integrity check stays clean, and the server that outlived its database serves
//! again without being restarted, having answered 503 while the database was down.

use anyhow::{Result, bail, ensure};
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::group::{Acks, Group, Phone};
use patrolsync_tests::pg_cluster::Cluster;
use patrolsync_tests::raw::RawDevice;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use sync_protocol::ids::EventId;

use super::writers::check_store;

/// A phone pushing through `url` until told to stop, noting each push that stored something.
async fn pushing(url: &str) -> Result<(tokio::task::JoinHandle<Result<Phone>>, Arc<AtomicBool>, Arc<Acks>)> {
    let (stop, acks) = (Arc::new(AtomicBool::new(false)), Arc::new(Acks::default()));
    let phone = Phone::new(url, "vo-t01-v01", "Z-T01-V01").await?;
    Ok((tokio::spawn(phone.run(vec![url.to_string()], stop.clone(), acks.clone())), stop, acks))
}

/// Stops the phone once every event it sealed is acked; returns them.
async fn acked(phone: tokio::task::JoinHandle<Result<Phone>>, stop: &AtomicBool) -> Result<Vec<EventId>> {
    stop.store(true, Ordering::Relaxed);
    Ok(tokio::time::timeout(Duration::from_secs(30), phone).await???.acked)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_on_postgres_killed_while_a_phone_pushes_restarts_and_the_phone_resends_losing_nothing() -> Result<()> {
    let mut group = tokio::task::block_in_place(|| Group::start(1))?;
    let (phone, stop, acks) = pushing(&group.urls()[0]).await?;
    for _ in 0..2 {
        acks.reach(acks.count() + 10, Duration::from_secs(120)).await?;
        group.servers[0].kill();
        tokio::task::block_in_place(|| group.servers[0].restart())?;
    }
    // The phone sends again what the kill left unanswered, and goes on.
    acks.reach(acks.count() + 10, Duration::from_secs(30)).await?;
    let acked = acked(phone, &stop).await?;
    check_store(&group, &acked).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_outlives_a_postgres_restart_answering_503_meanwhile_and_serves_again_unrestarted() -> Result<()> {
    let cluster = tokio::task::block_in_place(Cluster::own)?;
    let group = tokio::task::block_in_place(|| Group::start_on(cluster.database()?, 1))?;
    let url = group.urls()[0].clone();
    let (phone, stop, acks) = pushing(&url).await?;
    let mut probe = Phone::new(&url, "vo-t02-v01", "Z-T02-V01").await?;
    let mut county = RawDevice::new(&url, "ca-1")?;
    county.login(DEMO_PASSWORD).await?;
    for mode in ["fast", "immediate"] {
        acks.reach(acks.count() + 10, Duration::from_secs(120)).await?;
        tokio::task::block_in_place(|| cluster.stop(mode))?;
        // A push and a pull are refused as a retry-later, and nothing is acked.
        probe.seal(1);
        let pushed = probe.push(&url).await;
        ensure!(matches!(&pushed, Err(e) if e.to_string().contains("answered 503")), "{mode}: a push while down: {pushed:?}");
        let pulled = county.sync(&[]).await;
        ensure!(matches!(&pulled, Err(e) if e.to_string().contains("answered 503")), "{mode}: a pull while down: {pulled:?}");
        tokio::task::block_in_place(|| cluster.start_again())?;
        // The same process writes and reads again: its writer and readers connect anew.
        let deadline = Instant::now() + Duration::from_secs(30);
        while probe.has_pending() {
            match probe.push(&url).await {
                Ok(_) => {}
                Err(e) if Instant::now() > deadline => bail!("{mode}: no push stored within 30 s of the restart: {e:#}"),
                Err(e) => ensure!(e.to_string().contains("answered 503"), "{mode}: {e:#}"),
            }
        }
        acks.reach(acks.count() + 10, Duration::from_secs(30)).await?;
        county.sync(&[]).await?;
    }
    let mut acked = acked(phone, &stop).await?;
    acked.extend(probe.acked);
    check_store(&group, &acked).await
}
