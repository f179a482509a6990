//! Access records (`user.disabled`, `user.enabled`, `device.revoked`) applied to the tables the
//! auth layer reads on every request, in the transaction that stores the event: the next request
//! of that user or device already sees the change.

use sync_protocol::body::Body;

use super::StoreError;
use super::sessions::{Holder, end_sessions};
use crate::args;
use crate::store::sessions::SessionEnd;
use crate::store::sql::Sql;

/// Applies an access record at `now_ms`; any other body changes nothing here. Disabling a user
/// or revoking a device also ends their sessions, so re-enabling a user needs a new login.
pub fn apply(conn: &dyn Sql, body: &Body, now_ms: i64) -> Result<(), StoreError> {
    match body {
        Body::UserDisabled(u) => {
            set_disabled(conn, u.user.as_str(), true)?;
            end_sessions(conn, Holder::User(u.user.as_str()), SessionEnd::UserDisabled, now_ms)
        }
        Body::UserEnabled(u) => set_disabled(conn, u.user.as_str(), false),
        Body::DeviceRevoked(d) => {
            let changed = conn.run("UPDATE devices SET revoked = TRUE WHERE id = ?1", args![d.device.0.as_bytes()])?;
            if changed != 1 {
                return Err(StoreError::not_found(super::Entity::Device, d.device));
            }
            end_sessions(conn, Holder::Device(d.device), SessionEnd::DeviceRevoked, now_ms)
        }
        _ => Ok(()),
    }
}

fn set_disabled(conn: &dyn Sql, user: &str, disabled: bool) -> Result<(), StoreError> {
    let changed = conn.run("UPDATE users SET disabled = ?2 WHERE id = ?1", args![user, disabled])?;
    if changed == 1 { Ok(()) } else { Err(StoreError::not_found(super::Entity::User, user)) }
}
