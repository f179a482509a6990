//! What the reports read from the read model, on a reader: each query walks an index range the
//! size of its answer (a week's officers' counts and findings, a township's backlog) plus the
//! reference, never the whole log; the ledger's rows are `ledger`'s.

use crate::args;
use crate::store::sql::Sql;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{BTreeMap, BTreeSet};
use sync_protocol::body::{AssignmentSet, Role};
use sync_protocol::compliance::{FindingFact, OpenTip, PatrolTally, WeekFacts};
use sync_protocol::fold::{Case, Tip};
use sync_protocol::ids::{UnitId, UserId};
use sync_protocol::read_model::FindingRow;
use sync_protocol::values::IsoWeek;
use sync_protocol::zones::{Assignments, ZonePlace, ZoneVersions};

use super::rows::id;
use crate::store::reports::{Backlog, Directory};
use crate::store::sqlite::StoreError;

pub(super) fn parse<T: std::str::FromStr>(s: &str, table: &'static str) -> Result<T, StoreError> {
    s.parse().map_err(|_| StoreError::corrupt(table, format!("bad value {s:?}")))
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(s: &str, table: &'static str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::corrupt(table, e.to_string()))
}

/// Units, users' roles, assignments (in log order) and zone versions.
pub fn directory(conn: &Connection) -> Result<Directory, StoreError> {
    let mut d = Directory::default();
    let mut stmt = conn.prepare_cached("SELECT id, parent FROM units")?;
    for r in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))? {
        let (unit, parent) = r?;
        d.parents.insert(parse(&unit, "units")?, parent.map(|p| parse(&p, "units")).transpose()?);
    }
    let mut stmt = conn.prepare_cached("SELECT id, role FROM users")?;
    for r in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (user, role) = r?;
        d.roles.insert(parse(&user, "users")?, Role::parse(&role).ok_or_else(|| StoreError::corrupt("users", "bad role"))?);
    }
    d.assignments = assignments(conn)?;
    d.zones = zones(conn)?;
    Ok(d)
}

fn assignments(conn: &Connection) -> Result<Assignments, StoreError> {
    let mut a = Assignments::default();
    let mut stmt = conn.prepare_cached("SELECT officer, zone, valid_from FROM assignments ORDER BY server_seq")?;
    for r in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, i64>(2)?)))? {
        let (officer, zone, from) = r?;
        let zone = zone.map(|z| parse(&z, "assignments")).transpose()?;
        a.set(&AssignmentSet { officer: parse(&officer, "assignments")?, zone, from, by: None });
    }
    Ok(a)
}

/// Every zone's versions as stored.
pub fn zones(conn: &dyn Sql) -> Result<ZoneVersions, StoreError> {
    let mut z = ZoneVersions::default();
    for r in conn.all("SELECT zone, valid_from, village, township FROM zone_versions", args![])? {
        let (zone, valid_from, village, township) = (r.get::<String>(0)?, r.get::<i64>(1)?, r.get::<String>(2)?, r.get::<String>(3)?);
        let place = ZonePlace { valid_from, village: parse(&village, "zone_versions")?, township: parse(&township, "zone_versions")? };
        z.insert(parse(&zone, "zone_versions")?, place);
    }
    Ok(z)
}

/// What compliance reads for `week`.
pub fn week_facts(conn: &Connection, week: IsoWeek) -> Result<WeekFacts, StoreError> {
    let (start, end) = week.bounds_ms();
    let mut f = WeekFacts::default();
    let mut stmt = conn.prepare_cached("SELECT id FROM users WHERE role = 'village_officer'")?;
    for u in stmt.query_map([], |r| r.get::<_, String>(0))? {
        f.enrolled.insert(parse(&u?, "users")?);
    }
    f.assignments = assignments(conn)?;
    f.patrols = patrol_tallies(conn, week, &f.assignments)?;
    let mut stmt = conn.prepare_cached(
        "SELECT f.id, f.officer, f.township, f.observed_at, f.stopped_on_spot,
                (SELECT min(c.opened_at) FROM report_cases c WHERE c.source = f.id),
                (SELECT min(c.stopped_at) FROM report_cases c WHERE c.source = f.id)
         FROM report_findings f WHERE f.observed_at >= ?1 AND f.observed_at < ?2",
    )?;
    let rows = stmt.query_map([start, end], |r| {
        Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
    })?;
    for r in rows {
        let (finding, officer, township, observed_at, stopped_on_spot, received_at, stopped_at) = r?;
        f.findings.push(FindingFact {
            id: id(&finding, "report_findings")?,
            officer: parse(&officer, "report_findings")?,
            township: township.map(|t| parse(&t, "report_findings")).transpose()?,
            observed_at,
            stopped_on_spot,
            received_at,
            stopped_at,
        });
    }
    let mut stmt = conn.prepare_cached("SELECT DISTINCT officer FROM zero_reports WHERE week = ?1")?;
    for o in stmt.query_map([week.to_string()], |r| r.get::<_, String>(0))? {
        f.zero_reports.insert(parse(&o?, "zero_reports")?);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT officer, count(*) FROM flags WHERE week = ?1 AND cleared_at IS NULL AND officer IS NOT NULL GROUP BY officer",
    )?;
    for r in stmt.query_map([week.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))? {
        let (officer, n) = r?;
        f.flags.insert(parse(&officer, "flags")?, n);
    }
    f.zones = zones(conn)?;
    f.open_cases = open_cases(conn, None)?;
    let mut stmt = conn.prepare_cached("SELECT id, township FROM report_tips WHERE open = 1")?;
    for r in stmt.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?)))? {
        let (tip, township) = r?;
        f.open_tips.push(OpenTip { id: id(&tip, "report_tips")?, township: parse(&township, "report_tips")? });
    }
    let mut stmt = conn.prepare_cached("SELECT DISTINCT township FROM report_cases UNION SELECT DISTINCT township FROM report_tips")?;
    for t in stmt.query_map([], |r| r.get::<_, String>(0))? {
        f.case_townships.insert(parse(&t?, "report_cases")?);
    }
    Ok(f)
}

