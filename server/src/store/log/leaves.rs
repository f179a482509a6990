//! The leaf of each kind of stored row, from its columns: how the verification re-derives a leaf,
//! and how rows stored before the log existed are adopted. The writer builds the same leaves from
//! the values it is storing.

use sync_protocol::body::{BlobHash, MediaType};
use sync_protocol::crypto::Hash;
use sync_protocol::merkle::LogLeaf;
use sync_protocol::wire::RejectReason;

/// An `events` row's leaf: accepted (with no reason) or kept as rejected (with its reason).
pub fn event_leaf(server_seq: i64, hash: Hash, accepted: bool, reason: Option<&str>) -> Result<LogLeaf, String> {
    let server_seq = u64::try_from(server_seq).map_err(|_| format!("server_seq {server_seq} is negative"))?;
    match (accepted, reason) {
        (true, None) => Ok(LogLeaf::Event { server_seq, hash }),
        (false, Some(r)) => {
            let reason = RejectReason::parse(r).ok_or_else(|| format!("the reason {r:?} is not a reject reason"))?;
            Ok(LogLeaf::RejectedEvent { server_seq, hash, reason })
        }
        (true, Some(_)) => Err("an accepted event with a reject reason".into()),
        (false, None) => Err("a rejected event without a reason".into()),
    }
}

/// A `quarantine` row's leaf.
pub fn quarantine_leaf(id: i64, raw: &str, reason: &str) -> Result<LogLeaf, String> {
    let id = u64::try_from(id).map_err(|_| format!("id {id} is negative"))?;
    let reason = RejectReason::parse(reason).ok_or_else(|| format!("the reason {reason:?} is not a reject reason"))?;
    Ok(LogLeaf::quarantined(id, raw, reason))
}

/// A `blobs` row's leaf.
pub fn blob_leaf(sha256: &str, size: i64, media_type: &str) -> Result<LogLeaf, String> {
    let sha256: BlobHash = sha256.parse().map_err(|_| format!("{sha256:?} is not a SHA-256"))?;
    let size = u64::try_from(size).map_err(|_| format!("the size {size} is negative"))?;
    let media_type = MediaType::parse(media_type).ok_or_else(|| format!("the media type {media_type:?} is not allowed"))?;
    Ok(LogLeaf::Blob { sha256, size, media_type })
}
