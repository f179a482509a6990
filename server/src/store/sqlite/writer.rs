//! The single writer: one thread owns the only read-write connection, takes jobs from a queue,
//! and runs everything that is waiting in one transaction (one fsync for many requests). A job's
//! result reaches its caller only after the commit, so every acknowledgement is durable. After a
//! batch that changed what the checks read, it publishes a new snapshot of it for the parallel
//! prepare step (`checks::ahead`).

use rusqlite::Connection;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use sync_protocol::admit::ChainHead;
use sync_protocol::checks::recheck::CheckConfig;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::DeviceId;
use tokio::sync::mpsc;

use super::StoreError;
use super::identity::ServerIdentity;
use super::merkle::{LogHead, LogWitness};
use super::refresh::Refresh;
use crate::clock::SharedClock;
use crate::metrics::Metrics;
pub use crate::store::batch::Commits;
use crate::store::batch::{self, Finish, Health, Job, Task};
use crate::store::checks::{CheckSnapshot, Published};
pub use crate::store::jobs::WriteCtx;
use crate::store::jobs::reference::Reference;

/// A job: run on the open transaction (perhaps twice: [`run_batch`]), or told that none could be
/// opened.
type Work = Box<dyn Task>;

/// A handle to the writer thread; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Work>,
    published: Published,
    witness: LogWitness,
    health: Health,
}

impl Writer {
    /// Starts the writer thread on `conn`. The thread ends when every handle is dropped.
    pub fn start(
        conn: Connection,
        server: ServerIdentity,
        clock: Arc<Mutex<Hlc>>,
        checks: CheckConfig,
        wall: SharedClock,
        witness: LogWitness,
        metrics: Arc<Metrics>,
    ) -> Result<(Writer, std::thread::JoinHandle<()>), StoreError> {
        let reference = Reference::load(&conn)?;
        let mut log = LogHead::default();
        match log.frontier(&mut crate::store::log::Rows(&conn)) {
            Ok(frontier) => witness.publish(&server, frontier),
            // Reads go on; every write that would append to the log fails with this error.
            Err(e) => tracing::error!("cannot load the tamper-evident log: {e}"),
        }
        let published = Published::new(reference.snapshot(&checks));
        let (tx, rx) = mpsc::channel::<Work>(4_096);
        let health = Health::default();
        let shared =
            Shared { server, clock, checks, published: published.clone(), wall, metrics, health: health.clone(), witness: witness.clone() };
        let thread = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || run(conn, rx, reference, log, shared))
            .map_err(StoreError::Threads)?;
        Ok((Writer { jobs: tx, published, health, witness }, thread))
    }

    /// Whether the writer committed, or failed to, moments ago.
    pub fn commits(&self) -> Commits {
        self.health.commits()
    }

    /// The latest checkpoint of the log the writer signed, for sync replies.
    pub fn witness(&self) -> &LogWitness {
        &self.witness
    }

    /// The reference data the checks read, as the writer last published it: for computing checks
    /// ahead of the writer, which takes their results only if that is still its reference.
    pub fn check_snapshot(&self) -> Arc<CheckSnapshot> {
        self.published.load()
    }

    /// Runs `f` in the writer's next transaction and returns its result once committed. If `f`
    /// fails, its changes are rolled back and the rest of the batch is unaffected; `f` may then
    /// have run once more, the first run undone ([`run_batch`]).
    pub async fn run<T, F>(&self, mut f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnMut(&mut WriteCtx<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        // What the job held back until its end is written inside its savepoint, so its errors are the job's.
        let job = move |ctx: &mut WriteCtx<'_>| {
            let done = f(ctx)?;
            ctx.finish()?;
            Ok(done)
        };
        batch::submit(&self.jobs, job).await
    }
}

