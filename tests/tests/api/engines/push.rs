//! A push stored on each engine, with its evidence: the demo county's SQLite store is copied into PostgreSQL (one
//! starting state, the server's identity and all), then the same pushes go through each engine's
//! real writer (`Ingest::ingest`, with the checks computed ahead on each engine's published
//! snapshot, as the sync use case does). The acks, every table's rows (events, routes, quarantine,
//! flags, checks, attachments, the read model, chain heads), what pulls and the evidence reads give
//! back and the tamper-evident log's signed checkpoint must be the same.

use anyhow::{Context, Result, ensure};
use patrolsync_server::clock::TestClock;
use patrolsync_server::pool::Blocking;
use patrolsync_server::service::ingest::prepare;
use patrolsync_server::store::postgres::{Pg, PostgresStore, migrate, off_runtime};
use patrolsync_server::store::pulls::Reader;
use patrolsync_server::store::sessions::{RefreshToken, SessionId, SessionSettings};
use patrolsync_server::store::sqlite::{Settings, SqliteStore};
use patrolsync_server::store::{AuditLog, Evidence, Ingest, Pulls, Sessions};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{app, engines, evidence, pg_cluster, photo, tracks};
use serde_json::value::RawValue;
use std::collections::BTreeSet;
use sync_protocol::admit::Caller;
use sync_protocol::body::{BlobHash, FindingKind, MediaType, Role};
use sync_protocol::event::Event;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::ZoneId;
use sync_protocol::scope::Bucket;
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::evidence::MissingQuery;
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
    let finding = first[4].id;
    first.extend(PHOTOS.map(|bytes| d.seal(&evidence::attachment(finding, bytes, MediaType::Jpeg))));
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

/// The bytes of the photos the officer attaches to the finding.
const PHOTOS: [&[u8]; 2] = [b"the first photo's bytes", b"the second photo's bytes"];

/// The evidence as `store` shows it once the first photo's bytes are held (the second's are not):
/// each blob as the officer and the county may read it, and what is missing.
async fn evidence_seen(store: &(impl Evidence + ?Sized), d: &RawDevice) -> Result<String> {
    let hashes: Vec<BlobHash> = PHOTOS.iter().map(|bytes| photo::sha256_hex(bytes).parse()).collect::<Result<_, _>>()?;
    store.record_blob(hashes[0], PHOTOS[0].len() as u64, MediaType::Jpeg, d.user.clone()).await?;
    let mut seen = Vec::new();
    for scope in
        [BTreeSet::from([Bucket::County]), BTreeSet::from(["village:T01-V01".parse()?]), BTreeSet::from(["village:T02-V01".parse()?])]
    {
        for hash in &hashes {
            seen.push(format!("{:?}", store.blob_access(scope.clone(), d.user.clone(), *hash).await?));
        }
        seen.push(serde_json::to_string(&store.missing(scope.clone(), MissingQuery::default()).await?)?);
        let village = MissingQuery { village: Some("T01-V01".parse()?), before: Some(i64::MAX), ..MissingQuery::default() };
        seen.push(serde_json::to_string(&store.missing(scope, village).await?)?);
    }
    ensure!(seen.iter().any(|s| s.contains("readable: Some")) && seen.iter().any(|s| s.contains("readable: None")), "{seen:?}");
    Ok(seen.join("\n"))
}

/// What a pull reads back on `store`: pages of the county's, the officer's village's and
/// township's buckets (for another device and for the pushing one), their events and the office's
/// for a fold, a patrol's page, the caller's records and live session.
async fn pulled(store: &(impl Pulls + Sessions + ?Sized), d: &RawDevice, session: SessionId) -> Result<String> {
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
    let holder = store.session_holder(d.user.clone(), d.device, session).await?;
    ensure!(holder.as_ref().is_some_and(|h| h.village.is_some()), "the officer's session is live, in their village");
    seen.push(format!("{holder:?}"));
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
    let (_, issued) = sqlite.enrol_and_start_session(d.user.clone(), enrolment, RefreshToken::random(), SessionSettings::default()).await?;

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
    ensure!(statuses.len() == 13 && statuses.iter().any(|s| s == "Rejected"), "the pushes were judged: {statuses:?}");
    ensure!(evidence_seen(&sqlite, &d).await? == evidence_seen(&postgres, &d).await?, "the evidence reads differ");
    ensure!(sqlite.settle_overdue_cases().await? == postgres.settle_overdue_cases().await?);

    ensure!(pulled(&sqlite, &d, issued.session).await? == pulled(&postgres, &d, issued.session).await?, "the pulls differ");

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

    // Fingerprints a migration cleared are computed again from their events when the store opens.
    let fingerprints = "SELECT patrol, fingerprint FROM patrol_checks ORDER BY patrol";
    let cleared = off_runtime(|| -> Result<u64> { Ok(db.connect()?.execute("UPDATE patrol_checks SET fingerprint = NULL", &[])?) })?;
    ensure!(cleared == 3, "{cleared} fingerprints cleared: one per patrol checked");
    let settings = Settings { clock: TestClock::at(now), ..Settings::default() };
    let mut reopened = PostgresStore::open(db.url(), settings.clone(), Blocking::new("store", 2)?);
    for _ in 0..50 {
        // The writer role is let go once the dropped store's writer thread has ended.
        if !matches!(reopened, Err(patrolsync_server::store::StoreError::Busy(_))) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        reopened = PostgresStore::open(db.url(), settings.clone(), Blocking::new("store", 2)?);
    }
    let reopened = reopened.map_err(|e| anyhow::anyhow!("reopening: {e:?}"))?;
    let again = off_runtime(|| -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        Ok(db.connect()?.query(fingerprints, &[])?.iter().map(|r| (r.get(0), r.get(1))).collect())
    })?;
    let stored: Vec<(Vec<u8>, Vec<u8>)> =
        conn.prepare(fingerprints)?.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    ensure!(again == stored && stored.iter().all(|(_, f)| f.len() % 16 == 0 && !f.is_empty()), "fingerprints recomputed as stored");
    drop(reopened);
    Ok(())
}
