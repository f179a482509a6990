//! The stored parts of one identity's fold (`sync_protocol::fold::parts`): each part's fold as a
//! row, the joins of anchors to parts, and the events of a part. SQL only; `projection.rs`
//! decides what to fold.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sync_protocol::event::Event;
use sync_protocol::fold::Projection;
use sync_protocol::fold::parts::{FoldKey, FoldedPart, PartKey};
use sync_protocol::ids::DeviceId;

use super::ReplicaError;
use super::events::LEFT_OUT;
use super::identity::seq_i64;

/// The fold keys of a part's conflicts and unreadable events, stored beside its snapshot.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Keys {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    c: Vec<FoldKey>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    u: Vec<FoldKey>,
}

const RESOLVE: &str = "SELECT part FROM fold_joins WHERE owner = ?1 AND anchor = ?2";
const LOAD: &str = "SELECT snapshot, keys, last_hlc, last_device, last_seq FROM fold_parts WHERE owner = ?1 AND part = ?2";

/// The queries of this file that reading one part runs.
#[cfg(test)]
pub(crate) const QUERIES: [&str; 2] = [RESOLVE, LOAD];

/// The part `anchor` belongs to: the part it was joined to, or itself.
pub(crate) fn resolve(conn: &Connection, owner: DeviceId, anchor: &PartKey) -> Result<PartKey, ReplicaError> {
    if !anchor.may_join() {
        return Ok(anchor.clone());
    }
    let part: Option<String> =
        conn.prepare_cached(RESOLVE)?.query_row(params![owner.to_string(), anchor.as_str()], |r| r.get(0)).optional()?;
    Ok(part.map_or_else(|| anchor.clone(), PartKey::from_stored))
}

/// Records that `anchor` belongs to `part`. Returns whether the join is new.
pub(crate) fn join(conn: &Connection, owner: DeviceId, anchor: &PartKey, part: &PartKey) -> Result<bool, ReplicaError> {
    let n = conn.prepare_cached("INSERT OR IGNORE INTO fold_joins (owner, anchor, part) VALUES (?1, ?2, ?3)")?.execute(params![
        owner.to_string(),
        anchor.as_str(),
        part.as_str()
    ])?;
    Ok(n == 1)
}

