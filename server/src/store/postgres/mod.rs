//! The PostgreSQL engine of the store (issue 16), beside the SQLite one. So far: its
//! connections and migrations, the single writer taking the writer role for each batch and running the
//! engine-neutral jobs (`store::jobs`: pushes, authored reference events, enrolment, sessions,
//! people) with the writer's caches, the reader pool, the server's identity, the tamper-evident log
//! (leaves, signed checkpoints, consistency proofs), and blobs recorded. The store's traits that
//! are the same on both engines (`store::backend`: `Ingest`, `Pulls`, `Sessions`, `Evidence`,
//! `ReferenceData`, `People`) run on it; this module holds only PostgreSQL's connections and what
//! cannot be one text.
//!
//! Every trait of the store runs on it (`store::backend`), so `serve` accepts `[store] kind =
//! "postgres"`, and so do the offline audits and the read model's rebuild (`store::offline`) and
//! the imports (`roster import`, `reference import`, which open the store as `serve` does);
//! backup and restore are SQLite's (PostgreSQL's own `pg_dump` and `pg_restore` back it up), and
//! so are the exports. docs/architecture.md ("PostgreSQL engine") says what runs where.
//!
//! # Layout
//! - `open`: connecting from a URL, in the county's schema when it has one ([`Location`]), the
//!   migrations (`schema::POSTGRES`) under an advisory lock, each schema's writer lock,
//!   PostgreSQL's errors sorted into [`StoreError`]'s variants.
//! - `writer`: the single writer and its batch transaction; `caches`: its caches, brought up to
//!   date with other processes' commits; `readers`: the reader pool; `api`: what the engine gives
//!   the shared traits (a writer job, a read); `offline`: the offline tools' transactions on one
//!   connection (an audit's read-only one, a rebuild's holding the writer role).
//! - `identity`: the server's identity in `meta`.
//! - `sql`: the SQL layer (`store::sql`) on PostgreSQL, which the engine-neutral rules run on
//!   (the log's rows among them, `store::log::Rows`); `queue`: the writer's statements held back
//!   and sent together, a round trip per answer needed rather than per statement.

mod api;
mod caches;
mod gis;
mod grouped;
mod identity;
mod offline;
mod open;
mod queue;
mod readers;
mod sql;
mod writer;

pub use gis::create_views as create_gis_views;
pub use offline::{read as read_offline, write as write_offline};
use open::connect;
pub use open::{Location, migrate};
pub use sql::{Pg, Statements};

pub(crate) use crate::store::StoreError;

use std::sync::{Arc, Mutex};
use sync_protocol::hlc::Hlc;

use crate::clock::SharedClock;
use crate::pool::Blocking;
use crate::store::sqlite::Settings;
use readers::Readers;
use writer::{Start, Writer};

/// The advisory lock (`pg_advisory_xact_lock`) that serialises migrations (and the making of a
/// county's schema) when several server processes start on one database at once: one for the
/// whole database, as migrations run only at start.
const MIGRATION_LOCK: i64 = 0x7061_7472_6f6c_0001;

/// The advisory lock (`pg_advisory_xact_lock`, taken by each write transaction and held until it
/// ends) that is the writer role: one process's batch writes at a time, however many processes
/// share the database. This one is the store's in the connection's own `search_path`; each
/// county's schema has its own (`open::writer_lock`).
pub const WRITER_LOCK: i64 = 0x7061_7472_6f6c_0002;

/// Runs `f` on a thread of its own and waits for it. The driver's blocking client runs a small
/// runtime of its own for each connection, which must not be started, blocked on or dropped on an
/// async worker: whatever makes or drops a connection outside the store's threads goes here (the
/// tests' own connections too).
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join()).unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Reader connections kept open.
const IDLE_READERS: usize = 4;

/// The central store on PostgreSQL. Cheap to clone; the writer thread stops when the last clone is
/// dropped.
#[derive(Clone)]
pub struct PostgresStore {
    writer: Writer,
    blocking: Blocking,
    readers: Arc<Readers>,
    hlc: Arc<Mutex<Hlc>>,
    clock: SharedClock,
}

impl PostgresStore {
    /// Opens the store at `at` (a database's connection string, or a county's schema in it):
    /// migrates it and takes the server's identity (made on first start). Other server processes
    /// may have it open too: their writers take turns, one batch at a time. The checks run with
    /// `settings.checks`; every time it records is read from `settings.clock`; reads run on `pool`.
    pub fn open(at: impl Into<Location>, settings: Settings, pool: Blocking) -> Result<PostgresStore, StoreError> {
        let at = at.into();
        let hlc = Arc::new(Mutex::new(Hlc::ZERO));
        let start = Start {
            checks: settings.checks,
            wall: settings.clock.clone(),
            clock: hlc.clone(),
            metrics: settings.metrics,
            witness_file: settings.witness_file,
        };
        let writer = off_runtime(|| {
            migrate(at.clone())?;
            Writer::start(&at, start)
        })?;
        let readers = Arc::new(Readers::new(at, IDLE_READERS));
        Ok(PostgresStore { writer, blocking: pool, readers, hlc, clock: settings.clock })
    }

    /// Runs `f` in a read-only transaction on a reader connection, on the store's threads.
    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&readers::ReadTx<'_, '_>) -> Result<T, StoreError> + Send + 'static,
    {
        let readers = self.readers.clone();
        self.blocking.run("store", move || readers.with(f)).await.map_err(|_| StoreError::WriterGone)?
    }
}
