//! The SQLite engine of the store: one file in WAL mode, one writer thread that batches jobs into
//! transactions, and a pool of readers. It implements every trait of `crate::store`; nothing of it
//! (connections, SQL, the writer's jobs) is seen outside `store/`.
//!
//! # Layout
//! - `open`: pragmas, migrations, SQLite's errors sorted. `identity`: the server's own key.
//! - `writer`: the single writer and its batch transaction; the jobs it runs are engine-neutral
//!   (`store::jobs`, over the SQL layer, which `sql` implements here through the statement cache).
//!   `refresh`: reloading the writer's caches after another process wrote to the store.
//! - `rebuild`: the reports' read model (`store::read_model`) emptied and rebuilt from the log in
//!   one transaction, on open when missing (on command: `store::offline`).
//! - `readers`: the reader pool, on which the store's reads run (`store::reads`,
//!   `store::read_model`).
//! - `merkle`: the tamper-evident log: a leaf for every stored event, quarantined push and blob,
//!   signed checkpoints, consistency proofs (`audit verify`'s rules are `store::log`'s).
//! - `backup`: the online copy of the store and its signed checkpoint; a restored copy checked
//!   and given a new epoch.
//! - `api`: the store's traits, each method one writer job or one read; `read_only`: a store file
//!   opened for the offline audits, and [`write_offline`] the offline tools' write transaction
//!   (`store::offline`).

mod api;
pub mod backup;
mod identity;
pub mod merkle;
mod open;
#[cfg(test)]
pub(crate) mod plan;
mod read_only;
mod readers;
mod rebuild;
mod refresh;
mod sql;
mod writer;

pub use read_only::ReadOnly;

pub(crate) use crate::store::StoreError;
#[cfg(test)]
pub(crate) use open::{open_reader, open_writer};
pub(crate) use writer::Writer;

use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex};
use sync_protocol::checks::recheck::CheckConfig;
use sync_protocol::hlc::Hlc;

use crate::clock::SharedClock;
use crate::pool::Blocking;
use crate::store::sql::Sql;
use identity::ServerIdentity;
use readers::Readers;

/// Threads that read the store, when the store makes its own pool.
const READ_THREADS: usize = 4;

/// How a store is opened.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The settings the checks at ingest run with.
    pub checks: CheckConfig,
    /// The wall clock every time the store records is read from.
    pub clock: SharedClock,
    /// Where the writer counts its batches, commits and the flags it raises.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The file that witnesses the log outside the database (`merkle::witness`): checked at
    /// open, rewritten after each batch that grows the log. `None` for tools that run beside the
    /// server.
    pub witness_file: Option<std::path::PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { checks: CheckConfig::default(), clock: crate::clock::system(), metrics: Arc::default(), witness_file: None }
    }
}

/// The central store on SQLite. Cheap to clone; the writer thread stops when the last clone is
/// dropped.
#[derive(Clone)]
pub struct SqliteStore {
    writer: Writer,
    blocking: Blocking,
    readers: Arc<Readers>,
    hlc: Arc<Mutex<Hlc>>,
    clock: SharedClock,
}

impl SqliteStore {
    /// Opens (or creates) the store at `path` with the default settings and its own reader
    /// threads.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_checking(path, CheckConfig::default())
    }

    /// [`SqliteStore::open`] judging patrols by `checks`: how a command-line tool opens a county's
    /// store, so that the re-checks its changes cause (and the checks recomputed on opening) use
    /// the thresholds the county's server runs with.
    pub fn open_checking(path: &Path, checks: CheckConfig) -> Result<SqliteStore, StoreError> {
        let pool = Blocking::new("store", READ_THREADS).map_err(StoreError::Threads)?;
        SqliteStore::open_with(path, Settings { checks, ..Settings::default() }, pool)
    }

    /// Opens (or creates) the store at `path`, runs migrations and starts the writer. Reads run
    /// on `pool`, which the caller may share with other short blocking work.
    pub fn open_with(path: &Path, settings: Settings, pool: Blocking) -> Result<SqliteStore, StoreError> {
        let mut conn = open::open_writer(path)?;
        restrict_permissions(path);
        merkle::adopt_existing_rows(&mut conn)?;
        {
            let tx = conn.transaction()?;
            crate::store::checks::recompute_missing(&tx)?;
            tx.commit()?;
        }
        if rebuild::ensure_built(&mut conn)? {
            tracing::info!("read model built from the log");
        }
        {
            // Ledger rows a migration left unwritten.
            let tx = conn.transaction()?;
            let written = crate::store::read_model::write_due_ledger_rows(&tx)?;
            tx.commit()?;
            if written > 0 {
                tracing::info!(written, "ledger rows written");
            }
        }
        let server = ServerIdentity::load_or_create(&conn, settings.clock.now_ms())?;
        crate::store::epoch::ensure(&conn)?;
        let witness = match &settings.witness_file {
            Some(file) => {
                merkle::witness::check_file(&conn, file, &server.key.public())?;
                merkle::LogWitness::with_file(file.clone())?
            }
            None => merkle::LogWitness::default(),
        };
        let hlc = Arc::new(Mutex::new(last_hlc(&conn)?));
        let (writer, _thread) =
            Writer::start(conn, server, hlc.clone(), settings.checks, settings.clock.clone(), witness, settings.metrics)?;
        let readers = Arc::new(Readers::new(path.to_path_buf(), READ_THREADS));
        Ok(SqliteStore { writer, blocking: pool, readers, hlc, clock: settings.clock })
    }

    #[cfg(test)]
    pub(crate) fn writer(&self) -> &Writer {
        &self.writer
    }

    /// Runs `f` on a reader connection, on the store's threads (off the async workers).
    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let readers = self.readers.clone();
        self.blocking.run("store", move || readers.with(f)).await.map_err(|_| StoreError::WriterGone)?
    }
}

/// Runs an offline tool's `change` on the store file at `path` (migrated if needed) in one
/// transaction that holds the file's write lock from its start (beside a running server, whose
/// writer waits for it).
pub(crate) fn write_offline<T>(path: &Path, change: impl FnOnce(&dyn Sql) -> Result<T, StoreError>) -> Result<T, StoreError> {
    let mut conn = open::open_writer(path)?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let done = change(&*tx)?;
    tx.commit()?;
    Ok(done)
}

fn last_hlc(conn: &Connection) -> Result<Hlc, StoreError> {
    let max: Option<String> = conn.query_row("SELECT max(hlc) FROM events", [], |r| r.get(0))?;
    Ok(max.and_then(|s| s.parse().ok()).unwrap_or(Hlc::ZERO))
}

/// The store holds the server's signing key: readable by its owner only.
fn restrict_permissions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}
