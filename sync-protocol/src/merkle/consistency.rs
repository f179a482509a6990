//! Consistency proofs: the hashes of RFC 6962 §2.1.2 that show a log of `from` leaves is a
//! prefix of a log of `to` leaves, and their verification by the algorithm of RFC 9162 §2.1.4.2.

use super::MerkleError;
use super::tree::{empty_root, node_hash, root, split};
use crate::crypto::Hash;

/// `PROOF(from, D[to])` over the leaf hashes `leaves` (all `to` of them). Empty when `from` is
/// 0 or `to`: every log extends the empty one, and a log is consistent with itself.
pub fn consistency_proof(leaves: &[Hash], from: u64) -> Result<Vec<Hash>, MerkleError> {
    let to = leaves.len() as u64;
    if from > to {
        return Err(MerkleError::SizesOutOfOrder { from, to });
    }
    let mut proof = Vec::new();
    if from > 0 {
        subproof(leaves, from as usize, true, &mut proof);
    }
    Ok(proof)
}

/// `SUBPROOF(m, D[n], b)`; `whole` is b: whether `D[0:m]` is the old tree itself, whose root the
/// verifier already has.
fn subproof(leaves: &[Hash], m: usize, whole: bool, proof: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !whole {
            proof.push(root(leaves));
        }
        return;
    }
    let k = split(n as u64) as usize;
    if m <= k {
        subproof(&leaves[..k], m, whole, proof);
        proof.push(root(&leaves[k..]));
    } else {
        subproof(&leaves[k..], m - k, false, proof);
        proof.push(root(&leaves[..k]));
    }
}

/// Checks that the log of `from` leaves with root `old_root` is a prefix of the log of `to`
/// leaves with root `new_root`, given the consistency proof `proof`.
pub fn verify_consistency(from: u64, to: u64, old_root: &Hash, new_root: &Hash, proof: &[Hash]) -> Result<(), MerkleError> {
    if from > to {
        return Err(MerkleError::SizesOutOfOrder { from, to });
    }
    if from == 0 || from == to {
        if !proof.is_empty() {
            return Err(MerkleError::BadProof("the consistency proof must be empty"));
        }
        if from == 0 && *old_root != empty_root() {
            return Err(MerkleError::BadProof("the old root is not the root of an empty log"));
        }
        if from == to && old_root != new_root {
            return Err(MerkleError::BadProof("two logs of the same size have different roots"));
        }
        return Ok(());
    }
    let Some((first, rest)) = proof.split_first() else {
        return Err(MerkleError::BadProof("the consistency proof is empty"));
    };
    // A power-of-two old log is a subtree of the new one: the proof leaves its root out.
    let (start, rest) = if from.is_power_of_two() { (old_root, proof) } else { (first, rest) };
    let (mut fn_, mut sn) = (from - 1, to - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*start, *start);
    for c in rest {
        if sn == 0 {
            return Err(MerkleError::BadProof("the consistency proof is too long"));
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(MerkleError::BadProof("the consistency proof is too short"));
    }
    if fr != *old_root {
        return Err(MerkleError::BadProof("the consistency proof does not lead to the old root"));
    }
    if sr != *new_root {
        return Err(MerkleError::BadProof("the consistency proof does not lead to the new root"));
    }
    Ok(())
}
