//! Evidence in the store ([`Evidence`]): what a caller may know of a blob, which attachments still
//! miss their bytes (or their author's proof), and a verified blob and its uploader recorded.

use std::collections::BTreeSet;
use sync_protocol::body::{BlobHash, MediaType};
use sync_protocol::ids::UserId;
use sync_protocol::scope::Bucket;
use sync_protocol::wire::evidence::{MissingList, MissingQuery};

use super::StoreFuture;

/// A blob's size and media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declared {
    pub size: u64,
    pub media_type: MediaType,
}

/// What a caller may know of a blob (docs/evidence.md, "Possession"). Nothing here tells a caller
/// who is neither a reader nor a holder whether the blob is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlobAccess {
    /// The stored blob, when the caller may read it: an attachment in their scope whose author
    /// has proved holding the bytes names it, or they proved it themselves.
    pub readable: Option<Declared>,
    /// What the caller's own first attachment naming the blob declares: the bytes they upload
    /// must be that.
    pub own: Option<Declared>,
    /// The caller has proved they hold the bytes (so the blob is stored).
    pub holder: bool,
}

pub trait Evidence: Send + Sync {
    /// The blob `hash` as `user`, whose scope is `scope`, may know it.
    fn blob_access(&self, scope: BTreeSet<Bucket>, user: UserId, hash: BlobHash) -> StoreFuture<'_, BlobAccess>;

    /// Attachments in `scope` whose author has not proved holding their blob (so whose bytes are
    /// missing as far as the attachment goes), newest first; `received` is left at 0 (the blob
    /// store knows the bytes of each author's partial upload).
    fn missing(&self, scope: BTreeSet<Bucket>, query: MissingQuery) -> StoreFuture<'_, MissingList>;

    /// Records that `holder` sent the verified bytes of `hash` (durable already): the blob is
    /// visible and logged once, and each holder recorded once.
    fn record_blob(&self, hash: BlobHash, size: u64, media_type: MediaType, holder: UserId) -> StoreFuture<'_, ()>;
}
