//! Rebuilding what an identity derives from its events: each event's anchor, the joins, patrol
//! times, the parts of the fold and the ledger rows. Runs when the replica is opened, for each
//! identity listed in `fold_rebuilds` (every identity, after the migration that brought parts), in
//! one transaction each; the result is what applying the same events one by one gives.

use rusqlite::{Connection, TransactionBehavior, params};
use sync_protocol::event::Event;
use sync_protocol::fold::parts::{FoldedPart, PartKey};
use sync_protocol::ids::DeviceId;

use super::events::{LEFT_OUT, Placed};
use super::{ReplicaError, ledger_rows, parts, patrol_index};

/// Rebuilds every identity waiting for it.
pub(crate) fn pending(conn: &mut Connection) -> Result<(), ReplicaError> {
    let owners: Vec<String> = {
        let mut stmt = conn.prepare("SELECT owner FROM fold_rebuilds ORDER BY owner")?;
        stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
    };
    for owner in owners {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id: DeviceId = owner.parse().map_err(ReplicaError::corrupt("identity to rebuild"))?;
        rebuild(&tx, id)?;
        tx.execute("DELETE FROM fold_rebuilds WHERE owner = ?1", [&owner])?;
        tx.commit()?;
        tracing::info!(identity = %owner, "rebuilt the projection's parts from the event log");
    }
    Ok(())
}

/// Rebuilds everything `owner` derives from its events. Call inside a transaction.
pub(crate) fn rebuild(conn: &Connection, owner: DeviceId) -> Result<(), ReplicaError> {
    place_all(conn, owner)?;
    parts::delete_all(conn, owner)?;
    ledger_rows::clear(conn, owner)?;
    // The folded events grouped by part, one part at a time: memory for the largest part only.
    let sql = format!(
        "SELECT coalesce(j.part, e.anchor) AS part, e.raw FROM events e \
         LEFT JOIN fold_joins j ON j.owner = e.owner AND j.anchor = e.anchor \
         WHERE e.owner = ?1 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.owner = e.owner AND o.event_id = e.id AND {LEFT_OUT}) \
         ORDER BY part"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([owner.to_string()])?;
    let mut group: Option<(String, Vec<Event>)> = None;
    while let Some(row) = rows.next()? {
        let (part, raw): (String, String) = (row.get(0)?, row.get(1)?);
        let event: Event = serde_json::from_str(&raw)?;
        match &mut group {
            Some((current, events)) if *current == part => events.push(event),
            _ => {
                if let Some((done, events)) = group.replace((part, vec![event])) {
                    store(conn, owner, done, &events)?;
                }
            }
        }
    }
    if let Some((done, events)) = group {
        store(conn, owner, done, &events)?;
    }
    Ok(())
}

/// Sets the anchor of every event `owner` holds (as this build places it), and records the joins
/// and patrol times they make.
fn place_all(conn: &Connection, owner: DeviceId) -> Result<(), ReplicaError> {
    let mut after = 0_i64;
    loop {
        // In batches by rowid, so that memory stays small and no row is updated under a reader.
        let batch: Vec<(i64, String)> = conn
            .prepare_cached("SELECT rowid, raw FROM events WHERE owner = ?1 AND rowid > ?2 ORDER BY rowid LIMIT 1000")?
            .query_map(params![owner.to_string(), after], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let Some((last, _)) = batch.last() else { return Ok(()) };
        after = *last;
        for (rowid, raw) in batch {
            let placed = Placed::with_raw(serde_json::from_str(&raw)?, raw)?;
            conn.prepare_cached("UPDATE events SET anchor = ?2 WHERE rowid = ?1 AND anchor IS NOT ?2")?
                .execute(params![rowid, placed.placement.anchor.as_str()])?;
            if let Some((anchor, part)) = &placed.placement.joins {
                parts::join(conn, owner, anchor, part)?;
            }
            if let Some(entry) = &placed.patrol {
                patrol_index::insert(conn, owner, &placed.event, entry)?;
            }
        }
    }
}

fn store(conn: &Connection, owner: DeviceId, part: String, events: &[Event]) -> Result<(), ReplicaError> {
    let folded = FoldedPart::fold(events);
    ledger_rows::replace(conn, owner, None, Some(&folded.projection))?;
    parts::store(conn, owner, &PartKey::from_stored(part), &folded)
}
