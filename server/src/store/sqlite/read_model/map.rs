//! What the console's map reads: the patrols the ledger's selection picks, each with its track
//! (thinned) and check, and their findings with their places, from the read model and the
//! recording events (no fold of the log).

use rusqlite::{Connection, OptionalExtension};
use sync_protocol::body::Body;
use sync_protocol::event::Event;
use sync_protocol::ids::EventId;
use sync_protocol::wire::map::{MAP_TRACK_POINTS, MapFeatures, MapFinding, MapPatrol, degrees, thin};

use super::queries::selected;
use crate::store::reports::LedgerSelection;
use crate::store::sqlite::StoreError;

/// The map's features for `sel`.
pub fn map(conn: &Connection, sel: &LedgerSelection) -> Result<MapFeatures, StoreError> {
    let mut features = MapFeatures::default();
    let mut counts = conn.prepare_cached("SELECT counts FROM patrol_checks WHERE patrol = ?1")?;
    for (entry, _) in selected(conn, sel)? {
        let track = match body(conn, &entry.patrol)? {
            Some(Body::PatrolRecorded(p)) => thin(&p.track, MAP_TRACK_POINTS),
            _ => Vec::new(),
        };
        let counted: Option<bool> = counts.query_row([entry.patrol.0.as_bytes()], |r| r.get(0)).optional()?;
        for f in &entry.findings {
            if let Some(Body::FindingReported(finding)) = body(conn, &f.id)? {
                features.findings.push(MapFinding {
                    id: f.id,
                    patrol: entry.patrol,
                    kind: f.kind,
                    mineral: f.mineral,
                    high_priority: f.high_priority,
                    at: degrees(finding.location),
                });
            }
        }
        features.patrols.push(MapPatrol {
            patrol: entry.patrol,
            officer: entry.officer,
            started_at: entry.started_at,
            counts: counted,
            track,
        });
    }
    Ok(features)
}

/// The body of the accepted event `id`, if stored.
fn body(conn: &Connection, id: &EventId) -> Result<Option<Body>, StoreError> {
    let raw: Option<String> = conn
        .prepare_cached("SELECT raw FROM events WHERE id = ?1 AND accepted = 1")?
        .query_row([id.0.as_bytes()], |r| r.get(0))
        .optional()?;
    let Some(raw) = raw else { return Ok(None) };
    let event: Event = serde_json::from_str(&raw).map_err(|e| StoreError::corrupt("events", e.to_string()))?;
    Ok(Body::parse(&event.kind, &event.body).ok())
}
