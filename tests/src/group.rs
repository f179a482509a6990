//! Several `patrolsync-server serve` processes on one PostgreSQL database (docs/architecture.md,
//! "Several server processes"), and phones pushing through them while one is killed: for the
//! tests of the group and the bench's failover figure.

use anyhow::{Result, bail};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use sync_protocol::event::Event;
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::wire::AckStatus;
use tokio::sync::Notify;

use crate::pg_cluster::{self, TestDb};
use crate::raw::{RawDevice, now_ms};
use crate::server::TestServer;

/// The processes, the database they share, and the folder of what else they share (the token key
/// file, the blobs): one deployment.
pub struct Group {
    pub servers: Vec<TestServer>,
    pub db: TestDb,
    _shared: tempfile::TempDir,
}

impl Group {
    /// Starts `n` processes one after another on a new database: the first loads the demo county
    /// and makes the token key file, the others find both.
    pub fn start(n: usize) -> Result<Group> {
        Group::start_on(pg_cluster::database()?, n)
    }

    /// [`Group::start`] on `db` (e.g. on a cluster of the test's own, [`pg_cluster::Cluster::own`]).
    pub fn start_on(db: TestDb, n: usize) -> Result<Group> {
        Group::start_on_with(db, n, &[])
    }

    /// [`Group::start_on`] with extra `PATROLSYNC_*` settings for every process (e.g. a demo of
    /// several counties, each in a schema of its own).
    pub fn start_on_with(db: TestDb, n: usize, extra: &[(&str, &str)]) -> Result<Group> {
        let shared = tempfile::tempdir()?;
        let (keys, blobs) = (shared.path().join("token-keys.json"), shared.path().join("blobs"));
        let mut env = vec![
            ("PATROLSYNC_STORE_KIND", "postgres"),
            ("PATROLSYNC_STORE_URL", db.url()),
            ("PATROLSYNC_AUTH_TOKEN_KEY_FILE", keys.to_str().unwrap_or_default()),
            ("PATROLSYNC_BLOB_DIR", blobs.to_str().unwrap_or_default()),
        ];
        env.extend_from_slice(extra);
        let servers = (0..n).map(|_| TestServer::start_with(&env)).collect::<Result<Vec<_>>>()?;
        Ok(Group { servers, db, _shared: shared })
    }

    /// Each process's URL; a restarted process keeps its port.
    pub fn urls(&self) -> Vec<String> {
        self.servers.iter().map(|s| s.url()).collect()
    }
}

/// Each push that stored something: when it was sent, when it was answered, and by which process.
#[derive(Default)]
pub struct Acks {
    answered: Mutex<Vec<(Instant, Instant, usize)>>,
    notify: Notify,
}

impl Acks {
    fn note(&self, sent: Instant, process: usize) {
        if let Ok(mut answered) = self.answered.lock() {
            answered.push((sent, Instant::now(), process));
        }
        self.notify.notify_waiters();
    }

    /// How many pushes stored something so far.
    pub fn count(&self) -> usize {
        self.answered.lock().map(|a| a.len()).unwrap_or(0)
    }

    /// Waits for the first push sent after `since` that another process than `not` stored, and
    /// returns when it was answered; fails after `limit`.
    pub async fn first_after(&self, since: Instant, not: usize, limit: Duration) -> Result<Instant> {
        let deadline = since + limit;
        loop {
            let notified = self.notify.notified();
            let found = self
                .answered
                .lock()
                .ok()
                .and_then(|a| a.iter().filter(|(sent, _, p)| *sent > since && *p != not).map(|(_, answered, _)| *answered).min());
            if let Some(at) = found {
                return Ok(at);
            }
            if tokio::time::timeout_at(deadline.into(), notified).await.is_err() {
                bail!("no write sent after the kill was stored by another process than {not} within {limit:?}");
            }
        }
    }

    /// Waits until `n` pushes stored something.
    pub async fn reach(&self, n: usize, limit: Duration) -> Result<()> {
        let deadline = Instant::now() + limit;
        loop {
            let notified = self.notify.notified();
            if self.count() >= n {
                return Ok(());
            }
            if tokio::time::timeout_at(deadline.into(), notified).await.is_err() {
                bail!("{} pushes stored something, not {n}, within {limit:?}", self.count());
            }
        }
    }
}

/// A phone sealing patrols and pushing them through the processes in turn: a push that fails (its
/// process was killed) is sent again, whole, to the next. Keeps every event a process acked.
pub struct Phone {
    pub device: RawDevice,
    zone: ZoneId,
    pending: Vec<Event>,
    pub acked: Vec<EventId>,
    sealed: u64,
}

