//! The single writer on PostgreSQL: one thread owns the one connection that writes, holds the
//! writer role (a session advisory lock) on it, and runs every waiting job in one transaction, each
//! inside its own savepoint. A job's result reaches its caller only after the commit, so every
//! acknowledgement is durable (the batching and the results are `store::batch`'s, the jobs and
//! their context `store::jobs`', as on SQLite). After a batch that changed what the checks read,
//! it publishes a new snapshot of it for the parallel prepare step.

use postgres::{Client, Transaction};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use sync_protocol::admit::ChainHead;
use sync_protocol::checks::recheck::CheckConfig;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::DeviceId;
use tokio::sync::mpsc;

use super::{Pg, Statements, StoreError, WRITER_LOCK, connect, identity};
use crate::clock::SharedClock;
use crate::metrics::Metrics;
use crate::store::CheckSnapshot;
use crate::store::batch::{self, Commits, Finish, Health, Job};
use crate::store::identity::ServerIdentity;
use crate::store::jobs::WriteCtx;
use crate::store::jobs::reference::Reference;
use crate::store::log::{LogHead, LogWitness, Rows, witness};
use crate::store::sql::Sql;
use crate::store::sqlite::checks::Published;

/// A job: run on the open transaction, or told that none could be opened.
type Work = Box<dyn FnOnce(Result<&mut WriteCtx<'_>, Arc<StoreError>>) -> (Job, Finish) + Send>;

/// A handle to the writer thread; cheap to clone. The thread ends when every handle is dropped.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Work>,
    published: Published,
    health: Health,
    witness: LogWitness,
}

/// What the writer thread holds for its whole life.
struct Shared {
    url: String,
    server: ServerIdentity,
    clock: Arc<Mutex<Hlc>>,
    checks: CheckConfig,
    published: Published,
    wall: SharedClock,
    metrics: Arc<Metrics>,
    /// The writer's health, logged when it changes (read by `/readyz`).
    health: Health,
    /// Where each committed growth of the log is signed and published.
    witness: LogWitness,
}

/// How the writer starts: the settings the checks run with, its clocks, where it counts.
pub struct Start {
    pub checks: CheckConfig,
    pub wall: SharedClock,
    pub clock: Arc<Mutex<Hlc>>,
    pub metrics: Arc<Metrics>,
    /// The file that witnesses the log outside the database, if the server keeps one.
    pub witness_file: Option<std::path::PathBuf>,
}

impl Writer {
    /// Connects, takes the writer role and the server's identity (made on first start), loads the
    /// writer's reference and the server's clock, and starts the writer thread. Another process
    /// holding the role is [`StoreError::Busy`].
    pub fn start(url: &str, start: Start) -> Result<Writer, StoreError> {
        let mut client = connect_as_writer(url)?;
        let (server, reference) = {
            let mut tx = client.transaction()?;
            let server = identity::load_or_create(&mut tx, start.wall.now_ms())?;
            let (reference, last) = {
                let sql = Pg::new(&mut tx);
                // Fingerprints a migration cleared (a new definition), before the index is built.
                crate::store::sqlite::checks::recompute_missing(&sql)?;
                crate::store::epoch::ensure(&sql)?;
                if let Some(file) = &start.witness_file {
                    witness::check_file(&sql, file, &server.key.public())?;
                }
                (Reference::load(&sql)?, last_hlc(&sql)?)
            };
            tx.commit()?;
            if let Ok(mut hlc) = start.clock.lock() {
                *hlc = (*hlc).max(last);
            }
            (server, reference)
        };
        let witness = match start.witness_file {
            Some(file) => LogWitness::with_file(file)?,
            None => LogWitness::default(),
        };
        let mut log = LogHead::default();
        {
            let mut tx = client.transaction()?;
            let sql = Pg::new(&mut tx);
            witness.publish(&server, log.frontier(&mut Rows(&sql))?);
        }
        let published = Published::new(reference.snapshot(&start.checks));
        let health = Health::default();
        let (jobs, rx) = mpsc::channel::<Work>(4_096);
        let shared = Shared {
            url: url.to_string(),
            server,
            clock: start.clock,
            checks: start.checks,
            published: published.clone(),
            wall: start.wall,
            metrics: start.metrics,
            health: health.clone(),
            witness: witness.clone(),
        };
        std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || run(client, rx, reference, log, shared))
            .map_err(StoreError::Threads)?;
        Ok(Writer { jobs, published, health, witness })
    }

    /// The writer's commits as its health shows them (`/readyz`).
    pub fn commits(&self) -> Commits {
        self.health.commits()
    }

    /// Where the writer publishes the latest checkpoint of the log.
    pub fn witness(&self) -> &LogWitness {
        &self.witness
    }

    /// The reference data the checks read, as the writer last published it.
    pub fn check_snapshot(&self) -> Arc<CheckSnapshot> {
        self.published.load()
    }

    /// Runs `f` in the writer's next transaction and returns its result once committed. If `f`
    /// fails, its changes are rolled back to its savepoint and the rest of the batch is unaffected.
    pub async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteCtx<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        batch::submit(&self.jobs, |reply| -> Work { Box::new(move |ctx| batch::run_job(ctx, f, reply)) }).await
    }
}

