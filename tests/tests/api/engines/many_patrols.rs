//! Many patrols in one push, on each engine, against the same patrols pushed one at a time: the
//! writer reads what the patrol checks compare with once for a whole push (the officer's patrols
//! meeting the push's span, the tracks of the patrols the push stored itself) and writes a
//! device's latest time once, and must leave exactly the rows it leaves when each patrol is its
//! own push: the same checks, the same flags (overlaps and copies within the push and with a
//! patrol stored before it, patrols outside the zone), the same read model and log.

use anyhow::{Result, ensure};
use patrolsync_server::clock::TestClock;
use patrolsync_server::pool::Blocking;
use patrolsync_server::service::ingest::prepare;
use patrolsync_server::store::postgres::{Pg, PostgresStore, off_runtime};
use patrolsync_server::store::sessions::{RefreshToken, SessionSettings};
use patrolsync_server::store::sql::{Sql, Value};
use patrolsync_server::store::sqlite::{Settings, SqliteStore};
use patrolsync_server::store::{Ingest, Sessions};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{engines, pg_cluster, tracks};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::path::Path;
use sync_protocol::admit::Caller;
use sync_protocol::body::{Body, Role};
use sync_protocol::event::Event;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::ZoneId;
use sync_protocol::wire::DeviceEnrolment;

const OFFICER: &str = "vo-t01-v01";
const MIN: i64 = 60_000;

/// The tables the patrols' storing and checking writes, compared.
pub(super) const TABLES: [&str; 8] =
    ["events", "event_routes", "patrol_checks", "flags", "device_clocks", "patrols", "report_officer_weeks", "merkle_leaves"];

/// 40 patrols a quarter of an hour apart, of which some overlap the one before (one in ten starts
/// five minutes into it), some copy it (same track and times: a copied track and an overlap), some
/// are walked in another village's zone (their officer's zone stated), and one (the 27th) copies a patrol of the first 10.
fn bodies(now: i64) -> Result<Vec<Body>> {
    let (own, other) = (ZoneId::new("Z-T01-V01")?, ZoneId::new("Z-T02-V01")?);
    let start = now - 20 * 3_600_000;
    let mut bodies: Vec<Body> = Vec::new();
    for i in 0..40_i64 {
        let body = match i % 10 {
            _ if i == 26 => bodies[4].clone(),
            3 => bodies[i as usize - 1].clone(),
            5 => tracks::patrol(&own, start + (i - 1) * 15 * MIN + 5 * MIN, 20, i as u64),
            7 => tracks::patrol_every_about(&own, tracks::zone_centre(&other), start + i * 15 * MIN, 20, i as u64, 30_000),
            _ => tracks::patrol(&own, start + i * 15 * MIN, 20, i as u64),
        };
        bodies.push(body);
    }
    Ok(bodies)
}