impl Phone {
    /// Officer `user`'s new phone, logged in through `url`, patrolling `zone`.
    pub async fn new(url: &str, user: &str, zone: &str) -> Result<Phone> {
        let mut device = RawDevice::new(url, user)?;
        device.http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
        device.login(crate::DEMO_PASSWORD).await?;
        Ok(Phone { device, zone: ZoneId::new(zone)?, pending: Vec::new(), acked: Vec::new(), sealed: 0 })
    }

    /// Seals `n` more patrols of 10 fixes 30 s apart, each 10 minutes after the last, the first
    /// ten days ago (a thousand of them stay in the past).
    pub fn seal(&mut self, n: usize) {
        let start = now_ms() as i64 - 10 * 86_400_000;
        for _ in 0..n {
            let body = crate::tracks::patrol(&self.zone, start + self.sealed as i64 * 600_000, 10, self.sealed);
            self.pending.push(self.device.seal(&body));
            self.sealed += 1;
        }
    }

    /// Whether events wait to be acked.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// One sync of what waits through `url`: `Ok(true)` if it stored something. An event the
    /// server refused fails it; a process that did not answer is an `Err`.
    pub async fn push(&mut self, url: &str) -> Result<bool> {
        self.device.url = url.to_string();
        let reply = self.device.sync(&self.pending).await?;
        let mut stored = false;
        for ack in &reply.acks {
            match ack.status {
                AckStatus::Accepted => stored = true,
                AckStatus::Duplicate => {}
                AckStatus::Rejected => bail!("an event was refused: {ack:?}"),
            }
        }
        self.acked.extend(self.pending.drain(..).map(|e| e.id));
        Ok(stored)
    }

    /// Pushes a patrol or two at a time, each sync through the next process, until `stop`; then
    /// until nothing is pending. Every push that stored something is noted in `acks`.
    pub async fn run(mut self, urls: Vec<String>, stop: Arc<AtomicBool>, acks: Arc<Acks>) -> Result<Phone> {
        let mut turn = self.sealed as usize;
        loop {
            let stopping = stop.load(Ordering::Relaxed);
            if !self.has_pending() {
                if stopping {
                    return Ok(self);
                }
                self.seal(1 + turn % 2);
            }
            let process = turn % urls.len();
            turn += 1;
            let sent = Instant::now();
            match self.push(&urls[process]).await {
                Ok(true) => acks.note(sent, process),
                Ok(false) => {}
                // Killed, restarting, or answering 503 while the database is reached again.
                Err(e) if e.to_string().contains("answered 4") => return Err(e),
                Err(_) => tokio::task::yield_now().await,
            }
        }
    }
}

/// What a kill loop came to: every event a process acked, and the time each kill took to be
/// taken over (from the kill to the answer of the first write sent after it that a survivor
/// stored).
pub struct Failovers {
    pub acked: Vec<EventId>,
    pub takeovers: Vec<Duration>,
}

/// Phones (`(officer, zone)`) push through every process of `group` while one process after
/// another is killed with SIGKILL, `kills` times, each kill once ten more pushes have stored
/// something, and started again once a survivor has taken the writes over (within 30 s, or the
/// loop fails). Each takeover is printed as it is measured. Ends once every phone's events are
/// acked. On a multi-threaded runtime: a process is restarted on one of its threads.
pub async fn kill_loop(group: &mut Group, phones: &[(&str, &str)], kills: usize) -> Result<Failovers> {
    let urls = group.urls();
    let (stop, acks) = (Arc::new(AtomicBool::new(false)), Arc::new(Acks::default()));
    let mut running = Vec::new();
    for (user, zone) in phones {
        let phone = Phone::new(&urls[0], user, zone).await?;
        running.push(tokio::spawn(phone.run(urls.clone(), stop.clone(), acks.clone())));
    }
    let mut takeovers = Vec::new();
    for kill in 0..kills {
        acks.reach(acks.count() + 10, Duration::from_secs(120)).await?;
        let victim = kill % urls.len();
        let killed_at = Instant::now();
        group.servers[victim].kill();
        let taken_over = acks.first_after(killed_at, victim, Duration::from_secs(30)).await? - killed_at;
        println!("kill {kill}: process {victim} killed; a survivor stored the next write {} ms later", taken_over.as_millis());
        takeovers.push(taken_over);
        tokio::task::block_in_place(|| group.servers[victim].restart())?;
    }
    stop.store(true, Ordering::Relaxed);
    let mut acked = Vec::new();
    for phone in running {
        acked.extend(phone.await??.acked);
    }
    Ok(Failovers { acked, takeovers })
}
