//! The store's one error type. Every variant says whether the caller may retry.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    #[error("could not migrate the store")]
    Migration(#[from] schema::MigrationError),
    #[error("the transaction could not be committed: {0}")]
    CommitFailed(String),
    #[error("the store's writer has stopped")]
    WriterGone,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Conflict(String),
    #[error("not found: {0}")]
    NotFound(String),
}

impl StoreError {
    /// Whether retrying the same request later can succeed.
    pub fn is_permanent(&self) -> bool {
        matches!(self, StoreError::Corrupt(_) | StoreError::Conflict(_) | StoreError::NotFound(_) | StoreError::Migration(_))
    }
}
