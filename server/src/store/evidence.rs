//! Evidence in the store ([`Evidence`]): which blobs a scope may see, which attachments still
//! miss their bytes, and a verified blob made visible.

use std::collections::BTreeSet;
use sync_protocol::body::{BlobHash, MediaType};
use sync_protocol::scope::Bucket;
use sync_protocol::wire::evidence::{MissingList, MissingQuery};

use super::StoreFuture;

/// What the caller may know of a blob: the size and type its first visible attachment declares,
/// and whether its bytes are complete on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declared {
    pub size: u64,
    pub media_type: MediaType,
    pub complete: bool,
}

pub trait Evidence: Send + Sync {
    /// The blob `hash` as `scope` may see it; `None` when no attachment in the scope names it
    /// (the caller must not learn whether it exists).
    fn declared(&self, scope: BTreeSet<Bucket>, hash: BlobHash) -> StoreFuture<'_, Option<Declared>>;

    /// Attachments in `scope` whose blob is not complete, newest first; `received` is left at 0
    /// (the blob store knows the bytes of partial uploads).
    fn missing(&self, scope: BTreeSet<Bucket>, query: MissingQuery) -> StoreFuture<'_, MissingList>;

    /// Makes a verified blob visible (its bytes are already durable) and logs it, once.
    fn record_blob(&self, hash: BlobHash, size: u64, media_type: MediaType) -> StoreFuture<'_, ()>;
}
