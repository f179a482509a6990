//! The one error type of reference-file import and export; an invalid file carries every problem.

use std::path::PathBuf;

use super::problem::Findings;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ReferenceFileError {
    #[error("cannot read {0}")]
    Read(PathBuf, #[source] std::io::Error),
    #[error("{path} is larger than {limit} bytes, the most a reference file may hold")]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("cannot write {0}")]
    Write(PathBuf, #[source] std::io::Error),
    #[error("the file has {} problem(s); nothing was imported", .0.len())]
    Invalid(Findings),
    #[error("zone {zone} has {count} current officers; a reference file carries one per zone")]
    SharedZone { zone: String, count: usize },
    #[error("cannot encode the reference file")]
    Encode(#[source] serde_json::Error),
    #[error("the check of the file stopped")]
    Check(#[source] tokio::task::JoinError),
    #[error(transparent)]
    Store(#[from] StoreError),
}
