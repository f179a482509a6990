//! Opening the replica file: the pragmas that make a committed write survive a power cut, and the
//! schema migrations from the `schema` crate.

use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use rusqlite::Connection;

use super::ReplicaError;

/// The write-ahead log is copied into the file (checkpointed) once it holds this many pages (32 MiB):
/// the pages a sync rewrites again and again are copied once per checkpoint, not every time.
const AUTO_CHECKPOINT_PAGES: i64 = 8_000;

/// Opens (creating if needed) and migrates the replica at `path`.
pub(crate) fn open(path: &Path) -> Result<Connection, ReplicaError> {
    let opened = |source| ReplicaError::Open { path: path.to_path_buf(), source };
    let mut conn = Connection::open(path).map_err(opened)?;
    configure(&conn).map_err(opened)?;
    schema::migrate(&mut conn, schema::DEVICE).map_err(ReplicaError::Migrate)?;
    Ok(conn)
}

/// WAL so that the upload loop and the officer's CLI can read while one writes; `FULL` so that a
/// recorded event (and an ack marking it sent) is on disk when the transaction returns.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // 32 MiB of page cache (the default is 2 MiB): a sync writes its pages of events into several
    // indexes at once, and re-reading index pages from the file costs more than the memory.
    conn.pragma_update(None, "cache_size", -32_768)?;
    conn.pragma_update(None, "wal_autocheckpoint", AUTO_CHECKPOINT_PAGES)?;
    Ok(())
}

/// Whether a commit waits until the disk holds it (`synchronous=FULL`, the default) or only until
/// the write-ahead log does (`NORMAL`: still atomic and consistent, but a power cut may undo it).
pub(crate) fn wait_for_disk(conn: &Connection, wait: bool) -> rusqlite::Result<()> {
    conn.pragma_update(None, "synchronous", if wait { "FULL" } else { "NORMAL" })
}

/// Hands the checkpoints of `conn`'s file to another connection ([`checkpoint_until`]), or takes them back.
pub(crate) fn checkpoints_elsewhere(conn: &Connection, elsewhere: bool) -> rusqlite::Result<()> {
    conn.pragma_update(None, "wal_autocheckpoint", if elsewhere { 0 } else { AUTO_CHECKPOINT_PAGES })
}

/// Checkpoints the write-ahead log of the replica at `path` from a connection of its own, a few
/// times a second, until `stop` says so (or is dropped): the writer, with its own checkpoints
/// handed over ([`checkpoints_elsewhere`]), never stops to copy pages or wait for the disk.
pub(crate) fn checkpoint_until(path: &Path, stop: &Receiver<()>) -> rusqlite::Result<()> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    while let Err(RecvTimeoutError::Timeout) = stop.recv_timeout(Duration::from_millis(100)) {
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
    }
    Ok(())
}
