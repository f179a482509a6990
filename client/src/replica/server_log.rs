//! What this phone knows of its server beyond the events: the log it witnessed (epoch, pinned key,
//! latest checkpoint and its frontier), what the witness noticed (a restore, a refused log), and
//! pulled events that failed their checks, kept aside and shown, never folded.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sync_protocol::crypto::{Hash, PublicKey};
use sync_protocol::ids::DeviceId;
use sync_protocol::merkle::Frontier;
use sync_protocol::merkle::witness::{Accepted, Held};
use sync_protocol::wire::witness::WitnessAsk;

use super::{Replica, ReplicaError};

/// What the witness noticed, or an event kept aside, as the officer sees it (服务器问题).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerNotice {
    pub at: i64,
    pub kind: String,
    pub detail: String,
}

/// A pulled event that failed its checks, as the server sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AsideEvent {
    pub bucket: String,
    pub event_id: Option<String>,
    pub problem: String,
    pub raw: String,
    pub received_at: i64,
}

/// The log `owner` witnessed last, if any.
pub(crate) fn held(conn: &Connection, owner: DeviceId) -> Result<Option<Held>, ReplicaError> {
    let row: Option<(String, String)> = conn
        .query_row("SELECT epoch, frontier FROM witness WHERE owner = ?1", [owner.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((epoch, frontier)) = row else { return Ok(None) };
    let (size, subtrees, key): (u64, Vec<Hash>, PublicKey) = serde_json::from_str(&frontier)?;
    let bad = sync_protocol::ValidationError::Field { field: "frontier", problem: "its subtrees do not match its size".into() };
    let frontier = Frontier::from_parts(size, subtrees).ok_or(ReplicaError::Corrupt { what: "witnessed log", source: bad })?;
    Ok(Some(Held { epoch, key, frontier }))
}

/// The epoch and size of the log `owner` holds (none at first): what a sync request asks from.
pub(crate) fn held_ask(conn: &Connection, owner: DeviceId) -> Result<WitnessAsk, ReplicaError> {
    let row: Option<(String, i64)> = conn
        .query_row("SELECT epoch, size FROM witness WHERE owner = ?1", [owner.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.map_or_else(WitnessAsk::default, |(epoch, size)| WitnessAsk { epoch: Some(epoch), size: u64::try_from(size).unwrap_or(0) }))
}

/// Keeps what `accepted` says to hold from now on.
pub(crate) fn save(conn: &Connection, owner: DeviceId, accepted: &Accepted, now_ms: i64) -> Result<(), ReplicaError> {
    let f = &accepted.held.frontier;
    let frontier = serde_json::to_string(&(f.size(), f.subtrees(), accepted.held.key))?;
    let note = accepted.checkpoint.to_note();
    conn.execute(
        "INSERT INTO witness (owner, epoch, size, checkpoint, frontier, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (owner) DO UPDATE SET epoch = excluded.epoch, size = excluded.size, checkpoint = excluded.checkpoint,
         frontier = excluded.frontier, updated_at = excluded.updated_at",
        params![owner.to_string(), accepted.held.epoch, super::identity::seq_i64(f.size()), note, frontier, now_ms],
    )?;
    Ok(())
}

/// Records what the witness noticed (kept, never updated).
pub(crate) fn notice(conn: &Connection, owner: DeviceId, kind: &str, detail: &str, now_ms: i64) -> Result<(), ReplicaError> {
    tracing::warn!(kind, detail, "server notice");
    conn.execute(
        "INSERT INTO server_notices (owner, at, kind, detail) VALUES (?1, ?2, ?3, ?4)",
        params![owner.to_string(), now_ms, kind, detail],
    )?;
    Ok(())
}

/// Keeps a pulled event that failed its checks aside, as the server sent it.
pub(crate) fn put_aside(conn: &Connection, owner: DeviceId, event: &AsideEvent) -> Result<(), ReplicaError> {
    tracing::warn!(bucket = %event.bucket, event = ?event.event_id, problem = %event.problem, "pulled event kept aside");
    conn.execute(
        "INSERT INTO held_aside (owner, bucket, event_id, problem, raw, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![owner.to_string(), event.bucket, event.event_id, event.problem, event.raw, event.received_at],
    )?;
    Ok(())
}

impl Replica {
    /// The active identity's server notices, oldest first.
    pub fn server_notices(&self) -> Result<Vec<ServerNotice>, ReplicaError> {
        let owner = self.require_active()?.device_id;
        let mut stmt = self.conn.prepare("SELECT at, kind, detail FROM server_notices WHERE owner = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map([owner.to_string()], |r| Ok(ServerNotice { at: r.get(0)?, kind: r.get(1)?, detail: r.get(2)? }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The active identity's pulled events kept aside, oldest first.
    pub fn aside_events(&self) -> Result<Vec<AsideEvent>, ReplicaError> {
        let owner = self.require_active()?.device_id;
        let mut stmt =
            self.conn.prepare("SELECT bucket, event_id, problem, raw, received_at FROM held_aside WHERE owner = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map([owner.to_string()], |r| {
            Ok(AsideEvent { bucket: r.get(0)?, event_id: r.get(1)?, problem: r.get(2)?, raw: r.get(3)?, received_at: r.get(4)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The checkpoint of the log the active identity witnessed last, as a signed note.
    pub fn witnessed_checkpoint(&self) -> Result<Option<String>, ReplicaError> {
        let owner = self.require_active()?.device_id;
        Ok(self.conn.query_row("SELECT checkpoint FROM witness WHERE owner = ?1", [owner.to_string()], |r| r.get(0)).optional()?)
    }
}
