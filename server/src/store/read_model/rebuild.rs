//! The read model recomputed from the log: `rebuild` empties its rows and applies every accepted
//! event again in log order (in the caller's write transaction, on either engine); `verify`
//! recomputes every group's rows apart, from the events alone, and compares them with the stored
//! rows, without writing (`patrolsync-server audit read-model`), and each patrol's kept ledger
//! row with the row built again from its entry and the stored facts.

use std::collections::{BTreeSet, HashMap};
use sync_protocol::body::Body;
use sync_protocol::event::Event;
use sync_protocol::ids::EventId;
use sync_protocol::read_model::{Filed, Refold, case_group, group_events, patrol_group, tip_group, touch};
use sync_protocol::values::IsoWeek;
pub use sync_protocol::wire::audit::ReadModelCheck;
use sync_protocol::zones::ZoneVersions;

use super::rows::source_id;
use super::{Log, parse};
use crate::args;
use crate::store::StoreError;
use crate::store::sql::Sql;

/// The read model's version in `meta`; a store without it (or with another) is rebuilt on open.
/// Version 2: patrols carry their week, which the officers' weekly counts (migration 0016) key on.
pub const VERSION: &[u8] = b"2";

/// What empties the read model, in order (the officers' weekly counts last: emptying the patrols'
/// entries moves them through their triggers).
const EMPTY: [&str; 8] = [
    "DELETE FROM report_filed",
    "DELETE FROM report_findings",
    "DELETE FROM report_cases",
    "DELETE FROM report_tips",
    "DELETE FROM zero_reports",
    "DELETE FROM zone_versions",
    "UPDATE patrols SET started_at = NULL, village = NULL, township = NULL, entry = NULL, week = NULL",
    "DELETE FROM report_officer_weeks",
];

/// Empties the read model and applies every accepted event again, in log order, then records
/// this version of it as built: all in the caller's one write transaction (SQLite's
/// `sqlite::rebuild`, PostgreSQL's holding the writer role). Returns how many events it applied.
pub fn rebuild(conn: &dyn Sql) -> Result<u64, StoreError> {
    for statement in EMPTY {
        conn.run(statement, args![])?;
    }
    let applied = reapply(conn)?;
    super::kept::write_due(conn)?;
    crate::store::evidence_rows::rebuild_missing(conn)?;
    conn.run(
        "INSERT INTO meta (key, value) VALUES ('read_model', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        args![VERSION],
    )?;
    Ok(applied)
}

/// Applies every accepted event to the emptied read model, in log order; how many it applied.
fn reapply(conn: &dyn Sql) -> Result<u64, StoreError> {
    let mut places = ZoneVersions::default();
    let mut applied = 0;
    conn.each("SELECT server_seq, raw FROM events WHERE accepted ORDER BY server_seq", args![], &mut |row| {
        let (seq, event) = (row.get::<i64>(0)?, parse(&row.get::<String>(1)?)?);
        super::apply(conn, (&mut places, &mut super::Filings::default()), &event, &body_of(&event)?, (seq, None))?;
        applied += 1;
        Ok(())
    })?;
    Ok(applied)
}

fn body_of(event: &Event) -> Result<Body, StoreError> {
    Body::parse(&event.kind, &event.body).map_err(|e| StoreError::corrupt("events", format!("{}: {e}", event.id)))
}

/// The groups of the log, found from the events alone.
#[derive(Default)]
struct Groups {
    filed: HashMap<EventId, Vec<i64>>,
    patrols: BTreeSet<EventId>,
    cases: BTreeSet<EventId>,
    tips: BTreeSet<EventId>,
    /// Each zero report's id, week and officer.
    zero_reports: BTreeSet<ZeroReportCells>,
    places: ZoneVersions,
    events: u64,
}

/// The group events, read by the groups found apart from the stored filing.
struct Found<'a> {
    conn: &'a dyn Sql,
    groups: &'a Groups,
}

impl Filed<StoreError> for Found<'_> {
    fn event(&mut self, id: &EventId) -> Result<Option<Event>, StoreError> {
        Log(self.conn).event(id)
    }

    fn filed_under(&mut self, key: &EventId) -> Result<Vec<Event>, StoreError> {
        let seqs = self.groups.filed.get(key).map(Vec::as_slice).unwrap_or(&[]);
        seqs.iter().map(|s| parse(&self.conn.one("SELECT raw FROM events WHERE server_seq = ?1", args![*s])?.get::<String>(0)?)).collect()
    }
}

