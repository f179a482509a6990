//! What every engine's single writer shares: jobs taken from a queue into one transaction, each
//! job's result held back until the commit (so that every acknowledgement is durable), and the
//! writer's health as its commits show it (`/readyz`, and one log line when it changes).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

use super::StoreError;
use super::jobs::WriteCtx;

/// How many jobs one transaction takes at most.
pub const MAX_JOBS_PER_COMMIT: usize = 512;

/// How long a failed commit counts as the writer's state when no commit has succeeded since: a
/// small probe may still fit where the failed batch did not (a nearly full disk), so readiness
/// stays failed this long after a real batch failed.
const FAILURE_STANDS: Duration = Duration::from_secs(10);

/// How long a successful commit stands as proof that the writer commits: readiness probes that
/// come together, or during traffic, add no write of their own.
const SUCCESS_STANDS: Duration = Duration::from_secs(1);

/// Told, after the batch's commit, whether it failed: sends the job's result to its caller.
pub type Finish = Box<dyn FnOnce(Option<&Arc<StoreError>>) + Send>;

/// How a job went, for the batch.
pub enum Job {
    Done,
    /// Rolled back to its savepoint.
    Failed,
    /// Rolled back because the store cannot be written (a full disk, a read-only file): the
    /// writer's health, though the rest of the batch may commit.
    Unwritable(Arc<StoreError>),
}

