//! A device as a witness of the central log: it keeps the latest checkpoint it was given (with the
//! frontier of that tree and the key that signed it) and accepts the next one only if the log it
//! signs extends the one held, or if the store declares a new epoch (a restore). Pure.

use super::{Frontier, MerkleError, SignedCheckpoint};
use crate::crypto::{Hash, PublicKey};
use crate::wire::witness::WitnessReply;

/// What a device holds of the log: the epoch it saw, the key it pinned and the frontier of the
/// last checkpoint it accepted (its size and root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub epoch: String,
    pub key: PublicKey,
    pub frontier: Frontier,
}

/// What the device learns from a reply it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// What to hold from now on.
    pub held: Held,
    /// The checkpoint accepted, as its note.
    pub checkpoint: SignedCheckpoint,
    /// When the epoch changed: the epoch and size held before (a restore the device must know of).
    pub new_epoch_after: Option<(String, u64)>,
}

/// Why a device refuses the server's log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitnessError {
    #[error("the log's checkpoint does not verify: {0}")]
    Checkpoint(#[from] MerkleError),
    #[error("the log is signed by another key than the one this device pinned")]
    KeyChanged,
    #[error("the log holds {server} entries, fewer than the {held} this device saw signed: it was rolled back")]
    Shorter { held: u64, server: u64 },
    #[error("the log of {server} entries does not extend the {held} this device saw signed: it was rewritten")]
    Inconsistent { held: u64, server: u64 },
    #[error("the frontier given does not make the checkpoint's root")]
    BadFrontier,
}

/// Checks `reply` against what the device holds (`None`: nothing yet) and says what to hold next.
pub fn check(held: Option<&Held>, reply: &WitnessReply) -> Result<Accepted, WitnessError> {
    let signed = &reply.checkpoint.checkpoint;
    let key = reply.checkpoint.public_key;
    signed.verify(&key)?;
    if held.is_some_and(|h| h.key != key) {
        return Err(WitnessError::KeyChanged);
    }
    let (size, root) = (signed.checkpoint.size, signed.checkpoint.root);
    let frontier = match held.filter(|h| h.epoch == reply.epoch.id) {
        Some(h) if size < h.frontier.size() => return Err(WitnessError::Shorter { held: h.frontier.size(), server: size }),
        Some(h) => {
            extend(&h.frontier, &reply.leaves, size, root).ok_or(WitnessError::Inconsistent { held: h.frontier.size(), server: size })?
        }
        None => Frontier::from_parts(size, reply.frontier.clone()).filter(|f| f.root() == root).ok_or(WitnessError::BadFrontier)?,
    };
    let new_epoch_after = held.filter(|h| h.epoch != reply.epoch.id).map(|h| (h.epoch.clone(), h.frontier.size()));
    Ok(Accepted { held: Held { epoch: reply.epoch.id.clone(), key, frontier }, checkpoint: signed.clone(), new_epoch_after })
}

/// `held` with `leaves` appended, if that makes a log of `size` leaves with `root`.
fn extend(held: &Frontier, leaves: &[Hash], size: u64, root: Hash) -> Option<Frontier> {
    let mut f = held.clone();
    for leaf in leaves {
        f.push(*leaf);
    }
    (f.size() == size && f.root() == root).then_some(f)
}

#[cfg(test)]
mod tests {
    use super::super::{Checkpoint, leaf_hash};
    use super::*;
    use crate::crypto::DeviceKey;
    use crate::wire::audit::CheckpointReply;
    use crate::wire::witness::StoreEpoch;

    const ORIGIN: &str = "patrolsync/central/0192f0c1-0000-7000-8000-0000000000aa";

    fn leaves(n: u32, salt: u8) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&[&i.to_be_bytes()[..], &[salt]].concat())).collect()
    }

    /// The reply a server with `log` (and `key`) gives a device holding `held_size` leaves.
    fn reply(key: &DeviceKey, epoch: &str, log: &[Hash], held_size: Option<u64>) -> WitnessReply {
        let f = Frontier::from_leaves(log);
        let signed = Checkpoint::new(ORIGIN, f.size(), f.root()).expect("checkpoint").sign(key);
        let (frontier, tail) = match held_size {
            Some(m) if m > 0 && m <= f.size() => (vec![], log[m as usize..].to_vec()),
            _ => (f.subtrees().to_vec(), vec![]),
        };
        WitnessReply {
            epoch: StoreEpoch { id: epoch.into(), since_seq: 0 },
            checkpoint: CheckpointReply::new(signed, key.public()),
            frontier,
            leaves: tail,
        }
    }

    #[test]
    fn a_growing_log_is_accepted_and_a_shorter_or_rewritten_one_refused() {
        let key = DeviceKey::from_secret([7; 32]);
        let log = leaves(40, 0);
        let first = check(None, &reply(&key, "e1", &log[..13], None)).expect("first checkpoint");
        assert_eq!((first.held.frontier.size(), first.new_epoch_after.clone()), (13, None));
        let grown = check(Some(&first.held), &reply(&key, "e1", &log, Some(13))).expect("the log grew");
        assert_eq!(grown.held.frontier, Frontier::from_leaves(&log));
        let same = check(Some(&grown.held), &reply(&key, "e1", &log, Some(40))).expect("nothing new");
        assert_eq!(same.held, grown.held);

        let truncated = reply(&key, "e1", &log[..30], None);
        assert_eq!(check(Some(&grown.held), &truncated), Err(WitnessError::Shorter { held: 40, server: 30 }));
        let mut rewritten_log = log.clone();
        rewritten_log[20] = leaf_hash(b"forged");
        rewritten_log.extend(leaves(5, 1));
        let rewritten = reply(&key, "e1", &rewritten_log, Some(40));
        assert_eq!(check(Some(&grown.held), &rewritten), Err(WitnessError::Inconsistent { held: 40, server: 45 }));
        let mut lying = reply(&key, "e1", &rewritten_log, Some(40));
        lying.leaves.truncate(2);
        assert!(matches!(check(Some(&grown.held), &lying), Err(WitnessError::Inconsistent { .. })), "too few leaves");
    }

    #[test]
    fn a_new_epoch_restarts_the_witness_and_says_so() {
        let key = DeviceKey::from_secret([7; 32]);
        let log = leaves(40, 0);
        let held = check(None, &reply(&key, "e1", &log, None)).expect("first").held;
        let restored = check(Some(&held), &reply(&key, "e2", &log[..25], Some(40))).expect("a restore");
        assert_eq!(restored.new_epoch_after, Some(("e1".into(), 40)));
        assert_eq!(restored.held.frontier.size(), 25);
    }

    #[test]
    fn a_bad_signature_another_key_or_a_bad_frontier_is_refused() {
        let key = DeviceKey::from_secret([7; 32]);
        let log = leaves(9, 0);
        let held = check(None, &reply(&key, "e1", &log, None)).expect("first").held;
        let other = DeviceKey::from_secret([8; 32]);
        assert_eq!(check(Some(&held), &reply(&other, "e1", &log, Some(9))), Err(WitnessError::KeyChanged));
        let mut forged = reply(&key, "e1", &log, None);
        forged.checkpoint.checkpoint.checkpoint.size = 8;
        assert!(matches!(check(None, &forged), Err(WitnessError::Checkpoint(_))));
        let mut bad_frontier = reply(&key, "e1", &log, None);
        bad_frontier.frontier.reverse();
        assert_eq!(check(None, &bad_frontier), Err(WitnessError::BadFrontier));
    }
}
