//! Request and reply bodies of the HTTP API: login, the one-round-trip sync, acks, bucket pages
//! and the error envelope. docs/protocol.md describes each field.

pub mod audit;
pub mod cases;
pub mod evidence;
pub mod flag_kind;
pub mod flags;
pub mod map;
pub mod patrol;
pub mod people;
pub mod reports;
pub mod rollups;
pub mod session;
pub mod version;
pub mod witness;

pub use flag_kind::FlagKind;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;

use crate::body::Role;
use crate::crypto::PublicKey;
use crate::error::ValidationError;
use crate::hlc::Hlc;
use crate::ids::{DeviceId, EventId, UserId};
use crate::scope::Bucket;

/// The most events one push may carry.
pub const MAX_PUSH_EVENTS: usize = 1_000;
/// The most bytes one pushed event may take, as sent (its JSON text). An event at the track cap
/// takes a few hundred KiB; a larger one is `malformed` and only its start is quarantined, so a
/// device cannot store megabytes of rejected evidence in its chain.
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;
/// The most events one pull page may carry, and the default when the device does not say.
pub const MAX_PULL_LIMIT: u32 = 5_000;
pub const DEFAULT_PULL_LIMIT: u32 = 1_000;
/// The most bytes of a request body after decompression.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// A request's page size: `default` when it names none, else `limit` if it lies in 1..=`max`.
/// Outside that range it is refused rather than clamped, so a caller learns the limit.
pub fn page_size(limit: Option<u32>, default: u32, max: u32) -> Result<u32, ValidationError> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(ValidationError::Field { field: "limit", problem: format!("{n} is not between 1 and {max}") }),
    }
}

/// `POST /v1/auth/login`: a user's credentials, and the device identity they log in on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    pub device: DeviceEnrolment,
    /// The password that replaces a one-time password an admin issued: a login with a one-time
    /// password and no new one is refused with `password_change_required`, and no token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_password: Option<String>,
    /// The code of the user's county, in a deployment of several (optional in a deployment of one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
}

/// A device identity enrolling its signing key; bound to the first user who logs in with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceEnrolment {
    pub device_id: DeviceId,
    pub public_key: PublicKey,
    #[serde(default)]
    pub label: String,
    /// The phone's proof that it holds this key, for a device already enrolled
    /// ([`session::LoginProof`]); optional, and only ever an advantage to send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<session::LoginProof>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    pub access_token: String,
    pub token_type: String,
    /// Unix milliseconds.
    pub expires_at: i64,
    pub user: UserId,
    pub role: Role,
    pub display_name: String,
    pub device_id: DeviceId,
    /// The seq the server expects next from this device identity (1 for a new one).
    pub next_seq: u64,
    pub hlc: Hlc,
    /// Spent on `POST /v1/auth/refresh` for the next access token (rotated on every use).
    pub refresh_token: String,
    /// Unix milliseconds.
    pub refresh_expires_at: i64,
}

/// `POST /v1/sync`: the device's unsent events in `seq` order and its pull cursors.
///
/// `events` are kept as raw JSON so that one malformed event is answered on its own and does not
/// fail the request.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    #[serde(default)]
    pub events: Vec<Box<RawValue>>,
    /// The last server sequence the device holds, per bucket. A bucket in the scope but missing
    /// here is pulled from its start. A bucket named twice is refused.
    #[serde(default, deserialize_with = "crate::strict_json::unique_map")]
    pub cursors: BTreeMap<Bucket, u64>,
    /// Page size for the pull; at most [`MAX_PULL_LIMIT`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The device's clock when it sent the request.
    pub hlc: Hlc,
    /// Asks for the log's latest signed checkpoint (the reply's `witness`), saying what of the
    /// log the device holds (protocol.md §7.12). Absent: no witness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness: Option<witness::WitnessAsk>,
}

