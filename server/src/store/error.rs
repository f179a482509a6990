//! The store's one error type, the same for every engine: typed variants (nothing is decided by
//! matching an error's text), each of which says whether the caller may retry.

use std::sync::Arc;
use sync_protocol::ids::UserId;

/// A driver's own error, kept as the cause: no engine's type appears in the store's interface.
pub type EngineError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// What was asked for does not exist.
    #[error("no {what} {id}")]
    NotFound { what: Entity, id: String },
    /// The request contradicts what is stored.
    #[error(transparent)]
    Conflict(Conflict),
    /// A stored row does not read as what its table holds (changed by hand, or a bug).
    #[error("stored data is corrupt: {table}: {detail}")]
    Corrupt { table: &'static str, detail: String },
    /// A value could not be encoded for storing (a bug: every value the store writes encodes).
    #[error("cannot encode {what}")]
    Encode { what: &'static str, source: EngineError },
    /// The batch this job was part of could not be committed: nothing of it is stored.
    #[error("the transaction could not be committed")]
    CommitFailed(#[source] Arc<StoreError>),
    /// The writer (or the thread pool a read runs on) has stopped.
    #[error("the store's writer has stopped")]
    WriterGone,
    /// The disk (or the database's size limit) is full.
    #[error("the store is full")]
    Full(#[source] EngineError),
    /// The database cannot be written (file permissions, a read-only mount).
    #[error("the store is read-only")]
    ReadOnly(#[source] EngineError),
    /// Another process holds the database's lock for longer than the wait allows.
    #[error("the store is busy")]
    Busy(#[source] EngineError),
    /// Any other failure of the engine.
    #[error("database error")]
    Engine(#[source] EngineError),
    #[error("could not migrate the store")]
    Migration(#[source] schema::MigrationError),
    #[error("cannot start the store's threads")]
    Threads(#[source] std::io::Error),
    /// A lock of the store was poisoned by a panic.
    #[error("the store's {0} lock was poisoned")]
    Poisoned(&'static str),
}

/// What a [`StoreError::NotFound`] did not find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    User,
    /// A village officer named by an assignment.
    Officer,
    Device,
    Zone,
    /// A size the tamper-evident log has not reached.
    LogSize,
    /// The server's own identity, which a server makes at its first start on a store.
    ServerIdentity,
    /// A database extension the command needs (PostGIS, for the GIS views).
    Extension,
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Entity::User => "user",
            Entity::Officer => "officer",
            Entity::Device => "device",
            Entity::Zone => "zone",
            Entity::LogSize => "log size",
            Entity::ServerIdentity => "server identity",
            Entity::Extension => "database extension",
        })
    }
}

/// Why a request contradicts what is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    #[error("this device identity is bound to another user")]
    DeviceTaken,
    #[error("this device identity enrolled another key")]
    DeviceKeyMismatch,
    #[error("this device has been revoked")]
    DeviceRevoked,
    #[error("{0} is not a village officer")]
    NotAVillageOfficer(UserId),
    #[error("a log of {from} leaves cannot be a prefix of one of {to}")]
    SizesOutOfOrder { from: u64, to: u64 },
    #[error("the store already holds a county (its units or users)")]
    CountyExists,
    #[error("user {0} exists already")]
    UserExists(UserId),
    #[error("{0}: {1}")]
    Misplaced(UserId, sync_protocol::body::Misplaced),
    #[error("zone {zone} patrols village {village}, not the officer's")]
    ZoneElsewhere { zone: sync_protocol::ids::ZoneId, village: String },
}

impl StoreError {
    /// Whether retrying the same request later cannot succeed.
    pub fn is_permanent(&self) -> bool {
        match self {
            StoreError::NotFound { .. }
            | StoreError::Conflict(_)
            | StoreError::Corrupt { .. }
            | StoreError::Encode { .. }
            | StoreError::Migration(_)
            | StoreError::Poisoned(_) => true,
            // A commit that failed is as permanent as what made it fail.
            StoreError::CommitFailed(cause) => cause.is_permanent(),
            StoreError::WriterGone
            | StoreError::Full(_)
            | StoreError::ReadOnly(_)
            | StoreError::Busy(_)
            | StoreError::Engine(_)
            | StoreError::Threads(_) => false,
        }
    }

    /// The cause, as one word for logs and metrics: `disk_full`, `read_only`, `busy`, … A
    /// failed commit names the cause of its failure.
    pub fn cause(&self) -> &'static str {
        match self {
            StoreError::NotFound { .. } => "not_found",
            StoreError::Conflict(_) => "conflict",
            StoreError::Corrupt { .. } => "corrupt",
            StoreError::Encode { .. } => "encode",
            StoreError::CommitFailed(cause) => cause.cause(),
            StoreError::WriterGone => "writer_gone",
            StoreError::Full(_) => "disk_full",
            StoreError::ReadOnly(_) => "read_only",
            StoreError::Busy(_) => "busy",
            StoreError::Engine(_) => "engine",
            StoreError::Migration(_) => "migration",
            StoreError::Threads(_) => "threads",
            StoreError::Poisoned(_) => "poisoned",
        }
    }

    /// A row of `table` that does not read as it should.
    pub fn corrupt(table: &'static str, detail: impl Into<String>) -> StoreError {
        StoreError::Corrupt { table, detail: detail.into() }
    }

    pub fn not_found(what: Entity, id: impl ToString) -> StoreError {
        StoreError::NotFound { what, id: id.to_string() }
    }

    /// A value that could not be encoded for storing.
    pub fn encode(what: &'static str, source: impl Into<EngineError>) -> StoreError {
        StoreError::Encode { what, source: source.into() }
    }
}

impl From<schema::MigrationError> for StoreError {
    fn from(e: schema::MigrationError) -> StoreError {
        StoreError::Migration(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_retry_can_mend_is_not_permanent() {
        let io = || -> EngineError { Box::new(std::io::Error::other("x")) };
        assert!(StoreError::not_found(Entity::User, "u").is_permanent());
        assert!(StoreError::Conflict(Conflict::DeviceTaken).is_permanent());
        assert!(StoreError::corrupt("events", "x").is_permanent());
        assert!(!StoreError::WriterGone.is_permanent());
        assert!(!StoreError::Full(io()).is_permanent());
        assert!(!StoreError::Busy(io()).is_permanent());
        assert!(!StoreError::CommitFailed(Arc::new(StoreError::Engine(io()))).is_permanent());
        assert!(StoreError::CommitFailed(Arc::new(StoreError::corrupt("events", "a row"))).is_permanent(), "follows its cause");
        assert_eq!(StoreError::CommitFailed(Arc::new(StoreError::Full(io()))).cause(), "disk_full");
        assert_eq!(StoreError::ReadOnly(io()).cause(), "read_only");
    }
}
