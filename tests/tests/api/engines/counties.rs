//! Two counties on one PostgreSQL database (issue 16), whatever engine the other API tests run on:
//! each county in a schema of its own, with its own log, checkpoints, server key and writer role,
//! so a device of one never pulls the other and one county's writer never holds up the other's.

use anyhow::{Context, Result};
use patrolsync_server::args;
use patrolsync_server::store::postgres::WRITER_LOCK;
use patrolsync_server::store::sql::Sql;
use patrolsync_tests::app::spawn_counties_on_postgres;
use patrolsync_tests::raw::now_ms;
use patrolsync_tests::store_sql::StoreSql;
use patrolsync_tests::tracks;
use std::sync::mpsc;
use sync_protocol::event::Event;
use sync_protocol::ids::ZoneId;
use sync_protocol::wire::AckStatus;

/// The writer lock `key` held by a connection of the test's own, as a writer in the middle of a
/// batch holds it, until dropped.
struct HeldLock {
    release: mpsc::Sender<()>,
    thread: Option<std::thread::JoinHandle<Result<()>>>,
}

impl HeldLock {
    fn take(url: &str, key: i64) -> Result<HeldLock> {
        let (url, (held, wait), (release, until)) = (url.to_owned(), mpsc::channel(), mpsc::channel::<()>());
        let thread = std::thread::spawn(move || -> Result<()> {
            let mut client = postgres::Client::connect(&url, postgres::NoTls)?;
            client.execute("SELECT pg_advisory_lock($1)", &[&key])?;
            let _ = held.send(());
            let _ = until.recv();
            client.execute("SELECT pg_advisory_unlock($1)", &[&key])?;
            Ok(())
        });
        wait.recv().context("the lock was not taken")?;
        Ok(HeldLock { release, thread: Some(thread) })
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        let _ = self.release.send(());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// How many events with `id` the county store `store` holds.
fn stored(store: &StoreSql, event: &Event) -> Result<i64> {
    Ok(store.one("SELECT count(*) FROM events WHERE id = ?1", args![event.id.0.as_bytes().as_slice()])?.get(0)?)
}

fn has(events: &[Event], event: &Event) -> bool {
    events.iter().any(|e| e.id == event.id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_counties_on_one_postgres_database_keep_their_own_logs_checkpoints_and_writers() -> Result<()> {
    let app = spawn_counties_on_postgres()?;
    let url = app.store_url.clone().context("a PostgreSQL store")?;
    let (yunshan, baiyun) = (app.sql()?, app.county_sql("baiyun")?);
    // Yunshan in the database's own search_path, Baiyun in its schema: each store migrated alone,
    // with its own generation sequence (the writers' catch-up never mixes counties).
    let in_schema = "SELECT CAST(table_schema AS TEXT) FROM information_schema.tables WHERE table_name = 'schema_migrations' ORDER BY 1";
    assert_eq!(yunshan.column::<String>(in_schema, &[])?, ["baiyun", "public"]);
    let sequences = "SELECT count(*) FROM pg_class WHERE relname = 'writer_generation' AND relkind = 'S'";
    assert_eq!(yunshan.count(sequences, &[])?, 2);

    let mut a = app.device_in("yunshan", "vo-t12-v01").await?;
    let mut b = app.device_in("baiyun", "vo-t12-v01").await?;
    let zone = ZoneId::new("Z-T12-V01")?;
    let patrol_a = a.seal(&tracks::patrol(&zone, now_ms() as i64 - 3_600_000, 20, 1));
    let patrol_b = b.seal(&tracks::patrol(&zone, now_ms() as i64 - 3_600_000, 20, 2));

    // Yunshan's writer role held (as by a batch of another process): Baiyun's writer takes its own
    // and stores Baiyun's push at once; Yunshan's waits for its role, then stores its own.
    let held = HeldLock::take(&url, WRITER_LOCK)?;
    assert_eq!(b.sync(std::slice::from_ref(&patrol_b)).await?.acks[0].status, AckStatus::Accepted);
    drop(held);
    assert_eq!(a.sync(std::slice::from_ref(&patrol_a)).await?.acks[0].status, AckStatus::Accepted);

    // Each event in its county's schema only, and pulled by its county's devices only.
    assert_eq!((stored(&yunshan, &patrol_a)?, stored(&baiyun, &patrol_a)?), (1, 0));
    assert_eq!((stored(&yunshan, &patrol_b)?, stored(&baiyun, &patrol_b)?), (0, 1));
    let mut auditor_a = app.device_in("yunshan", "ca-1").await?;
    let mut auditor_b = app.device_in("baiyun", "ca-1").await?;
    let (pulled_a, pulled_b) = (auditor_a.pull_all().await?, auditor_b.pull_all().await?);
    assert!(has(&pulled_a, &patrol_a) && !has(&pulled_a, &patrol_b), "Yunshan pulls its own patrol only");
    assert!(has(&pulled_b, &patrol_b) && !has(&pulled_b, &patrol_a), "Baiyun pulls its own patrol only");
    // A device of Yunshan asking for Baiyun is refused before anything is read.
    a.county_header = Some("baiyun".into());
    assert!(a.sync(&[]).await.expect_err("a token of yunshan for baiyun").to_string().contains("403"));

    // Each county's log and checkpoints are its own: signed by its own key, over its own leaves.
    let (_, checkpoint_a) = auditor_a.audit_checkpoint().await?;
    let (_, checkpoint_b) = auditor_b.audit_checkpoint().await?;
    let leaves = "SELECT count(*) FROM merkle_leaves";
    assert_eq!(checkpoint_a["size"].as_i64(), Some(yunshan.count(leaves, &[])?), "{checkpoint_a}");
    assert_eq!(checkpoint_b["size"].as_i64(), Some(baiyun.count(leaves, &[])?), "{checkpoint_b}");
    assert!(checkpoint_a["size"].as_i64() > checkpoint_b["size"].as_i64(), "the demo county's log is the longer");
    assert_ne!(checkpoint_a["public_key"], checkpoint_b["public_key"]);
    let stored_at = "SELECT count(*) FROM merkle_checkpoints WHERE size = ?1";
    for (store, checkpoint) in [(&yunshan, &checkpoint_a), (&baiyun, &checkpoint_b)] {
        let size = checkpoint["size"].as_i64().unwrap_or_default();
        assert_eq!(store.count(stored_at, args![size])?, 1, "each checkpoint is stored in its own county's schema");
    }
    for auditor in [&auditor_a, &auditor_b] {
        let (_, integrity) = auditor.audit_integrity().await?;
        assert_eq!(integrity["breaks"], serde_json::json!([]), "{integrity}");
    }
    Ok(())
}
