//! The local ledger (巡查台帐) as the officer reads it: each patrol's row of the ledger, the same
//! definition the server's export writes (`ledger_row`), with its track points, findings,
//! amendments, evidence (and whether the server holds its bytes) and upload state; and zero
//! reports. Read from the ledger tables and the projection, plus the identity's own rejected
//! events read from the outbox: the projection leaves those out, but the officer must still see
//! them, marked rejected (被退回).

use rusqlite::{Connection, Row, params};
use serde::Serialize;
use std::collections::BTreeMap;
use sync_protocol::body::Body;
use sync_protocol::fold::{Attachment, Projection};
use sync_protocol::ids::{DeviceId, EventId};
use sync_protocol::ledger::{LedgerRow, row, snake};

use super::ledger_row::RowFacts;
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
    /// Its row of the patrol ledger: the one definition the server's `GET /v1/ledger` writes
    /// (`sync_protocol::ledger`), its check and flag columns from this phone's own checks
    /// (`ledger_row`).
    pub row: LedgerRow,
    pub track_points: u64,
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
        let projection = self.projection()?;
        let mut facts = RowFacts::new(self, owner, &projection)?;
        let sql = format!(
            "SELECT id, track_points, {} FROM patrols p WHERE owner = ?1 ORDER BY started_at DESC, id",
            SYNC.replace("{id}", "p.id")
        );
        let listed: Vec<(String, i64, String)> = query(&self.conn, &sql, owner, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let mut patrols = Vec::with_capacity(listed.len());
        for (id, track_points, sync) in listed {
            let id: EventId = id.parse().map_err(ReplicaError::corrupt("a ledger patrol id"))?;
            let findings = findings_of(&self.conn, owner, &id)?;
            let amendments = amendments_of(&self.conn, owner, &id)?;
            patrols.push(patrol(&mut facts, &projection, id, u64::try_from(track_points).unwrap_or(0), sync, findings, amendments)?);
        }
        let sql = format!(
            "SELECT officer, week, zone, note, {} FROM zero_reports z WHERE owner = ?1 ORDER BY week DESC, officer",
            SYNC.replace("{id}", "z.event_id")
        );
        let mut zero_reports = query(&self.conn, &sql, owner, |r| {
            Ok(LedgerZeroReport { officer: r.get(0)?, week: r.get(1)?, zone: r.get(2)?, note: r.get(3)?, sync: r.get(4)? })
        })?;
        let rejected = rejected_rows(&self.conn, owner, &mut facts)?;
        patrols.extend(rejected.patrols);
        zero_reports.extend(rejected.zero_reports);
        // Rejected findings and amendments of a patrol the ledger shows are listed under it.
        let mut findings = by_patrol(rejected.findings);
        let mut amendments = by_patrol(rejected.amendments);
        for p in &mut patrols {
            p.findings.extend(findings.remove(&p.row.patrol).unwrap_or_default());
            p.amendments.extend(amendments.remove(&p.row.patrol).unwrap_or_default());
        }
        let conflicts =
            query(&self.conn, "SELECT event_id, kind, problem FROM conflicts WHERE owner = ?1 ORDER BY event_id", owner, |r| {
                Ok(LedgerConflict { event_id: r.get(0)?, kind: r.get(1)?, problem: r.get(2)? })
            })?;
        let evidence_not_on_server = self.fill_evidence(&projection, &mut patrols)?;
        Ok(Ledger { patrols, zero_reports, conflicts, evidence_not_on_server })
    }

    /// Lists each patrol's and finding's attachments; returns how many the server lacks.
    fn fill_evidence(&self, projection: &Projection, patrols: &mut [LedgerPatrol]) -> Result<u64, ReplicaError> {
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
            p.evidence = evidence_of(&p.row.patrol)?;
            missing += p.evidence.iter().filter(|e| e.state != BlobState::OnServer).count() as u64;
            for f in &mut p.findings {
                f.evidence = evidence_of(&f.id)?;
                missing += f.evidence.iter().filter(|e| e.state != BlobState::OnServer).count() as u64;
            }
        }
        Ok(missing)
    }
}

