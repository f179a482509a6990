//! What the blob and evidence routes call: a blob's state, an upload, a download and the list of
//! missing evidence, each for the caller's scope. A blob no attachment in the scope names answers
//! exactly as a blob that does not exist.

use actix_web::web::Bytes;
use futures_util::Stream;
use std::collections::BTreeSet;
use sync_protocol::body::{BlobHash, MediaType, Role};
use sync_protocol::scope::Bucket;
use sync_protocol::wire::evidence::{MissingList, MissingQuery};

use crate::app::AppState;
use crate::blobs::upload::Received;
use crate::blobs::{BlobError, Expected};
use crate::error::ApiError;
use crate::store::evidence::access::{self, Declared};

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

async fn declared(state: &AppState, scope: BTreeSet<Bucket>, hash: BlobHash) -> Result<Declared, ApiError> {
    let declared = state.store.read(move |conn| access::declared(conn, &scope, &hash)).await?;
    declared.ok_or(ApiError::NotFound)
}

/// `HEAD /v1/blobs/{sha256}`.
pub async fn state(state: &AppState, scope: BTreeSet<Bucket>, hash: BlobHash) -> Result<BlobState, ApiError> {
    let d = declared(state, scope, hash).await?;
    if d.complete {
        return Ok(BlobState::Complete { size: d.size, media_type: d.media_type });
    }
    Ok(BlobState::Incomplete { offset: state.blobs.offset(hash).await? })
}

/// `PUT /v1/blobs/{sha256}`: appends the body at `at` and completes the blob at its last byte.
pub async fn upload<S, E>(
    state: &AppState,
    scope: BTreeSet<Bucket>,
    hash: BlobHash,
    at: u64,
    length: Option<u64>,
    body: S,
) -> Result<Uploaded, ApiError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let d = declared(state, scope, hash).await?;
    if d.complete {
        return Ok(Uploaded::AlreadyStored { size: d.size });
    }
    let expect = Expected { size: d.size, media_type: d.media_type };
    // Verified and renamed into place before a crash kept it from being recorded: record it now.
    let received =
        if state.blobs.exists(hash).await? { Received::Complete } else { state.blobs.receive(hash, at, expect, length, body).await? };
    match received {
        Received::Partial { offset } => Ok(Uploaded::Partial { offset }),
        Received::Complete => {
            state.store.writer().run(move |ctx| ctx.record_blob(&hash, expect.size, expect.media_type)).await?;
            Ok(Uploaded::Created { size: expect.size })
        }
    }
}

/// `GET /v1/blobs/{sha256}`: the size, media type and bytes of a complete, visible blob.
pub async fn download(
    state: &AppState,
    scope: BTreeSet<Bucket>,
    hash: BlobHash,
) -> Result<(u64, MediaType, impl Stream<Item = Result<Bytes, BlobError>> + use<>), ApiError> {
    let d = declared(state, scope, hash).await?;
    if !d.complete {
        return Err(ApiError::NotFound);
    }
    Ok((d.size, d.media_type, state.blobs.read(hash).await?))
}

/// `GET /v1/evidence/missing`: attachments in scope whose blob is not complete, with the bytes
/// received of each interrupted upload.
pub async fn missing(state: &AppState, scope: BTreeSet<Bucket>, query: MissingQuery) -> Result<MissingList, ApiError> {
    let mut list = state.store.read(move |conn| access::missing(conn, &scope, &query)).await?;
    for m in &mut list.missing {
        m.received = state.blobs.offset(m.sha256).await?;
    }
    Ok(list)
}
