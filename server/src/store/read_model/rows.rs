//! Writing the read model's rows: a patrol's entry and place, a finding, a case, a tip, and the
//! places a zone's new version moves (found through the township index, not by a scan).

use std::collections::{BTreeSet, HashSet};
use sync_protocol::body::{CaseSource, ZoneDefined};
use sync_protocol::fold::{Case, Tip};
use sync_protocol::ids::{EventId, UnitId};
use sync_protocol::ledger::PatrolEntry;
use sync_protocol::read_model::FindingRow;
use sync_protocol::values::IsoWeek;
use sync_protocol::zones::ZoneVersions;

use super::kept::{self, CheckedPatrol};
use crate::args;
use crate::store::StoreError;
use crate::store::sql::{Sql, hex_list, one_of_bytes};

fn json<T: serde::Serialize>(what: &'static str, v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::encode(what, e))
}

/// Whether any event is filed under `key`.
pub fn has_filed(conn: &dyn Sql, key: &EventId) -> Result<bool, StoreError> {
    conn.one("SELECT EXISTS (SELECT 1 FROM report_filed WHERE entity = ?1)", args![key.0.as_bytes()])?.get(0)
}

/// Which entities have events filed under them, as far as a writer's job has learnt: read for all
/// of a push's events in one statement ([`Filings::read`]), and kept as the job files more, so that
/// each new patrol of the push need not ask. An entity not asked about is looked up.
#[derive(Debug, Default)]
pub struct Filings {
    asked: HashSet<EventId>,
    filed: HashSet<EventId>,
}

impl Filings {
    /// What is filed under any of `ids`.
    pub fn read(conn: &dyn Sql, ids: &[EventId]) -> Result<Filings, StoreError> {
        let mut filings = Filings { asked: ids.iter().copied().collect(), filed: HashSet::new() };
        if !ids.is_empty() {
            let sql = format!("SELECT DISTINCT entity FROM report_filed WHERE {}", one_of_bytes(conn.engine(), "entity", 1));
            conn.each(&sql, args![hex_list(ids.iter().map(|i| i.0.as_bytes().as_slice()))], &mut |row| {
                filings.filed.insert(id(&row.get::<Vec<u8>>(0)?, "report_filed")?);
                Ok(())
            })?;
        }
        Ok(filings)
    }

    /// Whether any event is filed under `key`.
    pub fn has_filed(&self, conn: &dyn Sql, key: &EventId) -> Result<bool, StoreError> {
        match self.asked.contains(key) {
            true => Ok(self.filed.contains(key)),
            false => has_filed(conn, key),
        }
    }

    /// Notes an event just filed under `key`.
    pub fn note(&mut self, key: EventId) {
        self.filed.insert(key);
    }
}

/// The patrol a known finding is on.
pub fn patrol_of_finding(conn: &dyn Sql, finding: &EventId) -> Result<Option<EventId>, StoreError> {
    let patrol: Option<Vec<u8>> =
        conn.optional("SELECT patrol FROM report_findings WHERE id = ?1", args![finding.0.as_bytes()])?.map(|r| r.get(0)).transpose()?;
    patrol.map(|p| id(&p, "report_findings")).transpose()
}

pub fn id(bytes: &[u8], table: &'static str) -> Result<EventId, StoreError> {
    uuid::Uuid::from_slice(bytes).map(EventId).map_err(|_| StoreError::corrupt(table, "bad id"))
}

/// Writes a patrol's entry, start, week and place; migration 0016's triggers count it in its
/// officer's week. A patrol the writer has just checked (`checked`) is written with its kept
/// ledger row, which is then not written a second time (`kept`); any other is left due.
pub fn put_patrol(conn: &dyn Sql, places: &ZoneVersions, e: &PatrolEntry, checked: Option<&CheckedPatrol>) -> Result<(), StoreError> {
    let place = places.place_at(&e.zone, e.started_at);
    let columns = "INSERT INTO patrols (id, author, zone, started_at, village, township, entry, week, ledger_row)";
    let on_conflict = "ON CONFLICT (id) DO UPDATE SET author = excluded.author, zone = excluded.zone, started_at = excluded.started_at,
             village = excluded.village, township = excluded.township, entry = excluded.entry, week = excluded.week";
    let entry = json("a ledger entry", e)?;
    let week = IsoWeek::of_ms(e.started_at).to_string();
    let mut values = args![
        e.patrol.0.as_bytes(),
        e.officer.as_str(),
        e.zone.as_str(),
        e.started_at,
        place.map(|p| p.village.as_str()),
        place.map(|p| p.township.as_str()),
        entry.as_str(),
        week.as_str(),
    ]
    .to_vec();
    match checked {
        Some(c) => {
            let (row, kinds) = kept::new_row(e, place.map(|p| (&p.village, &p.township)), c)?;
            let sql = format!("{columns} VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, {}) {on_conflict}", kept::kept_if(conn.engine()));
            values.extend_from_slice(args![row.as_str(), kinds.as_deref(), c.decision.0, c.decision.1.as_str()]);
            conn.write(&sql, &values)?;
        }
        None => conn.write(&format!("{columns} VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL) {on_conflict}"), &values)?,
    }
    Ok(())
}

