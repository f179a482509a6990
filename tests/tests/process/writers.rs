//! Several server processes on one PostgreSQL database, one writer at a time (docs/architecture.md,
//! "Several server processes"): phones push through each process in turn and pull from any; a
//! copy of a track stored through one process is caught through another; and with one process
//! killed with SIGKILL again and again, nothing acked is lost, every chain and the server sequence
//! stay gap-free, every cursor sees every event, and the survivors take the writes over.

use anyhow::{Context, Result, ensure};
use patrolsync_tests::group::{Group, Phone, kill_loop};
use patrolsync_tests::pg_cluster::off_runtime;
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{DEMO_PASSWORD, tracks};
use reqwest::StatusCode;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use sync_protocol::body::Body;
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::scope::Bucket;
use sync_protocol::wire::AckStatus;

const PHONES: [(&str, &str); 3] = [("vo-t01-v01", "Z-T01-V01"), ("vo-t02-v01", "Z-T02-V01"), ("vo-t03-v02", "Z-T03-V02")];

/// A county auditor pulling the county through the processes in turn, a page at a time, keeping
/// what each bucket gave in order: a cursor that skipped an event would leave it out for good.
struct Watcher {
    device: RawDevice,
    seen: BTreeMap<Bucket, Vec<EventId>>,
}

impl Watcher {
    async fn new(url: &str) -> Result<Watcher> {
        let mut device = RawDevice::new(url, "ca-1")?;
        device.login(DEMO_PASSWORD).await?;
        Ok(Watcher { device, seen: BTreeMap::new() })
    }

    /// One page through `url`; whether there is more.
    async fn pull(&mut self, url: &str) -> Result<bool> {
        self.device.url = url.to_string();
        let reply = self.device.sync(&[]).await?;
        for page in &reply.pages {
            self.seen.entry(page.bucket.clone()).or_default().extend(page.events.iter().map(|e| e.id));
        }
        Ok(reply.more())
    }

    /// Pulls through `urls` in turn until no bucket has more.
    async fn catch_up(&mut self, urls: &[String]) -> Result<()> {
        let mut turn = 0;
        while self.pull(&urls[turn % urls.len()]).await? {
            turn += 1;
        }
        Ok(())
    }
}

/// What the database holds: every acked event exactly once, each device's chain 1..n, the server
/// sequence 1..n, the integrity check clean and the same checkpoint signed through every process.
pub(crate) async fn check_store(group: &Group, acked: &[EventId]) -> Result<()> {
    let (ids, chain_breaks, (count, max)) = off_runtime(|| -> Result<_> {
        let mut client = group.db.connect()?;
        let ids: HashSet<Vec<u8>> = client.query("SELECT id FROM events", &[])?.iter().map(|r| r.get(0)).collect();
        let breaks: i64 = client
            .query_one(
                "SELECT count(*) FROM (SELECT seq, row_number() OVER (PARTITION BY device_id ORDER BY seq) AS n FROM events) AS c
                 WHERE seq <> n",
                &[],
            )?
            .get(0);
        let row = client.query_one("SELECT count(*), coalesce(max(server_seq), 0) FROM events", &[])?;
        Ok((ids, breaks, (row.get::<_, i64>(0), row.get::<_, i64>(1))))
    })?;
    let missing = acked.iter().filter(|id| !ids.contains(id.0.as_bytes().as_slice())).count();
    ensure!(missing == 0, "{missing} of {} acked events are not stored", acked.len());
    ensure!(acked.iter().collect::<HashSet<_>>().len() == acked.len(), "an event was acked twice as new");
    ensure!(chain_breaks == 0, "{chain_breaks} events out of their device's chain");
    ensure!(count == max, "server sequence: {count} events, the greatest {max}");
    let mut checkpoints = Vec::new();
    for url in group.urls() {
        let mut county = RawDevice::new(&url, "ca-1")?;
        county.login(DEMO_PASSWORD).await?;
        let (status, integrity) = county.audit_integrity().await?;
        ensure!(status == StatusCode::OK && integrity["breaks"] == serde_json::json!([]), "{url}: {status} {integrity}");
        // Signed from each writer's frontier of the log, caught up with the others' leaves.
        let (status, checkpoint) = county.audit_checkpoint().await?;
        ensure!(status == StatusCode::OK, "{url}: {status} {checkpoint}");
        checkpoints.push(checkpoint);
    }
    ensure!(checkpoints.windows(2).all(|w| w[0] == w[1]), "the processes sign other logs: {checkpoints:?}");
    Ok(())
}

/// Every process pages the county in the same order, and the watcher saw exactly that.
async fn same_pages_everywhere(group: &Group, watcher: &Watcher) -> Result<()> {
    for url in group.urls() {
        let mut fresh = Watcher::new(&url).await?;
        fresh.catch_up(std::slice::from_ref(&url)).await?;
        ensure!(fresh.seen == watcher.seen, "{url} pages the county otherwise than the watcher saw it through every process");
    }
    ensure!(watcher.seen.values().map(Vec::len).sum::<usize>() > 0, "the watcher saw events");
    Ok(())
}

