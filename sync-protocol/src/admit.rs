//! The ingest decision for one pushed event, as a pure function: given what the store knows of the
//! device's chain and of the event's id and seq, accept, acknowledge a duplicate, or reject.
//! The server carries the decision out; the device uses the same rules to predict it.

use crate::body::{Authorship, Body, Role, Subject};
use crate::crypto::Hash;
use crate::event::{Event, IntegrityError};
use crate::fold::StepStage;
use crate::ids::{DeviceId, EventId, UnitId, UserId, ZoneId};
use crate::wire::{Ack, RejectReason};
use std::ops::ControlFlow::{self, Break, Continue};

mod field;
pub mod offer;
mod office;
#[cfg(test)]
mod office_tests;
#[cfg(test)]
mod read_error_tests;

/// The authenticated sender of a push: read from the token and the store, never from the body.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserId,
    pub device: DeviceId,
    pub role: Role,
}

/// The last event of a device's chain that the server holds (seq 0 and the zero hash for none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: u64,
    pub hash: Hash,
}

impl ChainHead {
    pub const EMPTY: ChainHead = ChainHead { seq: 0, hash: Hash::ZERO };

    pub fn expected_seq(&self) -> u64 {
        self.seq + 1
    }
}

/// An event the store already holds, found by the pushed event's id or by its device and seq.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub id: EventId,
    pub hash: Hash,
    /// Set when the event holds its place in the chain as rejected evidence.
    pub rejected: Option<RejectReason>,
}

/// What authorisation needs to know of the reference data. Every read answers a `Result`: a
/// read that fails is an error of [`admit`], never a fact that is absent, so it cannot become a
/// rejection.
pub trait Authority {
    /// Why a read failed (the store's error; [`std::convert::Infallible`] for facts in memory).
    type Error;
    /// Whether `officer` was assigned `zone` at some moment of `[from_ms, to_ms]`.
    fn was_assigned(&self, officer: &UserId, zone: &ZoneId, from_ms: i64, to_ms: i64) -> Result<bool, Self::Error>;
    /// Whether `officer` had any zone at some moment of `[from_ms, to_ms]`.
    fn had_any_zone(&self, officer: &UserId, from_ms: i64, to_ms: i64) -> Result<bool, Self::Error>;
    /// Who recorded a patrol, if it is stored.
    fn patrol_author(&self, patrol: &EventId) -> Result<Option<UserId>, Self::Error>;
    /// The township of a stored case, when the store holds it.
    fn case_township(&self, case: &EventId) -> Result<Option<UnitId>, Self::Error>;
    /// Where a stored case stood after its step `step` (the head a new step names), from the
    /// stored steps that step was made on: never the case's stage now, so that a decision does
    /// not depend on which concurrent steps arrived first.
    fn case_stage_after(&self, case: &EventId, step: &EventId) -> Result<StepStage, Self::Error>;
    /// Who recorded an attachment's subject and the township it lies in, if it is stored.
    fn subject(&self, subject: &Subject) -> Result<Option<SubjectFacts>, Self::Error>;
    /// Whether `inspector` answers for `township` now.
    fn inspects(&self, inspector: &UserId, township: &UnitId) -> Result<bool, Self::Error>;
}

/// What admission needs to know of an attachment's subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectFacts {
    /// Who recorded a patrol or finding (tips and cases need none).
    pub author: Option<UserId>,
    pub township: Option<UnitId>,
}

/// The decision for one event.
#[derive(Debug, Clone, PartialEq)]
pub enum Admission {
    /// Store it; it becomes the device's new chain head.
    Accept(Body),
    /// Stored before: acknowledge, change nothing.
    Duplicate,
    /// Kept before as rejected evidence: answer the same rejection again, change nothing.
    AlreadyRejected { reason: RejectReason },
    /// Do not store it as data. With `keep`, the event is authentic and in its place, so it is
    /// kept as rejected evidence and still becomes the chain head.
    Reject { reason: RejectReason, message: String, keep: bool, expected_seq: Option<u64> },
}

