//! The reports' read model (SQLite's migration 0011, PostgreSQL's 0006), kept by either engine's
//! writer in the transaction that accepts each event, and read by the reports, on both engines. `sync_protocol::read_model::touch` says what an event changes; the group's
//! events are read back from the log and folded by the pure functions; the rows are replaced here.
//!
//! # Layout
//! - `rows`: writing the rows of a group, a zero report, and the places a zone's new version moves.
//! - `rebuild`: every event applied again to emptied rows (on SQLite on open when missing, on both
//!   engines on command, `store::offline`), and the audit that proves the stored rows equal to
//!   the log's.
//! - `queries`: what the reports read, on a reader; `ledger`: the ledger's rows, a page at a time;
//!   `map`: what the console's map reads; `cases`: a scope's cases, a page at a time, or one.
//! - `kept`: each patrol's finished ledger row, kept beside its entry and written again by the
//!   writer, before its transaction commits, whenever the schema's triggers cleared it.

mod cases;
mod kept;
mod ledger;
mod map;
mod queries;
mod rebuild;
pub(crate) mod rows;
#[cfg(test)]
mod tally_tests;
#[cfg(test)]
mod zone_current_tests;

pub use cases::{case, page as cases, tip_cases};
pub use kept::{CheckedPatrol, write_due as write_due_ledger_rows};
pub use ledger::ledger;
pub use map::map;
pub use queries::{backlog, directory, week_facts, zones};
pub use rebuild::{VERSION, rebuild, verify};
pub use rows::Filings;

use sync_protocol::body::Body;
use sync_protocol::event::Event;
use sync_protocol::ids::EventId;
use sync_protocol::ledger::PatrolEntry;
use sync_protocol::read_model::{Filed, Refold, case_group, group_events, patrol_group, tip_group, touch};
use sync_protocol::zones::ZoneVersions;

use super::StoreError;
use crate::args;
use crate::store::sql::Sql;

/// The group events of the read model, read back from the log.
struct Log<'a>(&'a dyn Sql);

impl Filed<StoreError> for Log<'_> {
    fn event(&mut self, id: &EventId) -> Result<Option<Event>, StoreError> {
        let raw: Option<String> =
            self.0.optional("SELECT raw FROM events WHERE id = ?1 AND accepted", args![id.0.as_bytes()])?.map(|r| r.get(0)).transpose()?;
        raw.map(|raw| parse(&raw)).transpose()
    }

    fn filed_under(&mut self, key: &EventId) -> Result<Vec<Event>, StoreError> {
        let sql = "SELECT e.raw FROM report_filed f JOIN events e ON e.server_seq = f.server_seq WHERE f.entity = ?1 ORDER BY f.server_seq";
        self.0.all(sql, args![key.0.as_bytes()])?.iter().map(|r| parse(&r.get::<String>(0)?)).collect()
    }
}

fn parse(raw: &str) -> Result<Event, StoreError> {
    serde_json::from_str(raw).map_err(|e| StoreError::corrupt("events", e.to_string()))
}

/// Applies the accepted event `event` (body `body`, stored as `server_seq`) to the read model;
/// `places` is the writer's copy of the zones' versions, which a `zone.defined` changes; `filings`
/// what the caller knows of what is filed under which entity (kept up to date here); `checked` what
/// the writer's check of a new patrol found, when it ran first (its row is then written with its
/// kept ledger row, `kept`).
pub fn apply(
    conn: &dyn Sql,
    (places, filings): (&mut ZoneVersions, &mut Filings),
    event: &Event,
    body: &Body,
    (server_seq, checked): (i64, Option<&CheckedPatrol>),
) -> Result<(), StoreError> {
    let t = touch(event.id, body);
    if let Some(key) = t.filed_under {
        filings.note(key);
        conn.write(
            "INSERT INTO report_filed (entity, server_seq) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            args![key.0.as_bytes(), server_seq],
        )?;
    }
    match t.refold {
        Refold::Patrol(p) => match body {
            // A new patrol alone in its group: its entry from the body already read.
            Body::PatrolRecorded(r) if p == event.id && !filings.has_filed(conn, &p)? => {
                rows::put_patrol(conn, places, &PatrolEntry::recorded(event, r), checked)
            }
            _ => refold_patrol(conn, places, &p),
        },
        Refold::PatrolOfFinding(f) => match rows::patrol_of_finding(conn, &f)? {
            Some(p) => refold_patrol(conn, places, &p),
            None => Ok(()),
        },
        Refold::Case(c) => {
            let events = group_events(&mut Log(conn), &c, false)?;
            rows::put_case(conn, &c, case_group(&c, &events).as_ref())
        }
        Refold::Tip(t) => {
            let events = group_events(&mut Log(conn), &t, false)?;
            rows::put_tip(conn, &t, tip_group(&t, &events).as_ref())
        }
        Refold::ZeroReport(officer, week) => {
            let zone = match body {
                Body::ZeroReportFiled(z) => z.zone.as_ref().map(|z| z.as_str()),
                _ => None,
            };
            conn.write(
                "INSERT INTO zero_reports (report, device_id, officer, week, zone) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                args![event.id.0.as_bytes(), event.device_id.0.as_bytes(), officer.as_str(), week.to_string(), zone],
            )?;
            Ok(())
        }
        Refold::Zone => match body {
            Body::ZoneDefined(z) => rows::define_zone(conn, places, z),
            _ => Ok(()),
        },
        Refold::Nothing => Ok(()),
    }
}

/// Folds the patrol `patrol`'s group again and replaces its rows.
fn refold_patrol(conn: &dyn Sql, places: &ZoneVersions, patrol: &EventId) -> Result<(), StoreError> {
    let events = group_events(&mut Log(conn), patrol, true)?;
    let group = patrol_group(patrol, &events);
    if let Some(entry) = &group.patrol {
        rows::put_patrol(conn, places, entry, None)?;
    }
    for f in &group.findings {
        rows::put_finding(conn, places, f)?;
    }
    Ok(())
}
