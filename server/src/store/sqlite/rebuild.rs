//! The read model rebuilt on SQLite: emptied and recomputed from the log in one transaction, on
//! open when the store has never built this version of it (on command: `store::offline`).

use rusqlite::{Connection, OptionalExtension};

use super::StoreError;
use crate::store::read_model::VERSION;

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

/// Rebuilds the read model (`store::read_model::rebuild`) in one transaction; returns how many
/// events it applied.
fn rebuild(conn: &mut Connection) -> Result<u64, StoreError> {
    let tx = conn.transaction()?;
    let applied = crate::store::read_model::rebuild(&*tx)?;
    tx.commit()?;
    Ok(applied)
}
