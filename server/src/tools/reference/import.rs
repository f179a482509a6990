//! Carrying an import out: the file is checked off the writer, then the store's reference data is
//! read, the references resolved and the plan authored, all in one writer transaction.

use indicatif::ProgressBar;
use std::io::Read;
use std::path::Path;
use sync_protocol::body::UserEnrolled;

use super::error::ReferenceFileError;
use super::parse::feature_count;
use super::plan::Summary;
use super::progress::phase;
use super::stored::Stored;
use super::validate::{Limits, check_file, decide};
use crate::store::ReferenceData;
use crate::store::people::PasswordHash;

/// The most bytes a reference file may hold: a county's units, zones and licences at the vertex
/// cap fit many times over; anything larger is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Reads a reference file as UTF-8 text, refusing one over [`MAX_FILE_BYTES`] (read at most that
/// far, so a file that grows, or a device file, cannot make it read forever).
pub fn read_file(path: &Path) -> Result<String, ReferenceFileError> {
    let too_large = || ReferenceFileError::TooLarge { path: path.to_path_buf(), limit: MAX_FILE_BYTES };
    let read = |e| ReferenceFileError::Read(path.to_path_buf(), e);
    let file = std::fs::File::open(path).map_err(read)?;
    if file.metadata().map_err(read)?.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text).map_err(read)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(text)
}

/// How to import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Check and plan, author nothing.
    pub dry_run: bool,
    pub limits: Limits,
}

/// Imports a reference file's text into the store; returns what was (or, in a dry run, would be)
/// authored. An invalid file writes nothing and returns every problem. `enrol` are users to enrol
/// in the same transaction, after the units and before the assignments, and `passwords` theirs
/// (the demo's people; the command line enrols none).
pub async fn import(
    store: &dyn ReferenceData,
    text: String,
    enrol: Vec<UserEnrolled>,
    passwords: Vec<PasswordHash>,
    options: ImportOptions,
    progress: &ProgressBar,
) -> Result<Summary, ReferenceFileError> {
    let bar = progress.clone();
    let checked = tokio::task::spawn_blocking(move || {
        phase(&bar, "checking", feature_count(&text));
        check_file(&text, options.limits, || bar.inc(1))
    })
    .await
    .map_err(ReferenceFileError::Check)?;
    let (bar, step) = (progress.clone(), progress.clone());
    // Planned against what is stored, in the writer's transaction that authors the plan.
    let plan = move |bodies: &[sync_protocol::body::Body], now_ms: i64| match decide(checked.clone(), &Stored::fold(bodies), &enrol, now_ms)
    {
        Ok(plan) if options.dry_run => (Vec::new(), Ok(plan.summary)),
        Ok(plan) => {
            phase(&bar, "importing", plan.bodies.len());
            (plan.bodies, Ok(plan.summary))
        }
        Err(findings) => (Vec::new(), Err(findings)),
    };
    let outcome = store.author_with(plan, passwords, Box::new(move || step.inc(1))).await?;
    progress.finish_and_clear();
    outcome.map_err(ReferenceFileError::Invalid)
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