/// The events of `part` that `owner` folds (see [`LEFT_OUT`]), in no particular order.
pub(crate) fn events_of(conn: &Connection, owner: DeviceId, part: &PartKey) -> Result<Vec<Event>, ReplicaError> {
    let sql = format!(
        "SELECT e.raw FROM events e WHERE e.owner = ?1 \
         AND (e.anchor = ?2 OR e.anchor IN (SELECT j.anchor FROM fold_joins j WHERE j.owner = ?1 AND j.part = ?2)) \
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.owner = e.owner AND o.event_id = e.id AND {LEFT_OUT})"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let raws = stmt.query_map(params![owner.to_string(), part.as_str()], |r| r.get::<_, String>(0))?;
    raws.map(|raw| Ok(serde_json::from_str(&raw?)?)).collect()
}

/// The stored fold of `part`, if it has one.
pub(crate) fn load(conn: &Connection, owner: DeviceId, part: &PartKey) -> Result<Option<FoldedPart>, ReplicaError> {
    let mut stmt = conn.prepare_cached(LOAD)?;
    let row = stmt.query_row(params![owner.to_string(), part.as_str()], stored_row).optional()?;
    row.map(StoredRow::read).transpose()
}

/// Every stored part of `owner`, merged into its projection.
pub(crate) fn load_all(conn: &Connection, owner: DeviceId) -> Result<Projection, ReplicaError> {
    let mut stmt = conn.prepare("SELECT snapshot, keys, last_hlc, last_device, last_seq FROM fold_parts WHERE owner = ?1")?;
    let parts = stmt.query_map([owner.to_string()], stored_row)?.map(|row| row.map_err(ReplicaError::from)?.read());
    let parts: Vec<FoldedPart> = parts.collect::<Result<_, _>>()?;
    Ok(Projection::from_parts(parts))
}

/// Writes the fold of `part`, or deletes its row when it folded nothing.
pub(crate) fn store(conn: &Connection, owner: DeviceId, part: &PartKey, folded: &FoldedPart) -> Result<(), ReplicaError> {
    match Encoded::of(folded)? {
        Some(encoded) => write(conn, owner, part, &encoded),
        None => delete(conn, owner, part),
    }
}

/// A part's fold as it is stored: encoding it needs no replica, so it can be done ahead.
#[derive(Debug)]
pub(crate) struct Encoded {
    snapshot: String,
    keys: Option<String>,
    last: (String, String, i64),
}

impl Encoded {
    /// The stored form of `folded`; `None` when it folded nothing.
    pub(crate) fn of(folded: &FoldedPart) -> Result<Option<Encoded>, ReplicaError> {
        let Some((hlc, device, seq)) = folded.projection.last_key else { return Ok(None) };
        let keys = Keys { c: folded.conflict_keys.clone(), u: folded.unreadable_keys.clone() };
        let keys = (!keys.c.is_empty() || !keys.u.is_empty()).then(|| serde_json::to_string(&keys)).transpose()?;
        let last = (hlc.to_string(), device.to_string(), seq_i64(seq));
        Ok(Some(Encoded { snapshot: compact(&folded.projection)?, keys, last }))
    }
}

/// Writes `encoded` as the fold of `part`.
pub(crate) fn write(conn: &Connection, owner: DeviceId, part: &PartKey, encoded: &Encoded) -> Result<(), ReplicaError> {
    conn.prepare_cached(
        "INSERT INTO fold_parts (owner, part, snapshot, keys, last_hlc, last_device, last_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
         ON CONFLICT (owner, part) DO UPDATE SET snapshot = excluded.snapshot, keys = excluded.keys, last_hlc = excluded.last_hlc, \
         last_device = excluded.last_device, last_seq = excluded.last_seq",
    )?
    .execute(params![
        owner.to_string(),
        part.as_str(),
        encoded.snapshot,
        encoded.keys,
        encoded.last.0,
        encoded.last.1,
        encoded.last.2
    ])?;
    Ok(())
}

pub(crate) fn delete(conn: &Connection, owner: DeviceId, part: &PartKey) -> Result<(), ReplicaError> {
    conn.prepare_cached("DELETE FROM fold_parts WHERE owner = ?1 AND part = ?2")?.execute(params![owner.to_string(), part.as_str()])?;
    Ok(())
}

/// Forgets every part of `owner` (before a rebuild).
pub(crate) fn delete_all(conn: &Connection, owner: DeviceId) -> Result<(), ReplicaError> {
    conn.execute("DELETE FROM fold_parts WHERE owner = ?1", [owner.to_string()])?;
    Ok(())
}

/// A projection as JSON without its empty fields (most parts fill one or two of them).
fn compact(p: &Projection) -> Result<String, ReplicaError> {
    let mut value = serde_json::to_value(p)?;
    if let Value::Object(fields) = &mut value {
        fields.retain(|_, v| match v {
            Value::Object(m) => !m.is_empty(),
            Value::Array(a) => !a.is_empty(),
            _ => true,
        });
    }
    Ok(serde_json::to_string(&value)?)
}

struct StoredRow {
    snapshot: String,
    keys: Option<String>,
    hlc: String,
    device: String,
    seq: i64,
}

fn stored_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredRow> {
    Ok(StoredRow { snapshot: r.get(0)?, keys: r.get(1)?, hlc: r.get(2)?, device: r.get(3)?, seq: r.get(4)? })
}

impl StoredRow {
    fn read(self) -> Result<FoldedPart, ReplicaError> {
        let mut projection: Projection = serde_json::from_str(&self.snapshot)?;
        projection.last_key = Some((
            self.hlc.parse().map_err(ReplicaError::corrupt("part clock"))?,
            self.device.parse().map_err(ReplicaError::corrupt("part device"))?,
            u64::try_from(self.seq).unwrap_or(0),
        ));
        let keys: Keys = self.keys.as_deref().map(serde_json::from_str).transpose()?.unwrap_or_default();
        Ok(FoldedPart { projection, conflict_keys: keys.c, unreadable_keys: keys.u })
    }
}
