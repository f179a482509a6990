//! The single writer on PostgreSQL: one thread owns the connection that writes and runs every
//! waiting job in one transaction, each inside its own savepoint. A job's result reaches its caller
//! only after the commit, so every acknowledgement is durable (the batching and the results are
//! `store::batch`'s, the jobs and their context `store::jobs`', as on SQLite). After a batch that
//! changed what the checks read, it publishes a new snapshot of it for the parallel prepare step.
//!
//! Several server processes may share the database: each batch takes the writer role (a
//! transaction-level advisory lock) as its transaction's first statement, so the processes' batches
//! commit one after another, and brings the writer's caches up to what the others committed
//! (`caches`) before its first job.

use postgres::{Client, IsolationLevel, Transaction};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use sync_protocol::checks::recheck::CheckConfig;
use sync_protocol::hlc::Hlc;
use tokio::sync::mpsc;

use super::caches::{self, Caches, Seen};
use super::open::writer_lock;
use super::queue::JobEnd;
use super::{Location, Pg, Statements, StoreError, connect, identity};
use crate::clock::SharedClock;
use crate::metrics::Metrics;
use crate::store::CheckSnapshot;
use crate::store::batch::{self, Commits, Finish, Health, Job, Task};
use crate::store::checks::Published;
use crate::store::identity::ServerIdentity;
use crate::store::jobs::WriteCtx;
use crate::store::jobs::reference::Reference;
use crate::store::log::{LogHead, LogWitness, witness};
use crate::store::sql::Sql;

/// A job: run on the open transaction, or told that none could be opened.
type Work = Box<dyn Task>;

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
    at: Location,
    /// The writer lock of this store's schema.
    lock: i64,
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
    /// Connects and, holding the writer role for one transaction, takes the server's identity
    /// (made on first start), loads the writer's caches and the server's clock, then starts the
    /// writer thread. Other processes' writers may be running on the same database.
    pub fn start(at: &Location, start: Start) -> Result<Writer, StoreError> {
        let mut client = connect_as_writer(at)?;
        let lock = writer_lock(&mut client, at)?;
        let (server, caches, seen) = {
            let mut tx = begin(&mut client, lock)?;
            let server = identity::load_or_create(&mut tx, start.wall.now_ms())?;
            let (caches, seen) = {
                let sql = Pg::new(&mut tx);
                // Fingerprints a migration cleared (a new definition), before the index is built.
                crate::store::checks::recompute_missing(&sql)?;
                // Ledger rows a migration left unwritten.
                crate::store::read_model::write_due_ledger_rows(&sql)?;
                crate::store::epoch::ensure(&sql)?;
                if let Some(file) = &start.witness_file {
                    witness::check_file(&sql, file, &server.key.public())?;
                }
                let mut caches = Caches { reference: Reference::default(), heads: HashMap::new(), log: LogHead::default() };
                caches.reload_all(&sql, &start.clock)?;
                let seen = caches::draw(&sql)?;
                (caches, seen)
            };
            tx.commit()?;
            (server, caches, seen)
        };
        let witness = match start.witness_file {
            Some(file) => LogWitness::with_file(file)?,
            None => LogWitness::default(),
        };
        if let Some(frontier) = caches.log.known() {
            witness.publish(&server, frontier);
        }
        let published = Published::new(caches.reference.snapshot(&start.checks));
        let health = Health::default();
        let (jobs, rx) = mpsc::channel::<Work>(4_096);
        let shared = Shared {
            at: at.clone(),
            lock,
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
            .spawn(move || run(client, rx, caches, Some(seen), shared))
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
    pub async fn run<T, F>(&self, mut f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnMut(&mut WriteCtx<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        // The writes the job's statements left in the queue are sent before it counts as done, so
        // that their errors are the job's.
        let job = move |ctx: &mut WriteCtx<'_>| {
            let done = f(ctx)?;
            ctx.finish()?;
            ctx.conn.flush()?;
            Ok(done)
        };
        batch::submit(&self.jobs, job).await
    }
}

/// How long a batch waits for the writer role before it fails (`StoreError::Busy`, answered 503,
/// so that devices retry): another process's batch holds it only while it runs.
const ROLE_WAIT: &str = "30s";

/// How long a writer's transaction may sit idle before PostgreSQL ends its session, and so lets
/// the writer role go: a process frozen in the middle of a batch (stopped, its machine paused)
/// holds up the others this long at most. A batch waits on nothing but its own statements.
const IDLE_IN_BATCH: &str = "60s";

/// A connection for the writer: its waits for the role, and its idle time inside a batch, bounded.
pub(super) fn connect_as_writer(at: &Location) -> Result<Client, StoreError> {
    let mut client = connect(at)?;
    client.batch_execute(&format!("SET lock_timeout = '{ROLE_WAIT}'; SET idle_in_transaction_session_timeout = '{IDLE_IN_BATCH}'"))?;
    // How the writer's queue writes its arguments and reads its answers as text (`queue`), set
    // whatever the server's defaults: quotes the only escape in a literal, bytes in hex, each
    // real written exactly.
    client.batch_execute("SET standard_conforming_strings = on; SET bytea_output = 'hex'; SET extra_float_digits = 1")?;
    Ok(client)
}

/// Opens a write transaction holding the writer role (the writer lock `lock`) until it ends. READ COMMITTED whatever the
/// database's default: each statement after the lock sees every batch committed before the role
/// came to this one, which a snapshot taken by the lock's own statement would not.
pub(super) fn begin(client: &mut Client, lock: i64) -> Result<Transaction<'_>, StoreError> {
    let mut tx = client.build_transaction().isolation_level(IsolationLevel::ReadCommitted).start()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock])?;
    Ok(tx)
}

