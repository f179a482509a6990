//! The log through the store's writer: what is logged, a rolled-back job and another process's
//! appends leave the writer's frontier exact (a checkpoint made from it matches the re-derived
//! log), rows from before the log are adopted once, and proofs served from the store verify.

use rusqlite::Connection;
use sync_protocol::body::{BlobHash, Body, MediaType, Role, UserEnrolled};
use sync_protocol::crypto::{DeviceKey, Hash};
use sync_protocol::event::EventDraft;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{EventId, UserId};
use sync_protocol::merkle::{SignedCheckpoint, verify_extension};
use sync_protocol::wire::audit::ConsistencyQuery;

use super::checkpoint::log_key;
use super::proofs;
use crate::store::StoreError;
use crate::store::log::verify;
use crate::store::sqlite::SqliteStore as Store;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn user(n: u32) -> Body {
    Body::UserEnrolled(UserEnrolled {
        user: UserId::new(format!("vo-{n}")).expect("id"),
        display_name: format!("Officer {n}"),
        role: Role::VillageOfficer,
        units: Vec::new(),
        phone: None,
        by: None,
    })
}

async fn author(store: &Store, from: u32, n: u32) -> Result<(), StoreError> {
    store
        .writer()
        .run(move |ctx| {
            for i in from..from + n {
                ctx.author(&user(i))?;
            }
            Ok(())
        })
        .await
}

async fn blob(store: &Store, byte: u8) -> Result<(), StoreError> {
    store
        .writer()
        .run(move |ctx| {
            ctx.record_blob(&BlobHash([byte; 32]), 1_000 + u64::from(byte), MediaType::Jpeg, &UserId::new("vo-t01-v01").expect("user"))
        })
        .await
}

async fn checkpoint(store: &Store) -> Result<SignedCheckpoint, StoreError> {
    store.writer().run(|ctx| ctx.checkpoint()).await
}

fn verified(path: &std::path::Path) -> Result<crate::store::audit::LogReport, Box<dyn std::error::Error>> {
    let conn = Connection::open(path)?;
    let report = verify::verify(&conn, None)?;
    assert_eq!(report.problems, vec![], "the log is whole");
    Ok(report)
}

#[tokio::test]
async fn events_and_blobs_are_logged_once_and_a_checkpoint_signs_the_log() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("central.db");
    let store = Store::open(&path)?;
    author(&store, 0, 3).await?;
    blob(&store, 1).await?;
    blob(&store, 1).await?; // recorded again after a crash: stored, and logged, once
    let signed = checkpoint(&store).await?;
    assert_eq!(signed.checkpoint.size, 4);
    assert_eq!(checkpoint(&store).await?, signed, "one checkpoint per size");

    let report = verified(&path)?;
    assert_eq!((report.leaves, report.root, report.checkpoints_checked), (4, signed.checkpoint.root, 1));
    let conn = Connection::open(&path)?;
    let (origin, key) = log_key(&conn)?.ok_or("a server key")?;
    assert_eq!(signed.checkpoint.origin, origin);
    assert_eq!(signed.verify(&key), Ok(()));
    let kinds: Vec<String> =
        conn.prepare("SELECT kind FROM merkle_leaves ORDER BY idx")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    assert_eq!(kinds, ["event", "event", "event", "blob"]);
    Ok(())
}

#[tokio::test]
async fn a_rolled_back_job_leaves_the_frontier_as_it_was() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("central.db");
    let store = Store::open(&path)?;
    author(&store, 0, 2).await?;
    let failed = store
        .writer()
        .run(|ctx| {
            ctx.author(&user(10))?;
            ctx.record_blob(&BlobHash([9; 32]), 5, MediaType::Png, &UserId::new("vo-t01-v01").expect("user"))?;
            Err::<(), _>(StoreError::Conflict(crate::store::Conflict::DeviceTaken))
        })
        .await;
    assert!(failed.is_err());
    author(&store, 20, 1).await?;
    let signed = checkpoint(&store).await?;
    assert_eq!(signed.checkpoint.size, 3, "the rolled-back leaves are not counted");
    assert_eq!(verified(&path)?.root, signed.checkpoint.root, "the writer's frontier is the stored log's");
    // The failed job was alone in its batch (run without a savepoint): none of its rows are kept.
    let conn = Connection::open(&path)?;
    let kept: i64 =
        conn.query_row("SELECT (SELECT count(*) FROM users WHERE id = 'vo-10') + (SELECT count(*) FROM blobs WHERE size = 5)", [], |r| {
            r.get(0)
        })?;
    assert_eq!(kept, 0, "the failed job's user and blob are rolled back");
    Ok(())
}

