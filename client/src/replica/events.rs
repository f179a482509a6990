//! The event log of one identity: every event it holds, its own and pulled ones, as the raw JSON
//! envelope keyed by (owner, event id). Rows are inserted once and never updated.

use rusqlite::{Connection, params};
use sync_protocol::event::Event;
use sync_protocol::ids::DeviceId;

use super::ReplicaError;
use super::identity::seq_i64;

/// Inserts `event` for `owner` unless it is held already. Returns whether it was new.
pub(crate) fn insert(conn: &Connection, owner: DeviceId, event: &Event, now_ms: i64) -> Result<bool, ReplicaError> {
    let raw = serde_json::to_string(event)?;
    let n = conn.execute(
        "INSERT OR IGNORE INTO events (owner, id, device_id, seq, hlc, author, kind, hash, raw, received_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            owner.to_string(),
            event.id.to_string(),
            event.device_id.to_string(),
            seq_i64(event.seq),
            event.hlc.to_string(),
            event.author.as_str(),
            event.kind,
            event.hash.to_hex(),
            raw,
            now_ms,
        ],
    )?;
    Ok(n == 1)
}

/// Every event `owner` holds, in fold order (own rejected ones included).
#[cfg(test)]
pub(crate) fn all(conn: &Connection, owner: DeviceId) -> Result<Vec<Event>, ReplicaError> {
    let mut stmt = conn.prepare("SELECT raw FROM events WHERE owner = ?1 ORDER BY hlc, device_id, seq")?;
    let raws = stmt.query_map([owner.to_string()], |r| r.get::<_, String>(0))?;
    raws.map(|raw| Ok(serde_json::from_str(&raw?)?)).collect()
}

/// Whether the own event of outbox row `o` is left out of the fold:
/// - rejected: the server never stores it as data;
/// - sent, and routed (as its acks said) only to buckets the identity holds no cursor for: it is
///   outside the identity's scope now (the officer was reassigned and the old village purged),
///   so the server's fold of the scope does not have it either. The county bucket holds every
///   event. A sent event with no recorded bucket (acked by a server that did not list them) stays.
///
/// Pending events are always folded: they are still pushed (read your writes).
pub(crate) const LEFT_OUT: &str = "(o.state = 'rejected' OR (o.state = 'sent' \
     AND EXISTS (SELECT 1 FROM event_buckets m WHERE m.owner = o.owner AND m.event_id = o.event_id) \
     AND NOT EXISTS (SELECT 1 FROM event_buckets m JOIN cursors c ON c.owner = m.owner AND c.bucket = m.bucket \
                     WHERE m.owner = o.owner AND m.event_id = o.event_id) \
     AND NOT EXISTS (SELECT 1 FROM cursors c WHERE c.owner = o.owner AND c.bucket = 'county')))";

/// The events `owner` folds, in fold order: everything pulled, and its own events that are
/// pending, or sent and in a bucket it holds (see [`LEFT_OUT`]). Its own *rejected* events are
/// left out: the server never stores them as data, so folding them would make this projection
/// differ from the server's. So are its own sent events that a purge left outside its scope.
/// Both stay in the log and the outbox; the ledger and status show rejected ones from there.
pub(crate) fn foldable(conn: &Connection, owner: DeviceId) -> Result<Vec<Event>, ReplicaError> {
    let sql = format!(
        "SELECT e.raw FROM events e WHERE e.owner = ?1 AND NOT EXISTS \
         (SELECT 1 FROM outbox o WHERE o.owner = e.owner AND o.event_id = e.id AND {LEFT_OUT}) \
         ORDER BY e.hlc, e.device_id, e.seq"
    );
    let mut stmt = conn.prepare(&sql)?;
    let raws = stmt.query_map([owner.to_string()], |r| r.get::<_, String>(0))?;
    raws.map(|raw| Ok(serde_json::from_str(&raw?)?)).collect()
}

/// The own events of `owner` that the server rejected, in seq order.
pub(crate) fn own_rejected(conn: &Connection, owner: DeviceId) -> Result<Vec<Event>, ReplicaError> {
    let mut stmt = conn.prepare(
        "SELECT e.raw FROM outbox o JOIN events e ON e.owner = o.owner AND e.id = o.event_id \
         WHERE o.owner = ?1 AND o.state = 'rejected' ORDER BY o.seq",
    )?;
    let raws = stmt.query_map([owner.to_string()], |r| r.get::<_, String>(0))?;
    raws.map(|raw| Ok(serde_json::from_str(&raw?)?)).collect()
}

/// How many events `owner` holds.
pub(crate) fn count(conn: &Connection, owner: DeviceId) -> Result<u64, ReplicaError> {
    let n: i64 = conn.query_row("SELECT count(*) FROM events WHERE owner = ?1", [owner.to_string()], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}
