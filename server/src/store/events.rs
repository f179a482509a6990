//! The event log's rows on either engine (`store::sql`): events stored with the `server_seq` the
//! single writer assigns, their routes, quarantined pushes, the devices' chain heads, and what
//! admission reads back of them. The writer's rules around them (the pure `admit`, the caches,
//! the tamper-evident log) are its own.

use std::collections::HashMap;
use sync_protocol::admit::{ChainHead, Stored};
use sync_protocol::crypto::Hash;
use sync_protocol::event::Event;
use sync_protocol::ids::{DeviceId, EventId};
use sync_protocol::scope::{Bucket, Routes};
use sync_protocol::wire::RejectReason;

use super::sql::{Row, Sql, hex_list, one_of_bytes};
use super::{Entity, StoreError};
use crate::args;

/// Stores an event (`accepted`, or kept as rejected evidence with its `reason`) received at
/// `now_ms`; returns its `server_seq`, the next after the greatest stored. Only the single writer
/// inserts events, inside its transaction, so the numbers have no gaps and commit in order.
/// `last` is the greatest `server_seq` as the job storing it knows it: read at the job's first
/// event, then this event's (a job's events follow one another, and the key refuses a number
/// twice), so that the row is a write the writer need not wait on (`Sql::write`).
pub fn insert_event(
    sql: &dyn Sql,
    last: &mut Option<i64>,
    event: &Event,
    raw: &str,
    accepted: bool,
    reason: Option<RejectReason>,
    now_ms: i64,
) -> Result<i64, StoreError> {
    let server_seq = match *last {
        Some(seq) => seq,
        None => sql.one("SELECT coalesce(max(server_seq), 0) FROM events", args![])?.get::<i64>(0)?,
    } + 1;
    sql.write(
        "INSERT INTO events (server_seq, id, device_id, seq, hlc, author, kind, hash, raw, accepted, reason, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        args![
            server_seq,
            event.id.0.as_bytes(),
            event.device_id.0.as_bytes(),
            event.seq,
            event.hlc.to_string(),
            event.author.as_str(),
            event.kind.as_str(),
            &event.hash.0,
            raw,
            accepted,
            reason.map(RejectReason::as_str),
            now_ms
        ],
    )?;
    *last = Some(server_seq);
    Ok(server_seq)
}

/// Routes the stored event `server_seq` to `buckets`.
pub fn insert_routes(sql: &dyn Sql, buckets: &[Bucket], server_seq: i64) -> Result<(), StoreError> {
    for bucket in buckets {
        sql.write("INSERT INTO event_routes (bucket, server_seq) VALUES (?1, ?2)", args![bucket.to_string(), server_seq])?;
    }
    Ok(())
}

/// The buckets a stored event was routed to (none when it was kept as rejected), read from
/// `event_routes` by its `server_seq`. That table's key is (bucket, server_seq), so the lookup
/// walks the distinct buckets (a few hundred in a county) and probes the key for each, rather
/// than scanning every route.
pub fn stored_buckets(sql: &dyn Sql, id: &EventId) -> Result<Vec<Bucket>, StoreError> {
    let Some(row) = sql.optional("SELECT server_seq FROM events WHERE id = ?1 AND accepted", args![id.0.as_bytes()])? else {
        return Ok(Vec::new());
    };
    let server_seq: i64 = row.get(0)?;
    let rows = sql.all(
        "WITH RECURSIVE b(bucket) AS (
             SELECT min(bucket) FROM event_routes
             UNION ALL
             SELECT (SELECT min(r.bucket) FROM event_routes r WHERE r.bucket > b.bucket) FROM b WHERE b.bucket IS NOT NULL
         )
         SELECT bucket FROM b
         WHERE bucket IS NOT NULL AND EXISTS (SELECT 1 FROM event_routes r WHERE r.bucket = b.bucket AND r.server_seq = ?1)",
        args![server_seq],
    )?;
    let mut routes = Routes::default();
    for row in rows {
        let b: String = row.get(0)?;
        match b.parse() {
            Ok(Bucket::Village(v)) => routes.villages.insert(v),
            Ok(Bucket::Township(t)) => routes.townships.insert(t),
            Ok(Bucket::Tip(t)) => routes.tips.insert(t),
            _ => return Err(StoreError::corrupt("event_routes", format!("bucket {b}"))),
        };
    }
    // In the order an accepted event's ack lists them.
    Ok(routes.buckets())
}

