//! The local ledger (巡查台帐) as the officer reads it: patrols with zone, times, points, distance,
//! result, findings, amendments and upload state, and zero reports. Read from the ledger tables.

use rusqlite::{Connection, Row, params};
use serde::Serialize;
use sync_protocol::ids::DeviceId;

use super::{Replica, ReplicaError};

#[derive(Debug, Clone, Serialize)]
pub struct Ledger {
    pub patrols: Vec<LedgerPatrol>,
    pub zero_reports: Vec<LedgerZeroReport>,
    pub conflicts: Vec<LedgerConflict>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LedgerPatrol {
    pub id: String,
    pub officer: String,
    pub zone: String,
    pub started_at: i64,
    pub ended_at: i64,
    pub track_points: u64,
    pub distance_m: u64,
    pub summary: String,
    pub result: String,
    /// `pending`, `sent` or `rejected` for this identity's own patrols; `pulled` for others'.
    pub sync: String,
    pub findings: Vec<LedgerFinding>,
    pub amendments: Vec<LedgerAmendment>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LedgerFinding {
    pub id: String,
    pub kind: String,
    pub lon_e7: i32,
    pub lat_e7: i32,
    pub depth_m: Option<i32>,
    pub mineral: Option<String>,
    pub description: String,
    pub stopped_on_spot: bool,
    pub observed_at: i64,
    pub high_priority: bool,
    pub sync: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LedgerAmendment {
    pub event_id: String,
    pub by: String,
    pub reason: String,
    pub sync: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LedgerZeroReport {
    pub officer: String,
    pub week: String,
    pub zone: Option<String>,
    pub note: String,
    pub sync: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LedgerConflict {
    pub event_id: String,
    pub kind: String,
    pub problem: String,
}

/// The upload state of event `id`, joined from the outbox: `pulled` when it is not our own.
const SYNC: &str = "coalesce((SELECT state FROM outbox o WHERE o.owner = ?1 AND o.event_id = {id}), 'pulled')";

impl Replica {
    /// The ledger of the active identity, newest patrol first.
    pub fn ledger(&self) -> Result<Ledger, ReplicaError> {
        let owner = self.require_active()?.device_id;
        let sql = format!(
            "SELECT id, officer, zone, started_at, ended_at, track_points, distance_m, summary, result, {} \
             FROM patrols p WHERE owner = ?1 ORDER BY started_at DESC, id",
            SYNC.replace("{id}", "p.id")
        );
        let mut patrols: Vec<LedgerPatrol> = query(&self.conn, &sql, owner, patrol_row)?;
        for p in &mut patrols {
            p.findings = findings_of(&self.conn, owner, &p.id)?;
            p.amendments = amendments_of(&self.conn, owner, &p.id)?;
        }
        let sql = format!(
            "SELECT officer, week, zone, note, {} FROM zero_reports z WHERE owner = ?1 ORDER BY week DESC, officer",
            SYNC.replace("{id}", "z.event_id")
        );
        let zero_reports = query(&self.conn, &sql, owner, |r| {
            Ok(LedgerZeroReport { officer: r.get(0)?, week: r.get(1)?, zone: r.get(2)?, note: r.get(3)?, sync: r.get(4)? })
        })?;
        let conflicts =
            query(&self.conn, "SELECT event_id, kind, problem FROM conflicts WHERE owner = ?1 ORDER BY event_id", owner, |r| {
                Ok(LedgerConflict { event_id: r.get(0)?, kind: r.get(1)?, problem: r.get(2)? })
            })?;
        Ok(Ledger { patrols, zero_reports, conflicts })
    }
}

fn query<T>(
    conn: &Connection,
    sql: &str,
    owner: DeviceId,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, ReplicaError> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(params![owner.to_string()], map)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn patrol_row(r: &Row<'_>) -> rusqlite::Result<LedgerPatrol> {
    Ok(LedgerPatrol {
        id: r.get(0)?,
        officer: r.get(1)?,
        zone: r.get(2)?,
        started_at: r.get(3)?,
        ended_at: r.get(4)?,
        track_points: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
        distance_m: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
        summary: r.get(7)?,
        result: r.get(8)?,
        sync: r.get(9)?,
        findings: Vec::new(),
        amendments: Vec::new(),
    })
}

fn findings_of(conn: &Connection, owner: DeviceId, patrol: &str) -> Result<Vec<LedgerFinding>, ReplicaError> {
    let sql = format!(
        "SELECT id, kind, lon_e7, lat_e7, depth_m, mineral, description, stopped_on_spot, observed_at, high_priority, {} \
         FROM findings f WHERE owner = ?1 AND patrol = ?2 ORDER BY observed_at, id",
        SYNC.replace("{id}", "f.id")
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![owner.to_string(), patrol], |r| {
        Ok(LedgerFinding {
            id: r.get(0)?,
            kind: r.get(1)?,
            lon_e7: r.get(2)?,
            lat_e7: r.get(3)?,
            depth_m: r.get(4)?,
            mineral: r.get(5)?,
            description: r.get(6)?,
            stopped_on_spot: r.get(7)?,
            observed_at: r.get(8)?,
            high_priority: r.get(9)?,
            sync: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn amendments_of(conn: &Connection, owner: DeviceId, patrol: &str) -> Result<Vec<LedgerAmendment>, ReplicaError> {
    let sql = format!(
        "SELECT event_id, by_user, reason, {} FROM amendments a WHERE owner = ?1 AND patrol = ?2 ORDER BY event_id",
        SYNC.replace("{id}", "a.event_id")
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![owner.to_string(), patrol], |r| {
        Ok(LedgerAmendment { event_id: r.get(0)?, by: r.get(1)?, reason: r.get(2)?, sync: r.get(3)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
