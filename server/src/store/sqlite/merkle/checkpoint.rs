//! Signed checkpoints of the central log: made by the writer from its frontier (no re-hashing),
//! signed with the server's identity key, stored once per size; and the log's origin and key.

use rusqlite::{Connection, OptionalExtension, params};
use sync_protocol::crypto::{Hash, PublicKey, Sig};
use sync_protocol::ids::DeviceId;
use sync_protocol::merkle::{Checkpoint, KeyId, SignedCheckpoint};
use sync_protocol::wire::audit::CheckpointReply;

use crate::store::sqlite::identity::meta_bytes;
use crate::store::sqlite::{StoreError, WriteCtx};

/// The log's name in its checkpoints: one log per store, named by the server's device id.
pub fn origin(server: DeviceId) -> String {
    format!("patrolsync/central/{server}")
}

/// The log's origin and the public key that signs its checkpoints (the server's identity key),
/// read without writing; `None` for a store that has no server identity yet.
pub fn log_key(conn: &Connection) -> Result<Option<(String, PublicKey)>, StoreError> {
    let Some(device) = meta_bytes(conn, "server_device_id")? else { return Ok(None) };
    let device = DeviceId(uuid::Uuid::from_slice(&device).map_err(|_| StoreError::corrupt("meta", "server_device_id"))?);
    let key: Vec<u8> = conn.query_row("SELECT public_key FROM devices WHERE id = ?1", [device.0.as_bytes()], |r| r.get(0))?;
    let key: [u8; 32] = key.try_into().map_err(|_| StoreError::corrupt("devices", "the server's public key"))?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|_| StoreError::corrupt("devices", "the server's public key"))?;
    Ok(Some((origin(device), PublicKey(key))))
}

impl WriteCtx<'_> {
    /// A signed checkpoint of the log at its current size, with the key that signs it.
    pub fn checkpoint_reply(&mut self) -> Result<CheckpointReply, StoreError> {
        Ok(CheckpointReply::new(self.checkpoint()?, self.server.key.public()))
    }

    /// A signed checkpoint of the log at its current size: the one stored for this size if there
    /// is one (it must agree with the log), else a new one, signed and stored.
    pub fn checkpoint(&mut self) -> Result<SignedCheckpoint, StoreError> {
        let frontier = self.log.frontier(self.conn)?;
        let (size, root) = (frontier.size(), frontier.root());
        if let Some(stored) = stored(self.conn, size)? {
            if stored.checkpoint.root != root {
                return Err(StoreError::corrupt(
                    "merkle_checkpoints",
                    format!("the checkpoint of size {size} does not match the log (run audit verify)"),
                ));
            }
            return Ok(stored);
        }
        let checkpoint = Checkpoint::new(&origin(self.server.device), size, root).map_err(|e| StoreError::encode("a checkpoint", e))?;
        let signed = checkpoint.sign(&self.server.key);
        store_checkpoint(self.conn, &signed, self.now_ms)?;
        Ok(signed)
    }
}

/// Stores `signed` as the checkpoint of its size, unless one of that size is stored already.
pub fn store_checkpoint(conn: &Connection, signed: &SignedCheckpoint, now_ms: i64) -> Result<(), StoreError> {
    let c = &signed.checkpoint;
    conn.execute(
        "INSERT OR IGNORE INTO merkle_checkpoints (size, origin, root, kid, signature, made_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![c.size, c.origin, c.root.0, signed.key_id.0, signed.signature.0, now_ms],
    )?;
    Ok(())
}

/// The stored checkpoint of `size`, if one was made.
fn stored(conn: &Connection, size: u64) -> Result<Option<SignedCheckpoint>, StoreError> {
    let row = conn
        .query_row("SELECT size, origin, root, kid, signature FROM merkle_checkpoints WHERE size = ?1", [size], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    row.map(from_row).transpose()
}

/// Every stored checkpoint, smallest size first.
pub fn stored_checkpoints(conn: &Connection) -> Result<Vec<SignedCheckpoint>, StoreError> {
    let mut stmt = conn.prepare("SELECT size, origin, root, kid, signature FROM merkle_checkpoints ORDER BY size")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
    rows.map(|row| from_row(row?)).collect()
}

type CheckpointRow = (u64, String, Vec<u8>, Vec<u8>, Vec<u8>);

fn from_row((size, origin, root, kid, signature): CheckpointRow) -> Result<SignedCheckpoint, StoreError> {
    let corrupt = || StoreError::corrupt("merkle_checkpoints", format!("the checkpoint of size {size}"));
    Ok(SignedCheckpoint {
        checkpoint: Checkpoint { origin, size, root: Hash(root.try_into().map_err(|_| corrupt())?) },
        key_id: KeyId(kid.try_into().map_err(|_| corrupt())?),
        signature: Sig(signature.try_into().map_err(|_| corrupt())?),
    })
}
