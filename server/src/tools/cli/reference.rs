//! `patrolsync-server reference import|export`: the GeoJSON reference file (`tools::reference`)
//! in and out of a store, beside a running server or not; an import that does not check prints
//! every finding.

use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use sync_protocol::checks::recheck::CheckConfig;

use super::{ImportInto, with_checks};
use crate::store::sqlite::SqliteStore;
use crate::tools::reference::{self, ImportOptions, Limits, ReferenceFileError, geometry, progress};

#[derive(Subcommand)]
pub(super) enum ReferenceAction {
    /// Check a GeoJSON reference file and author what differs from the store, all or nothing.
    Import {
        #[command(flatten)]
        into: ImportInto,
        /// The most vertices one polygon may have, all rings together.
        #[arg(long, default_value_t = geometry::DEFAULT_MAX_VERTICES as u32,
              value_parser = clap::value_parser!(u32).range(4..=geometry::MAX_VERTICES_LIMIT as i64))]
        max_vertices: u32,
        /// The GeoJSON FeatureCollection to import.
        file: PathBuf,
    },
    /// Write the store's current reference data as a GeoJSON reference file.
    Export {
        /// The store's SQLite file.
        #[arg(long)]
        db: PathBuf,
        /// Where to write (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

pub(super) fn run(mut action: ReferenceAction) -> ExitCode {
    if let ReferenceAction::Import { into, .. } = &mut action
        && let Err(e) = into.resolve()
    {
        return super::fail(&e);
    }
    let config = match &action {
        ReferenceAction::Import { into, .. } => into.config.clone(),
        ReferenceAction::Export { .. } => None,
    };
    with_checks(config.as_deref(), |checks| async move {
        let done = reference(action, checks).await;
        // A file that does not check: every finding, before the error.
        if let Err(ReferenceFileError::Invalid(findings)) = &done {
            eprint!("{findings}");
        }
        done
    })
}

/// Runs `action`; an import's re-checks judge by `checks`.
async fn reference(action: ReferenceAction, checks: CheckConfig) -> Result<(), ReferenceFileError> {
    match action {
        ReferenceAction::Import { into, max_vertices, file } => {
            let text = reference::read_file(&file)?;
            let store = into.open(checks)?;
            let options = ImportOptions { dry_run: into.dry_run, limits: Limits { max_vertices: max_vertices as usize } };
            into.report(reference::import(&*store, text, Vec::new(), Vec::new(), options, &progress::terminal()).await?);
        }
        ReferenceAction::Export { db, output } => {
            let store = SqliteStore::open(&db)?;
            let text = reference::export(&store).await?;
            match output {
                Some(path) => std::fs::write(&path, text).map_err(|e| ReferenceFileError::Write(path.clone(), e))?,
                None => print!("{text}"),
            }
        }
    }
    Ok(())
}
