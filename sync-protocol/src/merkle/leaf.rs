//! What each leaf of the central log stands for, and its bytes: a one-byte kind tag, fixed-width
//! fields (big-endian integers, raw 32-byte digests), then at most one text field to the end.

use sha2::{Digest, Sha256};

use super::tree::leaf_hash;
use crate::body::{BlobHash, MediaType};
use crate::crypto::Hash;
use crate::wire::RejectReason;

/// One entry of the central log. The tag keeps kinds apart: no leaf of one kind has the bytes of
/// a leaf of another, and a row can only be re-hashed into the leaf of its own kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLeaf {
    /// An accepted event: `0x01 || server_seq (8) || event hash (32)`.
    Event { server_seq: u64, hash: Hash },
    /// An authentic event kept as rejected evidence in its device's chain:
    /// `0x02 || server_seq (8) || event hash (32) || reason`.
    RejectedEvent { server_seq: u64, hash: Hash, reason: RejectReason },
    /// A quarantined push (no place in any chain): `0x03 || quarantine id (8) || SHA-256 of the raw
    /// text as received (32) || reason`.
    Quarantined { id: u64, raw_sha256: Hash, reason: RejectReason },
    /// A blob whose bytes were verified and stored: `0x04 || sha256 (32) || size (8) || media type`.
    Blob { sha256: BlobHash, size: u64, media_type: MediaType },
}

impl LogLeaf {
    pub const EVENT: u8 = 0x01;
    pub const REJECTED_EVENT: u8 = 0x02;
    pub const QUARANTINED: u8 = 0x03;
    pub const BLOB: u8 = 0x04;

    /// The leaf of a quarantine row, hashing its raw text.
    pub fn quarantined(id: u64, raw: &str, reason: RejectReason) -> LogLeaf {
        LogLeaf::Quarantined { id, raw_sha256: Hash(Sha256::digest(raw.as_bytes()).into()), reason }
    }

    /// The leaf's bytes, `d(i)` of RFC 6962.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        match self {
            LogLeaf::Event { server_seq, hash } => {
                out.push(Self::EVENT);
                out.extend_from_slice(&server_seq.to_be_bytes());
                out.extend_from_slice(&hash.0);
            }
            LogLeaf::RejectedEvent { server_seq, hash, reason } => {
                out.push(Self::REJECTED_EVENT);
                out.extend_from_slice(&server_seq.to_be_bytes());
                out.extend_from_slice(&hash.0);
                out.extend_from_slice(reason.as_str().as_bytes());
            }
            LogLeaf::Quarantined { id, raw_sha256, reason } => {
                out.push(Self::QUARANTINED);
                out.extend_from_slice(&id.to_be_bytes());
                out.extend_from_slice(&raw_sha256.0);
                out.extend_from_slice(reason.as_str().as_bytes());
            }
            LogLeaf::Blob { sha256, size, media_type } => {
                out.push(Self::BLOB);
                out.extend_from_slice(&sha256.0);
                out.extend_from_slice(&size.to_be_bytes());
                out.extend_from_slice(media_type.as_str().as_bytes());
            }
        }
        out
    }

    /// The leaf hash, `SHA-256(0x00 || encode())`.
    pub fn hash(&self) -> Hash {
        leaf_hash(&self.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frozen bytes: changing the encoding changes every stored leaf, so it needs a new tag.
    #[test]
    fn leaves_encode_as_documented() {
        let event = LogLeaf::Event { server_seq: 258, hash: Hash([0xaa; 32]) };
        assert_eq!(hex::encode(event.encode()), format!("01{:016x}{}", 258, "aa".repeat(32)));
        let rejected = LogLeaf::RejectedEvent { server_seq: 1, hash: Hash([0; 32]), reason: RejectReason::NotAllowed };
        assert_eq!(rejected.encode()[41..], *b"not_allowed");
        assert_eq!(rejected.encode()[0], 0x02);
        let q = LogLeaf::quarantined(7, "{", RejectReason::BadHash);
        let LogLeaf::Quarantined { raw_sha256, .. } = q else { unreachable!("a quarantine leaf") };
        assert_eq!(raw_sha256.to_hex(), hex::encode(Sha256::digest(b"{")));
        assert_eq!(q.encode()[..9], [3, 0, 0, 0, 0, 0, 0, 0, 7]);
        let blob = LogLeaf::Blob { sha256: BlobHash([0x11; 32]), size: 5, media_type: MediaType::Jpeg };
        assert_eq!(hex::encode(blob.encode()), format!("04{}{:016x}{}", "11".repeat(32), 5, hex::encode("image/jpeg")));
        let mut expected = vec![0u8];
        expected.extend(blob.encode());
        assert_eq!(blob.hash().0, <[u8; 32]>::from(Sha256::digest(&expected)));
    }

    #[test]
    fn the_same_digest_in_two_kinds_gives_two_leaves() {
        let h = Hash([5; 32]);
        let accepted = LogLeaf::Event { server_seq: 1, hash: h };
        let rejected = LogLeaf::RejectedEvent { server_seq: 1, hash: h, reason: RejectReason::InvalidBody };
        let blob = LogLeaf::Blob { sha256: BlobHash(h.0), size: 1, media_type: MediaType::Png };
        assert_ne!(accepted.hash(), rejected.hash());
        assert_ne!(accepted.hash(), blob.hash());
        assert_ne!(accepted.hash(), LogLeaf::Event { server_seq: 2, hash: h }.hash(), "the position is part of the leaf");
    }
}
