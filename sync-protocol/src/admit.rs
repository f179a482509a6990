//! The ingest decision for one pushed event, as a pure function: given what the store knows of the
//! device's chain and of the event's id and seq, accept, acknowledge a duplicate, or reject.
//! The server carries the decision out; the device uses the same rules to predict it.

use crate::body::{AttachmentAdded, Authorship, Body, Role, Subject, SubjectKind};
use crate::crypto::Hash;
use crate::event::{Event, IntegrityError};
use crate::ids::{DeviceId, EventId, UnitId, UserId, ZoneId};
use crate::wire::{Ack, RejectReason};

mod office;
#[cfg(test)]
mod office_tests;

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

/// What authorisation needs to know of the reference data.
pub trait Authority {
    /// Whether `officer` was assigned `zone` at some moment of `[from_ms, to_ms]`.
    fn was_assigned(&self, officer: &UserId, zone: &ZoneId, from_ms: i64, to_ms: i64) -> bool;
    /// Whether `officer` had any zone at some moment of `[from_ms, to_ms]`.
    fn had_any_zone(&self, officer: &UserId, from_ms: i64, to_ms: i64) -> bool;
    /// Who recorded a patrol, if it is stored.
    fn patrol_author(&self, patrol: &EventId) -> Option<UserId>;
    /// The township of a stored case, when the store holds it.
    fn case_township(&self, _case: &EventId) -> Option<UnitId> {
        None
    }
    /// Whether a stored case has been referred to the county (its projected stage is `referred`).
    fn case_referred(&self, _case: &EventId) -> bool {
        false
    }
    /// Who recorded an attachment's subject and the township it lies in, if it is stored.
    fn subject(&self, subject: &Subject) -> Option<SubjectFacts>;
    /// Whether `inspector` answers for `township` now.
    fn inspects(&self, inspector: &UserId, township: &UnitId) -> bool;
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
/// device and seq.
pub fn admit(
    caller: &Caller,
    head: ChainHead,
    event: &Event,
    checked: Checked,
    by_id: Option<Stored>,
    at_seq: Option<Stored>,
    authority: &impl Authority,
) -> Admission {
    if event.device_id != caller.device {
        return Admission::reject(RejectReason::WrongDevice, "device_id is not the device this token was issued to");
    }
    if event.author != caller.user {
        return Admission::reject(RejectReason::WrongAuthor, "author is not the user this token was issued to");
    }
    match checked.integrity {
        Ok(()) => {}
        Err(IntegrityError::BadSignature) => {
            return Admission::reject(RejectReason::BadSignature, "signature does not verify with the device's enrolled key");
        }
        Err(IntegrityError::HashMismatch) => return Admission::reject(RejectReason::BadHash, "hash does not match the canonical encoding"),
        Err(IntegrityError::Invalid(e)) => return Admission::reject(RejectReason::Malformed, e.to_string()),
    }
    if let Some(stored) = by_id {
        return if stored.hash == event.hash {
            match stored.rejected {
                None => Admission::Duplicate,
                Some(reason) => Admission::AlreadyRejected { reason },
            }
        } else {
            Admission::reject(RejectReason::IdConflict, "this id is stored with another hash")
        };
    }
    if at_seq.is_some() || (event.seq <= head.seq && event.seq > 0) {
        return Admission::reject(RejectReason::SeqConflict, format!("seq {} of this device is taken by another event", event.seq));
    }
    if event.seq != head.expected_seq() {
        return Admission::with_expected(
            RejectReason::Gap,
            head.expected_seq(),
            format!("expected seq {}, got {}", head.expected_seq(), event.seq),
        );
    }
    if event.prev != head.hash {
        return Admission::with_expected(
            RejectReason::BrokenChain,
            head.expected_seq(),
            "prev is not the hash of this device's previous event",
        );
    }
    let body = match checked.body {
        Ok(body) => body,
        Err(e) => {
            let reason = match e {
                crate::ValidationError::UnknownKind(_) => RejectReason::UnknownKind,
                crate::ValidationError::UnsupportedVersion { .. } => RejectReason::UnsupportedVersion,
                _ => RejectReason::InvalidBody,
            };
            return Admission::reject(reason, e.to_string());
        }
    };
    match authorise(caller, &body, authority) {
        Ok(()) => Admission::Accept(body),
        Err(message) => Admission::reject(RejectReason::NotAllowed, message),
    }
}

/// Whether the caller may author this body: field records by village officers for zones assigned
/// to them at the time the record speaks of; reference data only by the server.
fn authorise(caller: &Caller, body: &Body, authority: &impl Authority) -> Result<(), String> {
    if body.authorship() == Authorship::Server {
        return Err(format!("{} is reference data, authored by the server only", body.kind()));
    }
    if body.authorship() == Authorship::Office {
        return office::authorise_office(caller, body, authority);
    }
    if let Body::AttachmentAdded(a) = body {
        return authorise_attachment(caller, a, authority);
    }
    if caller.role != Role::VillageOfficer {
        return Err(format!("a {} does not record {}", caller.role.as_str(), body.kind()));
    }
    let me = &caller.user;
    let zone_at = |zone: &ZoneId, from: i64, to: i64| {
        if authority.was_assigned(me, zone, from, to) { Ok(()) } else { Err(format!("zone {zone} was not assigned to {me} at that time")) }
    };
    match body {
        Body::PatrolRecorded(p) => zone_at(&p.zone, p.started_at, p.ended_at),
        Body::FindingReported(f) => zone_at(&f.zone, f.observed_at, f.observed_at),
        Body::ZeroReportFiled(z) => {
            if &z.officer != me {
                return Err("a zero report is filed by the officer it reports for".into());
            }
            let (from, to) = z.week.bounds_ms();
            match &z.zone {
                Some(zone) => zone_at(zone, from, to - 1),
                None if authority.had_any_zone(me, from, to - 1) => Ok(()),
                None => Err(format!("{me} had no zone in {}", z.week)),
            }
        }
        Body::PatrolAmended(a) => match authority.patrol_author(&a.patrol) {
            Some(author) if &author == me => Ok(()),
            Some(_) => Err("only the officer who recorded a patrol amends it".into()),
            None => Err(format!("patrol {} is not stored", a.patrol)),
        },
        _ => Err(format!("{} is reference data", body.kind())),
    }
}

/// Evidence is attached to a patrol or finding by the officer who recorded it, or by an inspector
/// of its township (who may add photos taken when verifying it); to a tip or case by an inspector
/// of its township or the county mineral section, never by a village officer.
fn authorise_attachment(caller: &Caller, a: &AttachmentAdded, authority: &impl Authority) -> Result<(), String> {
    let what = a.subject.kind.as_str();
    let Some(facts) = authority.subject(&a.subject) else {
        return Err(format!("{what} {} is not stored", a.subject.id));
    };
    let office_record = matches!(a.subject.kind, SubjectKind::Tip | SubjectKind::Case);
    let allowed = match caller.role {
        Role::VillageOfficer => !office_record && facts.author.as_ref() == Some(&caller.user),
        Role::TownshipInspector => facts.township.as_ref().is_some_and(|t| authority.inspects(&caller.user, t)),
        Role::CountyAuditor => office_record,
        _ => false,
    };
    if allowed { Ok(()) } else { Err(format!("a {} may not attach evidence to {what} {}", caller.role.as_str(), a.subject.id)) }
}

#[cfg(test)]
mod attachment_tests;
