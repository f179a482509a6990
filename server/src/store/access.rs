//! Access records (`user.disabled`, `user.enabled`, `device.revoked`) applied to the tables the
//! auth layer reads on every request, in the transaction that stores the event: the next request
//! of that user or device already sees the change.

use rusqlite::{Connection, params};
use sync_protocol::body::Body;

use super::StoreError;

/// Applies an access record; any other body changes nothing here.
pub fn apply(conn: &Connection, body: &Body) -> Result<(), StoreError> {
    match body {
        Body::UserDisabled(u) => set_disabled(conn, u.user.as_str(), true),
        Body::UserEnabled(u) => set_disabled(conn, u.user.as_str(), false),
        Body::DeviceRevoked(d) => {
            let changed = conn.execute("UPDATE devices SET revoked = 1 WHERE id = ?1", [d.device.0.as_bytes()])?;
            if changed == 1 { Ok(()) } else { Err(StoreError::NotFound(format!("device {}", d.device))) }
        }
        _ => Ok(()),
    }
}

fn set_disabled(conn: &Connection, user: &str, disabled: bool) -> Result<(), StoreError> {
    let changed = conn.execute("UPDATE users SET disabled = ?2 WHERE id = ?1", params![user, disabled])?;
    if changed == 1 { Ok(()) } else { Err(StoreError::NotFound(format!("user {user}"))) }
}
