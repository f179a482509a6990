//! What the reports read from the read model, on a reader: each query walks an index range the
//! size of its answer (a week's officers' counts and findings, a township's backlog) plus the
//! reference, never the whole log; the ledger's rows are `ledger`'s.

use crate::args;
use crate::store::sql::{Engine, Sql};
use std::collections::BTreeMap;
use sync_protocol::body::{AssignmentSet, Role};
use sync_protocol::compliance::{FindingFact, OpenTip, PatrolTally, WeekFacts};
use sync_protocol::fold::{Case, Tip};
use sync_protocol::ids::{UnitId, UserId};
use sync_protocol::read_model::FindingRow;
use sync_protocol::values::IsoWeek;
use sync_protocol::zones::{Assignments, ZonePlace, ZoneVersions};

use super::rows::id;
use crate::store::StoreError;
use crate::store::reports::{Backlog, Directory};

pub(crate) fn parse<T: std::str::FromStr>(s: &str, table: &'static str) -> Result<T, StoreError> {
    s.parse().map_err(|_| StoreError::corrupt(table, format!("bad value {s:?}")))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(s: &str, table: &'static str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::corrupt(table, e.to_string()))
}

/// Units, users' roles, assignments (in log order) and zone versions.
pub fn directory(conn: &dyn Sql) -> Result<Directory, StoreError> {
    let mut d = Directory::default();
    for r in conn.all("SELECT id, parent FROM units", args![])? {
        let (unit, parent) = (r.get::<String>(0)?, r.get::<Option<String>>(1)?);
        d.parents.insert(parse(&unit, "units")?, parent.map(|p| parse(&p, "units")).transpose()?);
    }
    for r in conn.all("SELECT id, role FROM users", args![])? {
        let (user, role) = (r.get::<String>(0)?, r.get::<String>(1)?);
        d.roles.insert(parse(&user, "users")?, Role::parse(&role).ok_or_else(|| StoreError::corrupt("users", "bad role"))?);
    }
    d.assignments = assignments(conn)?;
    d.zones = zones(conn)?;
    Ok(d)
}

fn assignments(conn: &dyn Sql) -> Result<Assignments, StoreError> {
    let mut a = Assignments::default();
    for r in conn.all("SELECT officer, zone, valid_from FROM assignments ORDER BY server_seq", args![])? {
        let (officer, zone, from) = (r.get::<String>(0)?, r.get::<Option<String>>(1)?, r.get::<i64>(2)?);
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
pub fn week_facts(conn: &dyn Sql, week: IsoWeek) -> Result<WeekFacts, StoreError> {
    let (start, end) = week.bounds_ms();
    let mut f = WeekFacts::default();
    for r in conn.all("SELECT id FROM users WHERE role = 'village_officer'", args![])? {
        f.enrolled.insert(parse(&r.get::<String>(0)?, "users")?);
    }
    f.assignments = assignments(conn)?;
    f.patrols = patrol_tallies(conn, week, &f.assignments)?;
    f.findings = week_findings(conn, start, end)?;
    for r in conn.all("SELECT DISTINCT officer FROM zero_reports WHERE week = ?1", args![week.to_string()])? {
        f.zero_reports.insert(parse(&r.get::<String>(0)?, "zero_reports")?);
    }
    let open_flags = "SELECT officer, count(*) FROM flags WHERE week = ?1 AND cleared_at IS NULL AND officer IS NOT NULL GROUP BY officer";
    for r in conn.all(open_flags, args![week.to_string()])? {
        f.flags.insert(parse(&r.get::<String>(0)?, "flags")?, r.get::<u32>(1)?);
    }
    f.zones = zones(conn)?;
    f.open_cases = open_cases(conn, None)?;
    for r in conn.all(OPEN_TIPS, args![])? {
        f.open_tips.push(OpenTip { id: id(&r.get::<Vec<u8>>(0)?, "report_tips")?, township: parse(&r.get::<String>(1)?, "report_tips")? });
    }
    for table in ["report_cases", "report_tips"] {
        for r in conn.all(&townships_of(table), args![])? {
            f.case_townships.insert(parse(&r.get::<String>(0)?, table)?);
        }
    }
    Ok(f)
}

// The conditions of open cases and tips are written as their partial indexes' (migration 0019),
// `NOT closed` and `open`: SQLite uses a partial index only for a query that states its condition.
// They are put in id order here: asked to, SQLite would rather read every case in key order.
const OPEN_CASES: &str = "SELECT state FROM report_cases WHERE NOT closed";
const OPEN_TIPS: &str = "SELECT id, township FROM report_tips WHERE open";
const CASES_OPEN: (&str, &str, &str) = ("report_cases", "report_cases_open", "NOT closed");
const TIPS_OPEN: (&str, &str, &str) = ("report_tips", "report_tips_open", "open");

/// A township's open cases or tips (`(table, index, condition)`) through the partial index of the
/// open ones, which SQLite is told (`INDEXED BY`): without statistics it would as soon read every
/// case or tip of the township through the index by township (0019).
fn open_in_township(engine: Engine, (table, index, open): (&str, &str, &str)) -> String {
    let indexed = if engine == Engine::Sqlite { format!("INDEXED BY {index}") } else { String::new() };
    format!("SELECT state FROM {table} {indexed} WHERE {open} AND township = ?1")
}

/// The distinct townships of `table` (cases or tips), one index seek each (a loose index scan,
/// which neither engine makes of a `DISTINCT`): its cost is the townships, not the rows.
fn townships_of(table: &str) -> String {
    format!(
        "WITH RECURSIVE t(township) AS (
             SELECT min(township) FROM {table}
             UNION ALL
             SELECT (SELECT min(township) FROM {table} WHERE township > t.township) FROM t WHERE t.township IS NOT NULL)
         SELECT township FROM t WHERE township IS NOT NULL"
    )
}

/// The findings observed in `[start, end)`, with their cases' first times.
fn week_findings(conn: &dyn Sql, start: i64, end: i64) -> Result<Vec<FindingFact>, StoreError> {
    let sql = "SELECT f.id, f.officer, f.township, f.observed_at, f.stopped_on_spot,
                (SELECT min(c.opened_at) FROM report_cases c WHERE c.source = f.id),
                (SELECT min(c.stopped_at) FROM report_cases c WHERE c.source = f.id)
         FROM report_findings f WHERE f.observed_at >= ?1 AND f.observed_at < ?2";
    let mut findings = Vec::new();
    for r in conn.all(sql, args![start, end])? {
        findings.push(FindingFact {
            id: id(&r.get::<Vec<u8>>(0)?, "report_findings")?,
            officer: parse(&r.get::<String>(1)?, "report_findings")?,
            township: r.get::<Option<String>>(2)?.map(|t| parse(&t, "report_findings")).transpose()?,
            observed_at: r.get(3)?,
            stopped_on_spot: r.get(4)?,
            received_at: r.get(5)?,
            stopped_at: r.get(6)?,
        });
    }
    Ok(findings)
}

/// Each officer's patrols of `week` as the store keeps them counted (migration 0016): one row per
/// officer. The zone of the week's last patrol is read only for an officer with no zone assigned
/// at the week's end, the one case where it places their week.
fn patrol_tallies(conn: &dyn Sql, week: IsoWeek, assignments: &Assignments) -> Result<BTreeMap<UserId, PatrolTally>, StoreError> {
    let (start, end) = week.bounds_ms();
    let mut tallies = BTreeMap::new();
    let sql = "SELECT officer, patrols, counting, unchecked FROM report_officer_weeks WHERE week = ?1";
    for r in conn.all(sql, args![week.to_string()])? {
        let tally = PatrolTally { patrols: r.get(1)?, counting: r.get(2)?, unchecked: r.get(3)?, last_zone: None };
        tallies.insert(parse::<UserId>(&r.get::<String>(0)?, "report_officer_weeks")?, tally);
    }
    let last = "SELECT zone FROM patrols WHERE author = ?1 AND started_at >= ?2 AND started_at < ?3 AND entry IS NOT NULL
                ORDER BY id DESC LIMIT 1";
    for (officer, tally) in tallies.iter_mut().filter(|(o, _)| assignments.zone_at(o, end - 1).is_none()) {
        let zone: Option<String> = conn.optional(last, args![officer.as_str(), start, end])?.map(|r| r.get(0)).transpose()?;
        tally.last_zone = zone.map(|z| parse(&z, "patrols")).transpose()?;
    }
    Ok(tallies)
}

/// The cases not closed, of one township or of all.
fn open_cases(conn: &dyn Sql, township: Option<&UnitId>) -> Result<Vec<Case>, StoreError> {
    let rows = match township {
        Some(t) => conn.all(&open_in_township(conn.engine(), CASES_OPEN), args![t.as_str()])?,
        None => conn.all(OPEN_CASES, args![])?,
    };
    let mut cases = rows.iter().map(|r| from_json(&r.get::<String>(0)?, "report_cases")).collect::<Result<Vec<Case>, _>>()?;
    cases.sort_by_key(|c| c.id);
    Ok(cases)
}

/// What is outstanding in `township`.
pub fn backlog(conn: &dyn Sql, township: &UnitId) -> Result<Backlog, StoreError> {
    let mut b = Backlog { open_cases: open_cases(conn, Some(township))?, ..Backlog::default() };
    let sql = "SELECT f.id, f.patrol, f.officer, f.zone, f.observed_at, f.stopped_on_spot FROM report_findings f
         WHERE f.township = ?1 AND NOT EXISTS (SELECT 1 FROM report_cases c WHERE c.source = f.id) ORDER BY f.observed_at, f.id";
    for r in conn.all(sql, args![township.as_str()])? {
        b.findings_not_received.push(FindingRow {
            id: id(&r.get::<Vec<u8>>(0)?, "report_findings")?,
            patrol: id(&r.get::<Vec<u8>>(1)?, "report_findings")?,
            officer: parse(&r.get::<String>(2)?, "report_findings")?,
            zone: parse(&r.get::<String>(3)?, "report_findings")?,
            observed_at: r.get(4)?,
            stopped_on_spot: r.get(5)?,
        });
    }
    let tips = conn.all(&open_in_township(conn.engine(), TIPS_OPEN), args![township.as_str()])?;
    let mut tips = tips.iter().map(|r| from_json(&r.get::<String>(0)?, "report_tips")).collect::<Result<Vec<Tip>, _>>()?;
    tips.sort_by_key(|t| t.id);
    let mut cases = super::cases::tip_cases(conn, None, &tips.iter().map(|t| t.id).collect::<Vec<_>>())?;
    b.open_tips.extend(tips.into_iter().map(|tip| {
        let ids = cases.remove(&tip.id).unwrap_or_default();
        (tip, ids)
    }));
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::plan::{plan, scans_all_of, uses};

    fn reader() -> Result<(tempfile::TempDir, rusqlite::Connection), Box<dyn std::error::Error>> {
        crate::store::sqlite::plan::empty_store_reader()
    }

    /// Open cases and tips, of the county or of one township, are read through their partial
    /// indexes: the closed ones are never visited (they were, `NOT closed` against `closed = 0`).
    #[test]
    fn open_cases_and_tips_are_read_through_their_partial_indexes() -> Result<(), Box<dyn std::error::Error>> {
        let (_dir, reader) = reader()?;
        for (sql, table, index) in [
            (OPEN_CASES.to_owned(), "report_cases", "report_cases_open"),
            (open_in_township(Engine::Sqlite, CASES_OPEN), "report_cases", "report_cases_open"),
            (OPEN_TIPS.to_owned(), "report_tips", "report_tips_open"),
            (open_in_township(Engine::Sqlite, TIPS_OPEN), "report_tips", "report_tips_open"),
        ] {
            let plan = plan(&reader, &sql)?;
            assert!(uses(&plan, table, index), "{sql}: {plan:?}");
            assert!(!scans_all_of(&plan, table, &[index]), "{sql}: {plan:?}");
        }
        Ok(())
    }

    /// The townships that have cases or tips are sought one by one in an index, never by reading
    /// every case and tip.
    #[test]
    fn townships_with_cases_are_sought_in_an_index() -> Result<(), Box<dyn std::error::Error>> {
        let (_dir, reader) = reader()?;
        for (table, index) in [("report_cases", "report_cases_by_township"), ("report_tips", "report_tips_by_township")] {
            let plan = plan(&reader, &townships_of(table))?;
            assert!(uses(&plan, table, index), "{table}: {plan:?}");
            assert!(!scans_all_of(&plan, table, &[]), "{table}: {plan:?}");
        }
        Ok(())
    }

    /// The townships read one by one are every township of a case or a tip, once each.
    #[test]
    fn townships_with_cases_are_each_township_once() -> Result<(), Box<dyn std::error::Error>> {
        let (_dir, reader) = reader()?;
        let writer = rusqlite::Connection::open(reader.path().ok_or("no path")?)?;
        for (i, township) in ["T02", "T01", "T02", "T03"].iter().enumerate() {
            let closed = i % 2 == 0;
            writer.execute(
                "INSERT INTO report_cases (id, source, township, closed, opened_at, state) VALUES (?1, ?1, ?2, ?3, 0, '{}')",
                rusqlite::params![vec![i as u8], township, closed],
            )?;
        }
        writer.execute("INSERT INTO report_tips (id, township, open, state) VALUES (x'01', 'T04', 1, '{}')", [])?;
        let townships = |table| -> Result<Vec<String>, Box<dyn std::error::Error>> {
            Ok(reader.prepare(&townships_of(table))?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
        };
        assert_eq!(townships("report_cases")?, ["T01", "T02", "T03"]);
        assert_eq!(townships("report_tips")?, ["T04"]);
        Ok(())
    }
}
