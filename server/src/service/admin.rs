//! Administrative changes, authored by the server as events: reference data (assignments), so that
//! every device learns them through sync, and access records (a user disabled or enabled, a device
//! revoked), which take effect on the next request and stay in the signed log as the audit trail.

use serde::Deserialize;
use sync_protocol::body::{AssignmentSet, Body, kind};
use sync_protocol::ids::{DeviceId, EventId, UserId, ZoneId};

use crate::store::StoreError;
use crate::store::reference::ReferenceData;

/// An officer's new zone (or none) from `from` (Unix ms) on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub officer: UserId,
    pub zone: Option<ZoneId>,
    pub from: i64,
}

/// Why an administrative change was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Invalid(sync_protocol::ValidationError),
    /// An admin does not disable their own account: it could lock every admin out.
    #[error("an admin does not disable their own account")]
    OwnAccount,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Assigns an officer to a zone from a time on (404 for an unknown officer or zone; 409 for a user
/// who is not a village officer).
pub async fn assign(store: &dyn ReferenceData, request: AssignRequest) -> Result<EventId, AdminError> {
    let assignment = AssignmentSet { officer: request.officer, zone: request.zone, from: request.from, by: None };
    // The body the server authors is the one a device would read.
    let parsed = Body::parse(kind::ASSIGNMENT_SET, &Body::AssignmentSet(assignment.clone()).to_value()).map_err(AdminError::Invalid)?;
    let assignment = match parsed {
        Body::AssignmentSet(a) => a,
        _ => assignment,
    };
    Ok(store.assign(assignment).await?)
}

/// Disables (`disabled`) or enables `user` on behalf of the admin `by`. Returns the event
/// recorded, or `None` when the account was already so. The server's own user is not an account.
pub async fn set_disabled(store: &dyn ReferenceData, by: UserId, user: UserId, disabled: bool) -> Result<Option<EventId>, AdminError> {
    if disabled && user == by {
        return Err(AdminError::OwnAccount);
    }
    Ok(store.set_disabled(by, user, disabled).await?)
}

/// Revokes the device identity `device` for good, on behalf of the admin `by`. Returns the event
/// recorded, or `None` when it was revoked before. The server's own device is not a device.
pub async fn revoke_device(store: &dyn ReferenceData, by: UserId, device: DeviceId) -> Result<Option<EventId>, AdminError> {
    Ok(store.revoke_device(by, device).await?)
}
