//! A blob upload carried out: the limits checked before any byte is read, the body streamed to
//! the store in parts (what arrives before a dropped connection is kept, so the upload resumes
//! from there), and the blob verified and completed once its last byte is in.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use std::io::Read;
use std::sync::Arc;
use sync_protocol::body::BlobHash;
use sync_protocol::ids::UserId;

use super::{BlobError, BlobStore, Expected};

/// Bytes gathered before each write to the store: few syscalls, little memory per upload.
const PART_BYTES: usize = 256 * 1024;

/// The blob store with the server's limits; cheap to clone.
#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn BlobStore>,
    /// The largest blob accepted, bytes.
    pub max_bytes: u64,
}

/// How a PUT ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// The last byte arrived and the blob was verified and stored.
    Complete,
    /// The body ended before the blob did: the upload holds `offset` bytes.
    Partial { offset: u64 },
}

impl Blobs {
    pub fn new(store: Arc<dyn BlobStore>, max_bytes: u64) -> Blobs {
        Blobs { store, max_bytes }
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn BlobStore) -> Result<T, BlobError> + Send + 'static,
    ) -> Result<T, BlobError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(store.as_ref())).await.map_err(|e| BlobError::Io(std::io::Error::other(e)))?
    }

    /// Bytes received so far of each `(hash, uploader)`'s incomplete upload, in order: one trip
    /// off the async workers for a whole list (a page of missing evidence is thousands).
    pub async fn offsets(&self, uploads: Vec<(BlobHash, UserId)>) -> Result<Vec<u64>, BlobError> {
        self.blocking(move |s| uploads.iter().map(|(hash, uploader)| s.offset(hash, uploader)).collect()).await
    }

    /// Bytes received so far of `uploader`'s incomplete upload.
    pub async fn offset(&self, hash: BlobHash, uploader: &UserId) -> Result<u64, BlobError> {
        let uploader = uploader.clone();
        self.blocking(move |s| s.offset(&hash, &uploader)).await
    }

    /// Reads the complete blob in pieces, off the async workers.
    pub async fn read(&self, hash: BlobHash) -> Result<impl Stream<Item = Result<Bytes, BlobError>> + use<>, BlobError> {
        let reader = self.blocking(move |s| s.open(&hash)).await?;
        Ok(futures_util::stream::try_unfold(reader, |mut reader| async move {
            let (reader, piece) = tokio::task::spawn_blocking(move || {
                let mut buf = vec![0u8; 64 * 1024];
                let n = reader.read(&mut buf)?;
                buf.truncate(n);
                Ok::<_, std::io::Error>((reader, buf))
            })
            .await
            .map_err(|e| BlobError::Io(std::io::Error::other(e)))??;
            Ok((!piece.is_empty()).then(|| (Bytes::from(piece), reader)))
        }))
    }

    /// Appends the request body to `uploader`'s upload of `hash`, which must hold `at` bytes, and
    /// completes the blob when it reaches `expect.size`. `length` is the body's announced length.
    pub async fn receive<S, E>(
        &self,
        hash: BlobHash,
        uploader: &UserId,
        at: u64,
        expect: Expected,
        length: Option<u64>,
        body: S,
    ) -> Result<Received, BlobError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        if expect.size > self.max_bytes {
            return Err(BlobError::TooLarge { limit: self.max_bytes });
        }
        if length.is_some_and(|n| at.saturating_add(n) > expect.size) {
            return Err(BlobError::TooLarge { limit: expect.size });
        }
        let current = self.offset(hash, uploader).await?;
        if current != at {
            return Err(BlobError::OffsetMismatch { current });
        }
        let offset = self.stream_parts(hash, uploader, at, expect.size, body).await?;
        if offset < expect.size {
            return Ok(Received::Partial { offset });
        }
        let uploader = uploader.clone();
        self.blocking(move |s| s.finish(&hash, &uploader, expect)).await?;
        Ok(Received::Complete)
    }

    /// Writes the body in parts; returns the upload's new length.
    async fn stream_parts<S, E>(&self, hash: BlobHash, uploader: &UserId, mut offset: u64, size: u64, mut body: S) -> Result<u64, BlobError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        let mut part: Vec<u8> = Vec::with_capacity(PART_BYTES);
        loop {
            let chunk = match body.next().await {
                Some(Ok(chunk)) => chunk,
                Some(Err(_)) => {
                    // The connection dropped: keep what arrived, for the resume.
                    let received = self.flush(hash, uploader, offset, &mut part).await?;
                    return Err(BlobError::Interrupted { received });
                }
                None => return self.flush(hash, uploader, offset, &mut part).await,
            };
            if offset + (part.len() + chunk.len()) as u64 > size {
                return Err(BlobError::TooLarge { limit: size });
            }
            part.extend_from_slice(&chunk);
            if part.len() >= PART_BYTES {
                offset = self.flush(hash, uploader, offset, &mut part).await?;
            }
        }
    }

    async fn flush(&self, hash: BlobHash, uploader: &UserId, at: u64, part: &mut Vec<u8>) -> Result<u64, BlobError> {
        if part.is_empty() {
            return Ok(at);
        }
        let (bytes, uploader) = (std::mem::take(part), uploader.clone());
        self.blocking(move |s| s.put_part(&hash, &uploader, at, &bytes)).await
    }
}
