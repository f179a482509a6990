//! Who is calling, read from the store on every request so that disabling a user or revoking a
//! device takes effect at once: the user's role and units, the device's key, the current village.

use sync_protocol::body::Role;
use sync_protocol::crypto::PublicKey;
use sync_protocol::ids::{DeviceId, UnitId, UserId};

use super::StoreError;
use crate::args;
pub use crate::store::sessions::{DeviceRecord, UserRecord};
use crate::store::sql::Sql;

pub fn user(conn: &dyn Sql, id: &str) -> Result<Option<UserRecord>, StoreError> {
    let row = conn.optional(
        "SELECT id, display_name, role, units, password_hash, disabled, must_change_password, phone FROM users WHERE id = ?1",
        args![id],
    )?;
    let row = row
        .map(|r| -> Result<_, StoreError> {
            Ok((
                (r.get::<String>(0)?, r.get::<String>(1)?, r.get::<String>(2)?, r.get::<String>(3)?),
                (r.get::<String>(4)?, r.get::<bool>(5)?, r.get::<bool>(6)?, r.get::<Option<String>>(7)?),
            ))
        })
        .transpose()?;
    let Some(((id, display_name, role, units), (password_hash, disabled, must_change_password, phone))) = row else { return Ok(None) };
    let corrupt = |what: &str| StoreError::corrupt("users", format!("{id}: {what}"));
    Ok(Some(UserRecord {
        id: UserId::new(id.clone()).map_err(|_| corrupt("id"))?,
        display_name,
        role: Role::parse(&role).ok_or_else(|| corrupt("role"))?,
        units: serde_json::from_str(&units).map_err(|_| corrupt("units"))?,
        password_hash,
        disabled,
        must_change_password,
        phone,
    }))
}

pub fn device(conn: &dyn Sql, id: DeviceId) -> Result<Option<DeviceRecord>, StoreError> {
    let row = conn
        .optional("SELECT user_id, public_key, revoked, head_seq FROM devices WHERE id = ?1", args![id.0.as_bytes()])?
        .map(|r| -> Result<_, StoreError> { Ok((r.get::<String>(0)?, r.get::<Vec<u8>>(1)?, r.get::<bool>(2)?, r.get::<u64>(3)?)) })
        .transpose()?;
    let Some((user, key, revoked, head_seq)) = row else { return Ok(None) };
    let key: [u8; 32] = key.try_into().map_err(|_| StoreError::corrupt("devices", format!("{id}: key")))?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|_| StoreError::corrupt("devices", format!("{id}: key")))?;
    Ok(Some(DeviceRecord {
        id,
        user: UserId::new(user).map_err(|_| StoreError::corrupt("devices", format!("{id}: user")))?,
        key: PublicKey(key),
        revoked,
        head_seq,
    }))
}

/// The village of the zone assigned to `officer` at `now_ms`, if any.
pub fn current_village(conn: &dyn Sql, officer: &UserId, now_ms: i64) -> Result<Option<UnitId>, StoreError> {
    let village = conn.optional(
        "SELECT z.village FROM assignments a LEFT JOIN zones z ON z.id = a.zone
         WHERE a.officer = ?1 AND a.valid_from <= ?2 ORDER BY a.valid_from DESC, a.server_seq DESC LIMIT 1",
        args![officer.as_str(), now_ms],
    )?;
    let village = village.map(|r| r.get::<Option<String>>(0)).transpose()?.flatten();
    village.map(|v| UnitId::new(v).map_err(|_| StoreError::corrupt("zones", "village"))).transpose()
}
