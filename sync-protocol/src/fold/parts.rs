//! The projection cut into parts: every event's fold reads and writes the entities of one part
//! only, so a replica can keep each part's fold on its own and, when an event arrives out of
//! fold order, fold again just that part instead of everything.
//!
//! # Parts
//! Each event names an *anchor*: the part its fold belongs to ([`place`]).
//! - `patrol:<P>`: the patrol, its amendments, its findings, and attachments on the patrol;
//! - `finding:<F>`: attachments on finding F; it joins the part of F's patrol once the
//!   `finding.reported` F is held (F decides whether an attachment on F is a conflict);
//! - `tip:<T>`: the tip, its informant, assignments and answer, attachments on it, and every case
//!   opened on it (`tip.received` links the cases already opened on it);
//! - `case:<C>`: a case opened on a finding, its steps and attachments; the steps of a case opened
//!   on a tip join `tip:<T>` once `case.opened` C is held;
//! - `zero:<officer>/<week>`, `unit:<U>`, `zone:<Z>`, `user:<U>`, `assignments:<officer>`,
//!   `licence:<L>`: one entity each;
//! - `event:<id>`: an access record or a flag review (nothing to fold) or an event this build
//!   cannot read.
//!
//! A `finding.reported` or `case.opened` on a tip *joins* an indirect anchor to a part
//! ([`Placement::joins`]): from then on the events anchored there belong to that part. A replica
//! keeps the joins it has seen and never forgets one; a part made larger than it needs to be
//! still folds exactly (only a part too small could miss a read).
//!
//! # Folding by parts is the fold
//! The fold of every event equals [`Projection::from_parts`] of the folds of the parts
//! ([`FoldedPart`]): maps are keyed by entities that one part alone writes, and conflicts and
//! unreadable events are put back in fold order by the fold key kept beside each. The proptest
//! below checks it over random events of every kind; `client/` checks its stored parts the same
//! way, in random arrival orders, pages and purges.

use serde::{Deserialize, Serialize};

use super::Projection;
use crate::body::{Body, CaseSource, Subject, SubjectKind};
use crate::event::Event;
use crate::hlc::Hlc;
use crate::ids::{DeviceId, EventId, UserId, ZoneId};
use crate::values::IsoWeek;

/// An event's place in fold order: `(hlc, device_id, seq)`.
pub type FoldKey = (Hlc, DeviceId, u64);

/// The name of a part, or of an anchor that may join one, e.g. `patrol:0192…`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PartKey(String);

impl PartKey {
    fn new(prefix: &str, id: impl std::fmt::Display) -> PartKey {
        PartKey(format!("{prefix}:{id}"))
    }

    /// The part of patrol `id`: the patrol, its amendments and findings, attachments on it.
    pub fn patrol(id: &EventId) -> PartKey {
        PartKey::new("patrol", id)
    }

    /// The anchor of attachments on finding `id` (joined to its patrol's part once held).
    pub fn finding(id: &EventId) -> PartKey {
        PartKey::new("finding", id)
    }

    /// The part of tip `id` and the cases opened on it.
    pub fn tip(id: &EventId) -> PartKey {
        PartKey::new("tip", id)
    }

    /// The anchor of case `id` (joined to its tip's part when opened on a tip).
    pub fn case(id: &EventId) -> PartKey {
        PartKey::new("case", id)
    }

    /// The anchor of attachments on `subject`.
    pub fn of_subject(subject: &Subject) -> PartKey {
        match subject.kind {
            SubjectKind::Patrol => PartKey::patrol(&subject.id),
            SubjectKind::Finding => PartKey::finding(&subject.id),
            SubjectKind::Tip => PartKey::tip(&subject.id),
            SubjectKind::Case => PartKey::case(&subject.id),
        }
    }

    /// The part of `officer`'s assignments.
    pub fn assignments(officer: &UserId) -> PartKey {
        PartKey::new("assignments", officer)
    }

    /// The part of zone `zone`'s versions.
    pub fn zone(zone: &ZoneId) -> PartKey {
        PartKey::new("zone", zone)
    }