pub fn put_finding(conn: &dyn Sql, places: &ZoneVersions, f: &FindingRow) -> Result<(), StoreError> {
    let township = places.place_at(&f.zone, f.observed_at).map(|p| p.township.as_str());
    conn.write(
        "INSERT INTO report_findings (id, patrol, officer, zone, township, observed_at, stopped_on_spot)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET patrol = excluded.patrol, officer = excluded.officer, zone = excluded.zone,
             township = excluded.township, observed_at = excluded.observed_at, stopped_on_spot = excluded.stopped_on_spot",
        args![f.id.0.as_bytes(), f.patrol.0.as_bytes(), f.officer.as_str(), f.zone.as_str(), township, f.observed_at, f.stopped_on_spot],
    )?;
    Ok(())
}

/// The id of a case's source (the finding or tip it was opened on).
pub fn source_id(source: &CaseSource) -> EventId {
    match source {
        CaseSource::Finding(f) => *f,
        CaseSource::Tip(t) => *t,
    }
}

pub fn put_case(conn: &dyn Sql, id: &EventId, case: Option<&Case>) -> Result<(), StoreError> {
    let Some(c) = case else {
        conn.write("DELETE FROM report_cases WHERE id = ?1", args![id.0.as_bytes()])?;
        return Ok(());
    };
    conn.write(
        "INSERT INTO report_cases (id, source, township, closed, opened_at, stopped_at, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET source = excluded.source, township = excluded.township, closed = excluded.closed,
             opened_at = excluded.opened_at, stopped_at = excluded.stopped_at, state = excluded.state",
        args![
            id.0.as_bytes(),
            source_id(&c.source).0.as_bytes(),
            c.township.as_str(),
            c.is_closed(),
            c.opened_at,
            c.stopped_at,
            json("a case", c)?
        ],
    )?;
    Ok(())
}

pub fn put_tip(conn: &dyn Sql, id: &EventId, tip: Option<&Tip>) -> Result<(), StoreError> {
    let Some(t) = tip else {
        conn.write("DELETE FROM report_tips WHERE id = ?1", args![id.0.as_bytes()])?;
        return Ok(());
    };
    conn.write(
        "INSERT INTO report_tips (id, township, open, state) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET township = excluded.township, open = excluded.open, state = excluded.state",
        args![id.0.as_bytes(), t.township.as_str(), t.is_open(), json("a tip", t)?],
    )?;
    Ok(())
}

/// Adds a version of a zone and places again the patrols and findings in the period it holds.
/// They lie in a township the zone had before, or in none: the township index finds them.
pub fn define_zone(conn: &dyn Sql, places: &mut ZoneVersions, z: &ZoneDefined) -> Result<(), StoreError> {
    let before: BTreeSet<UnitId> =
        places.iter().filter(|(id, _)| **id == z.zone).flat_map(|(_, v)| v.iter().map(|p| p.township.clone())).collect();
    let (from, until) = places.define(z);
    conn.write(
        "INSERT INTO zone_versions (zone, valid_from, village, township) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (zone, valid_from) DO UPDATE SET village = excluded.village, township = excluded.township",
        args![z.zone.as_str(), z.valid_from, z.village.as_str(), z.township.as_str()],
    )?;
    let until = until.unwrap_or(i64::MAX);
    let patrols = "UPDATE patrols SET village = ?1, township = ?2
                   WHERE township IS NOT DISTINCT FROM ?3 AND zone = ?4 AND started_at >= ?5 AND started_at < ?6";
    let findings = "UPDATE report_findings SET township = ?1
                    WHERE township IS NOT DISTINCT FROM ?2 AND zone = ?3 AND observed_at >= ?4 AND observed_at < ?5";
    for old in before.iter().map(Some).chain([None]) {
        let old = old.map(UnitId::as_str);
        conn.write(patrols, args![z.village.as_str(), z.township.as_str(), old, z.zone.as_str(), from, until])?;
        conn.write(findings, args![z.township.as_str(), old, z.zone.as_str(), from, until])?;
    }
    Ok(())
}