fn run(mut client: Client, mut rx: mpsc::Receiver<Work>, mut caches: Caches, mut seen: Option<Seen>, shared: Shared) {
    // The writer connection's prepared statements, made again with each new connection.
    let mut statements = Statements::default();
    while let Some(batch) = batch::next_batch(&mut rx) {
        shared.metrics.writer_queue(rx.len());
        // A lost connection may have lost a batch whose commit is unknown: connect again, and read
        // the caches afresh in the next batch.
        if client.is_closed() {
            match connect_as_writer(&shared.at) {
                Ok(again) => (client, statements, seen) = (again, Statements::default(), None),
                Err(e) => {
                    let error = Arc::new(e);
                    shared.health.record(Some(error.clone()), false);
                    batch.into_iter().map(|work| work.refuse(error.clone())).for_each(|finish| finish(Some(&error)));
                    continue;
                }
            }
        }
        let (jobs, started) = (batch.len(), Instant::now());
        let (finishers, outcome, unwritable, wrote) = run_batch(&mut client, &statements, batch, &mut caches, (&mut seen, &shared));
        let failure = outcome.as_ref().err().cloned().or(unwritable);
        shared.metrics.writer_batch(jobs, started.elapsed().as_secs_f64(), failure.as_ref().map_or(Ok(()), |e| Err(e.cause())));
        shared.metrics.writer_messages(statements.take_sent());
        shared.health.record(failure, wrote);
        // After a failed batch the caches hold what it undid; the next batch reads them again
        // (`seen` is none), and until then the published reference stays the committed one.
        if outcome.is_ok() && caches.reference.version != shared.published.version() {
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

/// Runs `batch` in one transaction holding the writer role, after bringing the caches up to what
/// other processes committed since `seen`, which it then sets to what this batch committed (none
/// when the batch failed).
fn run_batch(
    client: &mut Client,
    statements: &Statements,
    batch: Vec<Work>,
    caches: &mut Caches,
    (seen, shared): (&mut Option<Seen>, &Shared),
) -> Batch {
    let last_seen = seen.take();
    statements.queue().clear();
    let opened = begin(client, shared.lock).and_then(|mut tx| {
        caches.refresh(&Pg::queued(&mut tx, statements), last_seen, &shared.clock)?;
        Ok(tx)
    });
    let mut tx = match opened {
        Ok(tx) => tx,
        Err(e) => {
            let error = Arc::new(e);
            let finishers = batch.into_iter().map(|work| work.refuse(error.clone())).collect();
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
            caches.reload(&Pg::queued(&mut tx, statements));
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
    // The generation is drawn last, so that what it records is the whole batch.
    // It is answered, so the queue is empty after it (the last job's release went with it).
    // Before it, the kept ledger rows the batch's changes cleared are written again
    // (`read_model::kept`); if that fails, the batch is not committed.
    let drawn = crate::store::read_model::write_due_ledger_rows(&Pg::queued(&mut tx, statements))
        .and_then(|_| caches::draw(&Pg::queued(&mut tx, statements)));
    let outcome = drawn.and_then(|drawn| Ok(tx.commit().map(|()| drawn)?)).map_err(Arc::new);
    match &outcome {
        Ok(drawn) => {
            *seen = Some(*drawn);
            raised.iter().for_each(|(kind, n)| shared.metrics.flag(kind, *n));
        }
        Err(_) => caches.log = log_at_start,
    }
    let outcome = outcome.map(|_| ());
    (finishers, outcome, unwritable, wrote)
}

/// Runs one job inside its own savepoint; returns how it went, its finisher, and whether the
/// savepoint was released or rolled back cleanly. The flags a job that stood raised are added to
/// `raised`. The savepoint and its release wait in the connection's queue (`queue`), going with
/// the job's first and the next job's first answered statements; a job that failed before any
/// statement of it was sent is only dropped from the queue.
fn run_one(
    (tx, statements): (&mut Transaction<'_>, &Statements),
    mut work: Work,
    caches: &mut Caches,
    (shared, now_ms): (&Shared, i64),
    raised: &mut BTreeMap<String, u64>,
) -> (Job, Finish, bool) {
    statements.queue().open_job();
    let (job, finish, job_raised) = {
        let sql = Pg::queued(&mut *tx, statements);
        let caches = (&mut caches.reference, &mut caches.heads, &mut caches.log);
        let mut ctx = WriteCtx::new(&sql, caches, (&shared.clock, &shared.server, &shared.checks), now_ms);
        let job = work.attempt(&mut ctx);
        let finish = work.finish();
        (job, finish, ctx.raised.into_inner())
    };
    let released = match statements.queue().close_job(matches!(job, Job::Done)) {
        JobEnd::Queued => Ok(()),
        JobEnd::SendRollback => Pg::queued(&mut *tx, statements).flush(),
    };
    if matches!(job, Job::Done) && released.is_ok() {
        for (kind, n) in job_raised {
            *raised.entry(kind).or_default() += n;
        }
    }
    (job, finish, released.is_ok())
}
