//! Writing the ledger tables (patrols, amendments, findings, zero reports, conflicts) from the
//! projection: only the rows an applied event touched, or all of them after a re-fold.

use rusqlite::{Connection, params};
use sync_protocol::body::{Body, PatrolResult};
use sync_protocol::event::Event;
use sync_protocol::fold::{Finding, Patrol, Projection, ZeroReport};
use sync_protocol::ids::{DeviceId, EventId};

use super::ReplicaError;

const TABLES: [&str; 5] = ["patrols", "amendments", "findings", "zero_reports", "conflicts"];

/// Replaces every ledger row of `owner` with the projection's.
pub(crate) fn rewrite(conn: &Connection, owner: DeviceId, p: &Projection) -> Result<(), ReplicaError> {
    for table in TABLES {
        conn.execute(&format!("DELETE FROM {table} WHERE owner = ?1"), [owner.to_string()])?;
    }
    for patrol in p.patrols.values() {
        put_patrol(conn, owner, patrol)?;
    }
    for finding in p.findings.values() {
        put_finding(conn, owner, finding)?;
    }
    for zero in p.zero_reports.values() {
        put_zero_report(conn, owner, zero)?;
    }
    put_conflicts(conn, owner, p, None)
}

/// Updates the rows that `applied` (just folded onto `p`, in order) changed.
pub(crate) fn touch(conn: &Connection, owner: DeviceId, p: &Projection, applied: &[&Event]) -> Result<(), ReplicaError> {
    for e in applied {
        match Body::parse(&e.kind, &e.body) {
            Ok(Body::PatrolRecorded(_)) => patrol(conn, owner, p, e.id)?,
            Ok(Body::PatrolAmended(a)) => patrol(conn, owner, p, a.patrol)?,
            Ok(Body::FindingReported(f)) => {
                if let Some(finding) = p.findings.get(&e.id) {
                    put_finding(conn, owner, finding)?;
                }
                patrol(conn, owner, p, f.patrol)?;
            }
            Ok(Body::ZeroReportFiled(z)) => {
                if let Some(zero) = p.zero_reports.get(&format!("{}/{}", z.officer, z.week)) {
                    put_zero_report(conn, owner, zero)?;
                }
            }
            _ => {}
        }
        put_conflicts(conn, owner, p, Some(e.id))?;
    }
    Ok(())
}

fn patrol(conn: &Connection, owner: DeviceId, p: &Projection, id: EventId) -> Result<(), ReplicaError> {
    match p.patrols.get(&id) {
        Some(patrol) => put_patrol(conn, owner, patrol),
        None => Ok(()),
    }
}

fn put_patrol(conn: &Connection, owner: DeviceId, p: &Patrol) -> Result<(), ReplicaError> {
    let result = match p.result {
        PatrolResult::NothingFound => "nothing_found",
        PatrolResult::Findings => "findings",
    };
    conn.execute(
        "INSERT OR REPLACE INTO patrols (owner, id, officer, device_id, zone, started_at, ended_at, track_points, distance_m, \
         summary, result, findings, amendments, evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            owner.to_string(),
            p.id.to_string(),
            p.officer.as_str(),
            p.device.to_string(),
            p.zone.as_str(),
            p.started_at,
            p.ended_at,
            i64::try_from(p.track_points).unwrap_or(i64::MAX),
            i64::try_from(p.distance_m).unwrap_or(i64::MAX),
            p.summary,
            result,
            i64::try_from(p.findings.len()).unwrap_or(i64::MAX),
            i64::try_from(p.amendments.len()).unwrap_or(i64::MAX),
            p.evidence,
        ],
    )?;
    for a in &p.amendments {
        conn.execute(
            "INSERT OR REPLACE INTO amendments (owner, event_id, patrol, by_user, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![owner.to_string(), a.event.to_string(), p.id.to_string(), a.by.as_str(), a.reason],
        )?;
    }
    Ok(())
}

fn put_finding(conn: &Connection, owner: DeviceId, f: &Finding) -> Result<(), ReplicaError> {
    let kind = serde_json::to_value(f.kind)?.as_str().map(str::to_owned).unwrap_or_default();
    let mineral = f.mineral.map(serde_json::to_value).transpose()?.and_then(|v| v.as_str().map(str::to_owned));
    conn.execute(
        "INSERT OR REPLACE INTO findings (owner, id, patrol, officer, zone, kind, lon_e7, lat_e7, depth_m, mineral, description, \
         stopped_on_spot, observed_at, high_priority) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            owner.to_string(),
            f.id.to_string(),
            f.patrol.to_string(),
            f.officer.as_str(),
            f.zone.as_str(),
            kind,
            f.location.lon,
            f.location.lat,
            f.depth_m,
            mineral,
            f.description,
            f.stopped_on_spot,
            f.observed_at,
            f.high_priority,
        ],
    )?;
    Ok(())
}

fn put_zero_report(conn: &Connection, owner: DeviceId, z: &ZeroReport) -> Result<(), ReplicaError> {
    conn.execute(
        "INSERT OR REPLACE INTO zero_reports (owner, officer, week, event_id, zone, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            owner.to_string(),
            z.officer.as_str(),
            z.week.to_string(),
            z.event.to_string(),
            z.zone.as_ref().map(|z| z.as_str()),
            z.note
        ],
    )?;
    Ok(())
}

/// Writes the conflicts of one event (or all of them).
fn put_conflicts(conn: &Connection, owner: DeviceId, p: &Projection, only: Option<EventId>) -> Result<(), ReplicaError> {
    for c in p.conflicts.iter().filter(|c| only.is_none_or(|id| c.event == id)) {
        conn.execute(
            "INSERT OR REPLACE INTO conflicts (owner, event_id, kind, problem) VALUES (?1, ?2, ?3, ?4)",
            params![owner.to_string(), c.event.to_string(), c.kind, c.problem],
        )?;
    }
    Ok(())
}
