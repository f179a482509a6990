//! `patrolsync-server reference import|export`: the GeoJSON reference file (`tools::reference`)
//! in and out of a store, beside a running server or not; an import that does not check prints
//! every finding.

use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use sync_protocol::checks::recheck::CheckConfig;

use super::{ImportInto, NamedStore, export_from, with_checks};
use crate::store::Store;
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
        #[command(flatten)]
        from: NamedStore,
        /// Where to write (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

pub(super) fn run(action: ReferenceAction) -> ExitCode {
    match action {
        ReferenceAction::Import { mut into, max_vertices, file } => {
            if let Err(e) = into.resolve() {
                return super::fail(&e);
            }
            let config = into.config.clone();
            with_checks(config.as_deref(), |checks| async move {
                let done = import(into, max_vertices, file, checks).await;
                // A file that does not check: every finding, before the error.
                if let Err(ReferenceFileError::Invalid(findings)) = &done {
                    eprint!("{findings}");
                }
                done
            })
        }
        ReferenceAction::Export { from, output } => export_from(from, |store| async move { export(&*store, output).await }),
    }
}

/// Imports the reference `file` into the store `into` names; the re-checks judge by `checks`.
async fn import(into: ImportInto, max_vertices: u32, file: PathBuf, checks: CheckConfig) -> Result<(), ReferenceFileError> {
    let text = reference::read_file(&file)?;
    let store = into.open(checks)?;
    let options = ImportOptions { dry_run: into.dry_run, limits: Limits { max_vertices: max_vertices as usize } };
    into.report(reference::import(&*store, text, Vec::new(), Vec::new(), options, &progress::terminal()).await?);
    Ok(())
}

/// Writes the store's reference data to `output` (else standard output).
async fn export(store: &dyn Store, output: Option<PathBuf>) -> Result<(), ReferenceFileError> {
    let text = reference::export(store).await?;
    match output {
        Some(path) => std::fs::write(&path, text).map_err(|e| ReferenceFileError::Write(path.clone(), e))?,
        None => print!("{text}"),
    }
    Ok(())
}
