//! The tamper-evident log's commands, `patrolsync-server audit checkpoint|consistency|verify`:
//! each opens the store file, calls one store function and prints what it returns.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use sync_protocol::merkle::SignedCheckpoint;
use sync_protocol::wire::audit::ConsistencyQuery;

use crate::config::{Config, ConfigError, StoreKind};
use crate::store::sqlite::{ReadOnly, SqliteStore};
use crate::store::{AuditLog, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum LogCommandError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot open the store {0}")]
    Open(String, #[source] StoreError),
    #[error("cannot read the checkpoint file {0}")]
    Read(String, #[source] std::io::Error),
    #[error("the checkpoint file {0} is not a checkpoint")]
    Note(String, #[source] sync_protocol::merkle::MerkleError),
    #[error("--from ({from}) is after --to ({to})")]
    SizesOutOfOrder { from: u64, to: u64 },
    #[error("cannot start the runtime")]
    Runtime(#[source] std::io::Error),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    NoPostgres(&'static str),
}

/// The store an offline audit reads (or an import changes): a SQLite file, or the PostgreSQL
/// database a config names (with the county's schema, in a deployment of several).
pub enum LogStore {
    File(PathBuf),
    Postgres { url: String, schema: Option<String> },
}

/// No store named yet (a command's arguments before [`LogStore::of`]).
impl Default for LogStore {
    fn default() -> Self {
        LogStore::File(PathBuf::new())
    }
}

impl LogStore {
    /// `--db FILE`, or the store of the county `county` (none: the only one) of `--config FILE`
    /// (with the environment over it), as `serve` would open it.
    pub fn of(db: Option<PathBuf>, config: Option<&Path>, county: Option<&str>) -> Result<LogStore, LogCommandError> {
        if let Some(db) = db {
            return Ok(LogStore::File(db));
        }
        let config = Config::load(config)?.county(county)?.config;
        config.store.checked()?;
        Ok(match config.store.kind {
            StoreKind::Postgres => LogStore::Postgres { url: config.store.url.unwrap_or_default(), schema: config.store.schema },
            StoreKind::Sqlite => LogStore::File(config.db),
        })
    }
}

/// `audit checkpoint`: makes (and stores) a signed checkpoint of the log's current size through
/// the writer, and prints it as a signed note (the file to keep), or as JSON.
pub fn checkpoint(db: &Path, json: bool) -> Result<ExitCode, LogCommandError> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(LogCommandError::Runtime)?;
    let reply = runtime.block_on(async {
        let store = SqliteStore::open(db)?;
        store.checkpoint().await
    })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&reply).unwrap_or_default());
    } else {
        print!("{}", reply.note);
    }
    Ok(ExitCode::SUCCESS)
}

/// `audit consistency`: prints the proof that the log's first `from` leaves are a prefix of its
/// first `to`, as JSON.
pub fn consistency(db: &Path, from: u64, to: u64) -> Result<ExitCode, LogCommandError> {
    if from > to {
        return Err(LogCommandError::SizesOutOfOrder { from, to });
    }
    let reply = read_only(db)?.consistency(ConsistencyQuery { from, to })?;
    println!("{}", serde_json::to_string_pretty(&reply).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}

/// `audit verify`: re-derives the log from the rows and checks it against every stored checkpoint
/// and the one in `kept` (a note file); prints each problem; fails when there is any.
pub fn verify(store: &LogStore, kept: Option<&Path>, json: bool) -> Result<ExitCode, LogCommandError> {
    let kept = kept
        .map(|path| {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| LogCommandError::Read(name.clone(), e))?;
            SignedCheckpoint::from_note(&text).map_err(|e| LogCommandError::Note(name, e))
        })
        .transpose()?;
    let report = match store {
        LogStore::File(db) => read_only(db)?.verify(kept.as_ref())?,
        LogStore::Postgres { url, schema } => crate::store::verify_postgres_log((url, schema.as_deref()), kept.as_ref())
            .map_err(|e| LogCommandError::Open("named by the config's [store] url".into(), e))?
            .ok_or(LogCommandError::NoPostgres(crate::store::POSTGRES_NOT_BUILT))?,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        for p in &report.problems {
            let leaf = p.leaf.map(|l| format!("leaf {l}, ")).unwrap_or_default();
            println!("{leaf}{}: {}", p.at, p.problem);
        }
        println!(
            "{} leaves, root {}, {} checkpoints checked, {} problems",
            report.leaves,
            report.root,
            report.checkpoints_checked,
            report.problems.len()
        );
    }
    Ok(if report.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn read_only(db: &Path) -> Result<ReadOnly, LogCommandError> {
    ReadOnly::open(db).map_err(|e| LogCommandError::Open(db.display().to_string(), e))
}
