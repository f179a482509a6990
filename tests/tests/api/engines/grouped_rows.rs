//! A push's new patrols and their checks written on PostgreSQL as one multi-row insert per table
//! (the writer's rows that wait, `store::postgres::grouped`), with the officer-week tallies kept
//! per statement (migration 0014): the rows, the tallies and the kept ledger rows are those SQLite
//! leaves and those the read model's audit builds again from the log, also when the same push
//! amends, reports on, copies and flags the patrols it has just stored.

use anyhow::{Result, ensure};
use patrolsync_server::store::offline::OfflineStore;
use patrolsync_server::store::postgres::{Pg, off_runtime};
use patrolsync_server::store::sql::{Sql, Value};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::tracks;
use sync_protocol::body::{Body, FindingKind, PatrolAmended};
use sync_protocol::event::Event;
use sync_protocol::ids::ZoneId;

use super::many_patrols::{Rows, Stores, ensure_same, push, rows_of, stores};

const OFFICER: &str = "vo-t01-v01";
const MIN: i64 = 60_000;

/// The tables compared between the engines.
const TABLES: [&str; 7] = ["patrols", "patrol_checks", "report_officer_weeks", "flags", "report_findings", "report_filed", "events"];

/// Counts, in the test's table `inserts_seen`, each INSERT statement into `patrols` and
/// `patrol_checks` that wrote rows, with how many.
fn count_inserts(sql: &dyn Sql) -> Result<()> {
    let statements = [
        "CREATE TABLE inserts_seen (seen bigserial, tbl text, rows bigint)",
        "CREATE FUNCTION count_inserts() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             INSERT INTO inserts_seen (tbl, rows) SELECT TG_TABLE_NAME, count(*) FROM new_rows HAVING count(*) > 0;
             RETURN NULL;
         END $$",
        "CREATE TRIGGER count_inserts AFTER INSERT ON patrols REFERENCING NEW TABLE AS new_rows
         FOR EACH STATEMENT EXECUTE FUNCTION count_inserts()",
        "CREATE TRIGGER count_inserts AFTER INSERT ON patrol_checks REFERENCING NEW TABLE AS new_rows
         FOR EACH STATEMENT EXECUTE FUNCTION count_inserts()",
    ];
    for s in statements {
        sql.run(s, patrolsync_server::args![])?;
    }
    Ok(())
}

/// Each insert counted, in order: (table, rows).
fn inserts_seen(sql: &dyn Sql) -> Result<Vec<(String, i64)>> {
    let rows = sql.all("SELECT tbl, rows FROM inserts_seen ORDER BY seen", patrolsync_server::args![])?;
    rows.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect()
}

/// What the read model's audit finds on PostgreSQL (kept rows, officer-week tallies, rows against
/// the log), and how many kept rows are left unwritten.
fn audited(stores: &Stores) -> Result<(u64, Vec<String>, i64)> {
    off_runtime(|| -> Result<_> {
        let check = OfflineStore::Postgres { url: stores.db.url().to_owned(), schema: None }.read_model()?;
        let due = "SELECT count(*) FROM patrols WHERE entry IS NOT NULL AND ledger_row IS NULL";
        let due = Pg::new(&mut stores.db.connect()?).one(due, patrolsync_server::args![])?.get(0)?;
        Ok((check.differences, check.examples, due))
    })
}

/// The officer's device, their own zone and another village's, and the time now.
fn officer() -> Result<(RawDevice, ZoneId, ZoneId, i64)> {
    let d = RawDevice::new("http://127.0.0.1:9", OFFICER)?;
    Ok((d, ZoneId::new("Z-T01-V01")?, ZoneId::new("Z-T02-V01")?, i64::try_from(now_ms())?))
}

