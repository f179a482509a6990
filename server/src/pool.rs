//! Fixed pools of threads for blocking work (store reads, signature checks, argon2), so that a
//! storm of devices queues for the cores instead of each request getting a thread of its own.
//! Idle threads sleep on the queue; none spins. Their threads run below the store's writer.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// A fixed pool of threads that async code hands blocking work to.
#[derive(Clone)]
pub struct Blocking {
    jobs: Arc<Mutex<Sender<Job>>>,
}

/// The pool was shut down, or the work panicked.
#[derive(Debug, thiserror::Error)]
#[error("the {0} thread pool dropped the work")]
pub struct Dropped(pub &'static str);

impl Blocking {
    pub fn new(name: &'static str, threads: usize) -> std::io::Result<Blocking> {
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            std::thread::Builder::new().name(format!("{name}-{i}")).spawn(move || {
                yield_to_the_writer();
                work(&rx)
            })?;
        }
        Ok(Blocking { jobs: Arc::new(Mutex::new(tx)) })
    }

    /// Runs `f` on the pool and waits for it without blocking the async worker.
    pub async fn run<T: Send + 'static>(&self, name: &'static str, f: impl FnOnce() -> T + Send + 'static) -> Result<T, Dropped> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.jobs.lock().map_err(|_| Dropped(name))?.send(job).map_err(|_| Dropped(name))?;
        rx.await.map_err(|_| Dropped(name))
    }
}

/// How much lower than the process's other threads a pool thread is scheduled (`nice`): the
/// single writer (and the HTTP workers, which only move bytes) go first when the cores are short.
/// Every acknowledgement waits on the writer, which no other thread can stand in for, while the
/// pools' work (a push's signatures, a pull's pages, a report) spreads over the cores that are
/// left (docs/architecture.md, "Who goes first when the cores are short").
const BELOW_THE_WRITER: i32 = 10;

/// Lowers the calling thread's priority by [`BELOW_THE_WRITER`]. On Linux a nice value is each
/// thread's own; elsewhere it would be the whole process's, so nothing is changed there. A
/// failure (a sandbox that forbids it) leaves the thread as it was: only the order changes.
fn yield_to_the_writer() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::nice(BELOW_THE_WRITER) {
        tracing::debug!("a pool thread keeps its priority: {e}");
    }
}

/// A pool thread: takes jobs until every sender is gone.
fn work(rx: &Mutex<Receiver<Job>>) {
    loop {
        let job = match rx.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_pool_thread_runs_below_the_thread_that_made_the_pool() -> Result<(), Box<dyn std::error::Error>> {
        let here = rustix::process::getpriority_process(None)?;
        let pool = Blocking::new("nice-test", 1)?;
        let there = pool.run("nice-test", || rustix::process::getpriority_process(None)).await??;
        assert_eq!(there, (here + BELOW_THE_WRITER).min(19), "the pool thread's nice value, against this thread's {here}");
        assert_eq!(rustix::process::getpriority_process(None)?, here, "the thread that made the pool keeps its own");
        Ok(())
    }
}