/// The reply: an ack per pushed event (same order), then the pulled pages.
///
/// Requests are parsed strictly; replies leniently (unknown fields are ignored), so that a server
/// may add a field to its replies without breaking the devices already in the field.
#[derive(Debug, Serialize, Deserialize)]
pub struct SyncResponse<E> {
    pub acks: Vec<Ack>,
    pub pages: Vec<BucketPage<E>>,
    /// Buckets the device holds but may no longer see: drop what was pulled from them.
    #[serde(default)]
    pub purge: Vec<Bucket>,
    /// The seq the server expects next from this device identity.
    pub next_seq: u64,
    /// The server's clock: the device merges it into its own.
    pub hlc: Hlc,
    /// The store's epoch and the log's latest checkpoint, when the request asked for them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness: Option<witness::WitnessReply>,
}

impl<E> SyncResponse<E> {
    /// Whether any bucket has more events than this reply carried.
    pub fn more(&self) -> bool {
        self.pages.iter().any(|p| p.more)
    }
}

/// Events of one bucket after the device's cursor, in server-sequence order.
#[derive(Debug, Serialize, Deserialize)]
pub struct BucketPage<E> {
    pub bucket: Bucket,
    pub events: Vec<E>,
    /// The cursor to send next time: the server sequence of the last event of this page, or the
    /// cursor the device sent when the page is empty.
    pub cursor: u64,
    pub more: bool,
    /// Stored events of this page the server left out because they no longer match their hash
    /// (the cursor moved past them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<witness::Withheld>,
}

/// What happened to one pushed event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AckStatus {
    /// Stored and committed now.
    Accepted,
    /// Stored before, with the same id and hash: nothing changed.
    Duplicate,
    /// Not stored (see `reason`).
    Rejected,
}

/// Why an event was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Not a JSON event envelope.
    Malformed,
    /// `device_id` is not the token's device.
    WrongDevice,
    /// `author` is not the token's user.
    WrongAuthor,
    /// The hash does not match the canonical encoding: altered in transit or at rest.
    BadHash,
    /// The signature does not verify with the device's enrolled key.
    BadSignature,
    /// The id is stored already with another hash (tampering or a cloned device).
    IdConflict,
    /// The device's seq is taken by another event (a cloned or restored device).
    SeqConflict,
    /// An earlier seq is missing: resend from `expected_seq`.
    Gap,
    /// `prev` is not the hash of the device's event before: a forked or cloned device history.
    /// `expected_seq` says where the server's copy of the chain stands.
    BrokenChain,
    UnknownKind,
    UnsupportedVersion,
    /// The body does not satisfy its kind's rules.
    InvalidBody,
    /// The author may not record this (e.g. a zone never assigned to them).
    NotAllowed,
}

impl RejectReason {
    /// Whether the event still takes its place in the device's chain. Authentic events that are
    /// not allowed or not valid are kept as evidence and the device moves on; events whose
    /// authenticity or position is in doubt are not.
    pub fn advances_chain(self) -> bool {
        matches!(self, RejectReason::UnknownKind | RejectReason::UnsupportedVersion | RejectReason::InvalidBody | RejectReason::NotAllowed)
    }

    /// Whether the device should resend from `expected_seq` (and will then succeed).
    pub fn is_resend(self) -> bool {
        matches!(self, RejectReason::Gap)
    }

    /// Whether the event is quarantined and flagged as possible tampering, forgery or a cloned
    /// device. Such an event cannot hold a place in any chain.
    pub fn is_tampering(self) -> bool {
        matches!(
            self,
            RejectReason::BadHash
                | RejectReason::BadSignature
                | RejectReason::IdConflict
                | RejectReason::SeqConflict
                | RejectReason::BrokenChain
                | RejectReason::WrongAuthor
                | RejectReason::WrongDevice
        )
    }