fn groups(conn: &dyn Sql) -> Result<Groups, StoreError> {
    let mut g = Groups::default();
    conn.each("SELECT server_seq, raw FROM events WHERE accepted ORDER BY server_seq", args![], &mut |row| {
        let (seq, event) = (row.get::<i64>(0)?, parse(&row.get::<String>(1)?)?);
        let body = body_of(&event)?;
        let t = touch(event.id, &body);
        if let Some(key) = t.filed_under {
            g.filed.entry(key).or_default().push(seq);
        }
        match (t.refold, &body) {
            (Refold::Patrol(p), _) => {
                g.patrols.insert(p);
            }
            (Refold::Case(c), _) => {
                g.cases.insert(c);
            }
            (Refold::Tip(t), _) => {
                g.tips.insert(t);
            }
            (Refold::ZeroReport(o, w), body) => {
                let zone = match body {
                    Body::ZeroReportFiled(z) => z.zone.as_ref().map(|z| z.to_string()),
                    _ => None,
                };
                g.zero_reports.insert((
                    event.id.0.as_bytes().to_vec(),
                    event.device_id.0.as_bytes().to_vec(),
                    o.to_string(),
                    w.to_string(),
                    zone,
                ));
            }
            (Refold::Zone, Body::ZoneDefined(z)) => {
                g.places.define(z);
            }
            _ => {}
        }
        g.events += 1;
        Ok(())
    })?;
    Ok(g)
}

/// Recomputes every row from the events and compares it with the stored one.
pub fn verify(conn: &dyn Sql) -> Result<ReadModelCheck, StoreError> {
    let g = groups(conn)?;
    let mut check = ReadModelCheck { events: g.events, ..ReadModelCheck::default() };
    let mut differ = |what: String| {
        check.differences += 1;
        if check.examples.len() < 20 {
            check.examples.push(what);
        }
    };
    let (mut patrols, mut findings) = (0u64, 0u64);
    for p in &g.patrols {
        let events = group_events(&mut Found { conn, groups: &g }, p, true)?;
        let group = patrol_group(p, &events);
        if let Some(entry) = &group.patrol {
            patrols += 1;
            let place = g.places.place_at(&entry.zone, entry.started_at);
            let expected = PatrolCells {
                author: entry.officer.to_string(),
                zone: entry.zone.to_string(),
                started_at: Some(entry.started_at),
                village: place.map(|x| x.village.to_string()),
                township: place.map(|x| x.township.to_string()),
                entry: Some(json(entry)?),
                week: Some(IsoWeek::of_ms(entry.started_at).to_string()),
            };
            if stored_patrol(conn, p)? != Some(expected) {
                differ(format!("patrol {p}"));
            }
        }
        for f in &group.findings {
            findings += 1;
            let township = g.places.place_at(&f.zone, f.observed_at).map(|x| x.township.to_string());
            let expected =
                (f.patrol.0.as_bytes().to_vec(), f.officer.to_string(), f.zone.to_string(), township, f.observed_at, f.stopped_on_spot);
            if stored_finding(conn, &f.id)? != Some(expected) {
                differ(format!("finding {}", f.id));
            }
        }
    }
    let mut cases = 0u64;
    for c in &g.cases {
        let expected = case_group(c, &group_events(&mut Found { conn, groups: &g }, c, false)?);
        cases += u64::from(expected.is_some());
        let expected = expected
            .map(|x| {
                let key = (source_id(&x.source).0.as_bytes().to_vec(), x.township.to_string(), x.is_closed(), x.opened_at, x.stopped_at);
                Ok::<_, StoreError>((key, json(&x)?))
            })
            .transpose()?;
        let sql = "SELECT source, township, closed, opened_at, stopped_at, state FROM report_cases WHERE id = ?1";
        if stored_case(conn, sql, c)? != expected {
            differ(format!("case {c}"));
        }
    }
    let mut tips = 0u64;
    for t in &g.tips {
        let expected = tip_group(t, &group_events(&mut Found { conn, groups: &g }, t, false)?);
        tips += u64::from(expected.is_some());
        let expected = expected.map(|x| Ok::<_, StoreError>(((x.township.to_string(), x.is_open()), json(&x)?))).transpose()?;
        if stored_tip(conn, "SELECT township, open, state FROM report_tips WHERE id = ?1", t)? != expected {
            differ(format!("tip {t}"));
        }
    }
    let zero: BTreeSet<ZeroReportCells> = conn
        .all("SELECT report, device_id, officer, week, zone FROM zero_reports", args![])?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .collect::<Result<_, StoreError>>()?;
    if zero != g.zero_reports {
        let differing = zero.symmetric_difference(&g.zero_reports).count();
        differ(format!("zero reports: {} stored, {} in the log, {differing} rows differ", zero.len(), g.zero_reports.len()));
    }
    let versions: BTreeSet<(String, i64, String, String)> = g
        .places
        .iter()
        .flat_map(|(zone, v)| v.iter().map(move |p| (zone.to_string(), p.valid_from, p.village.to_string(), p.township.to_string())))
        .collect();
    let stored_versions: BTreeSet<(String, i64, String, String)> = conn
        .all("SELECT zone, valid_from, village, township FROM zone_versions", args![])?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .collect::<Result<_, StoreError>>()?;
    if stored_versions != versions {
        let differing = stored_versions.symmetric_difference(&versions).count();
        differ(format!("zone versions: {differing} rows differ from the zones defined in the log"));
    }
    let filed: BTreeSet<(Vec<u8>, i64)> =
        g.filed.iter().flat_map(|(key, seqs)| seqs.iter().map(move |seq| (key.0.as_bytes().to_vec(), *seq))).collect();
    let stored_filed: BTreeSet<(Vec<u8>, i64)> = conn
        .all("SELECT entity, server_seq FROM report_filed", args![])?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect::<Result<_, StoreError>>()?;
    if stored_filed != filed {
        let differing = stored_filed.symmetric_difference(&filed).count();
        differ(format!("filed events: {differing} rows differ from the log"));
    }
    let (rows, named) = super::kept::differing(conn, 5)?;
    if rows > 0 {
        let named: Vec<String> = named.iter().map(EventId::to_string).collect();
        differ(format!("kept ledger rows: {rows} differ from the rows built from the stored facts (e.g. {})", named.join(", ")));
    }
    let tallies = officer_weeks_differ(conn)?;
    if tallies > 0 {
        differ(format!("officers' weekly counts: {tallies} rows differ from the patrols and their checks"));
    }
    let missing = crate::store::evidence_rows::missing_differ(conn)?;
    if missing > 0 {
        differ(format!("missing evidence: {missing} attachments listed wrongly or not listed"));
    }
    for (table, sql, expected) in [
        ("patrols", "SELECT count(*) FROM patrols WHERE entry IS NOT NULL", patrols),
        ("findings", "SELECT count(*) FROM report_findings", findings),
        ("cases", "SELECT count(*) FROM report_cases", cases),
        ("tips", "SELECT count(*) FROM report_tips", tips),
    ] {
        let stored: u64 = conn.one(sql, args![])?.get(0)?;
        if stored != expected {
            differ(format!("{table}: {stored} rows stored, {expected} from the log"));
        }
    }
    (check.patrols, check.findings, check.cases, check.tips) = (patrols, findings, cases, tips);
    Ok(check)
}

