//! The server's own identity, the same on every engine: the device id and Ed25519 key that sign
//! reference events and the log's checkpoints, made on first start and kept in the store's `meta`
//! table (each engine reads and writes the rows).

use rand::RngCore;
use sync_protocol::crypto::DeviceKey;
use sync_protocol::ids::{DeviceId, UserId};

use super::StoreError;
use crate::args;
use crate::store::sql::Sql;

/// The user id that authors reference events. It has no password and cannot log in.
pub const SYSTEM_USER: &str = "system";

/// The `meta` keys that hold the identity.
pub const DEVICE_KEY: &str = "server_device_id";
pub const SIGNING_KEY: &str = "server_signing_key";

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
    /// The identity as stored: the device id's 16 bytes and the key's 32-byte secret.
    pub fn from_stored(device: &[u8], key: Vec<u8>) -> Result<ServerIdentity, StoreError> {
        let device = uuid::Uuid::from_slice(device).map_err(|_| StoreError::corrupt("meta", DEVICE_KEY))?;
        let key: [u8; 32] = key.try_into().map_err(|_| StoreError::corrupt("meta", SIGNING_KEY))?;
        Ok(ServerIdentity { device: DeviceId(device), user: system_user()?, key: DeviceKey::from_secret(key) })
    }

    /// The identity the store holds, read through either engine's SQL; `None` before a server's
    /// first start made one.
    pub fn stored(sql: &dyn Sql) -> Result<Option<ServerIdentity>, StoreError> {
        let meta = |key: &str| -> Result<Option<Vec<u8>>, StoreError> {
            sql.optional("SELECT value FROM meta WHERE key = ?1", args![key])?.map(|row| row.get(0)).transpose()
        };
        match (meta(DEVICE_KEY)?, meta(SIGNING_KEY)?) {
            (Some(device), Some(key)) => ServerIdentity::from_stored(&device, key).map(Some),
            _ => Ok(None),
        }
    }

    /// A new identity, for a store that has none: a new device id and a random key.
    pub fn generate() -> Result<ServerIdentity, StoreError> {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        Ok(ServerIdentity { device: DeviceId(uuid::Uuid::now_v7()), user: system_user()?, key: DeviceKey::from_secret(secret) })
    }
}

fn system_user() -> Result<UserId, StoreError> {
    UserId::new(SYSTEM_USER).map_err(|e| StoreError::encode("the system user id", e))
}
