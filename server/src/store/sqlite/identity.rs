//! The server's own identity in the SQLite store's `meta` table (the identity itself is
//! engine-neutral, `store::identity`), and the `meta` table's reads and writes.

use rusqlite::{Connection, OptionalExtension, params};
use sync_protocol::crypto::Hash;

use super::StoreError;
use crate::store::identity::{DEVICE_KEY, SIGNING_KEY};
pub use crate::store::identity::{SYSTEM_USER, ServerIdentity};

impl ServerIdentity {
    /// Loads the server identity, creating it (and the system user and device rows) on first start.
    pub fn load_or_create(conn: &Connection, now_ms: i64) -> Result<ServerIdentity, StoreError> {
        if let (Some(device), Some(key)) = (meta_bytes(conn, DEVICE_KEY)?, meta_bytes(conn, SIGNING_KEY)?) {
            return ServerIdentity::from_stored(&device, key);
        }
        let server = ServerIdentity::generate()?;
        conn.execute(
            "INSERT OR IGNORE INTO users (id, display_name, role, units, password_hash, disabled)
             VALUES (?1, 'patrolsync server', 'admin', '[]', '', 1)",
            [SYSTEM_USER],
        )?;
        conn.execute(
            "INSERT INTO devices (id, user_id, public_key, label, enrolled_at, head_seq, head_hash) VALUES (?1, ?2, ?3, 'server', ?4, 0, ?5)",
            params![server.device.0.as_bytes(), SYSTEM_USER, server.key.public().0.as_bytes(), now_ms, Hash::ZERO.0],
        )?;
        set_meta(conn, DEVICE_KEY, server.device.0.as_bytes())?;
        set_meta(conn, SIGNING_KEY, &server.key.secret())?;
        Ok(server)
    }
}

pub fn meta_bytes(conn: &Connection, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub fn set_meta(conn: &Connection, key: &str, value: &[u8]) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
