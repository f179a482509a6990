//! A push stored on each engine: the demo county's SQLite store is copied into PostgreSQL (one
//! starting state, the server's identity and all), then the same pushes go through each engine's
//! real writer (`Ingest::ingest`, with the checks computed ahead on each engine's published
//! snapshot, as the sync use case does). The acks, every table's rows (events, routes, quarantine,
//! flags, checks, the read model, chain heads), what pulls read back and the tamper-evident log's
//! signed checkpoint must be the same.

use anyhow::{Context, Result, ensure};
use patrolsync_server::clock::TestClock;
use patrolsync_server::pool::Blocking;
use patrolsync_server::service::ingest::prepare;
use patrolsync_server::store::postgres::{Pg, PostgresStore, migrate, off_runtime};
use patrolsync_server::store::pulls::Reader;
use patrolsync_server::store::sessions::{RefreshToken, SessionSettings};
use patrolsync_server::store::sqlite::{Settings, SqliteStore};
use patrolsync_server::store::{AuditLog, Ingest, Pulls, Sessions};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{app, engines, pg_cluster, tracks};
use serde_json::value::RawValue;
use std::collections::BTreeSet;
use sync_protocol::admit::Caller;
use sync_protocol::body::{FindingKind, Role};
use sync_protocol::event::Event;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::ZoneId;
use sync_protocol::scope::Bucket;
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::{Ack, DeviceEnrolment};

const OFFICER: &str = "vo-t01-v01";