    /// The part of `officer`'s zero report for `week`.
    pub fn zero_report(officer: &UserId, week: &IsoWeek) -> PartKey {
        PartKey(format!("zero:{officer}/{week}"))
    }

    /// The parts of one kind (`"licence"`, `"zone"`, …) lie between these two keys.
    pub fn range_of(prefix: &str) -> (PartKey, PartKey) {
        (PartKey(format!("{prefix}:")), PartKey(format!("{prefix};")))
    }

    /// A key as a replica stored it (see [`PartKey::as_str`]).
    pub fn from_stored(text: String) -> PartKey {
        PartKey(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether some event may join this anchor to another part (`finding:` and `case:` anchors).
    pub fn may_join(&self) -> bool {
        self.0.starts_with("finding:") || self.0.starts_with("case:")
    }
}

impl std::fmt::Display for PartKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where one event's fold belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub anchor: PartKey,
    /// `(anchor, part)`: this event decides that the events anchored at `anchor` belong to `part`.
    pub joins: Option<(PartKey, PartKey)>,
}

/// Places `event` (whose body parses as `body`, or not at all: `None`).
pub fn place(event: &Event, body: Option<&Body>) -> Placement {
    let alone = |anchor| Placement { anchor, joins: None };
    let (patrol, case, tip) = (PartKey::patrol, PartKey::case, PartKey::tip);
    let Some(body) = body else { return alone(PartKey::new("event", event.id)) };
    match body {
        Body::PatrolRecorded(_) => alone(patrol(&event.id)),
        Body::PatrolAmended(a) => alone(patrol(&a.patrol)),
        Body::FindingReported(f) => Placement { anchor: patrol(&f.patrol), joins: Some((PartKey::finding(&event.id), patrol(&f.patrol))) },
        Body::ZeroReportFiled(z) => alone(PartKey::zero_report(&z.officer, &z.week)),
        Body::UnitDefined(u) => alone(PartKey::new("unit", &u.unit)),
        Body::ZoneDefined(z) => alone(PartKey::zone(&z.zone)),
        Body::UserEnrolled(u) => alone(PartKey::new("user", &u.user)),
        // A change replaces the record its enrolment made: the same part.
        Body::UserChanged(c) => alone(PartKey::new("user", &c.user)),
        Body::AssignmentSet(a) => alone(PartKey::assignments(&a.officer)),
        Body::LicenceGranted(l) => alone(PartKey::new("licence", &l.licence)),
        Body::LicenceExtended(_) | Body::LicenceChanged(_) | Body::LicenceTransferred(_) | Body::LicenceCancelled(_) => {
            match body.licence_change() {
                Some(change) => alone(PartKey::new("licence", change.licence())),
                None => alone(PartKey::new("event", event.id)),
            }
        }
        Body::AttachmentAdded(a) => alone(PartKey::of_subject(&a.subject)),
        Body::CaseOpened(o) => match o.source {
            CaseSource::Tip(t) => Placement { anchor: tip(&t), joins: Some((case(&event.id), tip(&t))) },
            CaseSource::Finding(_) => alone(case(&event.id)),
        },
        Body::CaseVerified(_)
        | Body::CaseStopped(_)
        | Body::CaseActionTaken(_)
        | Body::CaseReferred(_)
        | Body::CaseMarkedMajor(_)
        | Body::CaseClosed(_)
        | Body::CaseConflictResolved(_) => match body.continued_case() {
            Some(c) => alone(case(&c)),
            None => alone(PartKey::new("event", event.id)),
        },
        Body::TipReceived(_) => alone(tip(&event.id)),
        Body::TipInformant(i) => alone(tip(&i.tip)),
        Body::TipAssigned(a) => alone(tip(&a.tip)),
        Body::TipAnswered(a) => alone(tip(&a.tip)),
        Body::UserDisabled(_)
        | Body::UserEnabled(_)
        | Body::DeviceRevoked(_)
        | Body::PasswordChanged(_)
        | Body::PasswordReset(_)
        | Body::FlagReviewed(_) => alone(PartKey::new("event", event.id)),
    }
}

/// [`place`], parsing the body.
pub fn place_event(event: &Event) -> Placement {
    place(event, Body::parse(&event.kind, &event.body).ok().as_ref())
}

/// The fold of one part's events, with the fold key of each of its conflicts and unreadable
/// events (in the same order), so that parts merge back into one projection in fold order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FoldedPart {
    pub projection: Projection,
    pub conflict_keys: Vec<FoldKey>,
    pub unreadable_keys: Vec<FoldKey>,
}

