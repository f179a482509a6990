//! Protocol versions: which reply shape a client reads. A client names the version it speaks in
//! the `Patrolsync-Protocol` request header; the server answers in that version's shape, or in
//! its own when the client's is newer, and names the version it answered in the same header.
//!
//! Replies only ever grow: a field added in version N is left out of every reply to a client
//! that names an older version (or none), so a build that refuses unknown fields keeps syncing
//! after the server is upgraded. [`ADDED`] lists each field with the version that added it; each
//! reply that has such fields is [`Versioned`].

use super::SyncResponse;
use super::cases::{CaseDetail, CaseList};
use super::reports::ComplianceReport;

/// The header that carries the version, in requests and in replies.
pub const HEADER: &str = "patrolsync-protocol";

/// The version this build speaks.
pub const CURRENT: u32 = 4;

/// The version of a device that names none: the builds before versions were named, whose
/// replies had no `Ack.buckets` (and which may refuse a field they do not know).
pub const UNNAMED: u32 = 1;

/// Every reply field added after version 1, with the version that added it.
pub const ADDED: &[(&str, u32)] = &[
    ("SyncResponse.acks[].buckets", 2),
    ("SyncResponse.witness", 3),
    ("SyncResponse.pages[].withheld", 3),
    ("ComplianceReport.officers[].village", 4),
    ("CaseList.cases[].actions", 4),
    ("CaseDetail.summary.actions", 4),
];

/// A reply with fields added after version 1: the reply in the shape of a version, those fields
/// (see [`ADDED`]) left out.
pub trait Versioned {
    fn for_version(self, version: u32) -> Self;
}

/// The version to answer a request in, from its header (absent: [`UNNAMED`]). A device newer
/// than this build is answered in [`CURRENT`] (it reads older shapes); a header that is not a
/// version is refused.
pub fn negotiate(header: Option<&str>) -> Result<u32, crate::error::ValidationError> {
    let Some(text) = header else { return Ok(UNNAMED) };
    match text.trim().parse::<u32>() {
        Ok(v) if v >= 1 => Ok(v.min(CURRENT)),
        _ => Err(crate::error::ValidationError::Field {
            field: HEADER,
            problem: format!("{text:?} is not a protocol version (1, 2, 3, …)"),
        }),
    }
}

impl<E> Versioned for SyncResponse<E> {
    fn for_version(mut self, version: u32) -> Self {
        if version < 2 {
            for ack in &mut self.acks {
                ack.buckets.clear();
            }
        }
        if version < 3 {
            // A build of version 2 or older cannot ask for a witness, and learns of no withheld
            // event: its cursor moves past one as it would past an event it never needed.
            self.witness = None;
            for page in &mut self.pages {
                page.withheld.clear();
            }
        }
        self
    }
}

impl Versioned for ComplianceReport {
    fn for_version(mut self, version: u32) -> Self {
        if version < 4 {
            self.officers.iter_mut().for_each(|o| o.village = None);
        }
        self
    }
}

impl Versioned for CaseList {
    fn for_version(mut self, version: u32) -> Self {
        if version < 4 {
            self.cases.iter_mut().for_each(|c| c.actions.clear());
        }
        self
    }
}

impl Versioned for CaseDetail {
    fn for_version(mut self, version: u32) -> Self {
        if version < 4 {
            self.summary.actions.clear();
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::DeviceKey;
    use crate::merkle::{Checkpoint, Frontier, leaf_hash};
    use crate::scope::Bucket;
    use crate::wire::audit::CheckpointReply;
    use crate::wire::witness::{StoreEpoch, Withheld, WitnessReply};
    use crate::wire::{Ack, BucketPage};

    fn reply() -> SyncResponse<serde_json::Value> {
        let id = "0192f0c1-7a3b-7c00-8000-000000000001".parse().expect("uuid");
        let log = Frontier::from_leaves(&[leaf_hash(b"one")]);
        let key = DeviceKey::from_secret([7; 32]);
        let signed = Checkpoint::new("patrolsync/central/test", log.size(), log.root()).expect("checkpoint").sign(&key);
        let withheld = Withheld { server_seq: 3, id: None, problem: "the stored row no longer matches its hash".into() };
        SyncResponse {
            acks: vec![Ack::accepted(id, 1).with_buckets(vec![Bucket::County])],
            pages: vec![BucketPage { bucket: Bucket::County, events: vec![], cursor: 3, more: false, withheld: vec![withheld] }],
            purge: vec![],
            next_seq: 2,
            hlc: "1764131257000-00000".parse().expect("hlc"),
            witness: Some(WitnessReply {
                epoch: StoreEpoch { id: "e1".into(), since_seq: 0 },
                checkpoint: CheckpointReply::new(signed, key.public()),
                frontier: log.subtrees().to_vec(),
                leaves: vec![],
            }),
        }
    }

    #[test]
    fn a_device_is_answered_in_its_version_or_in_ours_when_it_is_newer() {
        assert_eq!(negotiate(None), Ok(UNNAMED));
        assert_eq!(negotiate(Some("1")), Ok(1));
        assert_eq!(negotiate(Some(" 2 ")), Ok(2));
        assert_eq!(negotiate(Some("7")), Ok(CURRENT));
        assert!(negotiate(Some("0")).is_err());
        assert!(negotiate(Some("two")).is_err());
    }

    #[test]
    fn fields_added_after_a_version_are_left_out_of_its_replies() {
        let v1 = serde_json::to_value(reply().for_version(1)).expect("json");
        assert!(v1["acks"][0].get("buckets").is_none(), "{v1}");
        let v2 = serde_json::to_value(reply().for_version(2)).expect("json");
        assert_eq!(v2["acks"][0]["buckets"], serde_json::json!(["county"]));
        assert!(v2.get("witness").is_none() && v2["pages"][0].get("withheld").is_none(), "{v2}");
        let v3 = serde_json::to_value(reply().for_version(3)).expect("json");
        assert_eq!(v3["pages"][0]["withheld"][0]["server_seq"], 3);
        assert_eq!(v3["witness"]["epoch"]["id"], "e1");
        assert_eq!(ADDED.iter().map(|(_, v)| *v).max(), Some(CURRENT), "the newest field is of the current version");
    }
}
