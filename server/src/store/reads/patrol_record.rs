//! A patrol as its page shows it (`GET /v1/patrols/{id}`): the recording event as stored, its
//! amendments (the read model files them under the patrol), and the enrolled key of each device
//! that signed one, so the reader verifies every signature itself. Nothing here is re-signed or
//! vouched for: a stored row that was changed is served as it now is, and fails the reader's check.

use std::collections::{BTreeMap, BTreeSet};
use sync_protocol::event::Event;
use sync_protocol::ids::EventId;
use sync_protocol::scope::Bucket;
use sync_protocol::wire::patrol::PatrolRecord;

use super::StoreError;
use crate::args;
use crate::store::sql::Sql;

fn parse(raw: &str) -> Result<Event, StoreError> {
    serde_json::from_str(raw).map_err(|e| StoreError::corrupt("events", e.to_string()))
}

/// The patrol `id` if one of `scope`'s buckets holds it (the county bucket holds every event; the
/// others through their routes), with its amendments and signing keys; `None` otherwise.
pub fn patrol(conn: &dyn Sql, scope: &BTreeSet<Bucket>, id: &EventId) -> Result<Option<PatrolRecord>, StoreError> {
    let row = conn
        .optional("SELECT server_seq, raw FROM events WHERE id = ?1 AND accepted AND kind = 'patrol.recorded'", args![id.0.as_bytes()])?;
    let Some(row) = row else { return Ok(None) };
    let (server_seq, raw): (i64, String) = (row.get(0)?, row.get(1)?);
    let mut visible = scope.contains(&Bucket::County);
    for bucket in scope {
        if visible {
            break;
        }
        let routed = "SELECT 1 FROM event_routes WHERE bucket = ?1 AND server_seq = ?2";
        visible = conn.optional(routed, args![bucket.to_string(), server_seq])?.is_some();
    }
    if !visible {
        return Ok(None);
    }
    let event = parse(&raw)?;
    // An amendment is routed as its patrol (the same officer's village), so the scope that holds
    // the patrol holds them.
    let amendments = conn
        .all(
            "SELECT e.raw FROM report_filed f JOIN events e ON e.server_seq = f.server_seq
             WHERE f.entity = ?1 AND e.kind = 'patrol.amended' AND e.accepted ORDER BY f.server_seq",
            args![id.0.as_bytes()],
        )?
        .into_iter()
        .map(|r| parse(&r.get::<String>(0)?))
        .collect::<Result<Vec<_>, _>>()?;
    let mut keys = BTreeMap::new();
    for device in std::iter::once(&event).chain(&amendments).map(|e| e.device_id) {
        if let Some(d) = crate::store::principal::device(conn, device)? {
            keys.insert(device, d.key);
        }
    }
    Ok(Some(PatrolRecord { event, amendments, keys }))
}