impl FoldedPart {
    /// Folds `events` (one part's) in fold order; the same id twice is folded once.
    pub fn fold<'a>(events: impl IntoIterator<Item = &'a Event>) -> FoldedPart {
        let mut part = FoldedPart::default();
        for e in super::in_fold_order(events) {
            part.apply(e);
        }
        part
    }

    /// Whether `event` sorts after everything folded here (see [`Projection::appends`]).
    pub fn appends(&self, event: &Event) -> bool {
        self.projection.appends(event)
    }

    /// Applies one event of this part, in fold order.
    pub fn apply(&mut self, event: &Event) {
        self.apply_parsed(event, Body::parse(&event.kind, &event.body).ok());
    }

    /// [`FoldedPart::apply`] with the body already parsed (see [`Projection::apply_parsed`]).
    pub fn apply_parsed(&mut self, event: &Event, body: Option<Body>) {
        let (conflicts, unreadable) = (self.projection.conflicts.len(), self.projection.unreadable.len());
        self.projection.apply_parsed(event, body);
        let added = self.projection.conflicts.len().saturating_sub(conflicts);
        self.conflict_keys.extend(std::iter::repeat_n(event.fold_key(), added));
        let added = self.projection.unreadable.len().saturating_sub(unreadable);
        self.unreadable_keys.extend(std::iter::repeat_n(event.fold_key(), added));
    }

    /// Whether no event was folded.
    pub fn is_empty(&self) -> bool {
        self.projection.events == 0
    }
}

impl Projection {
    /// The projection of the union of the parts' events, from their folds (see the module docs).
    pub fn from_parts(parts: impl IntoIterator<Item = FoldedPart>) -> Projection {
        let mut out = Projection::default();
        let mut conflicts = Vec::new();
        let mut unreadable = Vec::new();
        for part in parts {
            // Every field named, so that a field added to the projection must be merged here.
            let Projection {
                units,
                zones,
                zone_versions,
                users,
                assignments,
                licences,
                patrols,
                findings,
                zero_reports,
                attachments,
                conflicts: part_conflicts,
                unreadable: part_unreadable,
                cases,
                waiting_steps,
                tips,
                informants,
                events,
                last_key,
            } = part.projection;
            out.units.extend(units);
            out.zones.extend(zones);
            out.zone_versions.merge(zone_versions);
            out.users.extend(users);
            out.assignments.extend(assignments);
            out.licences.extend(licences);
            out.patrols.extend(patrols);
            out.findings.extend(findings);
            out.zero_reports.extend(zero_reports);
            out.attachments.extend(attachments);
            out.cases.extend(cases);
            out.waiting_steps.extend(waiting_steps);
            out.tips.extend(tips);
            out.informants.extend(informants);
            conflicts.extend(part.conflict_keys.into_iter().zip(part_conflicts));
            unreadable.extend(part.unreadable_keys.into_iter().zip(part_unreadable));
            out.events += events;
            out.last_key = out.last_key.max(last_key);
        }
        conflicts.sort_by_key(|(k, _)| *k);
        unreadable.sort_by_key(|(k, _)| *k);
        out.conflicts = conflicts.into_iter().map(|(_, c)| c).collect();
        out.unreadable = unreadable.into_iter().map(|(_, id)| id).collect();
        out
    }
}

#[cfg(test)]
#[path = "parts_tests.rs"]
mod tests;
