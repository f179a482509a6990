//! The tamper-evident log's commands, `patrolsync-server audit checkpoint|consistency|verify`, and
//! the store every offline tool names (`--db FILE` or `--config FILE`): each command calls one
//! function of `store::offline` and prints what it returns.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use sync_protocol::merkle::SignedCheckpoint;
use sync_protocol::wire::audit::ConsistencyQuery;

use crate::config::{Config, ConfigError, StoreKind};
use crate::store::StoreError;
use crate::store::offline::OfflineStore;

#[derive(Debug, thiserror::Error)]
pub enum LogCommandError {
    #[error("cannot read the checkpoint file {0}")]
    Read(String, #[source] std::io::Error),
    #[error("the checkpoint file {0} is not a checkpoint")]
    Note(String, #[source] sync_protocol::merkle::MerkleError),
    #[error("--from ({from}) is after --to ({to})")]
    SizesOutOfOrder { from: u64, to: u64 },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("the store {0}")]
    Store(String, #[source] StoreError),
    #[error("cannot write the report as JSON")]
    Report(#[source] serde_json::Error),
}

/// `--db FILE`, or the store of the county `county` (none: the only one) of `--config FILE` (with
/// the environment over it), as `serve` would open it: a SQLite file, or a PostgreSQL database
/// (in the county's schema, in a deployment of several).
pub fn store_of(db: Option<PathBuf>, config: Option<&Path>, county: Option<&str>) -> Result<OfflineStore, LogCommandError> {
    match db {
        Some(db) => Ok(OfflineStore::File(db)),
        None => offline_store(Config::load(config)?.county(county)?.config),
    }
}

/// Every county's store of the deployment `--config FILE` describes (with the environment over
/// it), in the config's order, each with its code: what an audit of the whole deployment reads.
pub fn county_stores(config: &Path) -> Result<Vec<(String, OfflineStore)>, LogCommandError> {
    let counties = Config::load(Some(config))?.counties();
    counties.into_iter().map(|c| Ok((c.code, offline_store(c.config)?))).collect()
}

/// The store a county's config names, as `serve` would open it.
fn offline_store(config: Config) -> Result<OfflineStore, LogCommandError> {
    config.store.checked()?;
    Ok(match config.store.kind {
        StoreKind::Postgres => OfflineStore::Postgres { url: config.store.url.unwrap_or_default(), schema: config.store.schema },
        StoreKind::Sqlite => OfflineStore::File(config.db),
    })
}

/// The store's error, with which store it is (a file by its path; a database by the config's
/// setting, since its connection string may hold a password).
pub fn store_error(store: &OfflineStore) -> impl FnOnce(StoreError) -> LogCommandError + '_ {
    move |e| match store {
        OfflineStore::File(path) => LogCommandError::Store(path.display().to_string(), e),
        OfflineStore::Postgres { .. } => LogCommandError::Store("named by the config's [store] url".into(), e),
    }
}

/// `audit checkpoint`: makes (and stores) a signed checkpoint of the log's current size, in a write
/// transaction no serving writer shares, and prints it as a signed note (the file to keep), or as
/// JSON.
pub fn checkpoint(store: &OfflineStore, json: bool) -> Result<ExitCode, LogCommandError> {
    let reply = store.checkpoint(crate::clock::system().now_ms()).map_err(store_error(store))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&reply).unwrap_or_default());
    } else {
        print!("{}", reply.note);
    }
    Ok(ExitCode::SUCCESS)
}

/// `audit consistency`: prints the proof that the log's first `from` leaves are a prefix of its
/// first `to`, as JSON.
pub fn consistency(store: &OfflineStore, from: u64, to: u64) -> Result<ExitCode, LogCommandError> {
    if from > to {
        return Err(LogCommandError::SizesOutOfOrder { from, to });
    }
    let reply = store.consistency(ConsistencyQuery { from, to }).map_err(store_error(store))?;
    println!("{}", serde_json::to_string_pretty(&reply).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}

/// `audit verify`: re-derives the log from the rows and checks it against every stored checkpoint
/// and the one in `kept` (a note file); the report, its lines, and whether it found no problem.
pub fn verify(store: &OfflineStore, kept: Option<&Path>) -> Result<Audited, LogCommandError> {
    let kept = kept
        .map(|path| {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| LogCommandError::Read(name.clone(), e))?;
            SignedCheckpoint::from_note(&text).map_err(|e| LogCommandError::Note(name, e))
        })
        .transpose()?;
    let report = store.verify(kept.as_ref()).map_err(store_error(store))?;
    let mut lines: Vec<String> = report
        .problems
        .iter()
        .map(|p| format!("{}{}: {}", p.leaf.map(|l| format!("leaf {l}, ")).unwrap_or_default(), p.at, p.problem))
        .collect();
    lines.push(format!(
        "{} leaves, root {}, {} checkpoints checked, {} problems",
        report.leaves,
        report.root,
        report.checkpoints_checked,
        report.problems.len()
    ));
    Audited::new(&report, lines, report.problems.is_empty())
}

/// One audit of one store: its report as JSON (its fields in the report's order), as lines of
/// text, and whether it passed.
pub struct Audited {
    pub report: Box<serde_json::value::RawValue>,
    pub lines: Vec<String>,
    pub passed: bool,
}

impl Audited {
    pub fn new(report: &impl serde::Serialize, lines: Vec<String>, passed: bool) -> Result<Audited, LogCommandError> {
        let text = serde_json::to_string_pretty(report).map_err(LogCommandError::Report)?;
        Ok(Audited { report: serde_json::value::RawValue::from_string(text).map_err(LogCommandError::Report)?, lines, passed })
    }
}
