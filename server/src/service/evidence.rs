//! What the blob and evidence routes call: a blob's state, an upload, a download and the list of
//! missing evidence, each for the caller. A hash is not a key: a blob is readable only through an
//! attachment whose author proved holding its bytes (docs/evidence.md, "Possession"), and a blob
//! the caller may not read answers exactly as a blob that does not exist.

use bytes::Bytes;
use futures_util::Stream;
use std::collections::BTreeSet;
use sync_protocol::body::{BlobHash, MediaType, Role};
use sync_protocol::ids::UserId;
use sync_protocol::scope::Bucket;
use sync_protocol::wire::evidence::{MissingList, MissingQuery};

use super::Services;
use crate::store::StoreError;
use crate::store::blobs::upload::Received;
use crate::store::blobs::{BlobError, Expected};
use crate::store::evidence::BlobAccess;

/// Why a blob or the missing-evidence list could not be served.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// The caller may not read the blob, nor upload it (or it is not complete, for a download).
    #[error("not found")]
    NotFound,
    /// The caller may read the blob but names it in no attachment of their own: only an
    /// attachment's author uploads its bytes.
    #[error("only the author of an attachment naming the blob uploads it")]
    NotTheAuthor,
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
    /// Named by the caller's own attachment, not (wholly) sent by them yet: the bytes of their
    /// upload.
    Incomplete { offset: u64 },
}

/// How a `PUT` ended for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uploaded {
    /// Stored by this request.
    Created { size: u64 },
    /// Stored before, and the caller proved holding it: nothing was read.
    AlreadyStored { size: u64 },
    /// The body ended before the blob: resume from `offset`.
    Partial { offset: u64 },
}

async fn access(services: &Services, scope: BTreeSet<Bucket>, user: &UserId, hash: BlobHash) -> Result<BlobAccess, EvidenceError> {
    Ok(services.store.blob_access(scope, user.clone(), hash).await?)
}

/// `HEAD /v1/blobs/{sha256}`: a readable blob's size and type; to the author of an attachment
/// naming it who has not proved holding it, the bytes of their own upload (whether or not someone
/// else stored the blob: that is not theirs to know).
pub async fn state(services: &Services, scope: BTreeSet<Bucket>, user: &UserId, hash: BlobHash) -> Result<BlobState, EvidenceError> {
    let a = access(services, scope, user, hash).await?;
    if let Some(d) = a.readable {
        return Ok(BlobState::Complete { size: d.size, media_type: d.media_type });
    }
    if a.own.is_none() {
        return Err(EvidenceError::NotFound);
    }
    Ok(BlobState::Incomplete { offset: services.blobs.offset(hash, user).await? })
}

/// `PUT /v1/blobs/{sha256}`: the author of an attachment naming the blob sends its bytes, from
/// `at`, as their proof of holding them; the blob is complete and proved at its last byte. A
/// holder is told it is stored; anyone else who may read it is refused (403), and the rest are
/// answered as for a blob that does not exist.
pub async fn upload<S, E>(
    services: &Services,
    scope: BTreeSet<Bucket>,
    user: &UserId,
    hash: BlobHash,
    at: u64,
    length: Option<u64>,
    body: S,
) -> Result<Uploaded, EvidenceError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let a = access(services, scope, user, hash).await?;
    if let (true, Some(d)) = (a.holder, a.readable) {
        return Ok(Uploaded::AlreadyStored { size: d.size });
    }
    let Some(own) = a.own else {
        return Err(if a.readable.is_some() { EvidenceError::NotTheAuthor } else { EvidenceError::NotFound });
    };
    let expect = Expected { size: own.size, media_type: own.media_type };
    match services.blobs.receive(hash, user, at, expect, length, body).await? {
        Received::Partial { offset } => Ok(Uploaded::Partial { offset }),
        Received::Complete => {
            services.store.record_blob(hash, expect.size, expect.media_type, user.clone()).await?;
            services.metrics.blob_bytes(expect.size);
            Ok(Uploaded::Created { size: expect.size })
        }
    }
}

/// `GET /v1/blobs/{sha256}`: the size, media type and bytes of a readable blob.
pub async fn download(
    services: &Services,
    scope: BTreeSet<Bucket>,
    user: &UserId,
    hash: BlobHash,
) -> Result<(u64, MediaType, impl Stream<Item = Result<Bytes, BlobError>> + use<>), EvidenceError> {
    let d = access(services, scope, user, hash).await?.readable.ok_or(EvidenceError::NotFound)?;
    Ok((d.size, d.media_type, services.blobs.read(hash).await?))
}

/// `GET /v1/evidence/missing`: attachments in scope whose blob is not complete, with the bytes
/// received of each interrupted upload.
pub async fn missing(services: &Services, scope: BTreeSet<Bucket>, query: MissingQuery) -> Result<MissingList, EvidenceError> {
    let mut list = services.store.missing(scope, query).await?;
    let uploads = list.missing.iter().map(|m| (m.sha256, m.officer.clone())).collect();
    for (m, received) in list.missing.iter_mut().zip(services.blobs.offsets(uploads).await?) {
        m.received = received;
    }
    Ok(list)
}
