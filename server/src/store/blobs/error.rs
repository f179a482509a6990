//! The blob layer's one error type. Each variant says whether retrying can help.

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The upload holds another number of bytes than the request starts at.
    #[error("the upload holds {current} bytes; resume from there")]
    OffsetMismatch { current: u64 },
    /// The bytes are not what the attachment declares (hash, size or media type): removed.
    #[error("{0}")]
    Refused(String),
    /// More bytes than the blob's declared size, or a declared size above the limit.
    #[error("the blob would exceed {limit} bytes")]
    TooLarge { limit: u64 },
    /// The complete blob is not stored.
    #[error("no such blob")]
    Missing,
    /// The connection ended before the body did; what arrived is kept for a resume.
    #[error("the upload was cut off after {received} bytes")]
    Interrupted { received: u64 },
    #[error("blob storage failed")]
    Io(#[from] std::io::Error),
}

impl BlobError {
    /// Whether sending the same request again later can succeed.
    pub fn is_permanent(&self) -> bool {
        matches!(self, BlobError::Refused(_) | BlobError::TooLarge { .. } | BlobError::Missing)
    }
}
