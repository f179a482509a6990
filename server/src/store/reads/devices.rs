//! The devices of the patrol network as reconciliation needs them: whose they are, which units
//! their user serves, and when each last synced.

use sync_protocol::body::Role;
use sync_protocol::ids::DeviceId;

use super::StoreError;
use crate::args;
use crate::store::reports::DeviceSync;
use crate::store::sql::Sql;

/// Every device not revoked of an enabled village officer or township inspector, by device id.
pub fn list(conn: &dyn Sql) -> Result<Vec<DeviceSync>, StoreError> {
    let sql = "SELECT d.id, d.user_id, u.role, u.units, d.last_sync_at FROM devices d JOIN users u ON u.id = d.user_id
         WHERE NOT d.revoked AND NOT u.disabled AND u.role IN ('village_officer', 'township_inspector') ORDER BY d.id";
    let mut out = Vec::new();
    for r in conn.all(sql, args![])? {
        let (id, user, role, units) = (r.get::<Vec<u8>>(0)?, r.get::<String>(1)?, r.get::<String>(2)?, r.get::<String>(3)?);
        let corrupt = |what: &str| StoreError::corrupt("devices", format!("device of {user}: bad {what}"));
        out.push(DeviceSync {
            device: DeviceId(uuid::Uuid::from_slice(&id).map_err(|_| corrupt("id"))?),
            role: Role::parse(&role).ok_or_else(|| corrupt("role"))?,
            units: serde_json::from_str(&units).map_err(|_| corrupt("units"))?,
            user: user.parse().map_err(|_| corrupt("user"))?,
            last_sync_at: r.get(4)?,
        });
    }
    Ok(out)
}
