//! Liveness and readiness: `/healthz` answers once the stores can be read; `/readyz` only while
//! each county's writer can commit, proven by committing a small write through it.

use std::time::Duration;

use super::Services;
use super::counties::Counties;
use crate::store::StoreError;

/// How long a probe may wait for the writer before the server counts as not ready.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the server is not live: a store cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("a store cannot be read: {0}")]
pub struct NotLive(#[source] pub StoreError);

/// Why the server is not ready.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    #[error("the store's writer cannot commit ({cause}): {error}", cause = .0.cause(), error = root(.0))]
    Writer(#[source] StoreError),
    #[error("the store's writer did not answer within {} s", PROBE_TIMEOUT.as_secs())]
    Slow,
}

/// The failure itself, not the failed commit that carries it.
fn root(e: &StoreError) -> String {
    match e {
        StoreError::CommitFailed(cause) => root(cause),
        e => e.to_string(),
    }
}

impl Services {
    /// Answers once the store can be read (`/healthz`).
    pub async fn health(&self) -> Result<(), NotLive> {
        self.store.ping().await.map_err(NotLive)
    }

    /// Answers while the store's writer commits (`/readyz`): a commit of the last second stands,
    /// otherwise a small write is committed now (`Store::probe_write`). A full disk, a read-only
    /// file or a stopped writer fails it with the cause.
    pub async fn ready(&self) -> Result<(), NotReady> {
        match tokio::time::timeout(PROBE_TIMEOUT, self.store.probe_write()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(NotReady::Writer(e)),
            Err(_) => Err(NotReady::Slow),
        }
    }
}

impl Counties {
    /// Answers once every county's store can be read.
    pub async fn health(&self) -> Result<(), NotLive> {
        for county in self.iter() {
            county.health().await?;
        }
        Ok(())
    }

    /// Answers while every county's writer commits: one that cannot makes the deployment not ready.
    pub async fn ready(&self) -> Result<(), NotReady> {
        for county in self.iter() {
            county.ready().await?;
        }
        Ok(())
    }
}
