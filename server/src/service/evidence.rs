//! What the blob and evidence routes call: a blob's state, an upload, a download and the list of
//! missing evidence, each for the caller's scope. A blob no attachment in the scope names answers
//! exactly as a blob that does not exist.

use bytes::Bytes;
use futures_util::Stream;
use std::collections::BTreeSet;
use sync_protocol::body::{BlobHash, MediaType, Role};
use sync_protocol::scope::Bucket;
use sync_protocol::wire::evidence::{MissingList, MissingQuery};

use super::Services;
use crate::store::StoreError;
use crate::store::blobs::upload::Received;
use crate::store::blobs::{BlobError, Expected};
use crate::store::evidence::Declared;

/// Why a blob or the missing-evidence list could not be served.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// No attachment in the caller's scope names the blob (or it is not complete, for a download).
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Blob(#[from] BlobError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The roles that record evidence, and so may upload its bytes: commissioners are read-only,
/// admins record none (their `PUT` is refused, 403, whatever the blob).
pub const UPLOADERS: [Role; 3] = [Role::VillageOfficer, Role::TownshipInspector, Role::CountyAuditor];

/// A blob as its `HEAD` tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobState {
    /// Verified and stored: its size and media type.
    Complete { size: u64, media_type: MediaType },
    /// Named by a visible attachment, not (wholly) uploaded yet: the bytes received.
    Incomplete { offset: u64 },
}

/// How a `PUT` ended for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uploaded {
    /// Stored by this request.
    Created { size: u64 },
    /// Stored before (by anyone): nothing was read.
    AlreadyStored { size: u64 },
    /// The body ended before the blob: resume from `offset`.
    Partial { offset: u64 },
}

async fn declared(services: &Services, scope: BTreeSet<Bucket>, hash: BlobHash) -> Result<Declared, EvidenceError> {
    services.store.declared(scope, hash).await?.ok_or(EvidenceError::NotFound)
}

/// `HEAD /v1/blobs/{sha256}`.
pub async fn state(services: &Services, scope: BTreeSet<Bucket>, hash: BlobHash) -> Result<BlobState, EvidenceError> {
    let d = declared(services, scope, hash).await?;
    if d.complete {
        return Ok(BlobState::Complete { size: d.size, media_type: d.media_type });
    }
    Ok(BlobState::Incomplete { offset: services.blobs.offset(hash).await? })
}

/// `PUT /v1/blobs/{sha256}`: appends the body at `at` and completes the blob at its last byte.
pub async fn upload<S, E>(
    services: &Services,
    scope: BTreeSet<Bucket>,
    hash: BlobHash,
    at: u64,
    length: Option<u64>,
    body: S,
) -> Result<Uploaded, EvidenceError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let d = declared(services, scope, hash).await?;
    if d.complete {
        return Ok(Uploaded::AlreadyStored { size: d.size });
    }
    let expect = Expected { size: d.size, media_type: d.media_type };
    // Verified and renamed into place before a crash kept it from being recorded: record it now.
    let received = if services.blobs.exists(hash).await? {
        Received::Complete
    } else {
        services.blobs.receive(hash, at, expect, length, body).await?
    };
    match received {
        Received::Partial { offset } => Ok(Uploaded::Partial { offset }),
        Received::Complete => {
            services.store.record_blob(hash, expect.size, expect.media_type).await?;
            services.metrics.blob_bytes(expect.size);
            Ok(Uploaded::Created { size: expect.size })
        }
    }
}

/// `GET /v1/blobs/{sha256}`: the size, media type and bytes of a complete, visible blob.
pub async fn download(
    services: &Services,
    scope: BTreeSet<Bucket>,
    hash: BlobHash,
) -> Result<(u64, MediaType, impl Stream<Item = Result<Bytes, BlobError>> + use<>), EvidenceError> {
    let d = declared(services, scope, hash).await?;
    if !d.complete {
        return Err(EvidenceError::NotFound);
    }
    Ok((d.size, d.media_type, services.blobs.read(hash).await?))
}

/// `GET /v1/evidence/missing`: attachments in scope whose blob is not complete, with the bytes
/// received of each interrupted upload.
pub async fn missing(services: &Services, scope: BTreeSet<Bucket>, query: MissingQuery) -> Result<MissingList, EvidenceError> {
    let mut list = services.store.missing(scope, query).await?;
    for m in &mut list.missing {
        m.received = services.blobs.offset(m.sha256).await?;
    }
    Ok(list)
}
