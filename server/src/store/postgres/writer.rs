//! The single writer on PostgreSQL: one thread owns the one connection that writes, holds the
//! writer role (a session advisory lock) on it, and runs every waiting job in one transaction, each
//! inside its own savepoint. A job's result reaches its caller only after the commit, so every
//! acknowledgement is durable (the batching and the results are `store::batch`'s, as on SQLite).

use postgres::{Client, Transaction};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

use super::{StoreError, WRITER_LOCK, connect, identity};
use crate::clock::SharedClock;
use crate::store::batch::{self, Finish, Health, Job};
use crate::store::identity::ServerIdentity;
use crate::store::log::LogHead;

/// What a job may touch: the open transaction (inside the job's savepoint) and the writer's
/// caches, exact because only the writer writes.
pub struct WriteCtx<'a, 't> {
    pub tx: &'a mut Transaction<'t>,
    /// The frontier of the tamper-evident log, to append leaves in O(log n).
    pub log: &'a mut LogHead,
    pub server: &'a ServerIdentity,
    /// Wall clock at the start of the batch, Unix milliseconds.
    pub now_ms: i64,
}

/// A job: run on the open transaction, or told that none could be opened.
type Work = Box<dyn FnOnce(Result<&mut WriteCtx<'_, '_>, Arc<StoreError>>) -> (Job, Finish) + Send>;

/// A handle to the writer thread; cheap to clone. The thread ends when every handle is dropped.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Work>,
}

/// What the writer thread holds for its whole life.
struct Shared {
    url: String,
    server: ServerIdentity,
    wall: SharedClock,
    /// The writer's health, logged when it changes (read by `/readyz` once the engine serves).
    health: Health,
}

impl Writer {
    /// Connects, takes the writer role and the server's identity (made on first start), and
    /// starts the writer thread. Another process holding the role is [`StoreError::Busy`].
    pub fn start(url: &str, wall: SharedClock) -> Result<Writer, StoreError> {
        let mut client = connect_as_writer(url)?;
        let server = {
            let mut tx = client.transaction()?;
            let server = identity::load_or_create(&mut tx, wall.now_ms())?;
            tx.commit()?;
            server
        };
        let (jobs, rx) = mpsc::channel::<Work>(4_096);
        let shared = Shared { url: url.to_string(), server, wall, health: Health::default() };
        std::thread::Builder::new().name("store-writer".into()).spawn(move || run(client, rx, shared)).map_err(StoreError::Threads)?;
        Ok(Writer { jobs })
    }

    /// Runs `f` in the writer's next transaction and returns its result once committed. If `f`
    /// fails, its changes are rolled back to its savepoint and the rest of the batch is unaffected.
    pub async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteCtx<'_, '_>) -> Result<T, StoreError> + Send + 'static,
    {
        batch::submit(&self.jobs, |reply| -> Work { Box::new(move |ctx| batch::run_job(ctx, f, reply)) }).await
    }
}

/// How long a writer waits for the role before giving up: a store reopened at once waits out the
/// previous writer's connection closing.
const ROLE_WAIT: Duration = Duration::from_secs(5);

/// A connection that holds the writer role: only one process's writer writes at a time.
fn connect_as_writer(url: &str) -> Result<Client, StoreError> {
    let mut client = connect(url)?;
    let deadline = Instant::now() + ROLE_WAIT;
    loop {
        let held: bool = client.query_one("SELECT pg_try_advisory_lock($1)", &[&WRITER_LOCK])?.try_get(0)?;
        if held {
            return Ok(client);
        }
        if Instant::now() >= deadline {
            return Err(StoreError::Busy(Box::new(std::io::Error::other("another server process holds the writer role"))));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn run(mut client: Client, mut rx: mpsc::Receiver<Work>, shared: Shared) {
    let mut log = LogHead::default();
    while let Some(batch) = batch::next_batch(&mut rx) {
        // A lost connection lost the writer role with it: connect and take the role again, and
        // read the log's frontier afresh (another writer may have held the role meanwhile).
        if client.is_closed() {
            match connect_as_writer(&shared.url) {
                Ok(again) => {
                    client = again;
                    log.forget();
                }
                Err(e) => {
                    let error = Arc::new(e);
                    shared.health.record(Some(error.clone()), false);
                    batch.into_iter().map(|work| work(Err(error.clone())).1).for_each(|finish| finish(Some(&error)));
                    continue;
                }
            }
        }
        let (finishers, outcome, unwritable, wrote) = run_batch(&mut client, batch, &mut log, &shared);
        shared.health.record(outcome.as_ref().err().cloned().or(unwritable), wrote);
        for finish in finishers {
            finish(outcome.as_ref().err());
        }
    }
}

/// What a batch came to: each job's finisher, the commit's outcome, a job's failure that says the
/// store cannot be written (when the rest of the batch committed), and whether a job succeeded.
type Batch = (Vec<Finish>, Result<(), Arc<StoreError>>, Option<Arc<StoreError>>, bool);

fn run_batch(client: &mut Client, batch: Vec<Work>, log: &mut LogHead, shared: &Shared) -> Batch {
    let mut tx = match client.transaction() {
        Ok(tx) => tx,
        Err(e) => {
            let error = Arc::new(StoreError::from(e));
            let finishers = batch.into_iter().map(|work| work(Err(error.clone())).1).collect();
            return (finishers, Err(error), None, false);
        }
    };
    let log_at_start = log.clone();
    let now_ms = shared.wall.now_ms();
    let (mut finishers, mut unwritable, mut wrote) = (Vec::with_capacity(batch.len()), None, false);
    for work in batch {
        let log_before = log.clone();
        let (job, finish, released) = match tx.savepoint("job") {
            Ok(mut savepoint) => {
                let mut ctx = WriteCtx { tx: &mut savepoint, log: &mut *log, server: &shared.server, now_ms };
                let (job, finish) = work(Ok(&mut ctx));
                let released = match job {
                    Job::Done => savepoint.commit(),
                    Job::Failed | Job::Unwritable(_) => savepoint.rollback(),
                };
                (job, finish, released.is_ok())
            }
            Err(e) => {
                let (job, finish) = work(Err(Arc::new(StoreError::from(e))));
                (job, finish, false)
            }
        };
        let done = matches!(job, Job::Done);
        match job {
            Job::Done => wrote |= released,
            Job::Unwritable(e) => unwritable = Some(e),
            Job::Failed => {}
        }
        if !done || !released {
            // Rolled back to the savepoint, the log is as it was before the job; otherwise the
            // transaction may hold part of the job, so the frontier is read again.
            if released {
                *log = log_before;
            } else {
                log.forget();
            }
        }
        finishers.push(finish);
    }
    let outcome = tx.commit().map_err(|e| Arc::new(StoreError::from(e)));
    if outcome.is_err() {
        *log = log_at_start;
    }
    (finishers, outcome, unwritable, wrote)
}
