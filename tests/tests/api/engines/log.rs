//! The tamper-evident log on both engines, one scenario: blobs recorded (each once) become leaves,
//! checkpoints are signed and stored once per size with the roots the pure Merkle code computes,
//! consistency proofs verify between them, and a reopened store reads its frontier back from the
//! rows and keeps its identity.

use anyhow::{Result, ensure};

use patrolsync_server::pool::Blocking;
use patrolsync_server::store::postgres::PostgresStore;
use patrolsync_server::store::sqlite::{Settings, SqliteStore};
use patrolsync_server::store::{Conflict, Entity, Store, StoreError};
use patrolsync_tests::pg_cluster;
use sync_protocol::body::{BlobHash, MediaType};
use sync_protocol::ids::UserId;
use sync_protocol::merkle::{Frontier, LogLeaf, empty_root, verify_extension};
use sync_protocol::wire::audit::ConsistencyQuery;

/// Blob `i` of the scenario: its hash, size and type, and its leaf's hash.
fn blob(i: u8) -> (BlobHash, u64, MediaType, sync_protocol::crypto::Hash) {
    let (sha256, size, media_type) =
        (BlobHash([i; 32]), 1000 + u64::from(i), if i.is_multiple_of(2) { MediaType::Jpeg } else { MediaType::Png });
    (sha256, size, media_type, LogLeaf::Blob { sha256, size, media_type }.hash())
}

async fn log_scenario(open: impl Fn() -> Result<Box<dyn Store>>) -> Result<()> {
    let (officer, other) = (UserId::new("officer-1")?, UserId::new("officer-2")?);
    let store = open()?;
    let empty = store.checkpoint().await?;
    let key = empty.public_key;
    empty.checkpoint.verify(&key)?;
    ensure!(empty.checkpoint.checkpoint.size == 0 && empty.checkpoint.checkpoint.root == empty_root());
    ensure!(store.checkpoint().await?.checkpoint == empty.checkpoint, "one checkpoint per size");

    let mut leaves = Vec::new();
    let mut second = None;
    for i in 0..5 {
        let (sha256, size, media_type, leaf) = blob(i);
        store.record_blob(sha256, size, media_type, officer.clone()).await?;
        leaves.push(leaf);
        if i == 1 {
            second = Some(store.checkpoint().await?.checkpoint);
        }
    }
    let (sha256, size, media_type, _) = blob(0);
    store.record_blob(sha256, size, media_type, other.clone()).await?;
    let (second, fifth) = (second.expect("made at two"), store.checkpoint().await?.checkpoint);
    ensure!(second.checkpoint.size == 2 && fifth.checkpoint.size == 5, "a blob recorded again is no new leaf");
    ensure!(fifth.checkpoint.root == Frontier::from_leaves(&leaves).root(), "the root of the leaves the pure code computes");
    let proof = store.consistency(ConsistencyQuery { from: 2, to: 5 }).await?;
    verify_extension(&second, &fifth, &proof.proof, &key)?;

    let beyond = store.consistency(ConsistencyQuery { from: 2, to: 6 }).await.expect_err("not reached");
    ensure!(matches!(beyond, StoreError::NotFound { what: Entity::LogSize, .. }), "{beyond:?}");
    let backwards = store.consistency(ConsistencyQuery { from: 5, to: 2 }).await.expect_err("out of order");
    ensure!(matches!(backwards, StoreError::Conflict(Conflict::SizesOutOfOrder { from: 5, to: 2 })), "{backwards:?}");

    drop(store);
    let store = open()?;
    let again = store.checkpoint().await?;
    ensure!(again.checkpoint == fifth && again.public_key == key, "reopened: the stored checkpoint, the same key");
    let (sha256, size, media_type, leaf) = blob(5);
    store.record_blob(sha256, size, media_type, officer).await?;
    leaves.push(leaf);
    let sixth = store.checkpoint().await?.checkpoint;
    ensure!(sixth.checkpoint.root == Frontier::from_leaves(&leaves).root(), "the frontier read back from the rows");
    let proof = store.consistency(ConsistencyQuery { from: 5, to: 6 }).await?;
    verify_extension(&fifth, &sixth, &proof.proof, &key)?;
    Ok(())
}

#[tokio::test]
async fn sqlite_log_checkpoints_and_proofs() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("central.db");
    log_scenario(|| Ok(Box::new(SqliteStore::open(&path)?) as Box<dyn Store>)).await
}

#[tokio::test]
async fn postgres_log_checkpoints_and_proofs() -> Result<()> {
    let db = pg_cluster::database()?;
    let pool = Blocking::new("store", 2)?;
    log_scenario(|| Ok(Box::new(PostgresStore::open(db.url(), Settings::default(), pool.clone())?) as Box<dyn Store>)).await
}
