//! Fixed pools of threads for blocking work (store reads, signature checks, argon2), so that a
//! storm of devices queues for the cores instead of each request getting a thread of its own.
//! Idle threads sleep on the queue; none spins.

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
            std::thread::Builder::new().name(format!("{name}-{i}")).spawn(move || work(&rx))?;
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
