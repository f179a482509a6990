//! Writing the ledger tables (patrols, amendments, findings, zero reports, conflicts) from the
//! fold of one part: the rows of what the part held before go, the rows of what it holds now come.

use rusqlite::{Connection, params};
use sync_protocol::fold::{Finding, Patrol, Projection, ZeroReport};
use sync_protocol::ids::DeviceId;
use sync_protocol::ledger::snake;

use super::ReplicaError;

const TABLES: [&str; 5] = ["patrols", "amendments", "findings", "zero_reports", "conflicts"];

/// Deletes every ledger row of `owner` (before a rebuild).
pub(crate) fn clear(conn: &Connection, owner: DeviceId) -> Result<(), ReplicaError> {
    for table in TABLES {
        conn.execute(&format!("DELETE FROM {table} WHERE owner = ?1"), [owner.to_string()])?;
    }
    Ok(())
}

/// Replaces the rows of a part's fold `old` (if it had one) with those of `new` (if it has one).
pub(crate) fn replace(conn: &Connection, owner: DeviceId, old: Option<&Projection>, new: Option<&Projection>) -> Result<(), ReplicaError> {
    if let Some(old) = old {
        remove(conn, owner, old)?;
    }
    if let Some(new) = new {
        put(conn, owner, new)?;
    }
    Ok(())
}

fn remove(conn: &Connection, owner: DeviceId, p: &Projection) -> Result<(), ReplicaError> {
    let o = owner.to_string();
    for patrol in p.patrols.values() {
        conn.prepare_cached("DELETE FROM patrols WHERE owner = ?1 AND id = ?2")?.execute(params![o, patrol.id.to_string()])?;
        for a in &patrol.amendments {
            conn.prepare_cached("DELETE FROM amendments WHERE owner = ?1 AND event_id = ?2")?.execute(params![o, a.event.to_string()])?;
        }
    }
    for id in p.findings.keys() {
        conn.prepare_cached("DELETE FROM findings WHERE owner = ?1 AND id = ?2")?.execute(params![o, id.to_string()])?;
    }
    for z in p.zero_reports.values() {
        conn.prepare_cached("DELETE FROM zero_reports WHERE owner = ?1 AND officer = ?2 AND week = ?3")?.execute(params![
            o,
            z.officer.as_str(),
            z.week.to_string()
        ])?;
    }
    for c in &p.conflicts {
        conn.prepare_cached("DELETE FROM conflicts WHERE owner = ?1 AND event_id = ?2")?.execute(params![o, c.event.to_string()])?;
    }
    Ok(())
}

fn put(conn: &Connection, owner: DeviceId, p: &Projection) -> Result<(), ReplicaError> {
    for patrol in p.patrols.values() {
        put_patrol(conn, owner, patrol)?;
    }
    for finding in p.findings.values() {
        put_finding(conn, owner, finding)?;
    }
    for zero in p.zero_reports.values() {
        put_zero_report(conn, owner, zero)?;
    }
    for c in &p.conflicts {
        conn.prepare_cached("INSERT OR REPLACE INTO conflicts (owner, event_id, kind, problem) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![owner.to_string(), c.event.to_string(), c.kind, c.problem])?;
    }
    Ok(())
}

fn put_patrol(conn: &Connection, owner: DeviceId, p: &Patrol) -> Result<(), ReplicaError> {
    let result = snake(&p.result);
    conn.prepare_cached(
        "INSERT OR REPLACE INTO patrols (owner, id, officer, device_id, zone, started_at, ended_at, track_points, distance_m, \
         summary, result, findings, amendments, evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
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
    ])?;
    for a in &p.amendments {
        conn.prepare_cached("INSERT OR REPLACE INTO amendments (owner, event_id, patrol, by_user, reason) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![owner.to_string(), a.event.to_string(), p.id.to_string(), a.by.as_str(), a.reason])?;
    }
    Ok(())
}

fn put_finding(conn: &Connection, owner: DeviceId, f: &Finding) -> Result<(), ReplicaError> {
    let (kind, mineral) = (snake(&f.kind), f.mineral.map(|m| snake(&m)));
    conn.prepare_cached(
        "INSERT OR REPLACE INTO findings (owner, id, patrol, officer, zone, kind, lon_e7, lat_e7, depth_m, mineral, description, \
         stopped_on_spot, observed_at, high_priority) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
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
    ])?;
    Ok(())
}

fn put_zero_report(conn: &Connection, owner: DeviceId, z: &ZeroReport) -> Result<(), ReplicaError> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO zero_reports (owner, officer, week, event_id, zone, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        owner.to_string(),
        z.officer.as_str(),
        z.week.to_string(),
        z.event.to_string(),
        z.zone.as_ref().map(|z| z.as_str()),
        z.note
    ])?;
    Ok(())
}
