//! What the device reports about its upload state: outbox depth, the age of the oldest pending
//! event, rejected events with their reasons, the last successful sync and the last error.

use rusqlite::params;
use serde::Serialize;

use super::outbox::{self, OutboxState};
use super::{Replica, ReplicaError, identity};

/// The upload state of the active identity, and the pending count of the others on the phone.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub username: String,
    pub user: String,
    pub device_id: String,
    pub server_url: String,
    pub token_valid: bool,
    pub token_expires_at: Option<i64>,
    pub pending: u64,
    pub sent: u64,
    pub oldest_pending_at: Option<i64>,
    /// Milliseconds since the oldest pending event was recorded.
    pub oldest_pending_age_ms: Option<i64>,
    pub rejected: Vec<RejectedEvent>,
    pub last_sync_at: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
    pub next_seq: u64,
    pub others: Vec<OtherIdentity>,
}

/// An own event the server refused, kept visible with its reason (被退回).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedEvent {
    pub event_id: String,
    pub seq: u64,
    pub kind: String,
    pub reason: String,
    pub message: String,
    pub recorded_at: i64,
}

/// Another officer's identity on the same phone.
#[derive(Debug, Clone, Serialize)]
pub struct OtherIdentity {
    pub username: String,
    pub pending: u64,
}

impl Replica {
    /// The status of the active identity.
    pub fn status(&self) -> Result<Status, ReplicaError> {
        let me = self.require_active()?;
        let now = self.clock.now_ms();
        let (pending, oldest) = outbox::pending_summary(&self.conn, me.device_id)?;
        let mut others = Vec::new();
        for other in identity::all(&self.conn)?.into_iter().filter(|i| i.device_id != me.device_id) {
            others.push(OtherIdentity { pending: outbox::pending_summary(&self.conn, other.device_id)?.0, username: other.username });
        }
        Ok(Status {
            token_valid: me.has_valid_token(now),
            token_expires_at: me.token.as_ref().map(|t| t.expires_at),
            sent: outbox::count_in(&self.conn, me.device_id, OutboxState::Sent)?,
            pending,
            oldest_pending_at: oldest,
            oldest_pending_age_ms: oldest.map(|t| now.saturating_sub(t)),
            rejected: self.rejected()?,
            last_sync_at: me.last_sync_at,
            last_error: me.last_error,
            last_error_at: me.last_error_at,
            next_seq: me.next_seq,
            username: me.username,
            user: me.user.to_string(),
            device_id: me.device_id.to_string(),
            server_url: me.server_url,
            others,
        })
    }

    /// The active identity's rejected events, oldest first.
    pub fn rejected(&self) -> Result<Vec<RejectedEvent>, ReplicaError> {
        let me = self.require_active()?;
        let mut stmt = self.conn.prepare(
            "SELECT o.event_id, o.seq, e.kind, coalesce(o.reason, ''), coalesce(o.message, ''), o.created_at FROM outbox o \
             JOIN events e ON e.owner = o.owner AND e.id = o.event_id WHERE o.owner = ?1 AND o.state = 'rejected' ORDER BY o.seq",
        )?;
        let rows = stmt.query_map(params![me.device_id.to_string()], |r| {
            Ok(RejectedEvent {
                event_id: r.get(0)?,
                seq: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                kind: r.get(2)?,
                reason: r.get(3)?,
                message: r.get(4)?,
                recorded_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
