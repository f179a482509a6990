//! Signed checkpoints of the central log: made by the writer from its frontier (no re-hashing),
//! signed with the server's identity key, stored once per size.

use sync_protocol::crypto::{Hash, PublicKey, Sig};
use sync_protocol::ids::DeviceId;
use sync_protocol::merkle::{Checkpoint, KeyId, SignedCheckpoint};

use super::{CheckpointRow, LogHead, LogRows};
use crate::args;
use crate::store::StoreError;
use crate::store::identity::{DEVICE_KEY, ServerIdentity};
use crate::store::sql::Sql;

/// The log's name in its checkpoints: one log per store, named by the server's device id.
pub fn origin(server: DeviceId) -> String {
    format!("patrolsync/central/{server}")
}

/// A signed checkpoint of the log at its current size: the one stored for this size if there is
/// one (it must agree with the log), else a new one, signed by `server` and stored.
pub fn checkpoint(
    head: &mut LogHead,
    rows: &mut dyn LogRows,
    server: &ServerIdentity,
    now_ms: i64,
) -> Result<SignedCheckpoint, StoreError> {
    let frontier = head.frontier(rows)?;
    let (size, root) = (frontier.size(), frontier.root());
    if let Some(stored) = rows.checkpoint_rows(Some(size))?.into_iter().next() {
        let stored = from_row(stored)?;
        if stored.checkpoint.root != root {
            return Err(StoreError::corrupt(
                "merkle_checkpoints",
                format!("the checkpoint of size {size} does not match the log (run audit verify)"),
            ));
        }
        return Ok(stored);
    }
    let checkpoint = Checkpoint::new(&origin(server.device), size, root).map_err(|e| StoreError::encode("a checkpoint", e))?;
    let signed = checkpoint.sign(&server.key);
    rows.insert_checkpoint(&signed, now_ms)?;
    Ok(signed)
}

/// The log's origin and the public key that signs its checkpoints (the server's identity key),
/// read without writing; `None` for a store that has no server identity yet.
pub fn log_key(conn: &dyn Sql) -> Result<Option<(String, PublicKey)>, StoreError> {
    let Some(row) = conn.optional("SELECT value FROM meta WHERE key = ?1", args![DEVICE_KEY])? else { return Ok(None) };
    let device = DeviceId(uuid::Uuid::from_slice(row.bytes(0)?).map_err(|_| StoreError::corrupt("meta", DEVICE_KEY))?);
    let key: [u8; 32] = conn.one("SELECT public_key FROM devices WHERE id = ?1", args![device.0.as_bytes()])?.get(0)?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|_| StoreError::corrupt("devices", "the server's public key"))?;
    Ok(Some((origin(device), PublicKey(key))))
}

/// Every stored checkpoint, smallest size first.
pub fn stored_checkpoints(rows: &mut dyn LogRows) -> Result<Vec<SignedCheckpoint>, StoreError> {
    rows.checkpoint_rows(None)?.into_iter().map(from_row).collect()
}

fn from_row(row: CheckpointRow) -> Result<SignedCheckpoint, StoreError> {
    let CheckpointRow { size, origin, root, kid, signature } = row;
    let corrupt = || StoreError::corrupt("merkle_checkpoints", format!("the checkpoint of size {size}"));
    Ok(SignedCheckpoint {
        checkpoint: Checkpoint { origin, size, root: Hash(root.try_into().map_err(|_| corrupt())?) },
        key_id: KeyId(kid.try_into().map_err(|_| corrupt())?),
        signature: Sig(signature.try_into().map_err(|_| corrupt())?),
    })
}
