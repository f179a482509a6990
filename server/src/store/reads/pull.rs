//! Reading a bucket after a cursor, in server-sequence order. The county bucket is the whole log
//! of accepted events; village and township buckets go through the routes written at ingest.

use serde_json::value::RawValue;
use sync_protocol::scope::Bucket;
use sync_protocol::wire::BucketPage;

use super::StoreError;
use crate::args;
use crate::store::jobs::office::CONFIDENTIAL_KIND;
use crate::store::pulls::Reader;
use crate::store::sql::{Arg, Engine, Sql};

type Row = (i64, Vec<u8>, String, String, Vec<u8>, Vec<u8>);

/// The rows of a query of `server_seq, device_id, raw, kind, id, hash`.
fn rows(conn: &dyn Sql, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Row>, StoreError> {
    conn.all(sql, args)?.into_iter().map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))).collect()
}

/// Whether `reader` leaves out an event of `device` and `kind`: its own, or a confidential record
/// its role may not read.
fn skips(reader: &Reader, device: &[u8], kind: &str) -> bool {
    reader.device.is_some_and(|r| r.0.as_bytes()[..] == device[..]) || (!reader.confidential && kind == CONFIDENTIAL_KIND)
}

/// A page of the county bucket: `server_seq, device_id, raw, kind, id, hash` after `?1`, at most
/// `?2` rows. The limit is cast so that SQLite does not read its value while planning: a bound
/// `LIMIT ?N` that it reads makes it prepare the statement again every time a value is bound (as
/// on the writer, `sqlite::open::plans_by_statement`), here on every pull; the plan is the same.
const COUNTY_PAGE: &str = "SELECT server_seq, device_id, raw, kind, id, hash FROM events WHERE server_seq > ?1 AND accepted ORDER BY server_seq LIMIT CAST(?2 AS BIGINT)";

/// A page of a village or township bucket (`?1`) after `?2`, at most `?3` rows, its limit cast as
/// [`COUNTY_PAGE`]'s is.
const BUCKET_PAGE: &str =
    "SELECT e.server_seq, e.device_id, e.raw, e.kind, e.id, e.hash FROM event_routes r JOIN events e ON e.server_seq = r.server_seq
     WHERE r.bucket = ?1 AND r.server_seq > ?2 ORDER BY r.server_seq LIMIT CAST(?3 AS BIGINT)";

/// Up to `limit` accepted events of `bucket` after `cursor`, leaving out what `reader` may not or
/// need not read (its own events, which it holds already; confidential records its role may not
/// read). The cursor still moves past what is left out, and past a stored event that no longer
/// matches its hash, which the page names in `withheld` instead (`super::withheld`; a row served
/// before is checked by its digest, `super::verified`).
pub fn page(conn: &dyn Sql, bucket: &Bucket, cursor: u64, limit: u32, reader: Reader) -> Result<BucketPage<Box<RawValue>>, StoreError> {
    let fetch = i64::from(limit) + 1;
    let rows = match bucket {
        Bucket::County => rows(conn, COUNTY_PAGE, args![cursor, fetch])?,
        other => rows(conn, BUCKET_PAGE, args![other.to_string(), cursor, fetch])?,
    };
    let more = rows.len() > limit as usize;
    let mut events = Vec::with_capacity(rows.len().min(limit as usize));
    let mut withheld = Vec::new();
    let mut last = cursor;
    for (server_seq, device, raw, kind, id, hash) in rows.into_iter().take(limit as usize) {
        last = u64::try_from(server_seq).map_err(|_| StoreError::corrupt("events", "negative server_seq"))?;
        if skips(&reader, &device, &kind) {
            continue;
        }
        match super::verified::SERVED.problem(&raw, &hash).map(|p| super::withheld::marker(last, &id, p)) {
            Some(marker) => withheld.push(marker),
            None => events.push(RawValue::from_string(raw).map_err(|e| StoreError::corrupt("events", format!("{server_seq}: {e}")))?),
        }
    }
    Ok(BucketPage { bucket: bucket.clone(), events, cursor: last, more, withheld })
}

