//! Evidence fixtures for the blob tests: an officer with a finding, an attachment naming bytes,
//! uploads whole or cut off mid-body, and the complete blob files a store holds.

use anyhow::Result;
use reqwest::StatusCode;
use std::path::{Path, PathBuf};
use std::time::Duration;
use sync_protocol::body::{AttachmentAdded, Body, FindingKind, MediaType, Subject, SubjectKind};
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::wire::{AckStatus, RejectReason};
use tokio::io::AsyncWriteExt;

use crate::photo::sha256_hex;
use crate::raw::{RawDevice, now_ms};
use crate::site::Site;

/// The officer of village T01-V01, whose finding the photos are of.
pub const OFFICER: &str = "vo-t01-v01";

/// [`OFFICER`] with a patrol and a finding on it, accepted by the server.
pub async fn officer_with_finding(server: &Site) -> Result<(RawDevice, EventId, EventId)> {
    let mut d = server.device(OFFICER).await?;
    let zone = ZoneId::new("Z-T01-V01")?;
    let start = now_ms() as i64 - 3_600_000;
    let patrol = d.seal(&crate::tracks::patrol(&zone, start, 20, 1));
    let finding = d.seal(&crate::tracks::finding(&zone, patrol.id, start + 60_000, FindingKind::UnlicensedMining, None));
    let response = d.sync(&[patrol.clone(), finding.clone()]).await?;
    assert!(response.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", response.acks);
    Ok((d, patrol.id, finding.id))
}

/// An attachment of `bytes` to `finding`, declared as `media_type`.
pub fn attachment(finding: EventId, bytes: &[u8], media_type: MediaType) -> Body {
    Body::AttachmentAdded(AttachmentAdded {
        subject: Subject { kind: SubjectKind::Finding, id: finding },
        sha256: sha256_hex(bytes).parse().expect("hash"),
        size: bytes.len() as u64,
        media_type,
        file_name: Some("pit.jpg".into()),
        captured_at: None,
        captured_place: None,
    })
}

/// Seals and pushes `body`; returns the ack's status and reason.
pub async fn push(d: &mut RawDevice, body: &Body) -> Result<(AckStatus, Option<RejectReason>)> {
    let event = d.seal(body);
    let response = d.sync(&[event]).await?;
    Ok((response.acks[0].status, response.acks[0].reason))
}

/// `PUT` of `bytes` from `offset`: the status and the server's `upload-offset`.
pub async fn put(d: &RawDevice, hash: &str, offset: u64, bytes: &[u8]) -> Result<(StatusCode, Option<u64>)> {
    let response = d.upload_blob(hash, offset, bytes).await?;
    Ok((response.status(), upload_offset(&response)))
}

/// `HEAD`: the status, the `upload-offset` and the `content-length`.
pub async fn head(d: &RawDevice, hash: &str) -> Result<(StatusCode, Option<u64>, Option<u64>)> {
    let response = d.blob_head(hash).await?;
    let length = response.headers().get("content-length").and_then(|v| v.to_str().ok()?.parse().ok());
    Ok((response.status(), upload_offset(&response), length))
}

/// `GET`: the status and the bytes.
pub async fn get(d: &RawDevice, hash: &str) -> Result<(StatusCode, Vec<u8>)> {
    let response = d.blob(hash).await?;
    Ok((response.status(), response.bytes().await?.to_vec()))
}

fn upload_offset(response: &reqwest::Response) -> Option<u64> {
    response.headers().get("upload-offset").and_then(|v| v.to_str().ok()?.parse().ok())
}

/// Opens a raw connection and sends a PUT whose headers announce `announced` bytes, followed by
/// only `sent`: the caller then drops the connection (or kills the server) mid-body.
pub async fn put_cut_off(
    d: &RawDevice,
    port: u16,
    hash: &str,
    offset: u64,
    announced: usize,
    sent: &[u8],
) -> Result<tokio::net::TcpStream> {
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let token = d.token.as_deref().unwrap_or_default();
    let head = format!(
        "PUT /v1/blobs/{hash} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {token}\r\nupload-offset: {offset}\r\n\
         content-length: {announced}\r\n\r\n"
    );
    tcp.write_all(head.as_bytes()).await?;
    tcp.write_all(sent).await?;
    tcp.flush().await?;
    Ok(tcp)
}

/// Waits until HEAD reports an upload offset that stays put for a moment; returns it.
pub async fn settled_offset(d: &RawDevice, hash: &str) -> Result<u64> {
    let mut last = None;
    for _ in 0..200 {
        let (status, offset, _) = head(d, hash).await?;
        assert_eq!(status, StatusCode::NOT_FOUND, "an incomplete blob is not found");
        if offset.is_some_and(|o| o > 0) && offset == last {
            return Ok(last.unwrap_or(0));
        }
        last = offset;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the upload offset never settled (last {last:?})")
}

/// Every complete blob file under the server's blob folder (partial uploads excluded).
pub fn blob_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.join("blobs")];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() && path.file_name().is_some_and(|n| n != "partial") {
                stack.push(path);
            } else if path.is_file() {
                found.push(path);
            }
        }
    }
    found
}

/// A request of `method` to the blob `hash` with the device's token, to be finished by the caller.
pub fn blob_request(d: &RawDevice, method: reqwest::Method, hash: &str) -> reqwest::RequestBuilder {
    d.request(method, &format!("/v1/blobs/{hash}"))
}
