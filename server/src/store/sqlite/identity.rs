//! The server's own identities, made on first start and kept in the store's `meta` table: the
//! device identity and Ed25519 key that sign reference events.

use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, params};
use sync_protocol::crypto::{DeviceKey, Hash};
use sync_protocol::ids::{DeviceId, UserId};

use super::StoreError;

/// The user id that authors reference events. It has no password and cannot log in.
pub const SYSTEM_USER: &str = "system";

/// The server as an event author.
pub struct ServerIdentity {
    pub device: DeviceId,
    pub user: UserId,
    pub key: DeviceKey,
}

impl std::fmt::Debug for ServerIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServerIdentity({}, {:?})", self.device, self.key)
    }
}

impl ServerIdentity {
    /// Loads the server identity, creating it (and the system user and device rows) on first start.
    pub fn load_or_create(conn: &Connection, now_ms: i64) -> Result<ServerIdentity, StoreError> {
        let user = UserId::new(SYSTEM_USER).map_err(|e| StoreError::encode("the system user id", e))?;
        let device = meta_bytes(conn, "server_device_id")?;
        let key = meta_bytes(conn, "server_signing_key")?;
        if let (Some(device), Some(key)) = (device, key) {
            let device = uuid::Uuid::from_slice(&device).map_err(|_| StoreError::corrupt("meta", "server_device_id"))?;
            let key: [u8; 32] = key.try_into().map_err(|_| StoreError::corrupt("meta", "server_signing_key"))?;
            return Ok(ServerIdentity { device: DeviceId(device), user, key: DeviceKey::from_secret(key) });
        }
        let device = DeviceId(uuid::Uuid::now_v7());
        let key = DeviceKey::from_secret(random_32());
        conn.execute(
            "INSERT OR IGNORE INTO users (id, display_name, role, units, password_hash, disabled)
             VALUES (?1, 'patrolsync server', 'admin', '[]', '', 1)",
            [SYSTEM_USER],
        )?;
        conn.execute(
            "INSERT INTO devices (id, user_id, public_key, label, enrolled_at, head_seq, head_hash) VALUES (?1, ?2, ?3, 'server', ?4, 0, ?5)",
            params![device.0.as_bytes(), SYSTEM_USER, key.public().0.as_bytes(), now_ms, Hash::ZERO.0],
        )?;
        set_meta(conn, "server_device_id", device.0.as_bytes())?;
        set_meta(conn, "server_signing_key", &key.secret())?;
        Ok(ServerIdentity { device, user, key })
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

fn random_32() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}
