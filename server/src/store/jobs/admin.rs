//! Administrative records authored by the server, each with what it needs of the stored state
//! checked in the same transaction: an assignment names a village officer and a known zone; a
//! user disabled or enabled, or a device revoked, is recorded only when it changes something.

use sync_protocol::body::{AssignmentSet, Body, DeviceRevoked, Role, UserDisabled, UserEnabled};
use sync_protocol::ids::{DeviceId, EventId, UserId};

use super::WriteCtx;
use super::{Conflict, Entity, StoreError};
use crate::args;
use crate::store::principal;

impl WriteCtx<'_> {
    /// Authors `a` if its officer is a village officer and its zone (if any) is known.
    pub fn assign(&mut self, a: AssignmentSet) -> Result<EventId, StoreError> {
        let officer = principal::user(self.conn, a.officer.as_str())?.ok_or_else(|| StoreError::not_found(Entity::Officer, &a.officer))?;
        if officer.role != Role::VillageOfficer {
            return Err(StoreError::Conflict(Conflict::NotAVillageOfficer(a.officer)));
        }
        if let Some(zone) = &a.zone {
            let known = self.conn.optional("SELECT 1 FROM zones WHERE id = ?1", args![zone.as_str()])?.is_some();
            if !known {
                return Err(StoreError::not_found(Entity::Zone, zone));
            }
        }
        self.author(&Body::AssignmentSet(a))
    }

    /// Disables (`disabled`) or enables `user` on behalf of `by`; `None` when the account was
    /// already so. The server's own user is not an account.
    pub fn set_disabled(&mut self, by: UserId, user: &UserId, disabled: bool) -> Result<Option<EventId>, StoreError> {
        let record = principal::user(self.conn, user.as_str())?
            .filter(|u| u.id != self.server.user)
            .ok_or_else(|| StoreError::not_found(Entity::User, user))?;
        if record.disabled == disabled {
            return Ok(None);
        }
        let body = if disabled {
            Body::UserDisabled(UserDisabled { user: record.id, by })
        } else {
            Body::UserEnabled(UserEnabled { user: record.id, by })
        };
        self.author(&body).map(Some)
    }

    /// Revokes `device` for good on behalf of `by`; `None` when it was revoked before. The
    /// server's own device is not a device.
    pub fn revoke_device(&mut self, by: UserId, device: DeviceId) -> Result<Option<EventId>, StoreError> {
        let record = principal::device(self.conn, device)?
            .filter(|d| d.id != self.server.device)
            .ok_or_else(|| StoreError::not_found(Entity::Device, device))?;
        if record.revoked {
            return Ok(None);
        }
        self.author(&Body::DeviceRevoked(DeviceRevoked { device, user: record.user, by })).map(Some)
    }
}
