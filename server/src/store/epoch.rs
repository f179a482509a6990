//! The store's epoch (protocol.md §7.12): a UUID made with the store and renewed by `restore`,
//! with the greatest server sequence stored before it began. A device that sees the epoch change
//! knows the server may have lost what it acknowledged after the backup, and re-sends and re-pulls.

use sync_protocol::wire::witness::StoreEpoch;

use super::StoreError;
use crate::args;
use crate::store::sql::Sql;

const KEY: &str = "store_epoch";

/// Gives a store its first epoch if it has none (a new store, or one made before epochs).
pub fn ensure(conn: &dyn Sql) -> Result<(), StoreError> {
    if meta_bytes(conn, KEY)?.is_none() {
        write(conn, &StoreEpoch { id: uuid::Uuid::now_v7().to_string(), since_seq: 0 })?;
    }
    Ok(())
}

/// The store's current epoch.
pub fn read(conn: &dyn Sql) -> Result<StoreEpoch, StoreError> {
    let bytes = meta_bytes(conn, KEY)?.ok_or_else(|| StoreError::corrupt("meta", "the store has no epoch"))?;
    serde_json::from_slice(&bytes).map_err(|e| StoreError::corrupt("meta", format!("the store's epoch: {e}")))
}

/// Starts a new epoch after everything stored so far: what `restore` does to the copy it makes.
pub fn renew(conn: &dyn Sql) -> Result<StoreEpoch, StoreError> {
    let since: Option<i64> = conn.one("SELECT max(server_seq) FROM events", args![])?.get(0)?;
    let epoch = StoreEpoch { id: uuid::Uuid::now_v7().to_string(), since_seq: since.and_then(|s| u64::try_from(s).ok()).unwrap_or(0) };
    write(conn, &epoch)?;
    Ok(epoch)
}

fn write(conn: &dyn Sql, epoch: &StoreEpoch) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec(epoch).map_err(|e| StoreError::encode("the store's epoch", e))?;
    conn.run("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", args![KEY, bytes])?;
    Ok(())
}

fn meta_bytes(conn: &dyn Sql, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
    conn.optional("SELECT value FROM meta WHERE key = ?1", args![key])?.map(|r| r.get(0)).transpose()
}