/// The pushes: patrols in and out of the officer's zone, a finding, a zero report; then the
/// same events again, one forged, one past a gap, and one that is no event.
fn pushes(d: &mut RawDevice, now: i64) -> Result<Vec<Vec<Box<RawValue>>>> {
    let (own, other) = (ZoneId::new("Z-T01-V01")?, ZoneId::new("Z-T02-V01")?);
    let start = now - 3 * 3_600_000;
    let mut first: Vec<Event> = (0..3).map(|i| d.seal(&tracks::patrol(&own, start + i * 600_000, 20, i as u64))).collect();
    first.push(d.seal(&tracks::patrol(&other, start + 2_400_000, 20, 9)));
    first.push(d.seal(&tracks::finding(&own, first[0].id, start + 60_000, FindingKind::UnlicensedMining, None)));
    first.push(d.seal(&tracks::zero_report(&d.user.clone(), &own, IsoWeek::of_ms(start - 7 * 86_400_000))));
    let mut forged = first[1].clone();
    forged.body["summary"] = serde_json::json!("rewritten");
    let forged = forged.draft().seal(&d.key)?;
    d.seal(&tracks::patrol(&own, start + 3_000_000, 20, 11));
    let past_gap = d.seal(&tracks::patrol(&own, start + 3_600_000, 20, 12));
    let raw = |e: &Event| RawValue::from_string(serde_json::to_string(e)?).map_err(anyhow::Error::from);
    let mut second: Vec<Box<RawValue>> = [&first[0], &first[1], &forged, &past_gap].into_iter().map(raw).collect::<Result<_>>()?;
    second.push(RawValue::from_string(r#"{"id": "not a uuid", "seq": 99}"#.into())?);
    Ok(vec![first.iter().map(raw).collect::<Result<_>>()?, second])
}

/// Pushes each of `pushes` to `store` as the sync use case does; returns each push's acks and
/// the seq the store expects next.
async fn push_all(
    store: &(impl Ingest + ?Sized),
    caller: &Caller,
    d: &RawDevice,
    pushes: &[Vec<Box<RawValue>>],
) -> Result<Vec<(Vec<Ack>, u64)>> {
    let mut out = Vec::new();
    for push in pushes {
        let prepared = prepare(push, &d.key.public(), &store.check_snapshot());
        let stated = Hlc::new(d.hlc.ms, 0);
        out.push(store.ingest(caller.clone(), prepared, stated).await.map_err(|e| anyhow::anyhow!("ingest: {e:?}"))?);
    }
    Ok(out)
}

/// What a pull reads back on `store`: pages of the county's, the officer's village's and
/// township's buckets (for another device and for the pushing one), their events and the office's
/// for a fold, a patrol's page, the caller's session holder.
async fn pulled(store: &(impl Pulls + Sessions + ?Sized), d: &RawDevice) -> Result<String> {
    let buckets: Vec<Bucket> = vec![Bucket::County, "village:T01-V01".parse()?, "township:T01".parse()?];
    let mut seen = Vec::new();
    for reader in [Reader::role(Role::CountyAuditor), Reader { device: Some(d.device), confidential: false }] {
        let cursors = buckets.iter().map(|b| (b.clone(), 0)).collect();
        seen.push(serde_json::to_string(&store.pages(cursors, 400, reader).await?)?);
        let cursors = buckets.iter().map(|b| (b.clone(), 640)).collect();
        seen.push(serde_json::to_string(&store.pages(cursors, 3, reader).await?)?);
        seen.push(serde_json::to_string(&store.events(buckets[1..].to_vec(), reader).await?)?);
        seen.push(serde_json::to_string(&store.office_events(buckets.clone(), reader).await?)?);
    }
    let patrols = store.events(vec![buckets[1].clone()], Reader::role(Role::CountyAuditor)).await?;
    let patrol = patrols.iter().find(|e| e.kind == "patrol.recorded").map(|e| e.id).ok_or_else(|| anyhow::anyhow!("a patrol"))?;
    let scope = BTreeSet::from([buckets[1].clone()]);
    seen.push(serde_json::to_string(&store.patrol(scope, patrol).await?)?);
    seen.push(format!("{:?}", store.user_and_device(d.user.clone(), d.device).await?));
    Ok(seen.join("\n"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_is_stored_the_same_on_both_engines() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("central.db");
    std::fs::write(&path, app::demo_store()?)?;
    let now = i64::try_from(now_ms())?;
    let settings = Settings { clock: TestClock::at(now), ..Settings::default() };
    let pool = Blocking::new("store", 2)?;
    let sqlite = SqliteStore::open_with(&path, settings.clone(), pool.clone())?;

    let mut d = RawDevice::new("http://127.0.0.1:9", OFFICER)?;
    let enrolment = DeviceEnrolment { device_id: d.device, public_key: d.key.public(), label: "phone".into(), proof: None };
    sqlite.enrol_and_start_session(d.user.clone(), enrolment, RefreshToken::random(), SessionSettings::default()).await?;

    let db = pg_cluster::database()?;
    migrate(db.url()).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    off_runtime(|| engines::copy_sqlite_into_postgres(&path, &mut db.connect()?)).context("copying the store")?;
    let postgres = PostgresStore::open(db.url(), settings, pool).map_err(|e| anyhow::anyhow!("opening: {e:?}"))?;

    let pushes = pushes(&mut d, now)?;
    let caller = Caller { user: d.user.clone(), device: d.device, role: Role::VillageOfficer };
    let on_sqlite = push_all(&sqlite, &caller, &d, &pushes).await?;
    let on_postgres = push_all(&postgres, &caller, &d, &pushes).await?;
    ensure!(on_sqlite == on_postgres, "acks differ:\nSQLite {on_sqlite:?}\nPostgreSQL {on_postgres:?}");
    let statuses: Vec<String> = on_sqlite.iter().flat_map(|(acks, _)| acks.iter().map(|a| format!("{:?}", a.status))).collect();
    ensure!(statuses.len() == 11 && statuses.iter().any(|s| s == "Rejected"), "the pushes were judged: {statuses:?}");
    ensure!(sqlite.settle_overdue_cases().await? == postgres.settle_overdue_cases().await?);

    ensure!(pulled(&sqlite, &d).await? == pulled(&postgres, &d).await?, "the pulls differ");

    let (a, b) = (sqlite.checkpoint().await?, postgres.checkpoint().await?);
    ensure!(a.checkpoint == b.checkpoint && a.public_key == b.public_key, "checkpoints differ:\n{a:?}\n{b:?}");

    let conn = rusqlite::Connection::open(&path)?;
    let tables = engines::tables(&conn)?;
    let on_sqlite = engines::rows(&conn, &tables)?;
    let on_postgres = off_runtime(|| -> Result<_> {
        let mut client = db.connect()?;
        let mut tx = client.transaction()?;
        engines::rows(&Pg::new(&mut tx), &tables)
    })?;
    let count = |table: &str| on_sqlite.get(table).map_or(0, Vec::len);
    ensure!(
        count("flags") > 0 && count("quarantine") == 2 && count("patrols") == 3 && count("report_findings") == 1,
        "the pushes left rows"
    );
    for (table, rows) in &on_sqlite {
        let theirs = &on_postgres[table];
        if let Some(i) = (0..rows.len().max(theirs.len())).find(|&i| rows.get(i) != theirs.get(i)) {
            anyhow::bail!("{table} differs at row {i}:\nSQLite {:?}\nPostgreSQL {:?}", rows.get(i), theirs.get(i));
        }
    }
    drop(postgres);
    Ok(())
}