impl Admission {
    fn reject(reason: RejectReason, message: impl Into<String>) -> Self {
        Admission::Reject { reason, message: message.into(), keep: reason.advances_chain(), expected_seq: None }
    }

    fn with_expected(reason: RejectReason, expected: u64, message: impl Into<String>) -> Self {
        Admission::Reject { reason, message: message.into(), keep: false, expected_seq: Some(expected) }
    }

    /// The ack the device receives.
    pub fn ack(&self, event: &Event) -> Ack {
        match self {
            Admission::Accept(_) => Ack::accepted(event.id, event.seq),
            Admission::Duplicate => Ack::duplicate(event.id, event.seq),
            Admission::AlreadyRejected { reason } => {
                Ack::rejected(Some(event.id), Some(event.seq), *reason, "this event was rejected before and is kept as evidence")
            }
            Admission::Reject { reason, message, expected_seq, .. } => {
                let ack = Ack::rejected(Some(event.id), Some(event.seq), *reason, message.clone());
                match expected_seq {
                    Some(e) => ack.with_expected_seq(*e),
                    None => ack,
                }
            }
        }
    }

    /// Whether the event takes its place in the device's chain (accepted, or kept as rejected).
    pub fn advances_chain(&self) -> bool {
        matches!(self, Admission::Accept(_) | Admission::Reject { keep: true, .. })
    }
}

/// What the costly, parallel checks found about one event before it reaches [`admit`].
#[derive(Debug, Clone)]
pub struct Checked {
    /// Its hash and signature checked with the device's enrolled key.
    pub integrity: Result<(), IntegrityError>,
    /// Its body parsed for its kind (`Body::parse`).
    pub body: Result<Body, crate::ValidationError>,
}

impl Checked {
    /// Runs both checks with `key`.
    pub fn of(event: &Event, key: &crate::crypto::PublicKey) -> Checked {
        Checked { integrity: event.check_integrity(key), body: Body::parse(&event.kind, &event.body) }
    }
}

/// Decides one event. `checked` holds the results of the costly checks (done before, in
/// parallel); `by_id` and `at_seq` are what the store holds under the event's id and under its
/// device and seq. Fails only when a read of `authority` fails: then there is no decision.
pub fn admit<A: Authority>(
    caller: &Caller,
    head: ChainHead,
    event: &Event,
    checked: Checked,
    by_id: Option<Stored>,
    at_seq: Option<Stored>,
    authority: &A,
) -> Result<Admission, A::Error> {
    let body = match check_envelope(caller, head, event, checked, by_id, at_seq) {
        Continue(body) => body,
        Break(decided) => return Ok(decided),
    };
    match authorise(caller, &body, authority) {
        Ok(()) => Ok(Admission::Accept(body)),
        Err(Denied::Refused(message)) => Ok(Admission::reject(RejectReason::NotAllowed, message)),
        Err(Denied::ReadFailed(e)) => Err(e),
    }
}

