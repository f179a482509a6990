//! What admission and routing read of the stored rows beyond the writer's caches, on either
//! engine (`store::sql`): the villages a licence's events named, whether a user inspects a
//! township now, a stored patrol's author and zone, an accepted finding.

use std::collections::BTreeSet;
use sync_protocol::body::{Body, FindingReported};
use sync_protocol::event::Event;
use sync_protocol::ids::{EventId, LicenceId, UnitId, UserId, ZoneId};

use super::StoreError;
use super::sql::{Engine, Sql};
use crate::args;

/// An id stored in a reference table, parsed.
pub fn parse<T: std::str::FromStr>(s: &str) -> Result<T, StoreError> {
    s.parse().map_err(|_| StoreError::corrupt("reference tables", format!("bad id {s:?}")))
}

/// Every village a licence's stored `licence.granted` and `licence.changed` events named. Read
/// from the log: lifecycle events are rare, and the read model has no licence table.
pub fn licence_villages(sql: &dyn Sql, licence: &LicenceId) -> Result<BTreeSet<UnitId>, StoreError> {
    let query = match sql.engine() {
        Engine::Sqlite => {
            "SELECT json_extract(raw, '$.body.villages') FROM events
             WHERE accepted AND kind IN ('licence.granted', 'licence.changed') AND json_extract(raw, '$.body.licence') = ?1"
        }
        Engine::Postgres => {
            "SELECT (raw::jsonb -> 'body' -> 'villages')::text FROM events
             WHERE accepted AND kind IN ('licence.granted', 'licence.changed') AND raw::jsonb -> 'body' ->> 'licence' = ?1"
        }
    };
    let mut villages = BTreeSet::new();
    for row in sql.all(query, args![licence.as_str()])? {
        if let Some(list) = row.get::<Option<String>>(0)? {
            let list: Vec<UnitId> =
                serde_json::from_str(&list).map_err(|e| StoreError::corrupt("events", format!("licence villages: {e}")))?;
            villages.extend(list);
        }
    }
    Ok(villages)
}

/// Whether `inspector` is an enabled township inspector answering for `township`.
pub fn inspects(sql: &dyn Sql, inspector: &UserId, township: &UnitId) -> Result<bool, StoreError> {
    let query = match sql.engine() {
        Engine::Sqlite => {
            "SELECT EXISTS (SELECT 1 FROM users u, json_each(u.units) j
                            WHERE u.id = ?1 AND u.role = 'township_inspector' AND NOT u.disabled AND j.value = ?2)"
        }
        Engine::Postgres => {
            "SELECT EXISTS (SELECT 1 FROM users u, jsonb_array_elements_text(u.units::jsonb) j(value)
                            WHERE u.id = ?1 AND u.role = 'township_inspector' AND NOT u.disabled AND j.value = ?2)"
        }
    };
    sql.one(query, args![inspector.as_str(), township.as_str()])?.get(0)
}

/// A stored patrol's author and zone.
pub fn patrol_row(sql: &dyn Sql, patrol: &EventId) -> Result<Option<(UserId, ZoneId)>, StoreError> {
    let row = sql.optional("SELECT author, zone FROM patrols WHERE id = ?1", args![patrol.0.as_bytes()])?;
    row.map(|r| Ok((parse(&r.get::<String>(0)?)?, parse(&r.get::<String>(1)?)?))).transpose()
}

/// An accepted finding's author and body, read from the log (the store keeps no finding table).
pub fn finding(sql: &dyn Sql, finding: &EventId) -> Result<Option<(UserId, FindingReported)>, StoreError> {
    let query = "SELECT raw FROM events WHERE id = ?1 AND kind = 'finding.reported' AND accepted";
    let Some(row) = sql.optional(query, args![finding.0.as_bytes()])? else { return Ok(None) };
    let raw: String = row.get(0)?;
    let corrupt = |e: String| StoreError::corrupt("events", format!("finding {finding}: {e}"));
    let event: Event = serde_json::from_str(&raw).map_err(|e| corrupt(e.to_string()))?;
    match Body::parse(&event.kind, &event.body).map_err(|e| corrupt(e.to_string()))? {
        Body::FindingReported(f) => Ok(Some((event.author, f))),
        other => Err(corrupt(format!("stored as {}", other.kind()))),
    }
}
