//! The server's own identity in the PostgreSQL store's `meta` table (the identity itself is
//! engine-neutral, `store::identity`): read, or made with the system user and its device row.

use postgres::GenericClient;
use sync_protocol::crypto::Hash;

use super::StoreError;
use crate::store::identity::{DEVICE_KEY, SIGNING_KEY, SYSTEM_USER, ServerIdentity};

/// Loads the server identity, creating it on first start, in the caller's transaction (the writer
/// holds the writer role, so no other process makes one at the same time).
pub fn load_or_create(client: &mut impl GenericClient, now_ms: i64) -> Result<ServerIdentity, StoreError> {
    if let (Some(device), Some(key)) = (meta_bytes(client, DEVICE_KEY)?, meta_bytes(client, SIGNING_KEY)?) {
        return ServerIdentity::from_stored(&device, key);
    }
    let server = ServerIdentity::generate()?;
    client.execute(
        "INSERT INTO users (id, display_name, role, units, password_hash, disabled)
         VALUES ($1, 'patrolsync server', 'admin', '[]', '', true) ON CONFLICT (id) DO NOTHING",
        &[&SYSTEM_USER],
    )?;
    client.execute(
        "INSERT INTO devices (id, user_id, public_key, label, enrolled_at, head_seq, head_hash)
         VALUES ($1, $2, $3, 'server', $4, 0, $5)",
        &[
            &server.device.0.as_bytes().as_slice(),
            &SYSTEM_USER,
            &server.key.public().0.as_bytes().as_slice(),
            &now_ms,
            &Hash::ZERO.0.as_slice(),
        ],
    )?;
    set_meta(client, DEVICE_KEY, server.device.0.as_bytes())?;
    set_meta(client, SIGNING_KEY, &server.key.secret())?;
    Ok(server)
}

pub fn meta_bytes(client: &mut impl GenericClient, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(client.query_opt("SELECT value FROM meta WHERE key = $1", &[&key])?.map(|r| r.try_get(0)).transpose()?)
}

pub fn set_meta(client: &mut impl GenericClient, key: &str, value: &[u8]) -> Result<(), StoreError> {
    client
        .execute("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", &[&key, &value])?;
    Ok(())
}