/// Each officer's patrols of `week` as the store keeps them counted (migration 0016): one row per
/// officer. The zone of the week's last patrol is read only for an officer with no zone assigned
/// at the week's end, the one case where it places their week.
fn patrol_tallies(conn: &Connection, week: IsoWeek, assignments: &Assignments) -> Result<BTreeMap<UserId, PatrolTally>, StoreError> {
    let (start, end) = week.bounds_ms();
    let mut tallies = BTreeMap::new();
    let mut stmt = conn.prepare_cached("SELECT officer, patrols, counting, unchecked FROM report_officer_weeks WHERE week = ?1")?;
    let rows = stmt.query_map([week.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    for r in rows {
        let (officer, patrols, counting, unchecked) = r?;
        tallies.insert(parse::<UserId>(&officer, "report_officer_weeks")?, PatrolTally { patrols, counting, unchecked, last_zone: None });
    }
    let mut last = conn.prepare_cached(
        "SELECT zone FROM patrols WHERE author = ?1 AND started_at >= ?2 AND started_at < ?3 AND entry IS NOT NULL ORDER BY id DESC LIMIT 1",
    )?;
    for (officer, tally) in tallies.iter_mut().filter(|(o, _)| assignments.zone_at(o, end - 1).is_none()) {
        let zone: Option<String> = last.query_row(params![officer.as_str(), start, end], |r| r.get(0)).optional()?;
        tally.last_zone = zone.map(|z| parse(&z, "patrols")).transpose()?;
    }
    Ok(tallies)
}

/// The cases not closed, of one township or of all.
fn open_cases(conn: &Connection, township: Option<&UnitId>) -> Result<Vec<Case>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT state FROM report_cases WHERE closed = 0 AND (?1 IS NULL OR township = ?1) ORDER BY id")?;
    let states = stmt.query_map([township.map(UnitId::as_str)], |r| r.get::<_, String>(0))?;
    states.map(|s| from_json(&s?, "report_cases")).collect()
}

/// Every case of `townships` (of the county when `None`), open or closed, by id.
pub fn cases(conn: &Connection, townships: Option<&BTreeSet<UnitId>>) -> Result<Vec<Case>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT state FROM report_cases WHERE ?1 IS NULL OR township IN (SELECT value FROM json_each(?1)) ORDER BY id")?;
    let wanted = townships.map(serde_json::to_string).transpose().map_err(|e| StoreError::encode("townships", e))?;
    let states = stmt.query_map([wanted], |r| r.get::<_, String>(0))?;
    states.map(|s| from_json(&s?, "report_cases")).collect()
}

/// What is outstanding in `township`.
pub fn backlog(conn: &Connection, township: &UnitId) -> Result<Backlog, StoreError> {
    let mut b = Backlog { open_cases: open_cases(conn, Some(township))?, ..Backlog::default() };
    let mut stmt = conn.prepare_cached(
        "SELECT f.id, f.patrol, f.officer, f.zone, f.observed_at, f.stopped_on_spot FROM report_findings f
         WHERE f.township = ?1 AND NOT EXISTS (SELECT 1 FROM report_cases c WHERE c.source = f.id) ORDER BY f.observed_at, f.id",
    )?;
    let rows = stmt.query_map([township.as_str()], |r| {
        Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get(4)?, r.get(5)?))
    })?;
    for r in rows {
        let (finding, patrol, officer, zone, observed_at, stopped_on_spot) = r?;
        b.findings_not_received.push(FindingRow {
            id: id(&finding, "report_findings")?,
            patrol: id(&patrol, "report_findings")?,
            officer: parse(&officer, "report_findings")?,
            zone: parse(&zone, "report_findings")?,
            observed_at,
            stopped_on_spot,
        });
    }
    let mut stmt = conn.prepare_cached("SELECT state FROM report_tips WHERE township = ?1 AND open = 1 ORDER BY id")?;
    let tips: Vec<Tip> =
        stmt.query_map([township.as_str()], |r| r.get::<_, String>(0))?.map(|s| from_json(&s?, "report_tips")).collect::<Result<_, _>>()?;
    let mut cases = conn.prepare_cached("SELECT id FROM report_cases WHERE source = ?1 ORDER BY id")?;
    for tip in tips {
        let ids = cases.query_map([tip.id.0.as_bytes()], |r| r.get::<_, Vec<u8>>(0))?;
        let ids = ids.map(|c| id(&c?, "report_cases")).collect::<Result<Vec<_>, _>>()?;
        b.open_tips.push((tip, ids));
    }
    Ok(b)
}
