//! Logging, once, the rows a store held before its log existed (a store made before migration
//! 0006): events by server sequence, then quarantined pushes, then blobs, as the writer would have.

use rusqlite::{Connection, params};
use sync_protocol::crypto::Hash;
use sync_protocol::merkle::LogLeaf;

use crate::store::log::leaves::{blob_leaf, event_leaf, quarantine_leaf};
use crate::store::sqlite::StoreError;
use crate::store::sqlite::identity::{meta_bytes, set_meta};

/// Set once the rows stored before the log existed are in it; its value is how many there were.
const ADOPTED: &str = "merkle_log_adopted";

type Adopted = (&'static str, Option<i64>, Option<String>, LogLeaf);

/// Appends a leaf for every row stored before the log existed, in one transaction, unless that
/// was done before. Later rows are logged by the writer as they are stored; a row that appears
/// without its leaf afterwards is reported by `audit verify`, never adopted.
pub fn adopt_existing_rows(conn: &mut Connection) -> Result<u64, StoreError> {
    if meta_bytes(conn, ADOPTED)?.is_some() {
        return Ok(0);
    }
    let tx = conn.transaction()?;
    let leaves = existing_rows(&tx)?;
    let start: u64 = tx.query_row("SELECT count(*) FROM merkle_leaves", [], |r| r.get(0))?;
    {
        let mut insert = tx.prepare("INSERT INTO merkle_leaves (idx, kind, row_id, blob, hash) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        for (i, (kind, row_id, blob, leaf)) in leaves.iter().enumerate() {
            insert.execute(params![start + i as u64, kind, row_id, blob, leaf.hash().0])?;
        }
    }
    set_meta(&tx, ADOPTED, leaves.len().to_string().as_bytes())?;
    tx.commit()?;
    Ok(leaves.len() as u64)
}

fn existing_rows(conn: &Connection) -> Result<Vec<Adopted>, StoreError> {
    let corrupt = |what: String| StoreError::corrupt("rows adopted into the log", what);
    let mut out = Vec::new();
    let mut events = conn.prepare("SELECT server_seq, hash, accepted, reason FROM events ORDER BY server_seq")?;
    let mut rows = events.query([])?;
    while let Some(r) = rows.next()? {
        let (seq, hash, accepted, reason): (i64, Vec<u8>, bool, Option<String>) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let hash = Hash(hash.try_into().map_err(|_| corrupt(format!("event {seq}: hash")))?);
        let leaf = event_leaf(seq, hash, accepted, reason.as_deref()).map_err(|e| corrupt(format!("event {seq}: {e}")))?;
        out.push(("event", Some(seq), None, leaf));
    }
    let mut quarantine = conn.prepare("SELECT id, raw, reason FROM quarantine ORDER BY id")?;
    let mut rows = quarantine.query([])?;
    while let Some(r) = rows.next()? {
        let (id, raw, reason): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let leaf = quarantine_leaf(id, &raw, &reason).map_err(|e| corrupt(format!("quarantine {id}: {e}")))?;
        out.push(("quarantine", Some(id), None, leaf));
    }
    let mut blobs = conn.prepare("SELECT sha256, size, media_type FROM blobs ORDER BY stored_at, sha256")?;
    let mut rows = blobs.query([])?;
    while let Some(r) = rows.next()? {
        let (sha, size, media): (String, i64, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let leaf = blob_leaf(&sha, size, &media).map_err(|e| corrupt(format!("blob {sha}: {e}")))?;
        out.push(("blob", None, Some(sha), leaf));
    }
    Ok(out)
}