    /// Every reason, for parsing stored text back.
    pub const ALL: [RejectReason; 13] = [
        RejectReason::Malformed,
        RejectReason::WrongDevice,
        RejectReason::WrongAuthor,
        RejectReason::BadHash,
        RejectReason::BadSignature,
        RejectReason::IdConflict,
        RejectReason::SeqConflict,
        RejectReason::Gap,
        RejectReason::BrokenChain,
        RejectReason::UnknownKind,
        RejectReason::UnsupportedVersion,
        RejectReason::InvalidBody,
        RejectReason::NotAllowed,
    ];

    pub fn parse(s: &str) -> Option<RejectReason> {
        RejectReason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::Malformed => "malformed",
            RejectReason::WrongDevice => "wrong_device",
            RejectReason::WrongAuthor => "wrong_author",
            RejectReason::BadHash => "bad_hash",
            RejectReason::BadSignature => "bad_signature",
            RejectReason::IdConflict => "id_conflict",
            RejectReason::SeqConflict => "seq_conflict",
            RejectReason::Gap => "gap",
            RejectReason::BrokenChain => "broken_chain",
            RejectReason::UnknownKind => "unknown_kind",
            RejectReason::UnsupportedVersion => "unsupported_version",
            RejectReason::InvalidBody => "invalid_body",
            RejectReason::NotAllowed => "not_allowed",
        }
    }
}

/// The answer for one pushed event, in the order they were pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// The event's id, when the envelope could be read that far.
    pub id: Option<EventId>,
    pub seq: Option<u64>,
    pub status: AckStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RejectReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// With `gap`: the seq to resend from; with `broken_chain`: where the server's chain stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
    /// With `accepted` and `duplicate`: the village and township buckets the stored event is
    /// routed to (the county bucket holds every event and is never listed). The server leaves a
    /// device's own events out of its pages, so this is how the device learns where they are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<Bucket>,
}

impl Ack {
    pub fn accepted(id: EventId, seq: u64) -> Self {
        Ack {
            id: Some(id),
            seq: Some(seq),
            status: AckStatus::Accepted,
            reason: None,
            message: None,
            expected_seq: None,
            buckets: Vec::new(),
        }
    }

    pub fn duplicate(id: EventId, seq: u64) -> Self {
        Ack {
            id: Some(id),
            seq: Some(seq),
            status: AckStatus::Duplicate,
            reason: None,
            message: None,
            expected_seq: None,
            buckets: Vec::new(),
        }
    }

    pub fn rejected(id: Option<EventId>, seq: Option<u64>, reason: RejectReason, message: impl Into<String>) -> Self {
        Ack {
            id,
            seq,
            status: AckStatus::Rejected,
            reason: Some(reason),
            message: Some(message.into()),
            expected_seq: None,
            buckets: Vec::new(),
        }
    }

    pub fn with_expected_seq(mut self, expected: u64) -> Self {
        self.expected_seq = Some(expected);
        self
    }

    /// The buckets the acknowledged event is routed to.
    pub fn with_buckets(mut self, buckets: Vec<Bucket>) -> Self {
        self.buckets = buckets;
        self
    }
}

/// Every error a client can see: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes_outside_their_range_are_refused_not_clamped() {
        assert_eq!(page_size(None, 1_000, 5_000), Ok(1_000));
        assert_eq!(page_size(Some(5_000), 1_000, 5_000), Ok(5_000));
        assert!(page_size(Some(0), 1_000, 5_000).is_err());
        assert!(page_size(Some(5_001), 1_000, 5_000).is_err());
    }

    #[test]
    fn replies_tolerate_fields_a_newer_server_adds_and_requests_do_not() {
        let reply = r#"{"acks":[{"id":null,"seq":null,"status":"accepted","added_later":[1]}],"pages":[],"next_seq":1,"hlc":"1764131257000-00000","new_field":true}"#;
        let parsed: SyncResponse<serde_json::Value> = serde_json::from_str(reply).expect("a newer reply still parses");
        assert_eq!(parsed.acks[0].status, AckStatus::Accepted);
        let request = r#"{"events":[],"hlc":"1764131257000-00000","new_field":true}"#;
        assert!(serde_json::from_str::<SyncRequest>(request).is_err());
    }
}
