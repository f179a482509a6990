//! What the console's map reads: the patrols the ledger's selection picks, each with its track
//! (thinned, each point placed inside or outside the zone) and check, and their findings with
//! their places, from the read model and the recording events (no fold of the log).

use sync_protocol::body::Body;
use sync_protocol::checks::geofence::inside_each;
use sync_protocol::event::Event;
use sync_protocol::ids::EventId;
use sync_protocol::wire::map::{MAP_TRACK_POINTS, MapFeatures, MapFinding, MapPatrol, degrees, thinned};

use super::ledger::selected;
use crate::args;
use crate::store::CheckSnapshot;
use crate::store::StoreError;
use crate::store::reports::LedgerSelection;
use crate::store::sql::Sql;

/// The map's features for `sel`; each kept point placed against the officer's zone at its time
/// as `reference` (the writer's last published reference data) has it.
pub fn map(conn: &dyn Sql, sel: &LedgerSelection, reference: &CheckSnapshot) -> Result<MapFeatures, StoreError> {
    let mut features = MapFeatures::default();
    for (entry, _) in selected(conn, sel)? {
        let kept = match body(conn, &entry.patrol)? {
            Some(Body::PatrolRecorded(p)) => thinned(&p.track, MAP_TRACK_POINTS),
            _ => Vec::new(),
        };
        let inside = inside_each(&kept, reference.zones.zone_at_fn(&entry.officer), &reference.config.geofence);
        let track = kept.iter().map(|p| degrees(sync_protocol::values::Coord { lon: p.lon, lat: p.lat })).collect();
        let counted = conn.optional("SELECT counts FROM patrol_checks WHERE patrol = ?1", args![entry.patrol.0.as_bytes()])?;
        let counted: Option<bool> = counted.map(|r| r.get(0)).transpose()?;
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
            inside,
        });
    }
    Ok(features)
}

/// The body of the accepted event `id`, if stored.
fn body(conn: &dyn Sql, id: &EventId) -> Result<Option<Body>, StoreError> {
    let Some(row) = conn.optional("SELECT raw FROM events WHERE id = ?1 AND accepted", args![id.0.as_bytes()])? else { return Ok(None) };
    let event: Event = serde_json::from_str(row.text(0)?.unwrap_or_default()).map_err(|e| StoreError::corrupt("events", e.to_string()))?;
    Ok(Body::parse(&event.kind, &event.body).ok())
}
