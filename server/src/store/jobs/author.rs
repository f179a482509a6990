//! Reference events authored by the server itself: sealed with the server's key on its own chain,
//! then stored, routed and applied exactly like a device's accepted event, with the consequences
//! one change has for another (a role change ends the zone assignment of a former officer).

use sync_protocol::body::{AssignmentSet, Body, Role, UserChanged};
use sync_protocol::event::EventDraft;
use sync_protocol::ids::{EventId, UserId};

use super::StoreError;
use super::WriteCtx;
use crate::args;

impl WriteCtx<'_> {
    /// Authors, stores and routes one reference event; returns its id.
    pub fn author(&mut self, body: &Body) -> Result<EventId, StoreError> {
        let device = self.server.device;
        let head = self.head(device)?;
        let now = u64::try_from(self.now_ms).unwrap_or(0);
        let hlc = {
            let mut clock = self.clock.lock().map_err(|_| StoreError::Poisoned("clock"))?;
            *clock = clock.tick(now);
            *clock
        };
        let draft = EventDraft {
            id: EventId(uuid::Uuid::now_v7()),
            device_id: device,
            seq: head.seq + 1,
            hlc,
            author: self.server.user.clone(),
            kind: body.kind().to_string(),
            body: body.to_value(),
            prev: head.hash,
        };
        let event = draft.seal(&self.server.key).map_err(|e| StoreError::encode("a reference event", e))?;
        let raw = serde_json::to_string(&event).map_err(|e| StoreError::encode("a reference event", e))?;
        self.store(&event, &raw, Some(body), None)?;
        self.conn
            .run("UPDATE devices SET head_seq = ?2, head_hash = ?3 WHERE id = ?1", args![device.0.as_bytes(), event.seq, &event.hash.0])?;
        if let Body::UserChanged(change) = body {
            self.end_assignment_of_non_officer(change)?;
        }
        Ok(event.id)
    }

    /// A user who is no longer a village officer keeps no zone: their current assignment ends
    /// now (or when it starts, if later), in the name of the admin who changed the role, so that
    /// their old zone's quota and bucket no longer name them. Whatever path changed the role (the
    /// people API, a roster import) comes through here.
    fn end_assignment_of_non_officer(&mut self, change: &UserChanged) -> Result<(), StoreError> {
        if change.role == Role::VillageOfficer {
            return Ok(());
        }
        let latest = self
            .conn
            .optional(
                "SELECT zone, valid_from FROM assignments WHERE officer = ?1 ORDER BY valid_from DESC, server_seq DESC LIMIT 1",
                args![change.user.as_str()],
            )?
            .map(|r| -> Result<(Option<String>, i64), StoreError> { Ok((r.get(0)?, r.get(1)?)) })
            .transpose()?;
        let Some((Some(_), from)) = latest else { return Ok(()) };
        let end = AssignmentSet { officer: change.user.clone(), zone: None, from: from.max(self.now_ms), by: Some(change.by.clone()) };
        self.author(&Body::AssignmentSet(end))?;
        Ok(())
    }

    /// Replaces `user`'s hash `old` by `new` (a rehash at a higher cost); changes nothing if the
    /// stored hash is no longer `old`.
    pub fn replace_password(&self, user: &UserId, old: &str, new: &str) -> Result<(), StoreError> {
        self.conn.run(
            "UPDATE users SET password_hash = ?3 WHERE id = ?1 AND password_hash = ?2 AND id <> 'system'",
            args![user.as_str(), old, new],
        )?;
        Ok(())
    }
}