/// A device's stored chain head; an unknown device is not found.
pub fn chain_head(sql: &dyn Sql, device: DeviceId) -> Result<ChainHead, StoreError> {
    let row = sql.optional("SELECT head_seq, head_hash FROM devices WHERE id = ?1", args![device.0.as_bytes()])?;
    let row = row.ok_or_else(|| StoreError::not_found(Entity::Device, device))?;
    let hash: [u8; 32] = row.get::<Vec<u8>>(1)?.try_into().map_err(|_| StoreError::corrupt("devices", format!("head hash of {device}")))?;
    Ok(ChainHead { seq: row.get(0)?, hash: Hash(hash) })
}

/// Moves a device's chain head forward (never back) and notes its sync at `now_ms`.
pub fn save_head(sql: &dyn Sql, device: DeviceId, head: ChainHead, now_ms: i64) -> Result<(), StoreError> {
    sql.write(
        "UPDATE devices SET head_seq = ?2, head_hash = ?3, last_sync_at = ?4 WHERE id = ?1 AND head_seq <= ?2",
        args![device.0.as_bytes(), head.seq, &head.hash.0, now_ms],
    )?;
    Ok(())
}

/// Notes a sync that pushed nothing (a pull): the device took part in a sync at `now_ms`.
pub fn note_pull(sql: &dyn Sql, device: DeviceId, now_ms: i64) -> Result<(), StoreError> {
    sql.write("UPDATE devices SET last_sync_at = ?2 WHERE id = ?1", args![device.0.as_bytes(), now_ms])?;
    Ok(())
}

/// The stored events among `ids`, by id, each with its reason if kept as rejected: read for a
/// whole push in one statement.
pub fn stored_by_ids(sql: &dyn Sql, ids: &[EventId]) -> Result<HashMap<EventId, Stored>, StoreError> {
    let mut found = HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok(found);
    }
    let text = format!("SELECT id, hash, reason FROM events WHERE {}", one_of_bytes(sql.engine(), "id", 1));
    sql.each(&text, args![hex_list(ids.iter().map(|id| id.0.as_bytes().as_slice()))], &mut |row| {
        let stored = stored(row)?;
        found.insert(stored.id, stored);
        Ok(())
    })?;
    Ok(found)
}

/// The stored event at this place of a device's chain, with its reason if kept as rejected.
pub fn stored_at_seq(sql: &dyn Sql, device: DeviceId, seq: u64) -> Result<Option<Stored>, StoreError> {
    sql.optional("SELECT id, hash, reason FROM events WHERE device_id = ?1 AND seq = ?2", args![device.0.as_bytes(), seq])?
        .map(stored)
        .transpose()
}

fn stored(row: Row) -> Result<Stored, StoreError> {
    let id = uuid::Uuid::from_slice(&row.get::<Vec<u8>>(0)?).map_err(|_| StoreError::corrupt("events", "id"))?;
    let hash: [u8; 32] = row.get::<Vec<u8>>(1)?.try_into().map_err(|_| StoreError::corrupt("events", "hash"))?;
    let rejected = row
        .get::<Option<String>>(2)?
        .map(|r| RejectReason::parse(&r).ok_or_else(|| StoreError::corrupt("events", format!("reason {r}"))))
        .transpose()?;
    Ok(Stored { id: EventId(id), hash: Hash(hash), rejected })
}

/// A push that could not take a place in any chain, kept as evidence: what could be read of it,
/// why, and its raw text. Returns the row's id.
pub struct Quarantined<'a> {
    pub event: Option<EventId>,
    pub device: Option<DeviceId>,
    pub seq: Option<u64>,
    pub reason: RejectReason,
    pub message: &'a str,
    pub raw: &'a str,
}

/// Stores a [`Quarantined`] push received at `now_ms`; returns its id.
pub fn insert_quarantine(sql: &dyn Sql, q: &Quarantined<'_>, now_ms: i64) -> Result<i64, StoreError> {
    sql.one(
        "INSERT INTO quarantine (event_id, device_id, seq, reason, message, raw, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         RETURNING id",
        args![
            q.event.map(|e| e.0.as_bytes().to_vec()),
            q.device.map(|d| d.0.as_bytes().to_vec()),
            q.seq,
            q.reason.as_str(),
            q.message,
            q.raw,
            now_ms
        ],
    )?
    .get(0)
}
