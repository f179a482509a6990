//! Properties of the log's proofs over random logs: every honest proof verifies, and any change
//! to a proof, a root, an index or a size makes verification fail unless the changed statement is
//! itself true of the same leaves (then it is exactly that statement's proof).

use proptest::prelude::*;

use super::*;
use crate::crypto::{DeviceKey, Hash};

fn leaves(n: usize, seed: u64) -> Vec<Hash> {
    (0..n as u64).map(|i| leaf_hash(&[seed.to_be_bytes(), i.to_be_bytes()].concat())).collect()
}

fn flipped(h: &Hash, byte: usize) -> Hash {
    let mut out = *h;
    out.0[byte % 32] ^= 0x01;
    out
}

/// Every change of one proof: each element with one bit flipped, one element dropped, one added.
fn altered_proofs(proof: &[Hash], byte: usize) -> Vec<Vec<Hash>> {
    let mut out = Vec::new();
    for i in 0..proof.len() {
        let mut p = proof.to_vec();
        p[i] = flipped(&p[i], byte);
        out.push(p);
        let mut p = proof.to_vec();
        p.remove(i);
        out.push(p);
    }
    let mut longer = proof.to_vec();
    longer.push(Hash([7; 32]));
    out.push(longer);
    out
}

/// The certificate-transparency reference tree: the leaf data, and the roots of its first 1..8 leaves.
#[test]
fn the_reference_tree_has_its_published_roots() {
    let data = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];
    let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    let leaves: Vec<Hash> = data.iter().map(|d| leaf_hash(&hex::decode(d).expect("hex"))).collect();
    let mut frontier = Frontier::new();
    for (n, expected) in roots.iter().enumerate() {
        frontier.push(leaves[n]);
        assert_eq!(root(&leaves[..=n]).to_hex(), *expected, "{} leaves", n + 1);
        assert_eq!(frontier.root().to_hex(), *expected, "{} leaves, incrementally", n + 1);
    }
}

/// Every size pair of small logs, exhaustively (the shapes proptest might rarely draw).
#[test]
fn every_prefix_of_small_logs_is_proven() {
    let all = leaves(70, 1);
    for n in 0..=all.len() {
        let log = &all[..n];
        let r = root(log);
        for m in 0..=n {
            let proof = consistency_proof(log, m as u64).expect("m <= n");
            assert_eq!(verify_consistency(m as u64, n as u64, &root(&log[..m]), &r, &proof), Ok(()), "{m} of {n}");
        }
        for i in 0..n {
            let path = inclusion_proof(log, i as u64).expect("i < n");
            assert_eq!(verify_inclusion(&log[i], i as u64, n as u64, &path, &r), Ok(()), "leaf {i} of {n}");
        }
    }
}

#[test]
fn impossible_requests_are_errors() {
    let log = leaves(5, 2);
    assert_eq!(consistency_proof(&log, 6), Err(MerkleError::SizesOutOfOrder { from: 6, to: 5 }));
    assert_eq!(inclusion_proof(&log, 5), Err(MerkleError::IndexOutOfRange { index: 5, size: 5 }));
    let r = root(&log);
    assert!(verify_consistency(6, 5, &r, &r, &[]).is_err());
    assert!(verify_inclusion(&log[0], 5, 5, &[], &r).is_err());
    assert!(verify_consistency(0, 5, &Hash([1; 32]), &r, &[]).is_err(), "the empty log has one root");
}

proptest! {
    #[test]
    fn the_frontier_root_is_the_recursive_root(n in 0usize..600, seed: u64) {
        let log = leaves(n, seed);
        prop_assert_eq!(Frontier::from_leaves(&log).root(), root(&log));
    }

    #[test]
    fn a_signed_checkpoint_binds_its_size_root_and_origin(size: u64, root in any::<[u8; 32]>(), secret in any::<[u8; 32]>(), byte: usize) {
        let key = DeviceKey::from_secret(secret);
        let signed = Checkpoint::new("patrolsync/test-log", size, Hash(root)).expect("origin").sign(&key);
        prop_assert_eq!(signed.verify(&key.public()), Ok(()));
        prop_assert_eq!(SignedCheckpoint::from_note(&signed.to_note()), Ok(signed.clone()));

        let mut other = signed.clone();
        other.checkpoint.size = size.wrapping_add(1);
        prop_assert_eq!(other.verify(&key.public()), Err(MerkleError::BadSignature));
        let mut other = signed.clone();
        other.checkpoint.root = flipped(&other.checkpoint.root, byte);
        prop_assert_eq!(other.verify(&key.public()), Err(MerkleError::BadSignature));
        let mut other = signed.clone();
        other.signature.0[byte % 64] ^= 0x80;
        prop_assert_eq!(other.verify(&key.public()), Err(MerkleError::BadSignature));
        let mut other = signed.clone();
        other.checkpoint.origin = "patrolsync/another-log".into();
        prop_assert!(other.verify(&key.public()).is_err());
        let stranger = DeviceKey::from_secret(secret.map(|b| b ^ 0xff));
        prop_assert!(matches!(signed.verify(&stranger.public()), Err(MerkleError::UnknownKey(_))));
    }
}

