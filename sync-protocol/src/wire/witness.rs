//! What a sync reply carries for a device that witnesses the central log (protocol.md §7.12): the
//! store's epoch, the log's latest signed checkpoint, and what the device needs to check that it
//! extends the one it holds; and the marker of a stored event the server withheld from a page.

use serde::{Deserialize, Serialize};

use super::audit::CheckpointReply;
use crate::crypto::Hash;
use crate::ids::EventId;

/// One life of the central store. A store made by `init` or the demo starts one; `restore`
/// starts a new one, because the restored log may be shorter than what devices witnessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreEpoch {
    /// A UUID, new for each epoch.
    pub id: String,
    /// The greatest server sequence stored before this epoch began (0 for a new store): every
    /// pull cursor above it names events the restored store may not hold.
    pub since_seq: u64,
}

/// The request's `witness`: the epoch and size of the checkpoint the device holds (none at first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessAsk {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
    #[serde(default)]
    pub size: u64,
}

/// The reply's `witness`, present when the request asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessReply {
    pub epoch: StoreEpoch,
    /// The latest checkpoint the server signed, with its public key and note.
    pub checkpoint: CheckpointReply,
    /// The frontier of `checkpoint` (its perfect subtrees, largest first): given when the device
    /// holds no checkpoint, one of another epoch (a restore), or one larger than this.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frontier: Vec<Hash>,
    /// Otherwise the leaf hashes from the size the device holds up to `checkpoint`'s size, in order:
    /// appended to the device's frontier they must give `checkpoint`'s root.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leaves: Vec<Hash>,
}

/// A stored event the server left out of a page because its row no longer matches its hash: it
/// raised a tampering flag, and the device keeps the marker to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withheld {
    pub server_seq: u64,
    /// The event's id as its row names it.
    pub id: Option<EventId>,
    pub problem: String,
}