#[tokio::test]
async fn the_writer_notices_another_process_appending() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("central.db");
    let store = Store::open(&path)?;
    author(&store, 0, 1).await?;
    {
        let other = Store::open(&path)?; // e.g. `reference import` beside the running server
        author(&other, 100, 2).await?;
    }
    author(&store, 200, 1).await?;
    let signed = checkpoint(&store).await?;
    assert_eq!(signed.checkpoint.size, 4);
    assert_eq!(verified(&path)?.root, signed.checkpoint.root);
    Ok(())
}

#[tokio::test]
async fn proofs_from_the_store_extend_an_older_checkpoint() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("central.db");
    let store = Store::open(&path)?;
    author(&store, 0, 5).await?;
    let older = checkpoint(&store).await?;
    author(&store, 5, 6).await?;
    blob(&store, 3).await?;
    let newer = checkpoint(&store).await?;
    let conn = Connection::open(&path)?;
    let (_, key) = log_key(&conn)?.ok_or("a server key")?;
    let q = ConsistencyQuery { from: older.checkpoint.size, to: newer.checkpoint.size };
    let reply = proofs::consistency(&conn, q)?;
    assert_eq!(verify_extension(&older, &newer, &reply.proof, &key), Ok(()));
    assert!(verify_extension(&newer, &older, &reply.proof, &key).is_err(), "not the other way round");
    let beyond = proofs::consistency(&conn, ConsistencyQuery { from: 1, to: newer.checkpoint.size + 1 });
    assert!(matches!(beyond, Err(StoreError::NotFound { .. })), "{beyond:?}");
    Ok(())
}

/// A store made before migration 0006: an event and a blob, stored at version 5.
fn old_store(path: &std::path::Path) -> TestResult {
    let mut conn = Connection::open(path)?;
    schema::migrate(&mut conn, &schema::CENTRAL[..5])?;
    let key = DeviceKey::from_secret([3; 32]);
    let event = EventDraft {
        id: EventId(uuid::Uuid::now_v7()),
        device_id: sync_protocol::ids::DeviceId(uuid::Uuid::now_v7()),
        seq: 1,
        hlc: Hlc::new(1_764_131_257_000, 0),
        author: UserId::new("vo-old")?,
        kind: "zero_report.filed".into(),
        body: serde_json::json!({"v": 1, "officer": "vo-old", "week": "2026-W48"}),
        prev: Hash::ZERO,
    }
    .seal(&key)?;
    conn.execute(
        "INSERT INTO events (id, device_id, seq, hlc, author, kind, hash, raw, accepted, reason, received_at)
         VALUES (?1, ?2, 1, ?3, 'vo-old', ?4, ?5, ?6, 1, NULL, 0)",
        rusqlite::params![
            event.id.0.as_bytes(),
            event.device_id.0.as_bytes(),
            event.hlc.to_string(),
            event.kind,
            event.hash.0,
            serde_json::to_string(&event)?
        ],
    )?;
    conn.execute("INSERT INTO blobs (sha256, size, media_type, stored_at) VALUES (?1, 10, 'image/png', 0)", [BlobHash([7; 32]).to_hex()])?;
    Ok(())
}

#[tokio::test]
async fn rows_from_before_the_log_are_adopted_once() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("central.db");
    old_store(&path)?;
    let store = Store::open(&path)?;
    assert_eq!(verified(&path)?.leaves, 2, "the old event and blob");
    author(&store, 0, 1).await?;
    drop(store);
    let store = Store::open(&path)?;
    author(&store, 1, 1).await?;
    let report = verified(&path)?;
    assert_eq!(report.leaves, 4, "adopted once, then logged by the writer");
    assert_eq!(checkpoint(&store).await?.checkpoint.root, report.root);
    Ok(())
}
