//! The reference data the checks need in event time (every zone version, every assignment, every
//! licence with its lifecycle), rebuilt from the accepted events when the writer starts or reloads.

use rusqlite::{Connection, OptionalExtension};
use serde::Deserialize;
use sync_protocol::body::Body;
use sync_protocol::checks::licence_history::LicenceHistory;
use sync_protocol::checks::zone_history::ZoneHistory;
use sync_protocol::event::Event;
use sync_protocol::ids::EventId;
use sync_protocol::values::TrackPoint;

use crate::store::sqlite::StoreError;

/// Every `zone.defined`, `assignment.set` and `licence.*` accepted so far, applied in log order
/// (the order the server authored them in, which is their fold order).
pub fn load_histories(conn: &Connection) -> Result<(ZoneHistory, LicenceHistory), StoreError> {
    let (mut zones, mut licences) = (ZoneHistory::new(), LicenceHistory::new());
    let mut stmt = conn.prepare(
        "SELECT raw FROM events WHERE accepted = 1 AND (kind IN ('zone.defined', 'assignment.set') OR kind LIKE 'licence.%')
         ORDER BY server_seq",
    )?;
    for raw in stmt.query_map([], |r| r.get::<_, String>(0))? {
        match parse_body(&raw?)?.1 {
            Body::ZoneDefined(z) => {
                zones.define_zone(&z);
            }
            Body::AssignmentSet(a) => {
                zones.set_assignment(&a);
            }
            other => {
                licences.apply(&other);
            }
        }
    }
    Ok((zones, licences))
}

/// A stored accepted event with its typed body.
pub fn stored_event(conn: &Connection, id: &EventId) -> Result<Option<(Event, Body)>, StoreError> {
    let raw: Option<String> = conn
        .prepare_cached("SELECT raw FROM events WHERE id = ?1 AND accepted = 1")?
        .query_row([id.0.as_bytes()], |r| r.get(0))
        .optional()?;
    raw.map(|raw| parse_body(&raw)).transpose()
}

/// The track of a stored accepted patrol, read from its text alone: the copied-track check
/// compares several stored tracks with each new patrol, and parsing only the track (not the whole
/// envelope and body) is most of the saving. The stored text was checked at ingest.
pub fn stored_track(conn: &Connection, id: &EventId) -> Result<Option<Vec<TrackPoint>>, StoreError> {
    #[derive(Deserialize)]
    struct Stored {
        body: TrackOnly,
    }
    #[derive(Deserialize)]
    struct TrackOnly {
        #[serde(with = "sync_protocol::track")]
        track: Vec<TrackPoint>,
    }
    let raw: Option<String> = conn
        .prepare_cached("SELECT raw FROM events WHERE id = ?1 AND accepted = 1 AND kind = 'patrol.recorded'")?
        .query_row([id.0.as_bytes()], |r| r.get(0))
        .optional()?;
    raw.map(|raw| {
        serde_json::from_str::<Stored>(&raw).map(|s| s.body.track).map_err(|e| StoreError::corrupt("events", format!("{id}: {e}")))
    })
    .transpose()
}

fn parse_body(raw: &str) -> Result<(Event, Body), StoreError> {
    let event: Event = serde_json::from_str(raw).map_err(|e| StoreError::corrupt("events", e.to_string()))?;
    let body = Body::parse(&event.kind, &event.body).map_err(|e| StoreError::corrupt("events", format!("{}: {e}", event.id)))?;
    Ok((event, body))
}