/// Every accepted event of `bucket` that `reader` may read, for folding a projection.
pub fn all(conn: &dyn Sql, bucket: &Bucket, reader: Reader) -> Result<Vec<sync_protocol::event::Event>, StoreError> {
    let mut out = Vec::new();
    let mut cursor = 0;
    loop {
        let p = page(conn, bucket, cursor, 5_000, reader)?;
        for raw in &p.events {
            out.push(serde_json::from_str(raw.get()).map_err(|e| StoreError::corrupt("events", e.to_string()))?);
        }
        cursor = p.cursor;
        if !p.more {
            return Ok(out);
        }
    }
}

/// The SQL of [`office`]: the accepted events of the kinds not recorded in the field nor steps of
/// a case (the read model keeps the cases; `GET /v1/cases` pages them), through
/// their index (migration 0013, partial on `accepted`; SQLite is told to use it): of the whole log
/// for the county bucket, else of the bucket `?1`.
fn office_sql(engine: Engine, county: bool) -> String {
    const CASE_KINDS: &str = "case.";
    let kinds: Vec<String> = sync_protocol::body::KINDS
        .iter()
        .filter(|k| k.authorship != sync_protocol::body::Authorship::Field && !k.name.starts_with(CASE_KINDS))
        .map(|k| format!("'{}'", k.name))
        .collect();
    let routed = if county { "" } else { "AND EXISTS (SELECT 1 FROM event_routes r WHERE r.bucket = ?1 AND r.server_seq = e.server_seq)" };
    // SQLite matches a partial index by the text of its condition: `accepted = 1`, as it was made.
    let (indexed, accepted) = match engine {
        Engine::Sqlite => ("INDEXED BY events_by_kind", "e.accepted = 1"),
        Engine::Postgres => ("", "e.accepted"),
    };
    format!(
        "SELECT e.server_seq, e.device_id, e.raw, e.kind, e.id, e.hash FROM events e {indexed}
         WHERE {accepted} AND e.kind IN ({}) {routed} ORDER BY e.server_seq",
        kinds.join(", ")
    )
}

/// Every accepted event of `bucket` that `reader` may read, but those recorded in the field
/// (patrols, amendments, findings, zero reports, attachments), which make the bulk of the log,
/// and the cases' steps, which the read model keeps: the reference data and the office's other
/// records (tips, informants, flag reviews), for their fold. Read through the index of kinds, so
/// its cost follows those records, not the patrols nor the cases.
pub fn office(conn: &dyn Sql, bucket: &Bucket, reader: Reader) -> Result<Vec<sync_protocol::event::Event>, StoreError> {
    let rows = match bucket {
        Bucket::County => rows(conn, &office_sql(conn.engine(), true), &[])?,
        other => rows(conn, &office_sql(conn.engine(), false), args![other.to_string()])?,
    };
    // As in a pull: what the reader may not read is left out, and so is a stored event that no
    // longer matches its hash (a pull names it as withheld; a fold has no place for it).
    rows.into_iter()
        .filter(|(_, device, raw, kind, _, hash)| !skips(&reader, device, kind) && super::verified::SERVED.problem(raw, hash).is_none())
        .map(|(_, _, raw, ..)| serde_json::from_str(&raw).map_err(|e| StoreError::corrupt("events", e.to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::StatementStatus;

    /// A reader's page statements, asked again with other limits and cursors, are never prepared
    /// again (they were, on every pull, with a bound `LIMIT ?N`).
    #[test]
    fn a_page_statement_is_prepared_once_whatever_its_limit() -> Result<(), Box<dyn std::error::Error>> {
        let (_dir, reader) = crate::store::sqlite::plan::empty_store_reader()?;
        let village = Bucket::Village(sync_protocol::ids::UnitId::new("V01")?);
        for limit in 1..=4 {
            page(&reader, &Bucket::County, u64::from(limit), limit, Reader { device: None, confidential: true })?;
            page(&reader, &village, u64::from(limit), limit, Reader { device: None, confidential: true })?;
        }
        for sql in [COUNTY_PAGE, BUCKET_PAGE] {
            assert_eq!(reader.prepare_cached(sql)?.get_status(StatementStatus::RePrepare), 0, "prepared again: {sql}");
        }
        Ok(())
    }
}