/// Checks that the read model's audit finds nothing to mend on PostgreSQL (kept rows, officer-week
/// tallies, rows against the log) and no kept row left unwritten, and that the compared tables are
/// the same on both engines; gives SQLite's rows.
async fn kept_as_on_sqlite(stores: Stores) -> Result<Rows> {
    let (differences, examples, due) = audited(&stores)?;
    ensure!(differences == 0 && due == 0, "the audit finds {differences} differences, {due} kept rows due: {examples:?}");
    let (on_sqlite, on_postgres) = rows_of(stores, &TABLES).await?;
    ensure_same("SQLite and PostgreSQL", &on_sqlite, &on_postgres)?;
    Ok(on_sqlite)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_of_new_patrols_inserts_them_and_their_checks_in_one_statement_each() -> Result<()> {
    let (mut d, own, other, now) = officer()?;
    let start = now - 20 * 3_600_000;
    // Twelve patrols an hour apart, every fourth walked in another village's zone (flagged).
    let events: Vec<Event> = (0..12_i64)
        .map(|i| match i % 4 {
            3 => d.seal(&tracks::patrol_every_about(&own, tracks::zone_centre(&other), start + i * 60 * MIN, 20, 500 + i as u64, 30_000)),
            _ => d.seal(&tracks::patrol(&own, start + i * 60 * MIN, 20, 500 + i as u64)),
        })
        .collect();
    let stores = stores(&[&d], now).await?;
    off_runtime(|| -> Result<()> { count_inserts(&Pg::new(&mut stores.db.connect()?)) })?;
    for store in [&stores.sqlite as &dyn patrolsync_server::store::Ingest, &stores.postgres] {
        push(store, &d, &events, &[12]).await?;
    }
    let seen = off_runtime(|| -> Result<_> { inserts_seen(&Pg::new(&mut stores.db.connect()?)) })?;
    ensure!(seen == [("patrol_checks".to_string(), 12), ("patrols".to_string(), 12)], "one insert per table for the push: {seen:?}");
    let on_sqlite = kept_as_on_sqlite(stores).await?;
    ensure!(on_sqlite["patrols"].len() >= 12 && !on_sqlite["report_officer_weeks"].is_empty(), "the patrols were stored and counted");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_that_amends_reports_on_and_copies_its_own_new_patrols_is_kept_as_on_sqlite() -> Result<()> {
    let (mut d, own, other, now) = officer()?;
    let start = now - 30 * 3_600_000;
    let patrol = |i: i64| tracks::patrol(&own, start + i * 60 * MIN, 20, 700 + i as u64);
    let mut bodies: Vec<Body> = (0..4).map(patrol).collect();
    // A copy of the second patrol (its track and times): flags raised on a patrol of this push.
    bodies.push(bodies[1].clone());
    bodies.push(tracks::patrol_every_about(&own, tracks::zone_centre(&other), start + 5 * 60 * MIN, 20, 705, 30_000));
    let mut events: Vec<Event> = bodies.iter().map(|b| d.seal(b)).collect();
    // Then the third amended, a finding on the fourth, and more new patrols after them.
    let amended =
        PatrolAmended { patrol: events[2].id, summary: Some("amended in the same push".into()), result: None, reason: "test".into() };
    events.push(d.seal(&Body::PatrolAmended(amended)));
    events.push(d.seal(&tracks::finding(&own, events[3].id, start + 3 * 60 * MIN + MIN, FindingKind::UnlicensedMining, None)));
    for i in 6..9 {
        events.push(d.seal(&patrol(i)));
    }
    // One starting five minutes into the last: an overlap, flagged on both.
    events.push(d.seal(&tracks::patrol(&own, start + 8 * 60 * MIN + 5 * MIN, 20, 799)));
    // And a copy of the first patrol of the push, flagging it after its row was queued.
    events.push(d.seal(&bodies[0]));

    let stores = stores(&[&d], now).await?;
    for store in [&stores.sqlite as &dyn patrolsync_server::store::Ingest, &stores.postgres] {
        push(store, &d, &events, &[events.len()]).await?;
    }
    let on_sqlite = kept_as_on_sqlite(stores).await?;
    ensure!(on_sqlite["report_findings"].len() == 1, "the finding was stored");
    let flagged = |kind: &str| on_sqlite["flags"].iter().filter(|r| r.iter().any(|v| *v == Value::Text(kind.into()))).count();
    ensure!(flagged("overlapping_patrol") >= 4 && flagged("duplicate_track") >= 2 && flagged("outside_zone") == 1, "flags raised");
    Ok(())
}
