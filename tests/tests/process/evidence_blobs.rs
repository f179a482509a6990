//! A server killed during a blob upload never serves a partial blob: after the restart the
//! uploader learns its offset and completes it. The other blob tests run in-process
//! (`api/evidence_blobs/`).

use anyhow::{Context, Result};
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::evidence::{attachment, blob_files, get, head, officer_with_finding, push, put, put_cut_off};
use patrolsync_tests::photo::{jpeg, sha256_hex};
use patrolsync_tests::server::TestServer;
use reqwest::StatusCode;
use std::time::Duration;
use sync_protocol::body::MediaType;

#[tokio::test]
async fn a_server_killed_during_an_upload_never_serves_a_partial_blob() -> Result<()> {
    let mut server = TestServer::start()?;
    let (mut d, _, finding) = officer_with_finding(&server).await?;
    let photo = jpeg(None, 2_000_000, 7);
    let hash = sha256_hex(&photo);
    push(&mut d, &attachment(finding, &photo, MediaType::Jpeg)).await?;
    let tcp = put_cut_off(&d, server.port, &hash, 0, photo.len(), &photo[..1_200_000]).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.kill();
    drop(tcp);
    server.restart()?;
    d.reconnect(&server.url())?;
    d.login(DEMO_PASSWORD).await?;
    assert_eq!(get(&d, &hash).await?.0, StatusCode::NOT_FOUND);
    let (status, offset, _) = head(&d, &hash).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let offset = offset.context("the uploader learns the offset")?;
    assert!(offset <= 1_200_000);
    assert!(blob_files(server.dir.path()).is_empty(), "no complete blob after the kill");
    assert_eq!(put(&d, &hash, offset, &photo[offset as usize..]).await?.0, StatusCode::CREATED);
    assert_eq!(get(&d, &hash).await?, (StatusCode::OK, photo));
    Ok(())
}
