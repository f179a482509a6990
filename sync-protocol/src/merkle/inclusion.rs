//! Inclusion proofs: the audit path of RFC 6962 §2.1.1 that shows a leaf is the `index`-th of a
//! log of `size` leaves, and its verification by the algorithm of RFC 9162 §2.1.3.2.

use super::MerkleError;
use super::tree::{node_hash, root, split};
use crate::crypto::Hash;

/// `PATH(index, D[n])` over the leaf hashes `leaves`: the sibling hashes from the leaf up.
pub fn inclusion_proof(leaves: &[Hash], index: u64) -> Result<Vec<Hash>, MerkleError> {
    let size = leaves.len() as u64;
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let mut path = Vec::new();
    walk(leaves, index as usize, &mut path);
    Ok(path)
}

/// The path is built top-down and listed bottom-up: each level's sibling is pushed after the
/// deeper levels'.
fn walk(leaves: &[Hash], m: usize, path: &mut Vec<Hash>) {
    if leaves.len() <= 1 {
        return;
    }
    let k = split(leaves.len() as u64) as usize;
    if m < k {
        walk(&leaves[..k], m, path);
        path.push(root(&leaves[k..]));
    } else {
        walk(&leaves[k..], m - k, path);
        path.push(root(&leaves[..k]));
    }
}

/// Checks that `leaf` (a leaf hash) is the `index`-th leaf of the log of `size` leaves whose
/// root is `root`, given its audit path `proof`.
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> Result<(), MerkleError> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(MerkleError::BadProof("the inclusion proof is too long"));
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            // A right edge node with no sibling at these levels: climb past them.
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(MerkleError::BadProof("the inclusion proof is too short"));
    }
    if r != *root {
        return Err(MerkleError::BadProof("the inclusion proof does not lead to the root"));
    }
    Ok(())
}
