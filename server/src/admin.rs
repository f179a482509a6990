//! Administrative changes, authored by the server as events: reference data (assignments), so that
//! every device learns them through sync, and access records (a user disabled or enabled, a device
//! revoked), which take effect on the next request and stay in the signed log as the audit trail.

use serde::Deserialize;
use sync_protocol::body::{AssignmentSet, Body};
use sync_protocol::ids::{DeviceId, EventId, UserId, ZoneId};

use crate::error::ApiError;
use crate::store::Store;

/// An officer's new zone (or none) from `from` (Unix ms) on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub officer: UserId,
    pub zone: Option<ZoneId>,
    pub from: i64,
}

pub async fn assign(store: &Store, request: AssignRequest) -> Result<EventId, ApiError> {
    let body = Body::AssignmentSet(AssignmentSet { officer: request.officer, zone: request.zone, from: request.from });
    let Body::AssignmentSet(checked) = Body::parse(body.kind(), &body.to_value()).map_err(|e| ApiError::MalformedRequest(e.to_string()))?
    else {
        return Err(ApiError::MalformedRequest("not an assignment".into()));
    };
    Ok(store.writer().run(move |ctx| ctx.assign(checked)).await?)
}

/// Disables (`disabled`) or enables `user` on behalf of the admin `by`. Returns the event
/// recorded, or `None` when the account was already so. The server's own user is not an account
/// (404), and an admin does not disable their own account (409: it could lock every admin out).
pub async fn set_disabled(store: &Store, by: UserId, user: UserId, disabled: bool) -> Result<Option<EventId>, ApiError> {
    if disabled && user == by {
        return Err(ApiError::Conflict("an admin does not disable their own account".into()));
    }
    Ok(store.writer().run(move |ctx| ctx.set_disabled(by, &user, disabled)).await?)
}

/// Revokes the device identity `device` for good, on behalf of the admin `by`. Returns the event
/// recorded, or `None` when it was revoked before. The server's own device is not a device (404).
pub async fn revoke_device(store: &Store, by: UserId, device: DeviceId) -> Result<Option<EventId>, ApiError> {
    Ok(store.writer().run(move |ctx| ctx.revoke_device(by, device)).await?)
}
