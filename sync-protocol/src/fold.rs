//! The projection: current state as a deterministic fold of events in `(hlc, device_id, seq)`
//! order. Device and server run this same code, so they agree by construction.
//!
//! A transition that is invalid in that order is kept and listed as a conflict, never dropped.

use geo::{Distance, Haversine, Point};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use licence::LicenceState;

use crate::body::{
    AssignmentSet, AttachmentAdded, BlobHash, Body, FindingKind, FindingReported, LicenceChange, LicenceGranted, MediaType, Mineral,
    PatrolAmended, PatrolRecorded, PatrolResult, Subject, SubjectKind, UnitDefined, UserChanged, UserEnrolled, ZeroReportFiled,
    ZoneDefined,
};
use crate::event::Event;
use crate::hlc::Hlc;
use crate::ids::{DeviceId, EventId, LicenceId, UnitId, UserId, ZoneId};
use crate::values::{Coord, IsoWeek, TrackPoint};
use crate::zones::{ZonePlace, ZoneVersions, supersedes};

mod case_graph;
#[cfg(test)]
pub(crate) mod case_tests;
mod cases;
mod licence;
mod overdue;
pub mod parts;
#[cfg(any(test, feature = "samples"))]
pub mod samples;
#[cfg(test)]
mod tip_tests;
mod tips;

pub use case_graph::{Position, next};
pub use cases::{Case, CaseConflict, CaseStep, Head, Major, Stage, StepDetail, StepStage};
pub use overdue::{DeadlineKind, MissedDeadline, Overdue, overdue};
pub use tips::{Informant, Tip, TipAnswer, TipAssignment};

/// Current state of everything a scope holds. A field missing from its JSON is empty (a replica
/// stores each part of the fold without its empty fields, see [`parts`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Projection {
    pub units: BTreeMap<UnitId, UnitDefined>,
    /// Each zone's current version ([`crate::zones::supersedes`]: the latest `valid_from`, the
    /// later in fold order of two that start together). Which version holds at a time (and so
    /// where something done in the zone lies) is [`Projection::zone_versions`]'s answer.
    pub zones: BTreeMap<ZoneId, ZoneDefined>,
    /// Every zone's versions by `valid_from` ([`crate::zones`]).
    #[serde(default, skip_serializing_if = "ZoneVersions::is_empty")]
    pub zone_versions: ZoneVersions,
    pub users: BTreeMap<UserId, UserEnrolled>,
    /// Each officer's assignments in time order.
    pub assignments: BTreeMap<UserId, Vec<AssignmentSet>>,
    /// Each licence's latest terms, after all its lifecycle events (see [`LicenceState`]).
    pub licences: BTreeMap<LicenceId, LicenceState>,
    pub patrols: BTreeMap<EventId, Patrol>,
    pub findings: BTreeMap<EventId, Finding>,
    /// Keyed `officer/week`.
    pub zero_reports: BTreeMap<String, ZeroReport>,
    /// Evidence (photos, documents) by the id of the event that attached it.
    #[serde(default)]
    pub attachments: BTreeMap<EventId, Attachment>,
    pub conflicts: Vec<Conflict>,
    /// Events of kinds or versions this build cannot read (from newer devices); kept, not folded.
    pub unreadable: Vec<EventId>,
    /// Cases by id (the id of their `case.opened` event), each with its full history.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cases: BTreeMap<EventId, Case>,
    /// Case steps whose `case.opened` this replica does not hold yet, by case id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub waiting_steps: BTreeMap<EventId, Vec<CaseStep>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tips: BTreeMap<EventId, Tip>,
    /// Informants by tip id. Only township and county replicas receive them; leave them out of
    /// every export and every commissioner's view ([`Projection::without_informants`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub informants: BTreeMap<EventId, Informant>,
    /// How many events were folded.
    pub events: u64,
    /// The greatest fold key applied: an event ordered before it needs a full re-fold.
    /// Not serialised: a stored snapshot keeps it beside the JSON and restores it.
    #[serde(skip)]
    pub last_key: Option<(Hlc, DeviceId, u64)>,
}

