//! Writing the read model's rows: a patrol's entry and place, a finding, a case, a tip, and the
//! places a zone's new version moves (found through the township index, not by a scan).

use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeSet;
use sync_protocol::body::{CaseSource, ZoneDefined};
use sync_protocol::fold::{Case, Tip};
use sync_protocol::ids::{EventId, UnitId};
use sync_protocol::ledger::PatrolEntry;
use sync_protocol::read_model::FindingRow;
use sync_protocol::values::IsoWeek;
use sync_protocol::zones::ZoneVersions;

use crate::store::sqlite::StoreError;

fn json<T: serde::Serialize>(what: &'static str, v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::encode(what, e))
}

/// Whether any event is filed under `key`.
pub fn has_filed(conn: &Connection, key: &EventId) -> Result<bool, StoreError> {
    Ok(conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM report_filed WHERE entity = ?1)")?.query_row([key.0.as_bytes()], |r| r.get(0))?)
}

/// The patrol a known finding is on.
pub fn patrol_of_finding(conn: &Connection, finding: &EventId) -> Result<Option<EventId>, StoreError> {
    let patrol: Option<Vec<u8>> = conn
        .prepare_cached("SELECT patrol FROM report_findings WHERE id = ?1")?
        .query_row([finding.0.as_bytes()], |r| r.get(0))
        .optional()?;
    patrol.map(|p| id(&p, "report_findings")).transpose()
}

pub fn id(bytes: &[u8], table: &'static str) -> Result<EventId, StoreError> {
    uuid::Uuid::from_slice(bytes).map(EventId).map_err(|_| StoreError::corrupt(table, "bad id"))
}

/// Writes a patrol's entry, start, week and place; migration 0016's triggers count it in its
/// officer's week.
pub fn put_patrol(conn: &Connection, places: &ZoneVersions, e: &PatrolEntry) -> Result<(), StoreError> {
    let place = places.place_at(&e.zone, e.started_at);
    conn.prepare_cached(
        "INSERT INTO patrols (id, author, zone, started_at, village, township, entry, week) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET author = excluded.author, zone = excluded.zone, started_at = excluded.started_at,
             village = excluded.village, township = excluded.township, entry = excluded.entry, week = excluded.week",
    )?
    .execute(params![
        e.patrol.0.as_bytes(),
        e.officer.as_str(),
        e.zone.as_str(),
        e.started_at,
        place.map(|p| p.village.as_str()),
        place.map(|p| p.township.as_str()),
        json("a ledger entry", e)?,
        IsoWeek::of_ms(e.started_at).to_string(),
    ])?;
    Ok(())
}

pub fn put_finding(conn: &Connection, places: &ZoneVersions, f: &FindingRow) -> Result<(), StoreError> {
    let township = places.place_at(&f.zone, f.observed_at).map(|p| p.township.as_str());
    conn.prepare_cached(
        "INSERT OR REPLACE INTO report_findings (id, patrol, officer, zone, township, observed_at, stopped_on_spot)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        f.id.0.as_bytes(),
        f.patrol.0.as_bytes(),
        f.officer.as_str(),
        f.zone.as_str(),
        township,
        f.observed_at,
        f.stopped_on_spot
    ])?;
    Ok(())
}

/// The id of a case's source (the finding or tip it was opened on).
pub fn source_id(source: &CaseSource) -> EventId {
    match source {
        CaseSource::Finding(f) => *f,
        CaseSource::Tip(t) => *t,
    }
}

pub fn put_case(conn: &Connection, id: &EventId, case: Option<&Case>) -> Result<(), StoreError> {
    let Some(c) = case else {
        conn.prepare_cached("DELETE FROM report_cases WHERE id = ?1")?.execute([id.0.as_bytes()])?;
        return Ok(());
    };
    conn.prepare_cached(
        "INSERT OR REPLACE INTO report_cases (id, source, township, closed, opened_at, stopped_at, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id.0.as_bytes(),
        source_id(&c.source).0.as_bytes(),
        c.township.as_str(),
        c.is_closed(),
        c.opened_at,
        c.stopped_at,
        json("a case", c)?
    ])?;
    Ok(())
}

pub fn put_tip(conn: &Connection, id: &EventId, tip: Option<&Tip>) -> Result<(), StoreError> {
    let Some(t) = tip else {
        conn.prepare_cached("DELETE FROM report_tips WHERE id = ?1")?.execute([id.0.as_bytes()])?;
        return Ok(());
    };
    conn.prepare_cached("INSERT OR REPLACE INTO report_tips (id, township, open, state) VALUES (?1, ?2, ?3, ?4)")?.execute(params![
        id.0.as_bytes(),
        t.township.as_str(),
        t.is_open(),
        json("a tip", t)?
    ])?;
    Ok(())
}

/// Adds a version of a zone and places again the patrols and findings in the period it holds.
/// They lie in a township the zone had before, or in none: the township index finds them.
pub fn define_zone(conn: &Connection, places: &mut ZoneVersions, z: &ZoneDefined) -> Result<(), StoreError> {
    let before: BTreeSet<UnitId> =
        places.iter().filter(|(id, _)| **id == z.zone).flat_map(|(_, v)| v.iter().map(|p| p.township.clone())).collect();
    let (from, until) = places.define(z);
    conn.prepare_cached(
        "INSERT INTO zone_versions (zone, valid_from, village, township) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (zone, valid_from) DO UPDATE SET village = excluded.village, township = excluded.township",
    )?
    .execute(params![z.zone.as_str(), z.valid_from, z.village.as_str(), z.township.as_str()])?;
    let until = until.unwrap_or(i64::MAX);
    let mut patrols = conn.prepare_cached(
        "UPDATE patrols SET village = ?1, township = ?2
         WHERE township IS ?3 AND zone = ?4 AND started_at >= ?5 AND started_at < ?6",
    )?;
    let mut findings = conn.prepare_cached(
        "UPDATE report_findings SET township = ?1 WHERE township IS ?2 AND zone = ?3 AND observed_at >= ?4 AND observed_at < ?5",
    )?;
    for old in before.iter().map(Some).chain([None]) {
        let old = old.map(UnitId::as_str);
        patrols.execute(params![z.village.as_str(), z.township.as_str(), old, z.zone.as_str(), from, until])?;
        findings.execute(params![z.township.as_str(), old, z.zone.as_str(), from, until])?;
    }
    Ok(())
}