#[tokio::test]
async fn phones_push_through_three_processes_and_every_process_pages_the_same_log() -> Result<()> {
    let group = Group::start(3)?;
    let urls = group.urls();
    let mut watcher = Watcher::new(&urls[0]).await?;
    let mut phones = Vec::new();
    for (user, zone) in PHONES {
        phones.push(Phone::new(&urls[0], user, zone).await?);
    }
    for round in 0..12 {
        for (i, phone) in phones.iter_mut().enumerate() {
            phone.seal(1 + round % 2);
            ensure!(phone.push(&urls[(round + i) % urls.len()]).await?, "round {round}: stored");
        }
        watcher.pull(&urls[round % urls.len()]).await?;
    }
    watcher.catch_up(&urls).await?;
    let acked: Vec<EventId> = phones.iter().flat_map(|p| p.acked.iter().copied()).collect();
    ensure!(acked.len() == 3 * 18, "{} acked", acked.len());
    check_store(&group, &acked).await?;
    same_pages_everywhere(&group, &watcher).await
}

/// The writer's caches a check reads learn what another process stored before the batch: the
/// fingerprint index (a copy of a track stored through the other process is flagged) and the
/// reference (an assignment made through the other process holds).
#[tokio::test]
async fn what_one_process_stored_holds_in_the_checks_of_another_a_copied_track_and_a_new_assignment() -> Result<()> {
    let group = Group::start(2)?;
    let urls = group.urls();
    let zone = ZoneId::new("Z-T01-V01")?;
    let mut officer = RawDevice::new(&urls[0], "vo-t01-v01")?;
    officer.login(DEMO_PASSWORD).await?;
    let start = now_ms() as i64 - 6 * 3_600_000;
    let original = tracks::counting_patrol(&zone, start, 20, 7, 100_000);
    let Body::PatrolRecorded(mut copy) = original.clone() else { anyhow::bail!("a patrol") };
    let shift = 3 * 3_600_000;
    (copy.started_at, copy.ended_at) = (copy.started_at + shift, copy.ended_at + shift);
    copy.track.iter_mut().for_each(|fix| fix.t += shift);
    let original = officer.seal(&original);
    officer.sync(std::slice::from_ref(&original)).await?;
    officer.url = urls[1].clone();
    let copy = officer.seal(&Body::PatrolRecorded(copy));
    officer.sync(std::slice::from_ref(&copy)).await?;

    let mut county = RawDevice::new(&urls[0], "ca-1")?;
    county.login(DEMO_PASSWORD).await?;
    let (status, flags) = county.flags("kind=duplicate_track").await?;
    ensure!(status == StatusCode::OK, "{flags}");
    let copied = flags["flags"].as_array().context("flags")?.iter().any(|f| f.to_string().contains(&copy.id.to_string()));
    ensure!(copied, "the copy is flagged as one: {flags}");

    // A reference event stored through one process (a new assignment) holds in the other's next
    // batch: a patrol of the new zone pushed through it is accepted and not flagged.
    let mut admin = RawDevice::new(&urls[0], "admin")?;
    admin.login(DEMO_PASSWORD).await?;
    let (from, moved_to) = (now_ms() as i64 - 2 * 3_600_000, ZoneId::new("Z-T01-V02")?);
    let (status, reply) = admin.assign(&serde_json::json!({"officer": "vo-t01-v01", "zone": moved_to, "from": from})).await?;
    ensure!(status.is_success(), "{status} {reply}");
    let moved = officer.seal(&tracks::counting_patrol(&moved_to, from + 600_000, 20, 11, 100_000));
    let reply = officer.sync(std::slice::from_ref(&moved)).await?;
    ensure!(reply.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", reply.acks);
    let (status, flags) = county.flags("").await?;
    ensure!(
        status == StatusCode::OK && !flags.to_string().contains(&moved.id.to_string()),
        "the patrol in its new zone is flagged: {flags}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_processes_with_sigkill_in_a_loop_loses_nothing_acked_and_the_survivors_take_over() -> Result<()> {
    let mut group = tokio::task::block_in_place(|| Group::start(3))?;
    let urls = group.urls();
    // The watcher pulls through each process in turn all along, passing over the one killed.
    let stop = Arc::new(AtomicBool::new(false));
    let watching = {
        let (mut watcher, urls, stop) = (Watcher::new(&urls[0]).await?, urls.clone(), stop.clone());
        tokio::spawn(async move {
            for turn in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let _ = watcher.pull(&urls[turn % urls.len()]).await;
            }
            watcher
        })
    };
    let failovers = kill_loop(&mut group, &PHONES, 6).await?;
    stop.store(true, Ordering::Relaxed);
    let mut watcher = watching.await?;
    let mut takeovers = failovers.takeovers.clone();
    takeovers.sort();
    println!("takeover after SIGKILL: median {:?}, worst {:?}", takeovers[takeovers.len() / 2], takeovers[takeovers.len() - 1]);
    watcher.catch_up(&urls).await?;
    check_store(&group, &failovers.acked).await?;
    same_pages_everywhere(&group, &watcher).await
}
