//! The evidence API: the headers of `HEAD`/`PUT /v1/blobs/{sha256}` and `GET /v1/evidence/missing`,
//! the attachments whose bytes have not reached the server yet. Shared by server and device.

use serde::{Deserialize, Serialize};

use crate::body::{BlobHash, MediaType, Subject};
use crate::ids::{EventId, UnitId, UserId};

/// Request and reply header: bytes of a blob the server holds so far (resumable upload).
pub const UPLOAD_OFFSET: &str = "upload-offset";

/// The most attachments one answer lists; `limit` may ask for fewer.
pub const MAX_MISSING_PER_PAGE: u32 = 5_000;

/// Filters of the missing-evidence listing (query string), combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissingQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village: Option<UnitId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub township: Option<UnitId>,
    /// Only attachments stored before this server sequence (paging backwards from the newest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// An attachment whose blob is not complete on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingEvidence {
    /// The server sequence of the `attachment.added` event (the paging key).
    pub server_seq: i64,
    pub event: EventId,
    pub subject: Subject,
    pub sha256: BlobHash,
    pub size: u64,
    pub media_type: MediaType,
    /// Who attached it.
    pub officer: UserId,
    pub village: Option<UnitId>,
    pub township: Option<UnitId>,
    /// Bytes the server holds of an interrupted upload.
    pub received: u64,
    /// When the server stored the event, Unix ms.
    pub added_at: i64,
}

/// One page of missing evidence, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingList {
    pub missing: Vec<MissingEvidence>,
    /// More match: ask again with `before` = the last `server_seq`.
    pub more: bool,
}