/// Everything admission decides without the store's reference data: the caller, the integrity,
/// the chain and the body. Continues with the body to authorise, or breaks with the decision.
fn check_envelope(
    caller: &Caller,
    head: ChainHead,
    event: &Event,
    checked: Checked,
    by_id: Option<Stored>,
    at_seq: Option<Stored>,
) -> ControlFlow<Admission, Body> {
    if event.device_id != caller.device {
        return Break(Admission::reject(RejectReason::WrongDevice, "device_id is not the device this token was issued to"));
    }
    if event.author != caller.user {
        return Break(Admission::reject(RejectReason::WrongAuthor, "author is not the user this token was issued to"));
    }
    match checked.integrity {
        Ok(()) => {}
        Err(IntegrityError::BadSignature) => {
            return Break(Admission::reject(RejectReason::BadSignature, "signature does not verify with the device's enrolled key"));
        }
        Err(IntegrityError::HashMismatch) => {
            return Break(Admission::reject(RejectReason::BadHash, "hash does not match the canonical encoding"));
        }
        Err(IntegrityError::Invalid(e)) => return Break(Admission::reject(RejectReason::Malformed, e.to_string())),
    }
    if let Some(stored) = by_id {
        return Break(match (stored.hash == event.hash, stored.rejected) {
            (true, None) => Admission::Duplicate,
            (true, Some(reason)) => Admission::AlreadyRejected { reason },
            (false, _) => Admission::reject(RejectReason::IdConflict, "this id is stored with another hash"),
        });
    }
    if at_seq.is_some() || (event.seq <= head.seq && event.seq > 0) {
        return Break(Admission::reject(RejectReason::SeqConflict, format!("seq {} of this device is taken by another event", event.seq)));
    }
    let expected = head.expected_seq();
    if event.seq != expected {
        return Break(Admission::with_expected(RejectReason::Gap, expected, format!("expected seq {expected}, got {}", event.seq)));
    }
    if event.prev != head.hash {
        return Break(Admission::with_expected(
            RejectReason::BrokenChain,
            expected,
            "prev is not the hash of this device's previous event",
        ));
    }
    match checked.body {
        Ok(body) => Continue(body),
        Err(e) => {
            let reason = match e {
                crate::ValidationError::UnknownKind(_) => RejectReason::UnknownKind,
                crate::ValidationError::UnsupportedVersion { .. } => RejectReason::UnsupportedVersion,
                _ => RejectReason::InvalidBody,
            };
            Break(Admission::reject(reason, e.to_string()))
        }
    }
}

/// Why authorisation does not allow an event: a refusal (a decision), or a read of the store that
/// failed (no decision at all).
#[derive(Debug, PartialEq)]
enum Denied<E> {
    Refused(String),
    ReadFailed(E),
}

impl<E> From<E> for Denied<E> {
    fn from(e: E) -> Self {
        Denied::ReadFailed(e)
    }
}

fn refused<T, E>(message: impl Into<String>) -> Result<T, Denied<E>> {
    Err(Denied::Refused(message.into()))
}

/// Whether the caller may author this body, by its authorship: reference data only by the
/// server; field and office records by the rules of `field` and `office`.
/// Why `role` may never record `body`, whatever the reference data and the records say: the
/// part of [`admit`] a phone decides alone, before it records a step that would only ever be
/// refused (`None`: the role may, if the rest holds). Admission asks it first.
pub fn role_refusal(role: Role, body: &Body) -> Option<String> {
    let never = || Some(format!("a {} does not record {}", role.as_str(), body.kind()));
    match (body.authorship(), role) {
        (Authorship::Server, _) => Some(format!("{} is reference data, authored by the server only", body.kind())),
        (_, Role::Commissioner) => Some("a commissioner's access is read-only".into()),
        (_, Role::Admin) => never(),
        (Authorship::Field, Role::VillageOfficer) | (Authorship::Office, Role::TownshipInspector | Role::CountyAuditor) => None,
        // Evidence is attached by inspectors and the county section too (`field::authorise_attachment`).
        (Authorship::Field, Role::TownshipInspector | Role::CountyAuditor) if matches!(body, Body::AttachmentAdded(_)) => None,
        (Authorship::Field | Authorship::Office, _) => never(),
    }
}

fn authorise<A: Authority>(caller: &Caller, body: &Body, authority: &A) -> Result<(), Denied<A::Error>> {
    if let Some(why) = role_refusal(caller.role, body) {
        return refused(why);
    }
    match body.authorship() {
        Authorship::Server => refused(format!("{} is reference data, authored by the server only", body.kind())),
        Authorship::Office => office::authorise_office(caller, body, authority),
        Authorship::Field => field::authorise_field(caller, body, authority),
    }
}

#[cfg(test)]
mod attachment_tests;