/// A patrol of the ledger: its row from `fold` (the projection, or a rejected patrol folded alone),
/// its findings with the high priority the row gives them, its amendments.
fn patrol(
    facts: &mut RowFacts<'_>,
    fold: &Projection,
    id: EventId,
    track_points: u64,
    sync: String,
    mut findings: Vec<LedgerFinding>,
    amendments: Vec<LedgerAmendment>,
) -> Result<LedgerPatrol, ReplicaError> {
    let (entry, facts) = facts.of(fold, id)?.ok_or(ReplicaError::UnknownPatrol(id))?;
    for f in &mut findings {
        if let Some(e) = entry.findings.iter().find(|e| e.id.to_string() == f.id) {
            f.high_priority = facts.high_priority(e);
        }
    }
    Ok(LedgerPatrol { row: row(&entry, &facts), track_points, sync, findings, amendments, evidence: Vec::new() })
}

/// The own rejected events of an identity, as ledger rows marked `rejected`.
#[derive(Default)]
struct Rejected {
    patrols: Vec<LedgerPatrol>,
    zero_reports: Vec<LedgerZeroReport>,
    /// Each with the id of the patrol it is on.
    findings: Vec<(String, LedgerFinding)>,
    amendments: Vec<(String, LedgerAmendment)>,
}

/// The own rejected events of `owner` as ledger rows marked `rejected`: each folded on its own
/// (they are not part of the projection), so a patrol shows its points and distance as recorded.
fn rejected_rows(conn: &Connection, owner: DeviceId, facts: &mut RowFacts<'_>) -> Result<Rejected, ReplicaError> {
    let mut out = Rejected::default();
    for e in events::own_rejected(conn, owner)? {
        let alone = Projection::fold([&e]);
        for p in alone.patrols.values() {
            let points = u64::try_from(p.track_points).unwrap_or(u64::MAX);
            out.patrols.push(patrol(facts, &alone, p.id, points, REJECTED.into(), Vec::new(), Vec::new())?);
        }
        for z in alone.zero_reports.values() {
            out.zero_reports.push(LedgerZeroReport {
                officer: z.officer.to_string(),
                week: z.week.to_string(),
                zone: z.zone.as_ref().map(|z| z.to_string()),
                note: z.note.clone(),
                sync: REJECTED.into(),
            });
        }
        for f in alone.findings.values() {
            let row = LedgerFinding {
                id: f.id.to_string(),
                kind: snake(&f.kind),
                lon_e7: f.location.lon,
                lat_e7: f.location.lat,
                depth_m: f.depth_m,
                mineral: f.mineral.map(|m| snake(&m)),
                description: f.description.clone(),
                stopped_on_spot: f.stopped_on_spot,
                observed_at: f.observed_at,
                high_priority: f.high_priority,
                sync: REJECTED.into(),
                evidence: Vec::new(),
            };
            out.findings.push((f.patrol.to_string(), row));
        }
        if let Ok(Body::PatrolAmended(a)) = Body::parse(&e.kind, &e.body) {
            let row = LedgerAmendment { event_id: e.id.to_string(), by: e.author.to_string(), reason: a.reason, sync: REJECTED.into() };
            out.amendments.push((a.patrol.to_string(), row));
        }
    }
    Ok(out)
}

const REJECTED: &str = "rejected";

/// `rows` grouped by the patrol each belongs to, in their order.
fn by_patrol<T>(rows: Vec<(String, T)>) -> BTreeMap<String, Vec<T>> {
    let mut out: BTreeMap<String, Vec<T>> = BTreeMap::new();
    for (patrol, row) in rows {
        out.entry(patrol).or_default().push(row);
    }
    out
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

fn findings_of(conn: &Connection, owner: DeviceId, patrol: &EventId) -> Result<Vec<LedgerFinding>, ReplicaError> {
    let sql = format!(
        "SELECT id, kind, lon_e7, lat_e7, depth_m, mineral, description, stopped_on_spot, observed_at, high_priority, {} \
         FROM findings f WHERE owner = ?1 AND patrol = ?2 ORDER BY observed_at, id",
        SYNC.replace("{id}", "f.id")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![owner.to_string(), patrol.to_string()], |r| {
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

fn amendments_of(conn: &Connection, owner: DeviceId, patrol: &EventId) -> Result<Vec<LedgerAmendment>, ReplicaError> {
    let sql = format!(
        "SELECT event_id, by_user, reason, {} FROM amendments a WHERE owner = ?1 AND patrol = ?2 ORDER BY event_id",
        SYNC.replace("{id}", "a.event_id")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![owner.to_string(), patrol.to_string()], |r| {
        Ok(LedgerAmendment { event_id: r.get(0)?, by: r.get(1)?, reason: r.get(2)?, sync: r.get(3)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
