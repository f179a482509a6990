//! Opening the central SQLite file: WAL, `synchronous=FULL` so that an acknowledged event survives
//! a power cut, foreign keys on, a busy timeout for readers; migrations run on the writer's open.

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

use super::StoreError;

/// Statements the writer's connection keeps prepared.
const WRITER_STATEMENTS: usize = 256;

/// Opens the connection the single writer uses and brings the schema up to date.
pub fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -65_536)?; // 64 MiB
    conn.busy_timeout(Duration::from_secs(10))?;
    // A push runs dozens of distinct statements through the SQL layer's statement cache; at
    // rusqlite's default of 16, each event would evict and prepare again those of the last.
    conn.set_prepared_statement_cache_capacity(WRITER_STATEMENTS);
    plans_by_statement(&conn)?;
    schema::migrate(&mut conn, schema::CENTRAL)?;
    Ok(conn)
}

/// Opens a read-only connection for the reader pool.
pub fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "cache_size", -16_384)?;
    Ok(conn)
}

/// Each of the writer's cached statements keeps the plan it was prepared with, whatever values are
/// bound to it (SQLite's query planner stability guarantee). Without it, SQLite 3.50 reads the
/// value bound to a `LIMIT ?N` while planning and prepares the statement again every time a value
/// is bound there: `write_due`, run before every commit, was parsed and planned anew each time.
/// The readers keep SQLite's default: a report's plan may depend on its page size, and no reader
/// runs on the writer's thread.
fn plans_by_statement(conn: &Connection) -> Result<(), StoreError> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

/// SQLite's errors sorted by what a caller can do about them: a full disk, a read-only file and a
/// held lock have their own variants; a corrupt file is permanent; the rest is an engine error.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::Full(Box::new(e)),
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(Box::new(e)),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy(Box::new(e)),
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::corrupt("database file", e.to_string()),
            _ => StoreError::Engine(Box::new(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::StatementStatus;

    /// A cached statement of the writer's with a `LIMIT ?1` bound again to other values is never
    /// prepared again.
    #[test]
    fn a_statement_keeps_its_plan_whatever_is_bound_to_its_limit() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let writer = open_writer(&dir.path().join("central.db"))?;
        for limit in 1..=4_i64 {
            let mut statement = writer.prepare_cached("SELECT name FROM sqlite_schema ORDER BY name LIMIT ?1")?;
            let names = statement.query_map([limit], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
            assert_eq!(names.len() as i64, limit, "the limit is the one bound");
            assert_eq!(statement.get_status(StatementStatus::RePrepare), 0, "prepared again at limit {limit}");
        }
        Ok(())
    }
}