/// The greatest HLC stored, where the server's clock starts.
pub fn last_hlc(sql: &dyn Sql) -> Result<Hlc, StoreError> {
    let max: Option<String> = sql.one("SELECT max(hlc) FROM events", &[])?.get(0)?;
    Ok(max.and_then(|s| s.parse().ok()).unwrap_or(Hlc::ZERO))
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

/// The writer's caches, each exact because only the writer writes.
struct Caches {
    reference: Reference,
    heads: HashMap<DeviceId, ChainHead>,
    log: LogHead,
}

impl Caches {
    /// Forgets what the caches learnt from work that was undone: they are read again.
    fn reload(&mut self, sql: &dyn Sql) {
        self.heads.clear();
        self.reference = Reference::load(sql).unwrap_or_default();
    }
}

fn run(mut client: Client, mut rx: mpsc::Receiver<Work>, reference: Reference, log: LogHead, shared: Shared) {
    let mut caches = Caches { reference, heads: HashMap::new(), log };
    // The writer connection's prepared statements, made again with each new connection.
    let mut statements = Statements::default();
    while let Some(batch) = batch::next_batch(&mut rx) {
        shared.metrics.writer_queue(rx.len());
        // A lost connection lost the writer role with it: connect and take the role again, and
        // read the caches afresh (another writer may have held the role meanwhile).
        if client.is_closed() {
            match connect_as_writer(&shared.url) {
                Ok(again) => {
                    (client, statements) = (again, Statements::default());
                    caches.log.forget();
                    if let Ok(mut tx) = client.transaction() {
                        caches.reload(&Pg::cached(&mut tx, &statements));
                    }
                }
                Err(e) => {
                    let error = Arc::new(e);
                    shared.health.record(Some(error.clone()), false);
                    batch.into_iter().map(|work| work(Err(error.clone())).1).for_each(|finish| finish(Some(&error)));
                    continue;
                }
            }
        }
        let (jobs, started) = (batch.len(), Instant::now());
        let (finishers, outcome, unwritable, wrote) = run_batch(&mut client, &statements, batch, &mut caches, &shared);
        let failure = outcome.as_ref().err().cloned().or(unwritable);
        shared.metrics.writer_batch(jobs, started.elapsed().as_secs_f64(), failure.as_ref().map_or(Ok(()), |e| Err(e.cause())));
        shared.health.record(failure, wrote);
        if outcome.is_err()
            && let Ok(mut tx) = client.transaction()
        {
            caches.reload(&Pg::cached(&mut tx, &statements));
        }
        if caches.reference.version != shared.published.version() {
            shared.published.publish(caches.reference.snapshot(&shared.checks));
        }
        // Before any reply goes out: a device acked now is given a checkpoint covering its events.
        if outcome.is_ok()
            && let Some(frontier) = caches.log.known()
        {
            shared.witness.publish(&shared.server, frontier);
        }
        for finish in finishers {
            finish(outcome.as_ref().err());
        }
    }
}

/// What a batch came to: each job's finisher, the commit's outcome, a job's failure that says the
/// store cannot be written (when the rest of the batch committed), and whether a job succeeded.
type Batch = (Vec<Finish>, Result<(), Arc<StoreError>>, Option<Arc<StoreError>>, bool);

fn run_batch(client: &mut Client, statements: &Statements, batch: Vec<Work>, caches: &mut Caches, shared: &Shared) -> Batch {
    let mut tx = match client.transaction() {
        Ok(tx) => tx,
        Err(e) => {
            let error = Arc::new(StoreError::from(e));
            let finishers = batch.into_iter().map(|work| work(Err(error.clone())).1).collect();
            return (finishers, Err(error), None, false);
        }
    };
    let log_at_start = caches.log.clone();
    let now_ms = shared.wall.now_ms();
    let (mut finishers, mut unwritable, mut wrote) = (Vec::with_capacity(batch.len()), None, false);
    let mut raised = BTreeMap::<String, u64>::new();
    for work in batch {
        let log_before = caches.log.clone();
        let (job, finish, released) = run_one((&mut tx, statements), work, caches, (shared, now_ms), &mut raised);
        let done = matches!(job, Job::Done);
        match job {
            Job::Done => wrote |= released,
            Job::Unwritable(e) => unwritable = Some(e),
            Job::Failed => {}
        }
        if !done || !released {
            caches.reload(&Pg::cached(&mut tx, statements));
            // Rolled back to the savepoint, the log is as it was before the job; otherwise the
            // transaction may hold part of the job, so the frontier is read again.
            if released {
                caches.log = log_before;
            } else {
                caches.log.forget();
            }
        }
        finishers.push(finish);
    }
    let outcome = tx.commit().map_err(|e| Arc::new(StoreError::from(e)));
    match outcome {
        Ok(()) => raised.iter().for_each(|(kind, n)| shared.metrics.flag(kind, *n)),
        Err(_) => caches.log = log_at_start,
    }
    (finishers, outcome, unwritable, wrote)
}

/// Runs one job inside its own savepoint; returns how it went, its finisher, and whether the
/// savepoint was released or rolled back cleanly. The flags a job that stood raised are added to
/// `raised`.
fn run_one(
    (tx, statements): (&mut Transaction<'_>, &Statements),
    work: Work,
    caches: &mut Caches,
    (shared, now_ms): (&Shared, i64),
    raised: &mut BTreeMap<String, u64>,
) -> (Job, Finish, bool) {
    let mut savepoint = match tx.savepoint("job") {
        Ok(savepoint) => savepoint,
        Err(e) => {
            let (job, finish) = work(Err(Arc::new(StoreError::from(e))));
            return (job, finish, false);
        }
    };
    let (job, finish, job_raised) = {
        let sql = Pg::cached(&mut savepoint, statements);
        let mut ctx = WriteCtx {
            conn: &sql,
            reference: &mut caches.reference,
            heads: &mut caches.heads,
            log: &mut caches.log,
            clock: &shared.clock,
            server: &shared.server,
            checks: &shared.checks,
            now_ms,
            device_clock: None,
            raised: RefCell::default(),
        };
        let (job, finish) = work(Ok(&mut ctx));
        (job, finish, ctx.raised.into_inner())
    };
    let released = match job {
        Job::Done => savepoint.commit(),
        Job::Failed | Job::Unwritable(_) => savepoint.rollback(),
    };
    if matches!(job, Job::Done) && released.is_ok() {
        for (kind, n) in job_raised {
            *raised.entry(kind).or_default() += n;
        }
    }
    (job, finish, released.is_ok())
}