/// What the writer thread holds for its whole life.
struct Shared {
    server: ServerIdentity,
    clock: Arc<Mutex<Hlc>>,
    checks: CheckConfig,
    published: Published,
    /// The wall clock each batch reads its time from.
    wall: SharedClock,
    /// Batch sizes and times, commit outcomes, queue depth, flags raised.
    metrics: Arc<Metrics>,
    health: Health,
    /// Where each committed growth of the log is signed and published.
    witness: LogWitness,
}

impl Shared {
    /// Publishes `reference` for the prepare step if it changed since the last publication.
    fn publish(&self, reference: &Reference) {
        if reference.version != self.published.version() {
            self.published.publish(reference.snapshot(&self.checks));
        }
    }
}

fn run(mut conn: Connection, mut rx: mpsc::Receiver<Work>, mut reference: Reference, mut log: LogHead, shared: Shared) {
    let mut heads = HashMap::new();
    let mut refresh = Refresh::default();
    refresh.check(&conn, &mut reference, &mut heads, &shared.clock);
    shared.publish(&reference);
    while let Some(batch) = batch::next_batch(&mut rx) {
        shared.metrics.writer_queue(rx.len());
        let (jobs, started, changes) = (batch.len(), Instant::now(), conn.total_changes());
        let mut caches = Caches { reference: &mut reference, heads: &mut heads, log: &mut log };
        let (finishers, outcome, unwritable) = run_batch(&mut conn, batch, &mut caches, &mut refresh, &shared);
        let failure = outcome.as_ref().err().cloned().or(unwritable);
        shared.metrics.writer_batch(jobs, started.elapsed().as_secs_f64(), failure.as_ref().map_or(Ok(()), |e| Err(e.cause())));
        shared.health.record(failure, conn.total_changes() > changes);
        if outcome.is_err() {
            // Nothing of the batch is stored: forget what the caches learnt from it (the log's
            // frontier was put back by `run_batch`).
            heads.clear();
            reference = Reference::load(&conn).unwrap_or_default();
        }
        shared.publish(&reference);
        // Before any reply goes out: a device acked now is given a checkpoint covering its events.
        if outcome.is_ok()
            && let Some(frontier) = log.known()
        {
            shared.witness.publish(&shared.server, frontier);
        }
        for finish in finishers {
            finish(outcome.as_ref().err());
        }
    }
}

/// What a batch came to: each job's finisher, the commit's outcome, and a job's failure that says
/// the store cannot be written (when the rest of the batch committed).
type Batch = (Vec<Finish>, Result<(), Arc<StoreError>>, Option<Arc<StoreError>>);

/// The writer's caches, each exact because no one else writes (see `refresh` for when another
/// process does).
struct Caches<'a> {
    reference: &'a mut Reference,
    heads: &'a mut HashMap<DeviceId, ChainHead>,
    log: &'a mut LogHead,
}

/// Runs `batch` in one transaction, first without savepoints: SQLite then keeps no copy of the
/// pages each job changes (its sub-journal, 4 KiB a page). If a job fails, the transaction is rolled
/// back whole, and the batch runs again in a new one, each job in a savepoint of its own, so that
/// the failed job is undone alone and the others commit. A batch of one job is not run again: its
/// failure is its result.
fn run_batch(conn: &mut Connection, mut batch: Vec<Work>, caches: &mut Caches<'_>, refresh: &mut Refresh, shared: &Shared) -> Batch {
    let now_ms = shared.wall.now_ms();
    let mut pass = run_pass(conn, &mut batch, caches, refresh, (shared, now_ms), Savepoints::None);
    if matches!(pass, Pass::JobFailed { .. }) && batch.len() > 1 {
        pass = run_pass(conn, &mut batch, caches, refresh, (shared, now_ms), Savepoints::PerJob);
    }
    match pass {
        Pass::Ran { outcome, unwritable } => (batch.into_iter().map(Task::finish).collect(), outcome, unwritable),
        // The job's own error is its result; nothing of it is kept.
        Pass::JobFailed { unwritable } => (batch.into_iter().map(Task::finish).collect(), Ok(()), unwritable),
        Pass::NotOpened(error) => (batch.into_iter().map(|work| work.refuse(error.clone())).collect(), Err(error), None),
    }
}

