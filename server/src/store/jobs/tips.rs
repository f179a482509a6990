//! Each tip's current township (table `tips`), kept by the writer as tips are received and moved:
//! a township inspector's scope holds the bucket `tip:<id>` of every tip of their townships.

use sync_protocol::body::Body;
use sync_protocol::event::Event;
use sync_protocol::ids::{EventId, UnitId};

use super::StoreError;
use crate::args;
use crate::store::sql::{Sql, json_each};

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
    conn.write(sql, args![tip.0.as_bytes(), township.as_str()])?;
    Ok(())
}

/// The tips assigned now to any of `townships`.
pub fn of_townships(conn: &dyn Sql, townships: &[UnitId]) -> Result<Vec<EventId>, StoreError> {
    let names: Vec<&str> = townships.iter().map(UnitId::as_str).collect();
    let names = serde_json::to_string(&names).map_err(|e| StoreError::encode("townships", e))?;
    let sql = format!("SELECT id FROM tips WHERE township IN (SELECT t.value FROM {}) ORDER BY id", json_each(conn.engine(), 1, "t"));
    conn.all(&sql, args![names])?
        .into_iter()
        .map(|row| {
            uuid::Uuid::from_slice(&row.get::<Vec<u8>>(0)?)
                .map(EventId)
                .map_err(|_| StoreError::corrupt("tips", "a tip id is not 16 bytes"))
        })
        .collect()
}
