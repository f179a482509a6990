//! Buckets on the device: the pull cursor per (identity, bucket), which buckets each event is in
//! (a pulled event: the buckets it came from; an own event: the buckets its ack listed, since the
//! server never pages a device's own events back), and purging a bucket the identity may no
//! longer see (never its own events).

use std::collections::BTreeMap;

use rusqlite::{Connection, params};
use sync_protocol::fold::parts::PartKey;
use sync_protocol::ids::{DeviceId, EventId};
use sync_protocol::scope::Bucket;

use super::ReplicaError;

/// Lowers every cursor of `owner` above `at` to `at`: after a restore, the events past it are
/// pulled again (those held already are no-ops). Returns how many cursors moved.
pub(crate) fn lower_cursors(conn: &Connection, owner: DeviceId, at: u64, now_ms: i64) -> Result<usize, ReplicaError> {
    let at = super::identity::seq_i64(at);
    Ok(conn.execute(
        "UPDATE cursors SET cursor = ?2, updated_at = ?3 WHERE owner = ?1 AND cursor > ?2",
        rusqlite::params![owner.to_string(), at, now_ms],
    )?)
}

/// The cursors of `owner`, by bucket.
pub(crate) fn cursors(conn: &Connection, owner: DeviceId) -> Result<BTreeMap<Bucket, u64>, ReplicaError> {
    let mut stmt = conn.prepare("SELECT bucket, cursor FROM cursors WHERE owner = ?1")?;
    let rows = stmt.query_map([owner.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (bucket, cursor) = row?;
        out.insert(bucket.parse().map_err(ReplicaError::corrupt("bucket"))?, u64::try_from(cursor).unwrap_or(0));
    }
    Ok(out)
}

pub(crate) fn set_cursor(conn: &Connection, owner: DeviceId, bucket: &Bucket, cursor: u64, now_ms: i64) -> Result<(), ReplicaError> {
    conn.execute(
        "INSERT INTO cursors (owner, bucket, cursor, updated_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (owner, bucket) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
        params![owner.to_string(), bucket.to_string(), i64::try_from(cursor).unwrap_or(i64::MAX), now_ms],
    )?;
    Ok(())
}

/// Records that the pulled event `event` came from `bucket` (once per pulled event: the statement
/// is prepared once per connection).
pub(crate) fn add_member(conn: &Connection, owner: DeviceId, bucket: &Bucket, event: EventId) -> Result<(), ReplicaError> {
    conn.prepare_cached("INSERT OR IGNORE INTO event_buckets (owner, bucket, event_id) VALUES (?1, ?2, ?3)")?.execute(params![
        owner.to_string(),
        bucket.to_string(),
        event.to_string()
    ])?;
    Ok(())
}

/// Records that the own event `event` of `owner` is routed to `bucket`, as its ack said. Does
/// nothing when `event` is not in the identity's outbox.
pub(crate) fn add_own_member(conn: &Connection, owner: DeviceId, bucket: &Bucket, event: EventId) -> Result<(), ReplicaError> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO event_buckets (owner, bucket, event_id) \
         SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM outbox WHERE owner = ?1 AND event_id = ?3)",
    )?
    .execute(params![owner.to_string(), bucket.to_string(), event.to_string()])?;
    Ok(())
}

/// Forgets `bucket` for `owner`: its cursor, the memberships of pulled events, and the events
/// that were pulled only from it. The identity's own events (those in its outbox) are kept
/// whatever their bucket, with their memberships: the fold leaves out the sent ones that are in
/// no bucket held any more (see `events::LEFT_OUT`), and takes them back if the bucket returns.
/// Returns how many events were dropped, and their anchors (their parts are to be folded again).
pub(crate) fn purge(conn: &Connection, owner: DeviceId, bucket: &Bucket) -> Result<(usize, Vec<PartKey>), ReplicaError> {
    let (o, b) = (owner.to_string(), bucket.to_string());
    conn.execute("DELETE FROM cursors WHERE owner = ?1 AND bucket = ?2", params![o, b])?;
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS purge_candidates (event_id TEXT PRIMARY KEY) STRICT", [])?;
    conn.execute("DELETE FROM temp.purge_candidates", [])?;
    conn.execute("INSERT INTO temp.purge_candidates SELECT event_id FROM event_buckets WHERE owner = ?1 AND bucket = ?2", params![o, b])?;
    conn.execute(
        "DELETE FROM event_buckets WHERE owner = ?1 AND bucket = ?2 \
         AND NOT EXISTS (SELECT 1 FROM outbox ob WHERE ob.owner = ?1 AND ob.event_id = event_buckets.event_id)",
        params![o, b],
    )?;
    const DROPPED: &str = "FROM events WHERE owner = ?1 AND id IN (SELECT event_id FROM temp.purge_candidates) \
         AND NOT EXISTS (SELECT 1 FROM event_buckets eb WHERE eb.owner = ?1 AND eb.event_id = events.id) \
         AND NOT EXISTS (SELECT 1 FROM outbox ob WHERE ob.owner = ?1 AND ob.event_id = events.id)";
    let anchors: Vec<PartKey> = conn
        .prepare(&format!("SELECT anchor {DROPPED}"))?
        .query_map([&o], |r| r.get::<_, Option<String>>(0))?
        .filter_map(|a| a.transpose())
        .map(|a| a.map(PartKey::from_stored))
        .collect::<Result<_, _>>()?;
    // The patrol index is kept in zone order (its key: owner, zone, event): each dropped patrol
    // names its zone.
    conn.execute(
        &format!(
            "DELETE FROM patrol_index WHERE owner = ?1 AND (zone, event_id) IN \
             (SELECT json_extract(raw, '$.body.zone'), id {DROPPED} AND kind = 'patrol.recorded')"
        ),
        [&o],
    )?;
    let dropped = conn.execute(&format!("DELETE {DROPPED}"), [&o])?;
    conn.execute("DELETE FROM temp.purge_candidates", [])?;
    Ok((dropped, anchors))
}
