//! Evidence bytes over `/v1/blobs/{sha256}`: after its event is acknowledged, each blob goes up
//! from where the server's copy stands (`HEAD` says, an interrupted upload resumes from that
//! byte); blobs of pulled attachments come down on request and are kept only if they verify.

use reqwest::StatusCode;
use reqwest::header::AUTHORIZATION;
use serde::Serialize;
use std::io::Read;
use std::path::PathBuf;
use sync_protocol::body::{BlobHash, MediaType};
use sync_protocol::ids::EventId;
use sync_protocol::wire::evidence::UPLOAD_OFFSET;

use super::{Api, SyncError, from_status};
use crate::replica::{PendingBlob, Replica, ReplicaError};

/// What one upload pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BlobReport {
    /// Blobs the server now holds that it did not before this pass.
    pub uploaded: usize,
    /// Blobs the server already held (another phone sent the same photo, or an earlier pass).
    pub already_there: usize,
    /// Blobs the server refused (bytes do not match the attachment): they stay on the phone.
    pub refused: usize,
    /// Bytes sent.
    pub bytes: u64,
}

/// Where the server's copy of a blob stands.
enum Remote {
    Complete,
    /// Incomplete, with the bytes it holds.
    At(u64),
    /// The server shows no attachment naming it to this caller.
    Unknown,
}

fn offset_of(response: &reqwest::Response) -> Option<u64> {
    response.headers().get(UPLOAD_OFFSET).and_then(|v| v.to_str().ok()?.parse().ok())
}

async fn remote(api: &Api, token: &str, hash: &BlobHash, username: &str) -> Result<Remote, SyncError> {
    let url = api.url(&format!("/v1/blobs/{hash}"));
    let response = api.client().head(url).header(AUTHORIZATION, format!("Bearer {token}")).send().await.map_err(|e| api.network(e))?;
    match (response.status(), offset_of(&response)) {
        (StatusCode::OK, _) => Ok(Remote::Complete),
        (StatusCode::NOT_FOUND, Some(at)) => Ok(Remote::At(at)),
        (StatusCode::NOT_FOUND, None) => Ok(Remote::Unknown),
        (status, _) => Err(from_status(status.as_u16(), b"", username)),
    }
}

/// Sends the blob from `at`; returns the server's status and its `Upload-Offset`.
async fn put_from(replica: &Replica, api: &Api, token: &str, blob: &PendingBlob, at: u64) -> Result<(u16, Option<u64>), SyncError> {
    let mut rest = Vec::with_capacity(usize::try_from(blob.size.saturating_sub(at)).unwrap_or(0));
    let path = replica.blob_path(&blob.sha256);
    replica
        .open_blob(&blob.sha256, at)?
        .read_to_end(&mut rest)
        .map_err(|source| SyncError::Replica(ReplicaError::Evidence { path, source }))?;
    let response = api
        .client()
        .put(api.url(&format!("/v1/blobs/{}", blob.sha256)))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header(UPLOAD_OFFSET, at)
        .body(rest)
        .send()
        .await
        .map_err(|e| api.network(e))?;
    Ok((response.status().as_u16(), offset_of(&response)))
}

/// Uploads the active identity's blobs whose attachments the server acknowledged.
pub async fn upload_blobs(replica: &Replica) -> Result<BlobReport, SyncError> {
    let me = replica.require_active()?;
    let api = Api::of(&me)?;
    let token = super::session::bearer(replica, &api).await?;
    let mut report = BlobReport::default();
    for blob in replica.blobs_to_upload()? {
        let mut at = match remote(&api, &token, &blob.sha256, &me.username).await? {
            Remote::Complete => {
                replica.mark_on_server(&blob.sha256)?;
                report.already_there += 1;
                continue;
            }
            Remote::At(at) => at,
            Remote::Unknown => {
                replica.blob_failed(&blob.sha256, "the server shows no accepted attachment naming this file")?;
                continue;
            }
        };
        // One retry: a stale connection of an earlier attempt may have moved the offset on.
        for _ in 0..2 {
            let (status, offset) = put_from(replica, &api, &token, &blob, at).await?;
            match status {
                200 | 201 => {
                    report.bytes += blob.size - at;
                    report.uploaded += usize::from(status == 201);
                    report.already_there += usize::from(status == 200);
                    replica.mark_on_server(&blob.sha256)?;
                    break;
                }
                409 if offset.is_some() => at = offset.unwrap_or(0),
                422 => {
                    report.refused += 1;
                    replica.blob_failed(&blob.sha256, "the server refused the bytes (hash or type mismatch)")?;
                    break;
                }
                other => return Err(from_status(other, b"", &me.username)),
            }
        }
    }
    Ok(report)
}

/// Downloads the blob `hash` into the blob folder (verified against its hash); returns its path.
pub async fn fetch_blob(replica: &Replica, hash: &BlobHash, media_type: MediaType) -> Result<PathBuf, SyncError> {
    let me = replica.require_active()?;
    let api = Api::of(&me)?;
    let token = super::session::bearer(replica, &api).await?;
    let response = api
        .client()
        .get(api.url(&format!("/v1/blobs/{hash}")))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .map_err(|e| api.network(e))?;
    let status = response.status().as_u16();
    let bytes = response.bytes().await.map_err(|e| api.network(e))?;
    if status != 200 {
        return Err(from_status(status, &bytes, &me.username));
    }
    Ok(replica.store_fetched(hash, media_type, &bytes)?)
}

/// Downloads every attachment of a patrol, finding, tip or case that is not on the phone; returns
/// the paths.
pub async fn fetch_evidence(replica: &Replica, subject: EventId) -> Result<Vec<PathBuf>, SyncError> {
    let mut paths = Vec::new();
    for item in replica.evidence(subject)? {
        let path = replica.blob_path(&item.sha256);
        if !path.exists() {
            fetch_blob(replica, &item.sha256, item.media_type).await?;
        }
        paths.push(path);
    }
    Ok(paths)
}
