//! The reference data the checks need in event time (every zone version, every assignment, every
//! licence with its lifecycle), rebuilt from the accepted events when the writer starts or reloads.

use serde::Deserialize;
use sync_protocol::body::Body;
use sync_protocol::checks::licence_history::LicenceHistory;
use sync_protocol::checks::zone_history::ZoneHistory;
use sync_protocol::event::Event;
use sync_protocol::ids::EventId;
use sync_protocol::values::TrackPoint;

use crate::args;
use crate::store::StoreError;
use crate::store::sql::{Sql, hex_list, one_of_bytes};
use std::collections::HashMap;

/// Every `zone.defined`, `assignment.set` and `licence.*` accepted so far, applied in log order
/// (the order the server authored them in, which is their fold order).
pub fn load_histories(conn: &dyn Sql) -> Result<(ZoneHistory, LicenceHistory), StoreError> {
    let (mut zones, mut licences) = (ZoneHistory::new(), LicenceHistory::new());
    let sql = "SELECT raw FROM events WHERE accepted AND (kind IN ('zone.defined', 'assignment.set') OR kind LIKE 'licence.%')
               ORDER BY server_seq";
    conn.each(sql, args![], &mut |row| {
        match parse_body(&row.get::<String>(0)?)?.1 {
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
        Ok(())
    })?;
    Ok((zones, licences))
}

/// A stored accepted event with its typed body.
pub fn stored_event(conn: &dyn Sql, id: &EventId) -> Result<Option<(Event, Body)>, StoreError> {
    let raw: Option<String> =
        conn.optional("SELECT raw FROM events WHERE id = ?1 AND accepted", args![id.0.as_bytes()])?.map(|r| r.get(0)).transpose()?;
    raw.map(|raw| parse_body(&raw)).transpose()
}

/// The tracks of the stored accepted patrols among `ids` (each named once), in the order of
/// `ids`, read from their text alone: the copied-track check compares several stored tracks with
/// each new patrol, and parsing only the track (not the whole envelope and body) is most of the
/// saving; one statement for all of them. The stored text was checked at ingest.
pub fn stored_tracks(conn: &dyn Sql, ids: &[EventId]) -> Result<Vec<(EventId, Vec<TrackPoint>)>, StoreError> {
    #[derive(Deserialize)]
    struct Stored {
        body: TrackOnly,
    }
    #[derive(Deserialize)]
    struct TrackOnly {
        #[serde(with = "sync_protocol::track")]
        track: Vec<TrackPoint>,
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Selected by id alone, so that the planner can only take the key's index (with the kind and
    // acceptance in the condition, PostgreSQL may walk the partial index of every accepted patrol).
    let sql = format!("SELECT id, raw, accepted, kind FROM events WHERE {}", one_of_bytes(conn.engine(), "id", 1));
    // Each row's track is parsed as it comes, so that only the tracks are held, not the texts.
    let mut tracks = HashMap::with_capacity(ids.len());
    conn.each(&sql, args![hex_list(ids.iter().map(|id| id.0.as_bytes().as_slice()))], &mut |row| {
        // Read in place: the row's text is a kilobyte, and only its track is kept.
        if row.get::<bool>(2)? && row.text(3)? == Some("patrol.recorded") {
            let id = row.bytes(0)?;
            let track = serde_json::from_str::<Stored>(row.text(1)?.unwrap_or_default())
                .map_err(|e| StoreError::corrupt("events", format!("{}: {e}", hex::encode(id))))?;
            tracks.insert(id.to_vec(), track.body.track);
        }
        Ok(())
    })?;
    Ok(ids.iter().filter_map(|id| tracks.remove(id.0.as_bytes().as_slice()).map(|track| (*id, track))).collect())
}

fn parse_body(raw: &str) -> Result<(Event, Body), StoreError> {
    let event: Event = serde_json::from_str(raw).map_err(|e| StoreError::corrupt("events", e.to_string()))?;
    let body = Body::parse(&event.kind, &event.body).map_err(|e| StoreError::corrupt("events", format!("{}: {e}", event.id)))?;
    Ok((event, body))
}
