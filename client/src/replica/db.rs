//! Opening the replica file: the pragmas that make a committed write survive a power cut, and the
//! schema migrations from the `schema` crate.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use super::ReplicaError;

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
    conn.pragma_update(None, "wal_autocheckpoint", 8_000)?;
    Ok(())
}

/// Whether a commit waits until the disk holds it (`synchronous=FULL`, the default) or only until
/// the write-ahead log does (`NORMAL`: still atomic and consistent, but a power cut may undo it).
pub(crate) fn wait_for_disk(conn: &Connection, wait: bool) -> rusqlite::Result<()> {
    conn.pragma_update(None, "synchronous", if wait { "FULL" } else { "NORMAL" })
}
