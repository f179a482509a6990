//! Access records (`user.disabled`, `user.enabled`, `device.revoked`) applied to the tables the
//! auth layer reads on every request, in the transaction that stores the event: the next request
//! of that user or device already sees the change.

use rusqlite::{Connection, params};
use sync_protocol::body::Body;

use super::StoreError;

/// Applies an access record at `now_ms`; any other body changes nothing here. Disabling a user
/// or revoking a device also ends their sessions, so re-enabling a user needs a new login.
pub fn apply(conn: &Connection, body: &Body, now_ms: i64) -> Result<(), StoreError> {
    match body {
        Body::UserDisabled(u) => {
            set_disabled(conn, u.user.as_str(), true)?;
            conn.execute(
                "UPDATE sessions SET revoked_at = ?2, revoked_why = 'user_disabled' WHERE user_id = ?1 AND revoked_at IS NULL",
                params![u.user.as_str(), now_ms],
            )?;
            Ok(())
        }
        Body::UserEnabled(u) => set_disabled(conn, u.user.as_str(), false),
        Body::DeviceRevoked(d) => {
            let changed = conn.execute("UPDATE devices SET revoked = 1 WHERE id = ?1", [d.device.0.as_bytes()])?;
            if changed != 1 {
                return Err(StoreError::NotFound(format!("device {}", d.device)));
            }
            conn.execute(
                "UPDATE sessions SET revoked_at = ?2, revoked_why = 'device_revoked' WHERE device_id = ?1 AND revoked_at IS NULL",
                params![d.device.0.as_bytes(), now_ms],
            )?;
            Ok(())
        }
        _ => Ok(()),
    }
}

fn set_disabled(conn: &Connection, user: &str, disabled: bool) -> Result<(), StoreError> {
    let changed = conn.execute("UPDATE users SET disabled = ?2 WHERE id = ?1", params![user, disabled])?;
    if changed == 1 { Ok(()) } else { Err(StoreError::NotFound(format!("user {user}"))) }
}
