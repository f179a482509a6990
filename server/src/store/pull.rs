//! Reading a bucket after a cursor, in server-sequence order. The county bucket is the whole log
//! of accepted events; village and township buckets go through the routes written at ingest.

use rusqlite::Connection;
use serde_json::value::RawValue;
use sync_protocol::ids::DeviceId;
use sync_protocol::scope::Bucket;
use sync_protocol::wire::BucketPage;

use super::StoreError;

type Row = (i64, Vec<u8>, String);

/// Up to `limit` accepted events of `bucket` after `cursor`, leaving out the events of
/// `reader` (the calling device holds its own events already; the cursor still moves past them).
pub fn page(
    conn: &Connection,
    bucket: &Bucket,
    cursor: u64,
    limit: u32,
    reader: Option<DeviceId>,
) -> Result<BucketPage<Box<RawValue>>, StoreError> {
    let fetch = i64::from(limit) + 1;
    let map = |r: &rusqlite::Row<'_>| Ok((r.get(0)?, r.get(1)?, r.get(2)?));
    let rows: Vec<Row> = match bucket {
        Bucket::County => {
            let mut s = conn.prepare_cached(
                "SELECT server_seq, device_id, raw FROM events WHERE server_seq > ?1 AND accepted = 1 ORDER BY server_seq LIMIT ?2",
            )?;
            s.query_map(rusqlite::params![cursor, fetch], map)?.collect::<Result<_, _>>()?
        }
        other => {
            let mut s = conn.prepare_cached(
                "SELECT e.server_seq, e.device_id, e.raw FROM event_routes r JOIN events e ON e.server_seq = r.server_seq
                 WHERE r.bucket = ?1 AND r.server_seq > ?2 ORDER BY r.server_seq LIMIT ?3",
            )?;
            s.query_map(rusqlite::params![other.to_string(), cursor, fetch], map)?.collect::<Result<_, _>>()?
        }
    };
    let more = rows.len() > limit as usize;
    let mut events = Vec::with_capacity(rows.len().min(limit as usize));
    let mut last = cursor;
    for (server_seq, device, raw) in rows.into_iter().take(limit as usize) {
        last = u64::try_from(server_seq).map_err(|_| StoreError::Corrupt("negative server_seq".into()))?;
        if reader.is_some_and(|r| r.0.as_bytes()[..] == device[..]) {
            continue;
        }
        events.push(RawValue::from_string(raw).map_err(|e| StoreError::Corrupt(format!("stored event {server_seq} is not JSON: {e}")))?);
    }
    Ok(BucketPage { bucket: bucket.clone(), events, cursor: last, more })
}

/// Every accepted event of `bucket`, for folding a projection.
pub fn all(conn: &Connection, bucket: &Bucket) -> Result<Vec<sync_protocol::event::Event>, StoreError> {
    let mut out = Vec::new();
    let mut cursor = 0;
    loop {
        let p = page(conn, bucket, cursor, 5_000, None)?;
        for raw in &p.events {
            out.push(serde_json::from_str(raw.get()).map_err(|e| StoreError::Corrupt(format!("stored event: {e}")))?);
        }
        cursor = p.cursor;
        if !p.more {
            return Ok(out);
        }
    }
}
