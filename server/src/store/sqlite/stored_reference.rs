//! The store's accepted reference events (units, zones, assignments, licences and their
//! lifecycle, users enrolled, changed, disabled and enabled), in commit order: what a reference or
//! roster import plans against and an export writes.

use rusqlite::Connection;
use sync_protocol::body::{Body, kind};
use sync_protocol::event::Event;

use super::StoreError;

/// Every accepted reference event's body, in commit order.
pub fn bodies(conn: &Connection) -> Result<Vec<Body>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT raw FROM events WHERE accepted = 1 AND (kind IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) OR kind LIKE 'licence.%') ORDER BY server_seq",
    )?;
    let kinds = [
        kind::UNIT_DEFINED,
        kind::ZONE_DEFINED,
        kind::ASSIGNMENT_SET,
        kind::LICENCE_GRANTED,
        kind::USER_ENROLLED,
        kind::USER_CHANGED,
        kind::USER_DISABLED,
        kind::USER_ENABLED,
    ];
    let mut out = Vec::new();
    for raw in stmt.query_map(kinds, |r| r.get::<_, String>(0))? {
        let raw = raw?;
        let event: Event = serde_json::from_str(&raw).map_err(|e| StoreError::corrupt("events", e.to_string()))?;
        out.push(Body::parse(&event.kind, &event.body).map_err(|e| StoreError::corrupt("events", format!("{}: {e}", event.id)))?);
    }
    Ok(out)
}

/// Whether any unit is stored.
pub fn holds_units(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn.query_row("SELECT count(*) > 0 FROM units", [], |r| r.get(0))?)
}
