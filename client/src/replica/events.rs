//! The event log of one identity: every event it holds, its own and pulled ones, as the raw JSON
//! envelope keyed by (owner, event id), with the anchor of its fold (`sync_protocol::fold::parts`).
//! Rows are inserted once and never updated.

use rusqlite::{Connection, OptionalExtension, params};
use sync_protocol::body::Body;
use sync_protocol::event::Event;
use sync_protocol::fold::parts::{FoldedPart, PartKey, Placement, place};
use sync_protocol::ids::{DeviceId, EventId};

use super::ReplicaError;
use super::identity::seq_i64;
use super::parts::Encoded;
use super::patrol_index::{self, PatrolEntry};

/// An event prepared for the log and the fold without the replica (so that a page of pulls can be
/// prepared while the one before is applied): its JSON as stored, its place in the fold, what the
/// fold needs of it, and, for a patrol, its patrol index entry.
pub(crate) struct Placed {
    pub event: Event,
    pub raw: String,
    pub placement: Placement,
    pub fold: Fold,
    pub patrol: Option<PatrolEntry>,
}

/// What the fold needs of an event.
pub(crate) enum Fold {
    /// Its body, parsed once (`None`: this build cannot read it).
    Body(Option<Body>),
    /// A patrol's record, folded alone and encoded: it starts its own part (see
    /// `sync_protocol::fold::parts`), so this is that part's fold unless an amendment or finding
    /// of the patrol arrived first.
    Alone(Box<(FoldedPart, Encoded)>),
}

impl Placed {
    /// `event` prepared, its JSON written out.
    pub(crate) fn new(event: Event) -> Result<Placed, ReplicaError> {
        let raw = serde_json::to_string(&event)?;
        Placed::with_raw(event, raw)
    }

    /// `event` prepared with `raw`, its JSON as it came or as stored, which reads as `event`.
    pub(crate) fn with_raw(event: Event, raw: String) -> Result<Placed, ReplicaError> {
        let body = Body::parse(&event.kind, &event.body).ok();
        let placement = place(&event, body.as_ref());
        let (patrol, fold) = match body {
            Some(Body::PatrolRecorded(p)) => {
                let entry = PatrolEntry::of(&event, &p);
                let mut alone = FoldedPart::default();
                alone.apply_parsed(&event, Some(Body::PatrolRecorded(p)));
                match Encoded::of(&alone)? {
                    Some(encoded) => (Some(entry), Fold::Alone(Box::new((alone, encoded)))),
                    None => (Some(entry), Fold::Body(Body::parse(&event.kind, &event.body).ok())),
                }
            }
            body => (None, Fold::Body(body)),
        };
        Ok(Placed { event, raw, placement, fold, patrol })
    }
}

/// Inserts `placed` for `owner` unless it is held already (then nothing changes), with its patrol
/// index entry when it records a patrol. Returns whether it was new.
pub(crate) fn insert(conn: &Connection, owner: DeviceId, placed: &Placed, now_ms: i64) -> Result<bool, ReplicaError> {
    let event = &placed.event;
    let n = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO events (owner, id, device_id, seq, hlc, author, kind, hash, raw, received_at, anchor) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            owner.to_string(),
            event.id.to_string(),
            event.device_id.to_string(),
            seq_i64(event.seq),
            event.hlc.to_string(),
            event.author.as_str(),
            event.kind,
            event.hash.to_hex(),
            placed.raw,
            now_ms,
            placed.placement.anchor.as_str(),
        ])?;
    if n == 1
        && let Some(entry) = &placed.patrol
    {
        patrol_index::insert(conn, owner, event, entry)?;
    }
    Ok(n == 1)
}

/// Every event `owner` holds, in fold order (own rejected ones included).
#[cfg(test)]
pub(crate) fn all(conn: &Connection, owner: DeviceId) -> Result<Vec<Event>, ReplicaError> {
    let mut stmt = conn.prepare("SELECT raw FROM events WHERE owner = ?1 ORDER BY hlc, device_id, seq")?;
    let raws = stmt.query_map([owner.to_string()], |r| r.get::<_, String>(0))?;
    raws.map(|raw| Ok(serde_json::from_str(&raw?)?)).collect()
}

