//! Administrative changes, authored by the server as events: reference data (assignments), so that
//! every device learns them through sync, and access records (a user disabled or enabled, a device
//! revoked), which take effect on the next request and stay in the signed log as the audit trail.

use serde::Deserialize;
use sync_protocol::body::{AssignmentSet, Body, DeviceRevoked, Role, UserDisabled, UserEnabled};
use sync_protocol::ids::{DeviceId, EventId, UserId, ZoneId};

use crate::error::ApiError;
use crate::store::{Store, StoreError, principal};

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
    let checked = Body::parse(body.kind(), &body.to_value()).map_err(|e| ApiError::MalformedRequest(e.to_string()))?;
    let id = store
        .writer()
        .run(move |ctx| {
            let Body::AssignmentSet(a) = &checked else { return Err(StoreError::Corrupt("not an assignment".into())) };
            let officer =
                principal::user(ctx.conn, a.officer.as_str())?.ok_or_else(|| StoreError::NotFound(format!("officer {}", a.officer)))?;
            if officer.role != Role::VillageOfficer {
                return Err(StoreError::Conflict(format!("{} is not a village officer", a.officer)));
            }
            if let Some(zone) = &a.zone {
                let known: bool = ctx.conn.query_row("SELECT count(*) > 0 FROM zones WHERE id = ?1", [zone.as_str()], |r| r.get(0))?;
                if !known {
                    return Err(StoreError::NotFound(format!("zone {zone}")));
                }
            }
            ctx.author(&checked)
        })
        .await?;
    Ok(id)
}

/// Disables (`disabled`) or enables `user` on behalf of the admin `by`. Returns the event
/// recorded, or `None` when the account was already so. The server's own user is not an account
/// (404), and an admin does not disable their own account (409: it could lock every admin out).
pub async fn set_disabled(store: &Store, by: UserId, user: UserId, disabled: bool) -> Result<Option<EventId>, ApiError> {
    let event = store
        .writer()
        .run(move |ctx| {
            let record = principal::user(ctx.conn, user.as_str())?
                .filter(|u| u.id != ctx.server.user)
                .ok_or_else(|| StoreError::NotFound(format!("user {user}")))?;
            if disabled && record.id == by {
                return Err(StoreError::Conflict("an admin does not disable their own account".into()));
            }
            if record.disabled == disabled {
                return Ok(None);
            }
            let body = if disabled {
                Body::UserDisabled(UserDisabled { user: record.id, by })
            } else {
                Body::UserEnabled(UserEnabled { user: record.id, by })
            };
            ctx.author(&body).map(Some)
        })
        .await?;
    Ok(event)
}

/// Revokes the device identity `device` for good, on behalf of the admin `by`. Returns the event
/// recorded, or `None` when it was revoked before. The server's own device is not a device (404).
pub async fn revoke_device(store: &Store, by: UserId, device: DeviceId) -> Result<Option<EventId>, ApiError> {
    let event = store
        .writer()
        .run(move |ctx| {
            let record = principal::device(ctx.conn, device)?
                .filter(|d| d.id != ctx.server.device)
                .ok_or_else(|| StoreError::NotFound(format!("device {device}")))?;
            if record.revoked {
                return Ok(None);
            }
            ctx.author(&Body::DeviceRevoked(DeviceRevoked { device, user: record.user, by })).map(Some)
        })
        .await?;
    Ok(event)
}
