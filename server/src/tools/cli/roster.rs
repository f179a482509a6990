//! `patrolsync-server roster import|export`: the county's roster file (CSV or XLSX) in and out
//! of a store, beside a running server or not (it notices the commit, as with `reference`).

use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use sync_protocol::checks::recheck::CheckConfig;
use sync_protocol::ids::UserId;

use super::{ImportInto, NamedStore, export_from, with_checks};
use crate::service::roster::{self, Format, Language, RosterError, RosterOptions, Step};
use crate::store::Store;
use crate::tools::reference::progress;

#[derive(Subcommand)]
pub(super) enum RosterAction {
    /// Check a roster (花名册) and author what differs from the store, all or nothing, in the name
    /// of an admin; people no longer listed are disabled.
    Import {
        #[command(flatten)]
        into: ImportInto,
        /// The admin in whose name the changes are made (named in every event).
        #[arg(long)]
        by: UserId,
        /// The roster: a .csv or .xlsx file.
        file: PathBuf,
    },
    /// Write the store's roster, in the import's form.
    Export {
        #[command(flatten)]
        from: NamedStore,
        /// csv or xlsx (default: the output file's extension, else csv).
        #[arg(long, value_parser = parse_format)]
        format: Option<Format>,
        /// Headings and words in Chinese (中文表头).
        #[arg(long)]
        chinese: bool,
        /// Where to write (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| format!("{s:?}: csv or xlsx"))
}

pub(super) fn run(action: RosterAction) -> ExitCode {
    match action {
        RosterAction::Import { mut into, by, file } => {
            if let Err(e) = into.resolve() {
                return super::fail(&e);
            }
            let config = into.config.clone();
            with_checks(config.as_deref(), |checks| import(into, by, file, checks))
        }
        RosterAction::Export { from, format, chinese, output } => {
            export_from(from, |store| async move { export(&*store, format, chinese, output).await })
        }
    }
}

/// Imports the roster `file` into the store `into` names, in the name of `by`; the re-checks
/// judge by `checks`.
async fn import(into: ImportInto, by: UserId, file: PathBuf, checks: CheckConfig) -> Result<(), RosterError> {
    let format = format_of(&file)?;
    let bytes = read(&file)?;
    let store = into.open(checks)?;
    let bar = progress::terminal();
    let shown = bar.clone();
    let on_step = std::sync::Arc::new(move |step: Step| match step {
        Step::Checking(rows) => progress::phase(&shown, "checking", rows),
        Step::Importing(events) => progress::phase(&shown, "importing", events),
        Step::Authored => shown.inc(1),
    });
    let summary = roster::import(&*store, bytes, format, by, RosterOptions { dry_run: into.dry_run }, on_step).await;
    bar.finish_and_clear();
    into.report(summary?);
    Ok(())
}

/// Writes the store's roster to `output` (else standard output).
async fn export(store: &dyn Store, format: Option<Format>, chinese: bool, output: Option<PathBuf>) -> Result<(), RosterError> {
    let format = format.or_else(|| output.as_deref().and_then(Format::of_path)).unwrap_or(Format::Csv);
    let language = if chinese { Language::Chinese } else { Language::English };
    let bytes = roster::export(store, format, language).await?;
    match output {
        Some(path) => std::fs::write(&path, bytes).map_err(|e| RosterError::Encode(format!("{}: {e}", path.display())))?,
        None => std::io::Write::write_all(&mut std::io::stdout(), &bytes).map_err(|e| RosterError::Encode(e.to_string()))?,
    }
    Ok(())
}

fn format_of(file: &Path) -> Result<Format, RosterError> {
    Format::of_path(file).ok_or_else(|| RosterError::Unreadable(format!("{}: a roster is a .csv or .xlsx file", file.display())))
}

fn read(file: &Path) -> Result<Vec<u8>, RosterError> {
    let unreadable = |e: std::io::Error| RosterError::Unreadable(format!("{}: {e}", file.display()));
    let len = std::fs::metadata(file).map_err(unreadable)?.len();
    if len > roster::MAX_ROSTER_BYTES as u64 {
        return Err(RosterError::Unreadable(format!("{} holds {len} bytes, more than {}", file.display(), roster::MAX_ROSTER_BYTES)));
    }
    std::fs::read(file).map_err(unreadable)
}