/// A job in the writer's queue: a body that runs on the open transaction, and the caller its last
/// result goes to once the batch's commit is known. The body may run more than once, the
/// transaction it ran in rolled back in between (SQLite's writer runs a batch without savepoints
/// first, and again with one per job when a job fails: `sqlite::writer`).
pub trait Task: Send {
    /// Runs the body on the open transaction and keeps its result; says how it went.
    fn attempt(&mut self, ctx: &mut WriteCtx<'_>) -> Job;
    /// The finisher of the last attempt's result. A result the commit undid becomes
    /// [`StoreError::CommitFailed`].
    fn finish(self: Box<Self>) -> Finish;
    /// The finisher of a job that could not run: no transaction could be opened (`cause`).
    fn refuse(self: Box<Self>, cause: Arc<StoreError>) -> Finish;
}

/// A [`Task`] made of a body and the sender of its result.
struct Attempts<T, F> {
    body: F,
    last: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Task for Attempts<T, F>
where
    T: Send + 'static,
    F: FnMut(&mut WriteCtx<'_>) -> Result<T, StoreError> + Send,
{
    fn attempt(&mut self, ctx: &mut WriteCtx<'_>) -> Job {
        let result = (self.body)(ctx);
        let job = match &result {
            Ok(_) => Job::Done,
            Err(e) => unwritable(e).map_or(Job::Failed, Job::Unwritable),
        };
        self.last = Some(result);
        job
    }

    fn finish(self: Box<Self>) -> Finish {
        // Every job is attempted before it is finished; one that was not did not run.
        finisher(self.last.unwrap_or(Err(StoreError::WriterGone)), self.reply)
    }

    fn refuse(self: Box<Self>, cause: Arc<StoreError>) -> Finish {
        finisher(Err(StoreError::CommitFailed(cause)), self.reply)
    }
}

/// Sends `result` to `reply` once the batch's commit is known.
fn finisher<T: Send + 'static>(result: Result<T, StoreError>, reply: oneshot::Sender<Result<T, StoreError>>) -> Finish {
    Box::new(move |commit_error| {
        let outcome = match (result, commit_error) {
            (Ok(_), Some(e)) => Err(StoreError::CommitFailed(e.clone())),
            (result, _) => result,
        };
        let _ = reply.send(outcome);
    })
}

/// Sends a job of `body` to the writer, and waits for its result, which comes once the job's
/// batch is committed.
pub async fn submit<T, F>(jobs: &mpsc::Sender<Box<dyn Task>>, body: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnMut(&mut WriteCtx<'_>) -> Result<T, StoreError> + Send + 'static,
{
    let (reply, answer) = oneshot::channel();
    jobs.send(Box::new(Attempts { body, last: None, reply })).await.map_err(|_| StoreError::WriterGone)?;
    answer.await.map_err(|_| StoreError::WriterGone)?
}

/// A copy of `e` when it says the store cannot be written, its cause's text kept.
fn unwritable(e: &StoreError) -> Option<Arc<StoreError>> {
    let copy = |e: &StoreError| -> crate::store::EngineError {
        Box::new(std::io::Error::other(std::error::Error::source(e).map(|s| s.to_string()).unwrap_or_default()))
    };
    match e {
        StoreError::Full(_) => Some(Arc::new(StoreError::Full(copy(e)))),
        StoreError::ReadOnly(_) => Some(Arc::new(StoreError::ReadOnly(copy(e)))),
        _ => None,
    }
}

/// The first job and every one waiting behind it, up to [`MAX_JOBS_PER_COMMIT`]: the next batch.
pub fn next_batch<W>(rx: &mut mpsc::Receiver<W>) -> Option<Vec<W>> {
    let first = rx.blocking_recv()?;
    let mut batch = vec![first];
    while batch.len() < MAX_JOBS_PER_COMMIT {
        match rx.try_recv() {
            Ok(work) => batch.push(work),
            Err(_) => break,
        }
    }
    Some(batch)
}

/// What the writer knows of its own health, now.
pub enum Commits {
    /// A commit succeeded moments ago.
    Recently,
    /// A commit failed moments ago, and none has succeeded since.
    Failing(Arc<StoreError>),
    /// Nothing recent: only a commit can tell.
    Unknown,
}

/// The writer's last successful commit, and its last failed one until a commit succeeds; shared
/// between the writer thread and the store's handle.
#[derive(Default, Clone)]
pub struct Health {
    inner: Arc<Mutex<HealthState>>,
}

#[derive(Default)]
struct HealthState {
    committed: Option<Instant>,
    failed: Option<(Instant, Arc<StoreError>)>,
    /// The cause being logged as failing, until a commit succeeds.
    logged: Option<&'static str>,
}

impl Health {
    /// Whether the writer committed, or failed to, moments ago ([`SUCCESS_STANDS`],
    /// [`FAILURE_STANDS`]).
    pub fn commits(&self) -> Commits {
        let Ok(health) = self.inner.lock() else { return Commits::Unknown };
        match (&health.failed, health.committed) {
            (Some((at, e)), _) if at.elapsed() < FAILURE_STANDS => Commits::Failing(e.clone()),
            (_, Some(at)) if at.elapsed() < SUCCESS_STANDS => Commits::Recently,
            _ => Commits::Unknown,
        }
    }

    /// Records a batch: `failure` if it (or one of its jobs) found the store unwritable, and
    /// whether it wrote anything (only a commit that wrote proves anything: an empty transaction
    /// commits on a read-only file). Logs the cause of the first failed commit and the first
    /// commit after failures, so a long outage is a few lines.
    pub fn record(&self, failure: Option<Arc<StoreError>>, wrote: bool) {
        let Ok(mut health) = self.inner.lock() else { return };
        match (&failure, health.logged) {
            (Some(e), previous) if previous != Some(e.cause()) => {
                let detail = std::error::Error::source(&**e).map(|s| s.to_string()).unwrap_or_default();
                tracing::error!(cause = e.cause(), "the store's writer cannot commit: {e} ({detail}); requests that write answer 503");
                health.logged = Some(e.cause());
            }
            (None, Some(cause)) => {
                tracing::info!(after = cause, "the store's writer commits again");
                health.logged = None;
            }
            _ => {}
        }
        match failure {
            Some(e) => health.failed = Some((Instant::now(), e)),
            None if wrote => {
                health.committed = Some(Instant::now());
                health.failed = None;
            }
            None => {}
        }
    }
}
