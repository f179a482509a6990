//! The writer's copy of the log's frontier, and the leaf appends made in the writer's transaction.
//! Appending costs one row and amortised two hashes; nothing re-reads the log.

use rusqlite::{Connection, params};
use sync_protocol::body::BlobHash;
use sync_protocol::crypto::Hash;
use sync_protocol::merkle::{Frontier, LogLeaf};

use crate::store::sqlite::{StoreError, WriteCtx};

/// The frontier of `merkle_leaves` as the writer's transaction sees it, or `None` when it must be
/// read again (at start, after another process wrote, after a rollback it cannot undo).
#[derive(Debug, Default, Clone)]
pub struct LogHead {
    frontier: Option<Frontier>,
}

impl LogHead {
    /// The frontier, read from the stored leaves if it is not known.
    pub fn frontier(&mut self, conn: &Connection) -> Result<&mut Frontier, StoreError> {
        let frontier = match self.frontier.take() {
            Some(f) => f,
            None => load(conn)?,
        };
        Ok(self.frontier.insert(frontier))
    }

    /// The frontier if it is known, without reading the store.
    pub fn known(&self) -> Option<&Frontier> {
        self.frontier.as_ref()
    }

    /// Forgets the frontier: the next append reads it from the store.
    pub fn forget(&mut self) {
        self.frontier = None;
    }
}

/// Builds the frontier from every stored leaf, in order; a missing index means the table was
/// tampered with, and nothing more may be appended until `audit verify` has been looked at.
fn load(conn: &Connection) -> Result<Frontier, StoreError> {
    let mut stmt = conn.prepare("SELECT idx, hash FROM merkle_leaves ORDER BY idx")?;
    let mut rows = stmt.query([])?;
    let mut frontier = Frontier::new();
    while let Some(row) = rows.next()? {
        let idx: u64 = row.get(0)?;
        let hash: [u8; 32] = row
            .get::<_, Vec<u8>>(1)?
            .try_into()
            .map_err(|_| StoreError::corrupt("merkle_leaves", format!("leaf {idx} is not 32 bytes")))?;
        if idx != frontier.size() {
            return Err(StoreError::corrupt("merkle_leaves", format!("leaf {} is missing (run audit verify)", frontier.size())));
        }
        frontier.push(Hash(hash));
    }
    Ok(frontier)
}

/// What a leaf stands for, as `merkle_leaves` names it.
enum Row<'a> {
    Event(i64),
    Quarantine(i64),
    Blob(&'a BlobHash),
}

impl WriteCtx<'_> {
    /// Appends the leaf of an event row just stored at `server_seq`.
    pub fn log_event(&mut self, server_seq: i64, leaf: LogLeaf) -> Result<(), StoreError> {
        self.log_leaf(Row::Event(server_seq), leaf)
    }

    /// Appends the leaf of a quarantine row just stored with `id`.
    pub fn log_quarantine(&mut self, id: i64, leaf: LogLeaf) -> Result<(), StoreError> {
        self.log_leaf(Row::Quarantine(id), leaf)
    }

    /// Appends the leaf of a blob row just stored.
    pub fn log_blob(&mut self, sha256: &BlobHash, leaf: LogLeaf) -> Result<(), StoreError> {
        self.log_leaf(Row::Blob(sha256), leaf)
    }

    fn log_leaf(&mut self, row: Row<'_>, leaf: LogLeaf) -> Result<(), StoreError> {
        let frontier = self.log.frontier(self.conn)?;
        let hash = leaf.hash();
        let (kind, row_id, blob) = match row {
            Row::Event(seq) => ("event", Some(seq), None),
            Row::Quarantine(id) => ("quarantine", Some(id), None),
            Row::Blob(sha256) => ("blob", None, Some(sha256.to_hex())),
        };
        self.conn
            .prepare_cached("INSERT INTO merkle_leaves (idx, kind, row_id, blob, hash) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![frontier.size(), kind, row_id, blob, hash.0])?;
        frontier.push(hash);
        Ok(())
    }
}
