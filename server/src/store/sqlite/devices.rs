//! The devices of the patrol network as reconciliation needs them: whose they are, which units
//! their user serves, and when each last synced.

use rusqlite::Connection;
use sync_protocol::body::Role;
use sync_protocol::ids::DeviceId;

use super::StoreError;
use crate::store::reports::DeviceSync;

/// Every device not revoked of an enabled village officer or township inspector, by device id.
pub fn list(conn: &Connection) -> Result<Vec<DeviceSync>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, d.user_id, u.role, u.units, d.last_sync_at FROM devices d JOIN users u ON u.id = d.user_id
         WHERE d.revoked = 0 AND u.disabled = 0 AND u.role IN ('village_officer', 'township_inspector') ORDER BY d.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, Option<i64>>(4)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, user, role, units, last_sync_at) = row?;
        let corrupt = |what: &str| StoreError::corrupt("devices", format!("device of {user}: bad {what}"));
        out.push(DeviceSync {
            device: DeviceId(uuid::Uuid::from_slice(&id).map_err(|_| corrupt("id"))?),
            role: Role::parse(&role).ok_or_else(|| corrupt("role"))?,
            units: serde_json::from_str(&units).map_err(|_| corrupt("units"))?,
            user: user.parse().map_err(|_| corrupt("user"))?,
            last_sync_at,
        });
    }
    Ok(out)
}
