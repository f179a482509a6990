//! The store's accepted reference events (units, zones, assignments, licences and their
//! lifecycle, users enrolled, changed, disabled and enabled), in commit order: what a reference or
//! roster import plans against and an export writes.

use sync_protocol::body::{Body, kind};
use sync_protocol::event::Event;

use super::StoreError;
use crate::store::sql::{Arg, Sql};

/// Every accepted reference event's body, in commit order.
pub fn bodies(conn: &dyn Sql) -> Result<Vec<Body>, StoreError> {
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
    let kinds = kinds.map(Arg::from);
    let mut out = Vec::new();
    let sql =
        "SELECT raw FROM events WHERE accepted AND (kind IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) OR kind LIKE 'licence.%') ORDER BY server_seq";
    for row in conn.all(sql, &kinds)? {
        let raw: String = row.get(0)?;
        let event: Event = serde_json::from_str(&raw).map_err(|e| StoreError::corrupt("events", e.to_string()))?;
        out.push(Body::parse(&event.kind, &event.body).map_err(|e| StoreError::corrupt("events", format!("{}: {e}", event.id)))?);
    }
    Ok(out)
}

/// Whether any unit is stored.
pub fn holds_units(conn: &dyn Sql) -> Result<bool, StoreError> {
    Ok(conn.optional("SELECT 1 FROM units LIMIT 1", &[])?.is_some())
}
