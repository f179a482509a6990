//! Fixed pools of threads for blocking work (store reads, signature checks, argon2), so that a
//! storm of devices queues for the cores instead of each request getting a thread of its own.

use std::sync::Arc;
use tokio::sync::oneshot;

/// A fixed pool of threads that async code hands blocking work to.
#[derive(Clone)]
pub struct Blocking {
    pool: Arc<rayon::ThreadPool>,
}

/// The pool was shut down, or the work panicked.
#[derive(Debug, thiserror::Error)]
#[error("the {0} thread pool dropped the work")]
pub struct Dropped(pub &'static str);

impl Blocking {
    pub fn new(name: &'static str, threads: usize) -> std::io::Result<Blocking> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .thread_name(move |i| format!("{name}-{i}"))
            .build()
            .map_err(std::io::Error::other)?;
        Ok(Blocking { pool: Arc::new(pool) })
    }

    /// Runs `f` on the pool and waits for it without blocking the async worker.
    pub async fn run<T: Send + 'static>(&self, name: &'static str, f: impl FnOnce() -> T + Send + 'static) -> Result<T, Dropped> {
        let (tx, rx) = oneshot::channel();
        self.pool.spawn(move || {
            let _ = tx.send(f());
        });
        rx.await.map_err(|_| Dropped(name))
    }
}
