//! The outbox: the upload state of an identity's own events. Written with the event, moved only
//! by an ack (pending -> sent | rejected) or by the server asking for a resend (-> pending).

use rusqlite::{Connection, OptionalExtension, params};
use sync_protocol::event::Event;
use sync_protocol::ids::{DeviceId, EventId};
use sync_protocol::wire::RejectReason;

use super::ReplicaError;
use super::identity::seq_i64;

/// Where an own event stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Recorded here, not yet acknowledged by the server (待上传).
    Pending,
    /// Committed by the server (已上传).
    Sent,
    /// Refused by the server, with a reason (被退回).
    Rejected,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sent => "sent",
            OutboxState::Rejected => "rejected",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            OutboxState::Pending => "待上传",
            OutboxState::Sent => "已上传",
            OutboxState::Rejected => "被退回",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<OutboxState> {
        [OutboxState::Pending, OutboxState::Sent, OutboxState::Rejected].into_iter().find(|st| st.as_str() == s)
    }
}

pub(crate) fn insert_pending(conn: &Connection, owner: DeviceId, event: &Event, now_ms: i64) -> Result<(), ReplicaError> {
    conn.execute(
        "INSERT INTO outbox (owner, event_id, seq, state, created_at) VALUES (?1, ?2, ?3, 'pending', ?4)",
        params![owner.to_string(), event.id.to_string(), seq_i64(event.seq), now_ms],
    )?;
    Ok(())
}

/// An own event waiting to be pushed.
#[derive(Debug, Clone)]
pub(crate) struct PendingEvent {
    pub seq: u64,
    pub id: EventId,
    /// The JSON envelope exactly as stored (and as hashed and signed).
    pub raw: String,
}

/// The oldest `limit` pending events of `owner`, in seq order.
pub(crate) fn pending(conn: &Connection, owner: DeviceId, limit: usize) -> Result<Vec<PendingEvent>, ReplicaError> {
    let mut stmt = conn.prepare(
        "SELECT o.seq, o.event_id, e.raw FROM outbox o JOIN events e ON e.owner = o.owner AND e.id = o.event_id \
         WHERE o.owner = ?1 AND o.state = 'pending' ORDER BY o.seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![owner.to_string(), i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, id, raw) = row?;
        let id = id.parse().map_err(ReplicaError::corrupt("outbox event id"))?;
        out.push(PendingEvent { seq: u64::try_from(seq).unwrap_or(0), id, raw });
    }
    Ok(out)
}

/// Counts an attempt for each event about to be pushed.
pub(crate) fn attempted(conn: &Connection, owner: DeviceId, seqs: &[u64], now_ms: i64) -> Result<(), ReplicaError> {
    let mut stmt = conn.prepare("UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ?3 WHERE owner = ?1 AND seq = ?2")?;
    for seq in seqs {
        stmt.execute(params![owner.to_string(), seq_i64(*seq), now_ms])?;
    }
    Ok(())
}

/// The state of one own event, if `owner` authored it.
pub(crate) fn state_of(conn: &Connection, owner: DeviceId, event: EventId) -> Result<Option<OutboxState>, ReplicaError> {
    let s: Option<String> = conn
        .query_row("SELECT state FROM outbox WHERE owner = ?1 AND event_id = ?2", params![owner.to_string(), event.to_string()], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(s.as_deref().and_then(OutboxState::parse))
}

/// Accepted or duplicate: sent. A duplicate of an event rejected before stays rejected: the server
/// kept it as rejected evidence, and the ack for the copy does not change that.
pub(crate) fn mark_sent(conn: &Connection, owner: DeviceId, event: EventId, now_ms: i64) -> Result<bool, ReplicaError> {
    let n = conn.execute(
        "UPDATE outbox SET state = CASE WHEN reason IS NULL THEN 'sent' ELSE 'rejected' END, acked_at = ?3 \
         WHERE owner = ?1 AND event_id = ?2 AND state = 'pending'",
        params![owner.to_string(), event.to_string(), now_ms],
    )?;
    Ok(n == 1)
}

pub(crate) fn mark_rejected(
    conn: &Connection,
    owner: DeviceId,
    event: EventId,
    reason: RejectReason,
    message: &str,
    now_ms: i64,
) -> Result<bool, ReplicaError> {
    let n = conn.execute(
        "UPDATE outbox SET state = 'rejected', reason = ?3, message = ?4, acked_at = ?5 WHERE owner = ?1 AND event_id = ?2",
        params![owner.to_string(), event.to_string(), reason.as_str(), message, now_ms],
    )?;
    Ok(n == 1)
}

/// The server is missing this identity's events from `seq` on: send them again. Events it kept
/// as rejected evidence (a reason that advances the chain) go again too, and it will answer the
/// same; events refused as tampering or malformed stay refused, since the same bytes cannot fare
/// better. Returns how many moved.
pub(crate) fn resend_from(conn: &Connection, owner: DeviceId, seq: u64) -> Result<usize, ReplicaError> {
    let kept = [RejectReason::UnknownKind, RejectReason::UnsupportedVersion, RejectReason::InvalidBody, RejectReason::NotAllowed];
    debug_assert!(kept.iter().all(|r| r.advances_chain()));
    let kept = kept.map(|r| format!("'{}'", r.as_str())).join(", ");
    let sql = format!(
        "UPDATE outbox SET state = 'pending' WHERE owner = ?1 AND seq >= ?2 AND (state = 'sent' OR (state = 'rejected' AND reason IN ({kept})))"
    );
    Ok(conn.execute(&sql, params![owner.to_string(), seq_i64(seq)])?)
}

/// Pending events of `owner` and the creation time of the oldest.
pub(crate) fn pending_summary(conn: &Connection, owner: DeviceId) -> Result<(u64, Option<i64>), ReplicaError> {
    let (n, oldest): (i64, Option<i64>) =
        conn.query_row("SELECT count(*), min(created_at) FROM outbox WHERE owner = ?1 AND state = 'pending'", [owner.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok((u64::try_from(n).unwrap_or(0), oldest))
}

pub(crate) fn count_in(conn: &Connection, owner: DeviceId, state: OutboxState) -> Result<u64, ReplicaError> {
    let n: i64 =
        conn.query_row("SELECT count(*) FROM outbox WHERE owner = ?1 AND state = ?2", params![owner.to_string(), state.as_str()], |r| {
            r.get(0)
        })?;
    Ok(u64::try_from(n).unwrap_or(0))
}