/// Whether the own event of outbox row `o` is left out of the fold:
/// - rejected: the server never stores it as data;
/// - sent, and routed (as its acks said) only to buckets the identity holds no cursor for: it is
///   outside the identity's scope now (the officer was reassigned and the old village purged),
///   so the server's fold of the scope does not have it either. The county bucket holds every
///   event. A sent event with no recorded bucket (acked by a server that did not list them) stays.
///
/// Pending events are always folded: they are still pushed (read your writes).
pub(crate) const LEFT_OUT: &str = "(o.state = 'rejected' OR (o.state = 'sent' \
     AND EXISTS (SELECT 1 FROM event_buckets m WHERE m.owner = o.owner AND m.event_id = o.event_id) \
     AND NOT EXISTS (SELECT 1 FROM event_buckets m JOIN cursors c ON c.owner = m.owner AND c.bucket = m.bucket \
                     WHERE m.owner = o.owner AND m.event_id = o.event_id) \
     AND NOT EXISTS (SELECT 1 FROM cursors c WHERE c.owner = o.owner AND c.bucket = 'county')))";

/// The own events of `owner` whose outbox state leaves them out of the fold now (see [`LEFT_OUT`]).
pub(crate) fn left_out(conn: &Connection, owner: DeviceId) -> Result<std::collections::BTreeSet<EventId>, ReplicaError> {
    let sql = format!("SELECT o.event_id FROM outbox o WHERE o.owner = ?1 AND o.state != 'pending' AND {LEFT_OUT}");
    let mut stmt = conn.prepare(&sql)?;
    let ids = stmt.query_map([owner.to_string()], |r| r.get::<_, String>(0))?;
    ids.map(|id| id?.parse().map_err(ReplicaError::corrupt("outbox event id"))).collect()
}

/// The anchors of the events `ids` that `owner` holds.
pub(crate) fn anchors_of(conn: &Connection, owner: DeviceId, ids: impl IntoIterator<Item = EventId>) -> Result<Vec<PartKey>, ReplicaError> {
    let mut stmt = conn.prepare_cached("SELECT anchor FROM events WHERE owner = ?1 AND id = ?2 AND anchor IS NOT NULL")?;
    let mut out = Vec::new();
    for id in ids {
        if let Some(anchor) = stmt.query_row(params![owner.to_string(), id.to_string()], |r| r.get::<_, String>(0)).optional()? {
            out.push(PartKey::from_stored(anchor));
        }
    }
    Ok(out)
}

const ANCHORED: &str = "SELECT raw FROM events WHERE owner = ?1 AND anchor = ?2 ORDER BY hlc, device_id, seq";
const ANCHORED_BETWEEN: &str = "SELECT raw FROM events WHERE owner = ?1 AND anchor >= ?2 AND anchor < ?3 ORDER BY hlc, device_id, seq";
/// The one event of a kind with an id.
pub(crate) const BY_ID: &str = "SELECT raw FROM events WHERE owner = ?1 AND id = ?2 AND kind = ?3";

/// The queries of this file that the checks of a patrol or finding run.
#[cfg(test)]
pub(crate) const QUERIES: [&str; 3] = [ANCHORED, ANCHORED_BETWEEN, BY_ID];

/// The events `owner` holds (folded or not) anchored at `anchor`, in fold order.
pub(crate) fn anchored(conn: &Connection, owner: DeviceId, anchor: &PartKey) -> Result<Vec<Event>, ReplicaError> {
    let mut stmt = conn.prepare_cached(ANCHORED)?;
    let raws = stmt.query_map(params![owner.to_string(), anchor.as_str()], |r| r.get::<_, String>(0))?;
    raws.map(|raw| Ok(serde_json::from_str(&raw?)?)).collect()
}

/// The events `owner` holds (folded or not) anchored in `[from, to)` (see `PartKey::range_of`),
/// in fold order.
pub(crate) fn anchored_between(conn: &Connection, owner: DeviceId, (from, to): (PartKey, PartKey)) -> Result<Vec<Event>, ReplicaError> {
    let mut stmt = conn.prepare_cached(ANCHORED_BETWEEN)?;
    let raws = stmt.query_map(params![owner.to_string(), from.as_str(), to.as_str()], |r| r.get::<_, String>(0))?;
    raws.map(|raw| Ok(serde_json::from_str(&raw?)?)).collect()
}

/// The own events of `owner` that the server rejected, in seq order.
pub(crate) fn own_rejected(conn: &Connection, owner: DeviceId) -> Result<Vec<Event>, ReplicaError> {
    let mut stmt = conn.prepare(
        "SELECT e.raw FROM outbox o JOIN events e ON e.owner = o.owner AND e.id = o.event_id \
         WHERE o.owner = ?1 AND o.state = 'rejected' ORDER BY o.seq",
    )?;
    let raws = stmt.query_map([owner.to_string()], |r| r.get::<_, String>(0))?;
    raws.map(|raw| Ok(serde_json::from_str(&raw?)?)).collect()
}

/// How many events `owner` holds.
pub(crate) fn count(conn: &Connection, owner: DeviceId) -> Result<u64, ReplicaError> {
    let n: i64 = conn.query_row("SELECT count(*) FROM events WHERE owner = ?1", [owner.to_string()], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}
