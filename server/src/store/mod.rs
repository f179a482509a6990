//! The central store: SQLite in WAL mode behind a narrow interface, with one writer thread that
//! batches jobs into transactions and a pool of readers.
//!
//! # Layout
//! - `open`: pragmas and migrations. `identity`: the server's own key and secrets.
//! - `writer`: the single writer and its batch transaction. `ingest`, `author`, `enrol`: what
//!   runs inside it; `access`: disabled users and revoked devices, as their events say. `reference`: the writer's copy of zones, units and assignments; `refresh`:
//!   reloading the writer's caches after another process wrote to the store; `office`: the
//!   stored cases and tips that admission and routing consult.
//! - `checks`: the checks at ingest (geofence, quota, flags, re-checks), run by the writer; the
//!   half that reads the reference alone is computed ahead, on the snapshot the writer publishes.
//! - `evidence`: attachments, their checks and flags, blob completeness and scoped evidence reads.
//! - `readers`: the reader pool. `pull`, `principal`: what runs on readers; `decisions`: the
//!   checks' answers that compliance needs; `devices`: when each device last synced;
//!   `ledger_facts`: the checks' results the ledger shows; `integrity`: re-hashing and walking
//!   every chain.
//! - `merkle`: the tamper-evident log: a leaf for every stored event, quarantined push and blob,
//!   signed checkpoints, consistency proofs and `audit verify`.

mod access;
mod author;
mod checks;
pub mod decisions;
pub mod devices;
mod enrol;
mod error;
pub mod evidence;
pub mod flag_list;
mod identity;
mod ingest;
pub mod integrity;
pub mod ledger_facts;
pub mod merkle;
pub mod office;
mod open;
mod place_scope;
pub mod principal;
pub mod pull;
mod readers;
mod reference;
mod refresh;
pub mod sessions;
mod writer;

pub use checks::{CheckSnapshot, Prechecked};
pub use error::StoreError;
pub use identity::SYSTEM_USER;
pub use ingest::MAX_CLOCK_AHEAD_MS;
pub use writer::{WriteCtx, Writer};

use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex};
use sync_protocol::checks::recheck::CheckConfig;
use sync_protocol::hlc::Hlc;

use crate::pool::Blocking;
use identity::ServerIdentity;
use readers::Readers;

/// Threads that read the store (and check signatures) for requests.
const READ_THREADS: usize = 4;

/// The central store. Cheap to clone; the writer thread stops when the last clone is dropped.
#[derive(Clone)]
pub struct Store {
    writer: Writer,
    blocking: Blocking,
    readers: Arc<Readers>,
    clock: Arc<Mutex<Hlc>>,
}

impl Store {
    /// Opens (or creates) the store at `path`, runs migrations and starts the writer, with the
    /// default settings of the checks at ingest.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, CheckConfig::default())
    }

    /// [`Store::open`] with the given settings of the checks at ingest.
    pub fn open_with(path: &Path, checks: CheckConfig) -> Result<Store, StoreError> {
        let mut conn = open::open_writer(path)?;
        restrict_permissions(path);
        merkle::adopt_existing_rows(&mut conn)?;
        checks::recompute_missing(&mut conn)?;
        let server = ServerIdentity::load_or_create(&conn)?;
        let clock = Arc::new(Mutex::new(last_hlc(&conn)?));
        let (writer, _thread) = Writer::start(conn, server, clock.clone(), checks)?;
        let blocking =
            Blocking::new("store", READ_THREADS).map_err(|e| StoreError::Corrupt(format!("cannot start the reader threads: {e}")))?;
        Ok(Store { writer, blocking, readers: Arc::new(Readers::new(path.to_path_buf(), READ_THREADS)), clock })
    }

    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    /// The reference data the checks read, for computing them ahead of the writer.
    pub fn check_snapshot(&self) -> Arc<CheckSnapshot> {
        self.writer.check_snapshot()
    }

    /// The store's threads, for other short blocking work of a request (signature checks).
    pub fn blocking(&self) -> &Blocking {
        &self.blocking
    }

    /// Runs `f` on a reader connection, on the store's threads (off the async workers).
    pub async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let readers = self.readers.clone();
        self.blocking.run("store", move || readers.with(f)).await.map_err(|_| StoreError::WriterGone)?
    }

    /// The server's clock, ticked: for replies.
    pub fn tick(&self) -> Hlc {
        let now = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
        match self.clock.lock() {
            Ok(mut clock) => {
                *clock = clock.tick(now);
                *clock
            }
            Err(_) => Hlc::new(now, 0),
        }
    }
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
