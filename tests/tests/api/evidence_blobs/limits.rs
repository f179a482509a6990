//! Hostile input on the blob routes: bad hashes and paths, declared sizes above the protocol's
//! limit or this server's, bodies longer than the blob, a hash no event names, a bad offset.

use anyhow::Result;
use patrolsync_tests::app::TestApp;
use patrolsync_tests::evidence::{attachment, blob_request, officer_with_finding, push, put};
use patrolsync_tests::photo::{jpeg, sha256_hex};
use reqwest::StatusCode;
use std::time::Duration;
use sync_protocol::body::{Body, MediaType};
use sync_protocol::wire::{AckStatus, RejectReason};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends raw bytes and returns the reply's status line.
async fn raw_status(port: u16, request: &[u8]) -> Result<String> {
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    tcp.write_all(request).await?;
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut buf)).await??;
    Ok(String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_string())
}

#[tokio::test]
async fn hostile_hashes_sizes_and_bodies_are_refused() -> Result<()> {
    let server = TestApp::spawn(&[("PATROLSYNC_MAX_BLOB_BYTES", "100000")])?;
    let (mut d, _, finding) = officer_with_finding(&server).await?;
    for bad in ["..%2F..%2Fetc%2Fpasswd", "%2e%2e%2fcentral.db", "ABCDEF", &"A".repeat(64), &format!("{}0", "a".repeat(64))] {
        let status = blob_request(&d, reqwest::Method::GET, bad).send().await?.status();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    // A declared size above the protocol's limit is an invalid body.
    let mut huge = attachment(finding, b"x", MediaType::Jpeg);
    if let Body::AttachmentAdded(a) = &mut huge {
        a.size = 30 * 1024 * 1024;
    }
    assert_eq!(push(&mut d, &huge).await?, (AckStatus::Rejected, Some(RejectReason::InvalidBody)));
    // Above this server's limit: refused from the headers, before a byte of the body is read.
    let photo = jpeg(None, 200_000, 8);
    let hash = sha256_hex(&photo);
    push(&mut d, &attachment(finding, &photo, MediaType::Jpeg)).await?;
    let token = d.token.clone().unwrap_or_default();
    let head =
        format!("PUT /v1/blobs/{hash} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\ncontent-length: {}\r\n\r\n", photo.len());
    assert!(raw_status(server.port, head.as_bytes()).await?.contains(" 413 "));
    // Within the limit, but a body longer than the blob: refused from the headers too.
    let small = jpeg(None, 1_000, 9);
    push(&mut d, &attachment(finding, &small, MediaType::Jpeg)).await?;
    let head = format!(
        "PUT /v1/blobs/{} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\ncontent-length: 50000\r\n\r\n",
        sha256_hex(&small)
    );
    assert!(raw_status(server.port, head.as_bytes()).await?.contains(" 413 "));
    assert_eq!(put(&d, &sha256_hex(&small), 0, &small).await?.0, StatusCode::CREATED);
    // A PUT for a hash no accepted event names.
    assert_eq!(put(&d, &sha256_hex(b"nobody named me"), 0, b"nobody named me").await?.0, StatusCode::NOT_FOUND);
    let bad_offset = blob_request(&d, reqwest::Method::PUT, &hash).header("upload-offset", "-1").body("x").send().await?.status();
    assert_eq!(bad_offset, StatusCode::BAD_REQUEST);
    Ok(())
}
