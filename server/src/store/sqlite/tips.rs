//! Each tip's current township (table `tips`), kept by the writer as tips are received and moved:
//! a township inspector's scope holds the bucket `tip:<id>` of every tip of their townships.

use rusqlite::Connection;
use sync_protocol::body::Body;
use sync_protocol::event::Event;
use sync_protocol::ids::{EventId, UnitId};

use super::StoreError;
use crate::args;
use crate::store::sql::Sql;

/// Takes note of a tip received (its township, unless an assignment already moved it) or moved
/// (the township it is assigned to now); other bodies change nothing. In commit order, like the
/// writer's office index that routes a reassignment to the township the tip leaves.
pub fn note(conn: &dyn Sql, event: &Event, body: &Body) -> Result<(), StoreError> {
    let (tip, township, moved) = match body {
        Body::TipReceived(t) => (event.id, &t.township, false),
        Body::TipAssigned(a) => (a.tip, &a.township, true),
        _ => return Ok(()),
    };
    let sql = if moved {
        "INSERT INTO tips (id, township) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET township = excluded.township"
    } else {
        "INSERT INTO tips (id, township) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING"
    };
    conn.run(sql, args![tip.0.as_bytes(), township.as_str()])?;
    Ok(())
}

/// The tips assigned now to any of `townships`.
pub fn of_townships(conn: &Connection, townships: &[UnitId]) -> Result<Vec<EventId>, StoreError> {
    let names: Vec<&str> = townships.iter().map(UnitId::as_str).collect();
    let names = serde_json::to_string(&names).map_err(|e| StoreError::encode("townships", e))?;
    let mut stmt = conn.prepare_cached("SELECT id FROM tips WHERE township IN (SELECT value FROM json_each(?1)) ORDER BY id")?;
    let rows = stmt.query_map([names], |r| r.get::<_, Vec<u8>>(0))?;
    rows.map(|id| {
        let id = id?;
        uuid::Uuid::from_slice(&id).map(EventId).map_err(|_| StoreError::corrupt("tips", "a tip id is not 16 bytes"))
    })
    .collect()
}
