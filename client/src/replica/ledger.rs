//! The local ledger (巡查台帐) as the officer reads it: patrols with zone, times, points, distance,
//! result, findings, amendments, evidence (and whether the server holds its bytes) and upload
//! state, and zero reports. Read from the ledger tables
//! (written from the projection), plus the identity's own rejected events read from the outbox:
//! the projection leaves those out, but the officer must still see them, marked rejected (被退回).

use rusqlite::{Connection, Row, params};
use serde::Serialize;
use sync_protocol::ids::DeviceId;

use std::collections::BTreeMap;
use sync_protocol::body::{Body, PatrolResult};
use sync_protocol::fold::{Attachment, Projection};
use sync_protocol::ids::EventId;

use super::{BlobState, Evidence, Replica, ReplicaError, events};

#[derive(Debug, Clone, Serialize)]
pub struct Ledger {
    pub patrols: Vec<LedgerPatrol>,
    pub zero_reports: Vec<LedgerZeroReport>,
    pub conflicts: Vec<LedgerConflict>,
    /// Attachments in this ledger whose bytes the server is not known to hold (待上传/未到达).
    pub evidence_not_on_server: u64,
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
    /// Photos and documents attached to the patrol itself.
    pub evidence: Vec<Evidence>,
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
    /// Photos and documents attached to the finding.
    pub evidence: Vec<Evidence>,
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
        let mut ledger_rejected = rejected_rows(&self.conn, owner)?;
        patrols.append(&mut ledger_rejected.0);
        let mut zero_reports = zero_reports;
        zero_reports.append(&mut ledger_rejected.1);
        // Rejected findings and amendments of a patrol the ledger shows are listed under it.
        for p in &mut patrols {
            p.findings.extend(ledger_rejected.2.iter().filter(|(patrol, _)| *patrol == p.id).map(|(_, f)| f.clone()));
            p.amendments.extend(ledger_rejected.3.iter().filter(|(patrol, _)| *patrol == p.id).map(|(_, a)| a.clone()));
        }
        let conflicts =
            query(&self.conn, "SELECT event_id, kind, problem FROM conflicts WHERE owner = ?1 ORDER BY event_id", owner, |r| {
                Ok(LedgerConflict { event_id: r.get(0)?, kind: r.get(1)?, problem: r.get(2)? })
            })?;
        let evidence_not_on_server = self.fill_evidence(&mut patrols)?;
        Ok(Ledger { patrols, zero_reports, conflicts, evidence_not_on_server })
    }

    /// Lists each patrol's and finding's attachments; returns how many the server lacks.
    fn fill_evidence(&self, patrols: &mut [LedgerPatrol]) -> Result<u64, ReplicaError> {
        let projection = self.projection()?;
        let mut by_subject: BTreeMap<EventId, Vec<&Attachment>> = BTreeMap::new();
        for a in projection.attachments.values() {
            by_subject.entry(a.subject.id).or_default().push(a);
        }
        let evidence_of = |id: &str| -> Result<Vec<Evidence>, ReplicaError> {
            let Ok(id) = id.parse::<EventId>() else { return Ok(Vec::new()) };
            by_subject.get(&id).into_iter().flatten().map(|a| self.evidence_item(a)).collect()
        };
        let mut missing = 0;
        for p in patrols {
            p.evidence = evidence_of(&p.id)?;
            missing += p.evidence.iter().filter(|e| e.state != BlobState::OnServer).count() as u64;
            for f in &mut p.findings {
                f.evidence = evidence_of(&f.id)?;
                missing += f.evidence.iter().filter(|e| e.state != BlobState::OnServer).count() as u64;
            }
        }
        Ok(missing)
    }
}

type RejectedRows = (Vec<LedgerPatrol>, Vec<LedgerZeroReport>, Vec<(String, LedgerFinding)>, Vec<(String, LedgerAmendment)>);

/// The own rejected events of `owner` as ledger rows marked `rejected`: each folded on its own
/// (they are not part of the projection), so a patrol shows its points and distance as recorded.
fn rejected_rows(conn: &Connection, owner: DeviceId) -> Result<RejectedRows, ReplicaError> {
    let mut out: RejectedRows = Default::default();
    for e in events::own_rejected(conn, owner)? {
        let alone = Projection::fold([&e]);
        for p in alone.patrols.into_values() {
            out.0.push(LedgerPatrol {
                id: p.id.to_string(),
                officer: p.officer.to_string(),
                zone: p.zone.to_string(),
                started_at: p.started_at,
                ended_at: p.ended_at,
                track_points: u64::try_from(p.track_points).unwrap_or(u64::MAX),
                distance_m: p.distance_m,
                summary: p.summary,
                result: match p.result {
                    PatrolResult::NothingFound => "nothing_found".into(),
                    PatrolResult::Findings => "findings".into(),
                },
                sync: REJECTED.into(),
                findings: Vec::new(),
                amendments: Vec::new(),
                evidence: Vec::new(),
            });
        }
        for z in alone.zero_reports.into_values() {
            out.1.push(LedgerZeroReport {
                officer: z.officer.to_string(),
                week: z.week.to_string(),
                zone: z.zone.map(|z| z.to_string()),
                note: z.note,
                sync: REJECTED.into(),
            });
        }
        for f in alone.findings.into_values() {
            let kind = serde_json::to_value(f.kind)?.as_str().map(str::to_owned).unwrap_or_default();
            let mineral = f.mineral.map(serde_json::to_value).transpose()?.and_then(|v| v.as_str().map(str::to_owned));
            let row = LedgerFinding {
                id: f.id.to_string(),
                kind,
                lon_e7: f.location.lon,
                lat_e7: f.location.lat,
                depth_m: f.depth_m,
                mineral,
                description: f.description,
                stopped_on_spot: f.stopped_on_spot,
                observed_at: f.observed_at,
                high_priority: f.high_priority,
                sync: REJECTED.into(),
                evidence: Vec::new(),
            };
            out.2.push((f.patrol.to_string(), row));
        }
        if let Ok(Body::PatrolAmended(a)) = Body::parse(&e.kind, &e.body) {
            let row = LedgerAmendment { event_id: e.id.to_string(), by: e.author.to_string(), reason: a.reason, sync: REJECTED.into() };
            out.3.push((a.patrol.to_string(), row));
        }
    }
    Ok(out)
}

const REJECTED: &str = "rejected";

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
        evidence: Vec::new(),
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
            evidence: Vec::new(),
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