proptest! {
    // Each case tries every alteration of one proof against logs of up to 340 leaves.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_consistency_proof_holds_and_nothing_else_does(n in 0usize..300, m_at in 0.0f64..=1.0, extra in 1usize..40, seed: u64, byte: usize) {
        let all = leaves(n + extra, seed);
        let m = ((n as f64) * m_at) as usize;
        let log = &all[..n];
        let (old, new) = (root(&log[..m]), root(log));
        let proof = consistency_proof(log, m as u64).expect("m <= n");
        prop_assert_eq!(verify_consistency(m as u64, n as u64, &old, &new, &proof), Ok(()));

        for p in altered_proofs(&proof, byte) {
            prop_assert!(verify_consistency(m as u64, n as u64, &old, &new, &p).is_err());
        }
        prop_assert!(verify_consistency(m as u64, n as u64, &flipped(&old, byte), &new, &proof).is_err());
        // Every log extends the empty one, whatever its root: from 0 to more, the new root is
        // not tested (an empty log has exactly one root, though).
        let holds = verify_consistency(m as u64, n as u64, &old, &flipped(&new, byte), &proof).is_ok();
        prop_assert_eq!(holds, m == 0 && n > 0);
        // Another old size, with its true root: only its own proof would do. (Near m, and the ends;
        // every pair of small sizes is tried above.)
        let near = m.saturating_sub(8)..=(m + 8).min(n);
        for m2 in near.chain([0, 1.min(n), n]).filter(|&m2| m2 != m) {
            let holds = verify_consistency(m2 as u64, n as u64, &root(&log[..m2]), &new, &proof).is_ok();
            prop_assert_eq!(holds, consistency_proof(log, m2 as u64).expect("m2 <= n") == proof, "old size {} for {}", m2, m);
        }
        // Another new size, with its true root.
        for n2 in (m..=all.len()).filter(|&n2| n2 != n) {
            let holds = verify_consistency(m as u64, n2 as u64, &old, &root(&all[..n2]), &proof).is_ok();
            prop_assert_eq!(holds, consistency_proof(&all[..n2], m as u64).expect("m <= n2") == proof, "new size {} for {}", n2, n);
        }
    }

    #[test]
    fn an_inclusion_proof_holds_and_nothing_else_does(n in 1usize..300, i_at in 0.0f64..1.0, extra in 1usize..40, seed: u64, byte: usize) {
        let all = leaves(n + extra, seed);
        let i = ((n as f64) * i_at) as usize;
        let log = &all[..n];
        let r = root(log);
        let path = inclusion_proof(log, i as u64).expect("i < n");
        prop_assert_eq!(verify_inclusion(&log[i], i as u64, n as u64, &path, &r), Ok(()));

        for p in altered_proofs(&path, byte) {
            prop_assert!(verify_inclusion(&log[i], i as u64, n as u64, &p, &r).is_err());
        }
        prop_assert!(verify_inclusion(&flipped(&log[i], byte), i as u64, n as u64, &path, &r).is_err());
        prop_assert!(verify_inclusion(&log[i], i as u64, n as u64, &path, &flipped(&r, byte)).is_err());
        for j in (0..n).filter(|&j| j != i) {
            prop_assert!(verify_inclusion(&log[i], j as u64, n as u64, &path, &r).is_err(), "index {} for {}", j, i);
        }
        for n2 in (i + 1..=all.len()).filter(|&n2| n2 != n) {
            let holds = verify_inclusion(&log[i], i as u64, n2 as u64, &path, &root(&all[..n2])).is_ok();
            prop_assert_eq!(holds, inclusion_proof(&all[..n2], i as u64).expect("i < n2") == path, "size {} for {}", n2, n);
        }
    }
}