/// A recorded patrol with its amendments and findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Patrol {
    pub id: EventId,
    pub officer: UserId,
    pub device: DeviceId,
    pub zone: ZoneId,
    pub started_at: i64,
    pub ended_at: i64,
    pub track_points: usize,
    /// Along the track, in metres (haversine).
    pub distance_m: u64,
    pub summary: String,
    pub result: PatrolResult,
    pub amendments: Vec<Amendment>,
    pub findings: Vec<EventId>,
    /// The hash of the event that recorded it: the ledger's evidence reference.
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amendment {
    pub event: EventId,
    pub by: UserId,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub id: EventId,
    pub officer: UserId,
    pub patrol: EventId,
    pub zone: ZoneId,
    pub kind: FindingKind,
    pub location: Coord,
    pub depth_m: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surface_elevation_m: Option<i32>,
    /// The licence the officer named (the licence the location lies in is the licence check's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<LicenceId>,
    pub mineral: Option<Mineral>,
    pub description: String,
    pub stopped_on_spot: bool,
    pub observed_at: i64,
    pub high_priority: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZeroReport {
    pub event: EventId,
    pub officer: UserId,
    pub week: IsoWeek,
    pub zone: Option<ZoneId>,
    pub note: String,
}

/// A photo or document attached to a patrol or a finding; its bytes are the blob `sha256`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: EventId,
    pub by: UserId,
    pub subject: Subject,
    pub sha256: BlobHash,
    pub size: u64,
    pub media_type: MediaType,
    pub file_name: Option<String>,
    pub captured_at: Option<i64>,
    pub captured_place: Option<Coord>,
}

/// An event whose transition does not hold in fold order; it stays in the log and is shown here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub event: EventId,
    pub kind: String,
    pub problem: String,
}

