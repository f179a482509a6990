//! The upload loop: syncs on its own timer, not only after a local write. After a transient
//! failure it waits with exponential backoff and jitter; a permanent one (a new login is needed)
//! ends it. Delays are configurable so that tests run in milliseconds.

use std::future::Future;
use std::time::Duration;

use super::{Backoff, SyncError, SyncReport, sync};
use crate::replica::Replica;

#[derive(Debug, Clone, Copy)]
pub struct LoopConfig {
    /// The wait between syncs after a success.
    pub interval: Duration,
    pub backoff: Backoff,
}

impl Default for LoopConfig {
    fn default() -> Self {
        LoopConfig { interval: Duration::from_secs(60), backoff: Backoff::default() }
    }
}

/// How the loop ended when it was asked to stop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoopExit {
    pub attempts: u32,
    pub successes: u32,
    /// Failures in a row at the end.
    pub failing: u32,
}

/// One round's outcome, as the loop reports it to its observer.
pub type RoundOutcome<'a> = (&'a Result<SyncReport, SyncError>, Option<Duration>);

#[derive(Debug, Clone, Default)]
pub struct SyncLoop {
    pub config: LoopConfig,
}

impl SyncLoop {
    pub fn new(config: LoopConfig) -> Self {
        SyncLoop { config }
    }

    /// Syncs until `shutdown` completes (then `Ok`) or a permanent error (then that error).
    /// `observe` sees every outcome and the wait before the next attempt.
    pub async fn run(
        &self,
        replica: &mut Replica,
        shutdown: impl Future<Output = ()>,
        mut observe: impl FnMut(RoundOutcome<'_>),
    ) -> Result<LoopExit, SyncError> {
        tokio::pin!(shutdown);
        let mut exit = LoopExit::default();
        loop {
            exit.attempts += 1;
            let result = tokio::select! {
                r = sync(replica) => r,
                () = &mut shutdown => return Ok(exit),
            };
            let wait = match &result {
                Ok(_) => {
                    exit.successes += 1;
                    exit.failing = 0;
                    Some(self.config.interval)
                }
                Err(e) if e.is_permanent() => None,
                Err(_) => {
                    exit.failing += 1;
                    Some(self.config.backoff.delay(exit.failing, &mut rand::thread_rng()))
                }
            };
            observe((&result, wait));
            let Some(wait) = wait else { return result.map(|_| exit) };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = &mut shutdown => return Ok(exit),
            }
        }
    }
}
