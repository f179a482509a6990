//! The read model rebuilt on SQLite: emptied and recomputed from the log in one transaction, on
//! open when the store has never built this version of it, and on command.

use rusqlite::{Connection, OptionalExtension};

use super::StoreError;
use crate::store::read_model::{VERSION, reapply};

/// Rebuilds the read model when the store has never built this version of it; returns whether
/// it did.
pub fn ensure_built(conn: &mut Connection) -> Result<bool, StoreError> {
    let built: Option<Vec<u8>> = conn.query_row("SELECT value FROM meta WHERE key = 'read_model'", [], |r| r.get(0)).optional()?;
    if built.as_deref() == Some(VERSION) {
        return Ok(false);
    }
    rebuild(conn)?;
    Ok(true)
}

/// Empties the read model and applies every accepted event again, in log order, in one
/// transaction; returns how many events it applied.
pub fn rebuild(conn: &mut Connection) -> Result<u64, StoreError> {
    let tx = conn.transaction()?;
    tx.execute_batch(
        "DELETE FROM report_filed; DELETE FROM report_findings; DELETE FROM report_cases; DELETE FROM report_tips;
         DELETE FROM zero_reports; DELETE FROM zone_versions;
         UPDATE patrols SET started_at = NULL, village = NULL, township = NULL, entry = NULL, week = NULL;
         DELETE FROM report_officer_weeks;",
    )?;
    let applied = reapply(&*tx)?;
    tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('read_model', ?1)", [VERSION])?;
    tx.commit()?;
    Ok(applied)
}