impl Projection {
    /// Folds `events` in fold order. Duplicates (the same id twice) are folded once.
    pub fn fold<'a>(events: impl IntoIterator<Item = &'a Event>) -> Projection {
        let mut p = Projection::default();
        for e in in_fold_order(events) {
            p.apply(e);
        }
        p
    }

    /// Whether `event` can be applied on top without a re-fold (it sorts after everything folded).
    pub fn appends(&self, event: &Event) -> bool {
        self.last_key.is_none_or(|k| event.fold_key() > k)
    }

    /// Applies one event. The caller keeps fold order (see [`Projection::appends`]).
    pub fn apply(&mut self, event: &Event) {
        self.apply_parsed(event, Body::parse(&event.kind, &event.body).ok());
    }

    /// [`Projection::apply`] with the body `Body::parse` gave (`None`: it refused it), for a
    /// caller that parsed it already.
    pub fn apply_parsed(&mut self, event: &Event, body: Option<Body>) {
        self.events += 1;
        self.last_key = Some(self.last_key.map_or(event.fold_key(), |k| k.max(event.fold_key())));
        match body {
            Some(body) => self.fold_body(event, body),
            None => self.unreadable.push(event.id),
        }
    }

    /// Folds one body. Every kind is matched here, so a new kind cannot be left out.
    fn fold_body(&mut self, event: &Event, body: Body) {
        match body {
            Body::PatrolRecorded(p) => self.record_patrol(event, p),
            Body::PatrolAmended(a) => self.amend_patrol(event, a),
            Body::FindingReported(f) => self.report_finding(event, f),
            Body::ZeroReportFiled(z) => self.file_zero_report(event, z),
            Body::UnitDefined(u) => {
                self.units.insert(u.unit.clone(), u);
            }
            Body::ZoneDefined(z) => {
                self.zone_versions.define(&z);
                if self.zones.get(&z.zone).is_none_or(|current| supersedes(z.valid_from, current.valid_from)) {
                    self.zones.insert(z.zone.clone(), z);
                }
            }
            Body::UserEnrolled(u) => {
                self.users.insert(u.user.clone(), u);
            }
            Body::UserChanged(c) => self.change_user(c),
            Body::AssignmentSet(a) => {
                let list = self.assignments.entry(a.officer.clone()).or_default();
                list.push(a);
                list.sort_by_key(|a| a.from);
            }
            Body::LicenceGranted(l) => self.grant_licence(l),
            Body::LicenceExtended(b) => self.change_licence(event, LicenceChange::Extended(b)),
            Body::LicenceChanged(b) => self.change_licence(event, LicenceChange::Changed(b)),
            Body::LicenceTransferred(b) => self.change_licence(event, LicenceChange::Transferred(b)),
            Body::LicenceCancelled(b) => self.change_licence(event, LicenceChange::Cancelled(b)),
            Body::CaseOpened(o) => self.open_case(event, o.source, o.township, o.note),
            Body::CaseVerified(b) => self.add_case_step(event, b.into()),
            Body::CaseStopped(b) => self.add_case_step(event, b.into()),
            Body::CaseActionTaken(b) => self.add_case_step(event, b.into()),
            Body::CaseReferred(b) => self.add_case_step(event, b.into()),
            Body::CaseMarkedMajor(b) => self.add_case_step(event, b.into()),
            Body::CaseClosed(b) => self.add_case_step(event, b.into()),
            Body::CaseConflictResolved(b) => self.add_case_step(event, b.into()),
            Body::TipReceived(t) => self.receive_tip(event, t),
            Body::TipInformant(i) => self.record_informant(event, i),
            Body::TipAssigned(a) => self.assign_tip(event, a),
            Body::TipAnswered(a) => self.answer_tip(event, a),
            Body::AttachmentAdded(a) => self.attach(event, a),
            // Access records: the server's tables hold who is disabled or revoked; the log keeps
            // them as the audit trail, and no view of the projection depends on them.
            Body::UserDisabled(_) | Body::UserEnabled(_) | Body::DeviceRevoked(_) => {}
            // Password records say only who and when: nothing to show beyond the log.
            Body::PasswordChanged(_) | Body::PasswordReset(_) => {}
            // A flag review acts on the server's flags and checks (which the projection does not
            // hold); the log keeps it as the evidence of who reviewed what.
            Body::FlagReviewed(_) => {}
        }
    }

    /// A user's record replaced by a change; a change of someone never enrolled here (their
    /// enrolment went to another bucket) enrols them as changed.
    fn change_user(&mut self, c: UserChanged) {
        let user = self.users.entry(c.user.clone()).or_insert_with(|| UserEnrolled {
            user: c.user.clone(),
            display_name: String::new(),
            role: c.role,
            units: Vec::new(),
            phone: None,
            by: Some(c.by.clone()),
        });
        (user.display_name, user.role, user.units, user.phone) = (c.display_name, c.role, c.units, c.phone);
    }

    fn report_finding(&mut self, event: &Event, f: FindingReported) {
        match self.patrols.get_mut(&f.patrol) {
            Some(patrol) => patrol.findings.push(event.id),
            None => self.conflict(event, format!("finding names patrol {} which is not recorded before it", f.patrol)),
        }
        let high_priority = f.is_high_priority();
        let finding = Finding {
            id: event.id,
            officer: event.author.clone(),
            patrol: f.patrol,
            zone: f.zone,
            kind: f.kind,
            location: f.location,
            depth_m: f.depth_m,
            surface_elevation_m: f.surface_elevation_m,
            high_priority,
            licence: f.licence,
            mineral: f.mineral,
            description: f.description,
            stopped_on_spot: f.stopped_on_spot,
            observed_at: f.observed_at,
        };
        self.findings.insert(event.id, finding);
    }

    /// Where something done in `zone` at `at_ms` lies ([`crate::zones`]).
    pub fn place_of(&self, zone: &ZoneId, at_ms: i64) -> Option<&ZonePlace> {
        self.zone_versions.place_at(zone, at_ms)
    }

    /// The zone assigned to `officer` at `at_ms`, if any.
    pub fn zone_of(&self, officer: &UserId, at_ms: i64) -> Option<&ZoneId> {
        self.assignments.get(officer)?.iter().rev().find(|a| a.from <= at_ms)?.zone.as_ref()
    }

    fn record_patrol(&mut self, event: &Event, p: PatrolRecorded) {
        let patrol = Patrol {
            id: event.id,
            officer: event.author.clone(),
            device: event.device_id,
            zone: p.zone,
            started_at: p.started_at,
            ended_at: p.ended_at,
            track_points: p.track.len(),
            distance_m: track_length_m(&p.track),
            summary: p.summary,
            result: p.result,
            amendments: Vec::new(),
            findings: Vec::new(),
            evidence: event.hash.to_hex(),
        };
        self.patrols.insert(event.id, patrol);
    }

    fn amend_patrol(&mut self, event: &Event, a: PatrolAmended) {
        let Some(patrol) = self.patrols.get_mut(&a.patrol) else {
            return self.conflict(event, format!("amends patrol {} which is not recorded before it", a.patrol));
        };
        if patrol.officer != event.author {
            return self.conflict(event, "amended by someone other than the officer who recorded it".into());
        }
        if let Some(summary) = a.summary {
            patrol.summary = summary;
        }
        if let Some(result) = a.result {
            patrol.result = result;
        }
        patrol.amendments.push(Amendment { event: event.id, by: event.author.clone(), reason: a.reason });
    }

    fn file_zero_report(&mut self, event: &Event, z: ZeroReportFiled) {
        let key = format!("{}/{}", z.officer, z.week);
        if let Some(first) = self.zero_reports.get(&key) {
            let problem = format!("a zero report for {} {} was filed before (event {})", z.officer, z.week, first.event);
            return self.conflict(event, problem);
        }
        self.zero_reports.insert(key, ZeroReport { event: event.id, officer: z.officer, week: z.week, zone: z.zone, note: z.note });
    }

    fn grant_licence(&mut self, l: LicenceGranted) {
        match self.licences.get_mut(&l.licence) {
            Some(state) => state.regrant(l),
            None => {
                self.licences.insert(l.licence.clone(), LicenceState::from(l));
            }
        }
    }

    /// A lifecycle event for a licence granted before it in fold order; otherwise a conflict.
    fn change_licence(&mut self, event: &Event, change: LicenceChange) {
        match self.licences.get_mut(change.licence()) {
            Some(state) => state.record(change),
            None => self.conflict(event, format!("{} names licence {} which is not granted before it", event.kind, change.licence())),
        }
    }

    fn attach(&mut self, event: &Event, a: AttachmentAdded) {
        let known = match a.subject.kind {
            SubjectKind::Patrol => self.patrols.contains_key(&a.subject.id),
            SubjectKind::Finding => self.findings.contains_key(&a.subject.id),
            SubjectKind::Tip => self.tips.contains_key(&a.subject.id),
            SubjectKind::Case => self.cases.contains_key(&a.subject.id),
        };
        if !known {
            let what = a.subject.kind.as_str();
            self.conflict(event, format!("attachment names {what} {} which is not recorded before it", a.subject.id));
        }
        let attachment = Attachment {
            id: event.id,
            by: event.author.clone(),
            subject: a.subject,
            sha256: a.sha256,
            size: a.size,
            media_type: a.media_type,
            file_name: a.file_name,
            captured_at: a.captured_at,
            captured_place: a.captured_place,
        };
        self.attachments.insert(event.id, attachment);
    }

    /// The attachments of a patrol or finding, in the order they were folded.
    pub fn attachments_of(&self, subject: &EventId) -> impl Iterator<Item = &Attachment> {
        self.attachments.values().filter(move |a| a.subject.id == *subject)
    }

    fn conflict(&mut self, event: &Event, problem: String) {
        self.conflicts.push(Conflict { event: event.id, kind: event.kind.clone(), problem });
    }
}

/// `events` sorted in fold order, each id once.
fn in_fold_order<'a>(events: impl IntoIterator<Item = &'a Event>) -> Vec<&'a Event> {
    let mut sorted: Vec<&Event> = events.into_iter().collect();
    sorted.sort_by_key(|e| e.fold_key());
    sorted.dedup_by_key(|e| e.id);
    sorted
}

/// Length of a track along its points, in metres (haversine on the WGS 84 mean radius).
pub fn track_length_m(track: &[TrackPoint]) -> u64 {
    let points: Vec<Point<f64>> =
        track.iter().map(|p| Point::new(f64::from(p.lon) / crate::values::E7, f64::from(p.lat) / crate::values::E7)).collect();
    let metres: f64 = points.windows(2).map(|w| Haversine.distance(w[0], w[1])).sum();
    metres.round() as u64
}
