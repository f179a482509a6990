//! The frontier (compact range) of a log: the roots of the perfect subtrees that make up the
//! leaves so far, enough to append a leaf and to give the root in O(log n) without the leaves.

use super::tree::{empty_root, node_hash};
use crate::crypto::Hash;

/// The left edge of a log of `size` leaves: one perfect subtree root per bit set in `size`,
/// largest (leftmost) first. Appending merges equal-sized subtrees like a binary counter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    subtrees: Vec<Hash>,
}

impl Frontier {
    /// The frontier of an empty log.
    pub fn new() -> Frontier {
        Frontier::default()
    }

    /// The frontier of the leaves whose leaf hashes are `leaves`, in order.
    pub fn from_leaves<'a>(leaves: impl IntoIterator<Item = &'a Hash>) -> Frontier {
        let mut f = Frontier::new();
        for leaf in leaves {
            f.push(*leaf);
        }
        f
    }

    /// The frontier of a log of `size` leaves from its subtree roots (largest first), as
    /// [`Frontier::subtrees`] gives them; `None` when their number is not the bits set in `size`.
    pub fn from_parts(size: u64, subtrees: Vec<Hash>) -> Option<Frontier> {
        (subtrees.len() as u32 == size.count_ones()).then_some(Frontier { size, subtrees })
    }

    /// The roots of the perfect subtrees, largest (leftmost) first: what another party needs to
    /// go on appending to this log and check its roots.
    pub fn subtrees(&self) -> &[Hash] {
        &self.subtrees
    }

    /// How many leaves the log holds.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash (see [`super::leaf_hash`]). Amortised one node hash per append, at
    /// most log2(n).
    pub fn push(&mut self, leaf: Hash) {
        let mut node = leaf;
        // Each trailing one bit of the old size is a subtree of the same height as `node`.
        let mut carry = self.size;
        while carry & 1 == 1 {
            // A set bit always has its subtree on the stack.
            let Some(left) = self.subtrees.pop() else { break };
            node = node_hash(&left, &node);
            carry >>= 1;
        }
        self.subtrees.push(node);
        self.size += 1;
    }

    /// `MTH` of every leaf so far: the subtrees folded from the right, which is the RFC 6962
    /// split (the left part is always the largest perfect subtree).
    pub fn root(&self) -> Hash {
        let mut from_right = self.subtrees.iter().rev();
        let Some(last) = from_right.next() else { return empty_root() };
        from_right.fold(*last, |right, left| node_hash(left, &right))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::{leaf_hash, root};
    use super::*;

    #[test]
    fn holds_one_subtree_per_bit_of_its_size() {
        let leaves: Vec<Hash> = (0u32..37).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut f = Frontier::new();
        assert_eq!(f.root(), empty_root());
        for (i, leaf) in leaves.iter().enumerate() {
            f.push(*leaf);
            assert_eq!(f.size(), i as u64 + 1);
            assert_eq!(f.subtrees.len() as u32, f.size().count_ones());
            assert_eq!(f.root(), root(&leaves[..=i]), "size {}", i + 1);
        }
        assert_eq!(Frontier::from_leaves(&leaves), f);
        assert_eq!(Frontier::from_parts(f.size(), f.subtrees().to_vec()), Some(f.clone()));
        assert_eq!(Frontier::from_parts(f.size() + 2, f.subtrees().to_vec()), None, "39 sets one more bit than 37");
    }
}
