//! The Merkle tree hash of RFC 6962 §2.1 over SHA-256: leaves hashed with a 0x00 prefix, inner
//! nodes with 0x01, a list of n > 1 leaves split at the largest power of two smaller than n.

use sha2::{Digest, Sha256};

use crate::crypto::Hash;

/// `MTH({})`: the hash of an empty log, SHA-256 of no bytes.
pub fn empty_root() -> Hash {
    Hash(Sha256::digest([]).into())
}

/// `MTH({d})`: the hash of a leaf holding the bytes `data`, `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    Hash(h.finalize().into())
}

/// The hash of an inner node, `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// The largest power of two strictly smaller than `n`, where the tree of `n > 1` leaves splits.
pub fn split(n: u64) -> u64 {
    debug_assert!(n > 1, "only a tree of two or more leaves splits");
    1 << (63 - (n - 1).leading_zeros())
}

/// `MTH(D[n])` of the leaves whose leaf hashes are `leaves`, by the recursive definition.
/// O(n) hashes; [`super::Frontier`] gives the same root incrementally.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => empty_root(),
        [one] => *one,
        _ => {
            let k = split(leaves.len() as u64) as usize;
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(parts: &[&[u8]]) -> [u8; 32] {
        let mut h = Sha256::new();
        for p in parts {
            h.update(p);
        }
        h.finalize().into()
    }

    #[test]
    fn the_split_is_the_largest_power_of_two_below_n() {
        let expected = [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (1 << 40, 1 << 39), ((1 << 40) + 1, 1 << 40)];
        for (n, k) in expected {
            assert_eq!(split(n), k, "n = {n}");
        }
        assert_eq!(split(u64::MAX), 1 << 63);
    }

    /// Roots written out with SHA-256 directly, independently of the recursion.
    #[test]
    fn small_trees_hash_as_written_out() {
        let (a, b, c) = (b"a".as_slice(), b"b".as_slice(), b"c".as_slice());
        let la = sha(&[&[0], a]);
        let lb = sha(&[&[0], b]);
        let lc = sha(&[&[0], c]);
        let leaves: Vec<Hash> = [a, b, c].iter().map(|d| leaf_hash(d)).collect();
        assert_eq!(root(&leaves[..1]).0, la);
        let ab = sha(&[&[1], &la, &lb]);
        assert_eq!(root(&leaves[..2]).0, ab);
        // Three leaves: (a b) c, since 2 is the largest power of two below 3.
        assert_eq!(root(&leaves).0, sha(&[&[1], &ab, &lc]));
        assert_eq!(root(&[]).to_hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn a_leaf_and_a_node_over_the_same_bytes_differ() {
        let (l, r) = (Hash([1; 32]), Hash([2; 32]));
        let mut joined = l.0.to_vec();
        joined.extend_from_slice(&r.0);
        assert_ne!(leaf_hash(&joined), node_hash(&l, &r), "the prefixes keep leaves and nodes apart");
    }
}
