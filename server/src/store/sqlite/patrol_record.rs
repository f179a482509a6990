//! A patrol as its page shows it (`GET /v1/patrols/{id}`): the recording event as stored, its
//! amendments (the read model files them under the patrol), and the enrolled key of each device
//! that signed one, so the reader verifies every signature itself. Nothing here is re-signed or
//! vouched for: a stored row that was changed is served as it now is, and fails the reader's check.

use rusqlite::{Connection, OptionalExtension};
use std::collections::{BTreeMap, BTreeSet};
use sync_protocol::event::Event;
use sync_protocol::ids::EventId;
use sync_protocol::scope::Bucket;
use sync_protocol::wire::patrol::PatrolRecord;

use super::StoreError;

fn parse(raw: &str) -> Result<Event, StoreError> {
    serde_json::from_str(raw).map_err(|e| StoreError::corrupt("events", e.to_string()))
}

/// The patrol `id` if one of `scope`'s buckets holds it (the county bucket holds every event; the
/// others through their routes), with its amendments and signing keys; `None` otherwise.
pub fn patrol(conn: &Connection, scope: &BTreeSet<Bucket>, id: &EventId) -> Result<Option<PatrolRecord>, StoreError> {
    let row: Option<(i64, String)> = conn
        .prepare_cached("SELECT server_seq, raw FROM events WHERE id = ?1 AND accepted = 1 AND kind = 'patrol.recorded'")?
        .query_row([id.0.as_bytes()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((server_seq, raw)) = row else { return Ok(None) };
    let mut routed = conn.prepare_cached("SELECT 1 FROM event_routes WHERE bucket = ?1 AND server_seq = ?2")?;
    let visible = scope.contains(&Bucket::County)
        || scope
            .iter()
            .try_fold(false, |found, b| Ok::<_, rusqlite::Error>(found || routed.exists(rusqlite::params![b.to_string(), server_seq])?))?;
    if !visible {
        return Ok(None);
    }
    let event = parse(&raw)?;
    // An amendment is routed as its patrol (the same officer's village), so the scope that holds
    // the patrol holds them.
    let mut stmt = conn.prepare_cached(
        "SELECT e.raw FROM report_filed f JOIN events e ON e.server_seq = f.server_seq
         WHERE f.entity = ?1 AND e.kind = 'patrol.amended' AND e.accepted = 1 ORDER BY f.server_seq",
    )?;
    let amendments =
        stmt.query_map([id.0.as_bytes()], |r| r.get::<_, String>(0))?.map(|raw| parse(&raw?)).collect::<Result<Vec<_>, _>>()?;
    let mut keys = BTreeMap::new();
    for device in std::iter::once(&event).chain(&amendments).map(|e| e.device_id) {
        if let Some(d) = super::principal::device(conn, device)? {
            keys.insert(device, d.key);
        }
    }
    Ok(Some(PatrolRecord { event, amendments, keys }))
}