/// Whether each job of a pass runs in a savepoint of its own.
#[derive(Clone, Copy, PartialEq)]
enum Savepoints {
    None,
    PerJob,
}

/// How a pass over a batch went.
enum Pass {
    /// Every job ran (in savepoints, a failed one undone alone); the commit's outcome, and a job's
    /// failure that says the store cannot be written.
    Ran { outcome: Result<(), Arc<StoreError>>, unwritable: Option<Arc<StoreError>> },
    /// A job failed in a pass without savepoints: the transaction was rolled back whole.
    JobFailed { unwritable: Option<Arc<StoreError>> },
    /// No transaction could be opened.
    NotOpened(Arc<StoreError>),
}

fn run_pass(
    conn: &mut Connection,
    batch: &mut [Work],
    caches: &mut Caches<'_>,
    refresh: &mut Refresh,
    (shared, now_ms): (&Shared, i64),
    savepoints: Savepoints,
) -> Pass {
    let (reference, heads, log) = (&mut *caches.reference, &mut *caches.heads, &mut *caches.log);
    // Immediate: the write lock is taken now, so no other process commits between the refresh
    // check and this batch's writes.
    let tx = match conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return Pass::NotOpened(Arc::new(StoreError::from(e))),
    };
    if refresh.check(&tx, reference, heads, &shared.clock) {
        log.forget();
    }
    let log_at_start = log.clone();
    let mut raised = BTreeMap::<String, u64>::new();
    let mut unwritable = None;
    for work in batch.iter_mut() {
        let savepoint = match savepoints {
            Savepoints::PerJob => tx.execute_batch("SAVEPOINT job"),
            Savepoints::None => Ok(()),
        };
        let log_before = log.clone();
        let mut ctx = WriteCtx::new(&tx, (reference, heads, log), (&shared.clock, &shared.server, &shared.checks), now_ms);
        let job = work.attempt(&mut ctx);
        let ok = matches!(job, Job::Done);
        if let Job::Unwritable(e) = job {
            unwritable = Some(e);
        }
        let job_raised = ctx.raised.into_inner();
        if savepoints == Savepoints::None {
            if !ok {
                // Nothing of the pass is kept.
                let rolled_back = tx.rollback();
                heads.clear();
                *reference = Reference::load(&*conn).unwrap_or_default();
                *log = log_at_start;
                if rolled_back.is_err() {
                    log.forget();
                }
                return Pass::JobFailed { unwritable };
            }
            for (kind, n) in job_raised {
                *raised.entry(kind).or_default() += n;
            }
            continue;
        }
        let released = if ok { tx.execute_batch("RELEASE job") } else { tx.execute_batch("ROLLBACK TO job; RELEASE job") };
        if ok && savepoint.is_ok() && released.is_ok() {
            for (kind, n) in job_raised {
                *raised.entry(kind).or_default() += n;
            }
        }
        if !ok || savepoint.is_err() || released.is_err() {
            heads.clear();
            *reference = Reference::load(&tx).unwrap_or_default();
            // Rolled back to the savepoint, the log is as it was before the job; otherwise the
            // transaction may hold part of the job, so the frontier is read again.
            if savepoint.is_ok() && released.is_ok() {
                *log = log_before;
            } else {
                log.forget();
            }
        }
    }
    // The kept ledger rows the batch's changes cleared, written again before it commits
    // (`read_model::kept`); if that fails, the batch is rolled back as a failed commit is.
    let outcome = crate::store::read_model::write_due_ledger_rows(&tx)
        .map_err(Arc::new)
        .and_then(|_| tx.commit().map_err(|e| Arc::new(StoreError::from(e))));
    match outcome {
        Ok(()) => raised.iter().for_each(|(kind, n)| shared.metrics.flag(kind, *n)),
        Err(_) => *log = log_at_start,
    }
    Pass::Ran { outcome, unwritable }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
