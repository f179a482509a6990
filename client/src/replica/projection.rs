//! The projection of one identity: `sync_protocol::fold::Projection` kept as a JSON snapshot with
//! the fold key of its last event. New events are applied on top when they sort after it;
//! otherwise every event the identity folds is folded again. The fold is the protocol crate's.
//!
//! What is folded: every pulled event, and the identity's own events that are pending or sent;
//! never its own rejected ones (the server does not store them as data, so the server's fold of
//! the same scope has none of them), nor its own sent ones whose buckets (as their acks listed
//! them) are all out of scope, e.g. after a reassignment purged the old village (see
//! `events::LEFT_OUT`). When an own event enters or leaves either state, or the held buckets
//! change, the projection is folded again.

use rusqlite::{Connection, OptionalExtension, params};
use sync_protocol::event::Event;
use sync_protocol::fold::Projection;
use sync_protocol::ids::DeviceId;

use super::identity::seq_i64;
use super::{ReplicaError, events, ledger_rows};

/// The stored projection of `owner` (empty when nothing was folded yet).
pub(crate) fn load(conn: &Connection, owner: DeviceId) -> Result<Projection, ReplicaError> {
    type Row = (String, Option<String>, Option<String>, Option<i64>);
    let row: Option<Row> = conn
        .query_row("SELECT snapshot, last_hlc, last_device, last_seq FROM projections WHERE owner = ?1", [owner.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((snapshot, hlc, device, seq)) = row else { return Ok(Projection::default()) };
    let mut p: Projection = serde_json::from_str(&snapshot)?;
    p.last_key = match (hlc, device, seq) {
        (Some(h), Some(d), Some(s)) => Some((
            h.parse().map_err(ReplicaError::corrupt("projection clock"))?,
            d.parse().map_err(ReplicaError::corrupt("projection device"))?,
            u64::try_from(s).unwrap_or(0),
        )),
        _ => None,
    };
    Ok(p)
}

fn store(conn: &Connection, owner: DeviceId, p: &Projection, now_ms: i64) -> Result<(), ReplicaError> {
    let key = p.last_key.as_ref();
    conn.execute(
        "INSERT INTO projections (owner, snapshot, last_hlc, last_device, last_seq, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
         ON CONFLICT (owner) DO UPDATE SET snapshot = excluded.snapshot, last_hlc = excluded.last_hlc, \
         last_device = excluded.last_device, last_seq = excluded.last_seq, updated_at = excluded.updated_at",
        params![
            owner.to_string(),
            serde_json::to_string(p)?,
            key.map(|k| k.0.to_string()),
            key.map(|k| k.1.to_string()),
            key.map(|k| seq_i64(k.2)),
            now_ms,
        ],
    )?;
    Ok(())
}

/// Brings the projection of `owner` up to date with `new` events, which are already in the log.
/// Call inside the transaction that inserted them.
pub(crate) fn apply(conn: &Connection, owner: DeviceId, new: &[&Event], now_ms: i64) -> Result<Projection, ReplicaError> {
    let mut p = load(conn, owner)?;
    let mut sorted = new.to_vec();
    sorted.sort_by_key(|e| e.fold_key());
    if sorted.is_empty() {
        return Ok(p);
    }
    for (i, e) in sorted.iter().enumerate() {
        if !p.appends(e) {
            tracing::debug!(event = %e.id, applied = i, "event sorts before the projection's last one: folding again");
            return refold(conn, owner, now_ms);
        }
        p.apply(e);
    }
    ledger_rows::touch(conn, owner, &p, &sorted)?;
    store(conn, owner, &p, now_ms)?;
    Ok(p)
}

/// Folds again every event `owner` folds (see [`events::foldable`]: never its own rejected
/// ones, nor its own sent ones out of scope), and rewrites the ledger tables from the result.
pub(crate) fn refold(conn: &Connection, owner: DeviceId, now_ms: i64) -> Result<Projection, ReplicaError> {
    let all = events::foldable(conn, owner)?;
    let p = Projection::fold(&all);
    ledger_rows::rewrite(conn, owner, &p)?;
    store(conn, owner, &p, now_ms)?;
    Ok(p)
}