/// How many (week, officer) rows of the officers' weekly counts differ from the counts of the
/// stored patrols and their checks, or are missing from one side (the triggers of migration 0016
/// keep them; this proves it).
pub(super) fn officer_weeks_differ(conn: &dyn Sql) -> Result<u64, StoreError> {
    let counted = "SELECT p.week AS week, p.author AS officer, count(*), coalesce(sum(CASE WHEN c.counts THEN 1 ELSE 0 END), 0),
                count(*) - count(c.patrol)
         FROM patrols p LEFT JOIN patrol_checks c ON c.patrol = p.id WHERE p.entry IS NOT NULL GROUP BY p.week, p.author";
    let sql = format!(
        "SELECT count(*) FROM (SELECT week, officer FROM ({counted} EXCEPT SELECT * FROM report_officer_weeks) stored_less
         UNION SELECT week, officer FROM (SELECT * FROM report_officer_weeks EXCEPT {counted}) stored_more) differing"
    );
    conn.one(&sql, args![])?.get(0)
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::encode("a read model row", e))
}

/// A patrol's row in the read model: every column the reports read.
#[derive(Debug, PartialEq)]
struct PatrolCells {
    author: String,
    zone: String,
    started_at: Option<i64>,
    village: Option<String>,
    township: Option<String>,
    entry: Option<String>,
    week: Option<String>,
}

fn stored_patrol(conn: &dyn Sql, p: &EventId) -> Result<Option<PatrolCells>, StoreError> {
    let sql = "SELECT author, zone, started_at, village, township, entry, week FROM patrols WHERE id = ?1";
    let row = conn.optional(sql, args![p.0.as_bytes()])?;
    row.map(|r| {
        Ok(PatrolCells {
            author: r.get(0)?,
            zone: r.get(1)?,
            started_at: r.get(2)?,
            village: r.get(3)?,
            township: r.get(4)?,
            entry: r.get(5)?,
            week: r.get(6)?,
        })
    })
    .transpose()
}

/// A zero report's row: its id, device, officer, week and zone.
type ZeroReportCells = (Vec<u8>, Vec<u8>, String, String, Option<String>);

/// A case's key columns (source, township, closed, opened and stopped times) and state.
type CaseCells = ((Vec<u8>, String, bool, i64, Option<i64>), String);

fn stored_case(conn: &dyn Sql, sql: &str, id: &EventId) -> Result<Option<CaseCells>, StoreError> {
    conn.optional(sql, args![id.0.as_bytes()])?
        .map(|r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?), r.get(5)?)))
        .transpose()
}

/// A tip's township, whether it is open, and its state.
type TipCells = ((String, bool), String);

fn stored_tip(conn: &dyn Sql, sql: &str, id: &EventId) -> Result<Option<TipCells>, StoreError> {
    conn.optional(sql, args![id.0.as_bytes()])?.map(|r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?))).transpose()
}

type FindingCells = (Vec<u8>, String, String, Option<String>, i64, bool);

fn stored_finding(conn: &dyn Sql, f: &EventId) -> Result<Option<FindingCells>, StoreError> {
    let sql = "SELECT patrol, officer, zone, township, observed_at, stopped_on_spot FROM report_findings WHERE id = ?1";
    let row = conn.optional(sql, args![f.0.as_bytes()])?;
    row.map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))).transpose()
}