/// A store of each engine, from the demo county, with the officer's device enrolled.
pub(super) struct Stores {
    pub(super) sqlite: SqliteStore,
    /// Kept open until the end, with its database.
    pub(super) postgres: PostgresStore,
    pub(super) db: pg_cluster::TestDb,
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

pub(super) async fn stores(devices: &[&RawDevice], now: i64) -> Result<Stores> {
    let (dir, path, db) = engines::demo_on_both()?;
    let settings = Settings { clock: TestClock::at(now), ..Settings::default() };
    let pool = Blocking::new("store", 2)?;
    let sqlite = SqliteStore::open_with(&path, settings.clone(), pool.clone())?;
    let postgres = PostgresStore::open(db.url(), settings, pool).map_err(|e| anyhow::anyhow!("opening: {e:?}"))?;
    for d in devices {
        let enrolment = || DeviceEnrolment { device_id: d.device, public_key: d.key.public(), label: "phone".into(), proof: None };
        sqlite.enrol_and_start_session(d.user.clone(), enrolment(), RefreshToken::random(), SessionSettings::default()).await?;
        postgres.enrol_and_start_session(d.user.clone(), enrolment(), RefreshToken::random(), SessionSettings::default()).await?;
    }
    Ok(Stores { sqlite, postgres, db, _dir: dir, path })
}

/// Pushes `events` to `store` in pushes of the sizes `sizes`, as the sync use case does.
pub(super) async fn push(store: &(impl Ingest + ?Sized), d: &RawDevice, events: &[Event], sizes: &[usize]) -> Result<()> {
    let caller = Caller { user: d.user.clone(), device: d.device, role: Role::VillageOfficer };
    let mut rest = events;
    for &n in sizes {
        let (now, later) = rest.split_at(n);
        rest = later;
        let raw: Vec<Box<RawValue>> =
            now.iter().map(|e| RawValue::from_string(serde_json::to_string(e)?).map_err(anyhow::Error::from)).collect::<Result<_>>()?;
        let prepared = prepare(&raw, &d.key.public(), &store.check_snapshot());
        let (acks, _) =
            store.ingest(caller.clone(), prepared, Hlc::new(d.hlc.ms, 0)).await.map_err(|e| anyhow::anyhow!("ingest: {e:?}"))?;
        ensure!(acks.iter().all(|a| format!("{:?}", a.status) == "Accepted"), "every patrol is accepted: {acks:?}");
    }
    ensure!(rest.is_empty());
    Ok(())
}

pub(super) type Rows = BTreeMap<String, Vec<Vec<Value>>>;

fn compared_rows(sql: &dyn Sql, sqlite: &Path, tables: &[&str]) -> Result<Rows> {
    let tables: Vec<(String, Vec<String>)> =
        engines::tables(&rusqlite::Connection::open(sqlite)?)?.into_iter().filter(|(t, _)| tables.contains(&t.as_str())).collect();
    engines::rows(sql, &tables)
}

pub(super) async fn rows_of(stores: Stores, tables: &[&str]) -> Result<(Rows, Rows)> {
    let Stores { sqlite, postgres, db, _dir, path } = stores;
    drop(sqlite);
    drop(postgres);
    let on_sqlite = compared_rows(&rusqlite::Connection::open(&path)?, &path, tables)?;
    let on_postgres = off_runtime(|| -> Result<_> {
        let mut client = db.connect()?;
        let mut tx = client.transaction()?;
        compared_rows(&Pg::new(&mut tx), &path, tables)
    })?;
    Ok((on_sqlite, on_postgres))
}

pub(super) fn ensure_same(what: &str, a: &Rows, b: &Rows) -> Result<()> {
    for (table, rows) in a {
        let theirs = &b[table];
        if let Some(i) = (0..rows.len().max(theirs.len())).find(|&i| rows.get(i) != theirs.get(i)) {
            anyhow::bail!("{what}: {table} differs at row {i}:\n{:?}\n{:?}", rows.get(i), theirs.get(i));
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn many_patrols_in_one_push_are_checked_as_when_pushed_one_at_a_time() -> Result<()> {
    let now = i64::try_from(now_ms())?;
    let mut d = RawDevice::new("http://127.0.0.1:9", OFFICER)?;
    let events: Vec<Event> = bodies(now)?.iter().map(|b| d.seal(b)).collect();

    let together = stores(&[&d], now).await?;
    for store in [&together.sqlite as &dyn Ingest, &together.postgres] {
        push(store, &d, &events, &[10, 30]).await?;
    }
    let (together_sqlite, together_postgres) = rows_of(together, &TABLES).await?;

    let apart = stores(&[&d], now).await?;
    for store in [&apart.sqlite as &dyn Ingest, &apart.postgres] {
        push(store, &d, &events, &[1; 40]).await?;
    }
    let (apart_sqlite, apart_postgres) = rows_of(apart, &TABLES).await?;

    ensure_same("SQLite, together and apart", &together_sqlite, &apart_sqlite)?;
    ensure_same("PostgreSQL, together and apart", &together_postgres, &apart_postgres)?;
    ensure_same("together, SQLite and PostgreSQL", &together_sqlite, &together_postgres)?;

    // The flags the patrols call for were raised, on the patrols of the push and on those before.
    let kinds: Vec<String> = together_sqlite["flags"]
        .iter()
        .filter_map(|row| {
            row.iter().find_map(|v| match v {
                Value::Text(t) if ["overlapping_patrol", "duplicate_track", "outside_zone"].contains(&t.as_str()) => Some(t.clone()),
                _ => None,
            })
        })
        .collect();
    let count = |kind: &str| kinds.iter().filter(|k| *k == kind).count();
    // Copies (4 in the push, one of the first push's patrol 4) and late starts (4) overlap; a copy
    // is flagged on both patrols, the copy and the one it copies.
    ensure!(count("overlapping_patrol") >= 9, "overlaps flagged: {kinds:?}");
    ensure!(count("duplicate_track") >= 5, "copies flagged: {kinds:?}");
    ensure!(count("outside_zone") == 4, "patrols outside the zone flagged: {kinds:?}");
    ensure!(together_sqlite["device_clocks"].len() == 1, "the device's latest time is kept");
    Ok(())
}

/// The officers whose pushes meet in one batch, each in their own zone.
const OFFICERS: [(&str, &str); 3] = [("vo-t01-v01", "Z-T01-V01"), ("vo-t02-v01", "Z-T02-V01"), ("vo-t03-v02", "Z-T03-V02")];

/// What is stored of a device: its events' count and its chain head's seq.
fn stored_of(sql: &dyn Sql, d: &RawDevice) -> Result<(i64, i64)> {
    let id = d.device.0.as_bytes().to_vec();
    let events = sql.one("SELECT count(*) FROM events WHERE device_id = ?1", patrolsync_server::args![id.clone()])?.get(0)?;
    let head = sql.one("SELECT head_seq FROM devices WHERE id = ?1", patrolsync_server::args![id])?.get(0)?;
    Ok((events, head))
}

/// The log's counts: events, leaves, and whether `server_seq` runs from 1 without a gap.
fn log_of(sql: &dyn Sql) -> Result<(i64, i64, bool)> {
    let events = sql.one("SELECT count(*), coalesce(max(server_seq), 0) FROM events", patrolsync_server::args![])?;
    let leaves: i64 = sql.one("SELECT count(*) FROM merkle_leaves", patrolsync_server::args![])?.get(0)?;
    let (n, max): (i64, i64) = (events.get(0)?, events.get(1)?);
    Ok((n, leaves, n == max))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_that_fails_among_others_is_rolled_back_alone_on_both_engines() -> Result<()> {
    let now = i64::try_from(now_ms())?;
    let mut devices: Vec<RawDevice> =
        OFFICERS.iter().map(|(officer, _)| RawDevice::new("http://127.0.0.1:9", officer)).collect::<Result<_>>()?;
    let start = now - 20 * 3_600_000;
    let events: Vec<Vec<Event>> = devices
        .iter_mut()
        .zip(OFFICERS)
        .enumerate()
        .map(|(k, (d, (_, zone)))| -> Result<Vec<Event>> {
            let zone = ZoneId::new(zone)?;
            Ok((0..30_i64).map(|i| d.seal(&tracks::patrol(&zone, start + i * 15 * MIN, 20, (k as u64) * 100 + i as u64))).collect())
        })
        .collect::<Result<_>>()?;
    // The second device's 15th patrol is refused by the table itself, once the push has stored and
    // logged 14 patrols before it.
    let poisoned = events[1][14].id.0.as_bytes().to_vec();
    let stores = stores(&devices.iter().collect::<Vec<_>>(), now).await?;
    rusqlite::Connection::open(&stores.path)?.execute_batch(&format!(
        "CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.id = x'{}' BEGIN SELECT RAISE(ABORT, 'poisoned'); END;",
        hex::encode(&poisoned)
    ))?;
    off_runtime(|| -> Result<()> {
        stores.db.connect()?.batch_execute(&format!(
            "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                 IF NEW.id = '\\x{}'::bytea THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$;
             CREATE TRIGGER poison BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION poison();",
            hex::encode(&poisoned)
        ))?;
        Ok(())
    })?;
    let before_sqlite = log_of(&rusqlite::Connection::open(&stores.path)?)?;
    let before_postgres = off_runtime(|| -> Result<_> { log_of(&Pg::new(&mut stores.db.connect()?)) })?;

    // The three pushes are sent at once, so that the writer takes them together.
    for store in [&stores.sqlite as &dyn Ingest, &stores.postgres] {
        let (a, b, c) = tokio::join!(
            push(store, &devices[0], &events[0], &[30]),
            push(store, &devices[1], &events[1], &[30]),
            push(store, &devices[2], &events[2], &[30])
        );
        ensure!(a.is_ok() && b.is_err() && c.is_ok(), "only the poisoned push fails: {a:?} {b:?} {c:?}");
    }
    let seen = |sql: &dyn Sql, before: (i64, i64, bool)| -> Result<()> {
        let stored: Vec<(i64, i64)> = devices.iter().map(|d| stored_of(sql, d)).collect::<Result<_>>()?;
        ensure!(stored == [(30, 30), (0, 0), (30, 30)], "the failed push left nothing, the others all: {stored:?}");
        let (events, leaves, gapless) = log_of(sql)?;
        ensure!(gapless && events == before.0 + 60 && leaves == before.1 + 60, "one leaf per event, no gap: {events} {leaves} {gapless}");
        Ok(())
    };
    seen(&rusqlite::Connection::open(&stores.path)?, before_sqlite)?;
    off_runtime(|| -> Result<()> { seen(&Pg::new(&mut stores.db.connect()?), before_postgres) })?;

    // Without the poison, the refused push is stored whole on the chain it left as it was.
    rusqlite::Connection::open(&stores.path)?.execute_batch("DROP TRIGGER poison")?;
    off_runtime(|| -> Result<()> { Ok(stores.db.connect()?.batch_execute("DROP TRIGGER poison ON events")?) })?;
    for store in [&stores.sqlite as &dyn Ingest, &stores.postgres] {
        push(store, &devices[1], &events[1], &[30]).await?;
    }
    let stored_again = |sql: &dyn Sql| -> Result<()> {
        ensure!(stored_of(sql, &devices[1])? == (30, 30) && log_of(sql)?.2, "the second push of the refused events is stored whole");
        Ok(())
    };
    stored_again(&rusqlite::Connection::open(&stores.path)?)?;
    off_runtime(|| -> Result<()> { stored_again(&Pg::new(&mut stores.db.connect()?)) })?;
    Ok(())
}
