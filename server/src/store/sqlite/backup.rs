//! The store's side of backup and restore: a consistent copy of the live database made with
//! SQLite's online backup API (one step, a read transaction: the writer is never blocked), the
//! copy's log signed as a checkpoint for the manifest, and a restored copy checked against that
//! checkpoint and given a new epoch.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use sync_protocol::merkle::{Checkpoint, Frontier, SignedCheckpoint};
use sync_protocol::wire::witness::StoreEpoch;

use super::StoreError;
use super::identity::ServerIdentity;
use super::merkle::checkpoint::{origin, store_checkpoint};

/// What a copy of the store holds of its log: the checkpoint signed for it, and its epoch.
#[derive(Debug, Clone)]
pub struct CopiedLog {
    pub checkpoint: SignedCheckpoint,
    pub epoch: StoreEpoch,
    /// The greatest server sequence in the copy.
    pub last_seq: u64,
}

/// Copies the store at `db` (served or not) to the new file `to`, then signs a checkpoint of the
/// copy's log with the store's key and stores it in the copy. `to` is a single file (no WAL).
pub fn copy(db: &Path, to: &Path, now_ms: i64) -> Result<CopiedLog, StoreError> {
    let source = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    source.busy_timeout(std::time::Duration::from_secs(30))?;
    let mut copy = Connection::open(to)?;
    {
        let backup = rusqlite::backup::Backup::new(&source, &mut copy)?;
        // All pages in one step: one read transaction sees one committed state of the store.
        backup.step(-1)?;
    }
    drop(source);
    copy.pragma_update(None, "journal_mode", "DELETE")?;
    let log = sign_copy(&copy, now_ms)?;
    copy.close().map_err(|(_, e)| StoreError::from(e))?;
    Ok(log)
}

/// Signs and stores a checkpoint of the log held in `conn` (a copy, not served).
fn sign_copy(conn: &Connection, now_ms: i64) -> Result<CopiedLog, StoreError> {
    let server = ServerIdentity::load_or_create(conn, now_ms)?;
    let frontier = Frontier::from_leaves(&super::merkle::proofs::leaf_hashes(conn, super::merkle::proofs::log_size(conn)?)?);
    let checkpoint = Checkpoint::new(&origin(server.device), frontier.size(), frontier.root())
        .map_err(|e| StoreError::encode("a checkpoint", e))?
        .sign(&server.key);
    store_checkpoint(conn, &checkpoint, now_ms)?;
    Ok(CopiedLog { checkpoint, epoch: crate::store::epoch::read(conn)?, last_seq: last_seq(conn)? })
}

/// Checks that the restored store at `db` holds the log `checkpoint` signed (with its own key),
/// then starts a new epoch in it: devices that witnessed more of the log learn of the restore.
pub fn finish_restore(db: &Path, checkpoint: &SignedCheckpoint, witness_file: &Path) -> Result<StoreEpoch, StoreError> {
    let conn = Connection::open(db)?;
    let (_, key) = super::merkle::checkpoint::log_key(&conn)?.ok_or_else(|| StoreError::corrupt("meta", "the copy has no server key"))?;
    std::fs::write(witness_file, checkpoint.to_note()).map_err(|e| StoreError::corrupt("log witness", e.to_string()))?;
    super::merkle::witness::check_file(&conn, witness_file, &key)?;
    crate::store::epoch::ensure(&conn)?;
    let epoch = crate::store::epoch::renew(&conn)?;
    conn.close().map_err(|(_, e)| StoreError::from(e))?;
    Ok(epoch)
}

fn last_seq(conn: &Connection) -> Result<u64, StoreError> {
    let max: Option<i64> = conn.query_row("SELECT max(server_seq) FROM events", [], |r| r.get(0))?;
    Ok(max.and_then(|m| u64::try_from(m).ok()).unwrap_or(0))
}
