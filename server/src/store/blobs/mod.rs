//! Blob storage for evidence: content-addressed by SHA-256, uploaded in resumable parts, verified
//! (hash, size, media type by content) before a blob becomes visible, and stored once.
//!
//! # Layout
//! - [`BlobStore`]: the storage interface; [`local_fs`]: its file-system implementation (an
//!   S3-compatible object store would be another: multipart parts for `put_part`, a server-side
//!   copy from the upload key to the content key for `finish`).
//! - [`upload`]: a PUT carried out: offsets, limits, the body streamed to the store, completion.
//! - [`error`]: the module's one error type.

pub mod error;
pub mod local_fs;
pub mod upload;

pub use error::BlobError;
pub use local_fs::LocalFs;

use std::io::Read;
use sync_protocol::body::{BlobHash, MediaType};
use sync_protocol::ids::UserId;

/// What a complete blob must be: the size and media type its attachment declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    pub size: u64,
    pub media_type: MediaType,
}

/// Where blob bytes live. Every method is blocking: callers run them off the async workers.
///
/// Each uploader's incomplete upload of a blob is kept apart from everyone else's: an upload is
/// its author's proof of holding the bytes (docs/evidence.md), so nobody may see another's
/// progress or append to it.
pub trait BlobStore: Send + Sync + 'static {
    /// Bytes received so far of `uploader`'s incomplete upload (0 when there is none).
    fn offset(&self, hash: &BlobHash, uploader: &UserId) -> Result<u64, BlobError>;
    /// Appends `bytes` to `uploader`'s incomplete upload, which must hold exactly `at` bytes
    /// (else [`BlobError::OffsetMismatch`]); returns the new length.
    fn put_part(&self, hash: &BlobHash, uploader: &UserId, at: u64, bytes: &[u8]) -> Result<u64, BlobError>;
    /// Checks `uploader`'s incomplete upload against `hash` and `expect` and makes it the
    /// complete blob, durably; when the blob is stored already, the checked copy is dropped (a
    /// blob is stored once). A mismatch removes the upload ([`BlobError::Refused`]) and stores
    /// nothing.
    fn finish(&self, hash: &BlobHash, uploader: &UserId, expect: Expected) -> Result<(), BlobError>;
    /// Whether the complete blob is stored.
    fn exists(&self, hash: &BlobHash) -> Result<bool, BlobError>;
    /// Reads the complete blob.
    fn open(&self, hash: &BlobHash) -> Result<Box<dyn Read + Send>, BlobError>;
}

/// Checks the first bytes of a file against the media type it is declared as: the content
/// decides, never the file name. HEIC is recognised as ISO-BMFF HEIF, the container it uses.
pub fn sniff_matches(head: &[u8], declared: MediaType) -> bool {
    let Some(found) = infer::get(head) else { return false };
    match declared {
        MediaType::Heic => found.mime_type() == "image/heif",
        other => found.mime_type() == other.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_the_media_type() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D];
        let pdf = b"%PDF-1.7\n%\xE2\xE3";
        let mp4 = [0, 0, 0, 0x18, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm', 0, 0, 0, 0];
        let heic =
            [0, 0, 0, 0x18, b'f', b't', b'y', b'p', b'h', b'e', b'i', b'c', 0, 0, 0, 0, b'm', b'i', b'f', b'1', b'h', b'e', b'i', b'c'];
        let html = b"<html><script>alert(1)</script>";
        let cases: [(&[u8], MediaType, bool); 9] = [
            (&jpeg, MediaType::Jpeg, true),
            (&png, MediaType::Png, true),
            (pdf, MediaType::Pdf, true),
            (&mp4, MediaType::Mp4, true),
            (&heic, MediaType::Heic, true),
            (&png, MediaType::Jpeg, false),
            (&jpeg, MediaType::Pdf, false),
            (html, MediaType::Jpeg, false),
            (b"", MediaType::Png, false),
        ];
        for (head, declared, ok) in cases {
            assert_eq!(sniff_matches(head, declared), ok, "{declared:?} {head:?}");
        }
    }
}
