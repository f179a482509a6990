//! The reports' read model: the rows a store keeps current as it accepts each event, so that a
//! report reads in proportion to its answer instead of folding the whole log.
//!
//! # Groups
//! Every row is a pure function of one small group of events, folded with the one fold
//! ([`crate::fold::Projection`]), so it does not depend on the order events arrive in:
//! - **a patrol's group**: its `patrol.recorded`, its `patrol.amended`, the `finding.reported` on
//!   it, and the `attachment.added` on it or on one of those findings. It gives the patrol's
//!   ledger entry ([`crate::ledger::PatrolEntry`]) and one [`FindingRow`] per finding;
//! - **a case's group**: its `case.opened` and every later step: the [`crate::fold::Case`];
//! - **a tip's group**: its `tip.received`, `tip.assigned` and `tip.answered`: the
//!   [`crate::fold::Tip`] (its cases are read from the cases' rows, by source).
//!
//! Besides the groups, a zero report is one row per officer and week, and where a patrol or a
//! finding lies is the place of its zone at its time ([`crate::zones`]), set again when a
//! `zone.defined` moves it.
//!
//! # How an event changes the rows
//! [`touch`] says, for an accepted event, under which entity it is filed (when that is not its
//! own id) and which group to fold again. The store keeps the filing, reads the group's events
//! back ([`Filed`]) and replaces the group's rows with [`patrol_group`], [`case_group`] or
//! [`tip_group`]. [`model::ReadModel`] does the same in memory: its tests prove that applying
//! events one by one, in any order of delivery, gives the rows derived from the fold of them all.
//!
//! # Layout
//! - [`rows`]: the rows and the functions that fold a group into them.
//! - [`model`]: the whole read model in memory, from events one by one or from a projection, and
//!   the week's compliance facts it gives.

pub mod model;
pub mod rows;

pub use rows::{FindingRow, PatrolGroup, case_group, patrol_group, tip_group};

use crate::body::{Body, SubjectKind};
use crate::ids::{EventId, UserId};
use crate::values::IsoWeek;

/// Which rows an accepted event changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refold {
    /// The patrol's group.
    Patrol(EventId),
    /// The group of the patrol the finding is on, if the finding is known yet (an attachment on a
    /// finding; filed under the finding, so the finding's patrol group finds it later anyway).
    PatrolOfFinding(EventId),
    Case(EventId),
    Tip(EventId),
    /// A zero report: its officer and week.
    ZeroReport(UserId, IsoWeek),
    /// A `zone.defined`: the places of the patrols and findings in the zone's changed period.
    Zone,
    /// Nothing the reports read from these rows (reference data the store keeps in its own
    /// tables, licences, access records, informants).
    Nothing,
}

/// Where an accepted event goes in the read model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touch {
    /// The entity the event is filed under, when its group is not keyed by its own id.
    pub filed_under: Option<EventId>,
    pub refold: Refold,
}

/// Where the accepted event `id` with `body` goes.
pub fn touch(id: EventId, body: &Body) -> Touch {
    let own = |refold| Touch { filed_under: None, refold };
    let under = |key: EventId, refold| Touch { filed_under: Some(key), refold };
    match body {
        Body::PatrolRecorded(_) => own(Refold::Patrol(id)),
        Body::PatrolAmended(a) => under(a.patrol, Refold::Patrol(a.patrol)),
        Body::FindingReported(f) => under(f.patrol, Refold::Patrol(f.patrol)),
        Body::AttachmentAdded(a) => match a.subject.kind {
            SubjectKind::Patrol => under(a.subject.id, Refold::Patrol(a.subject.id)),
            SubjectKind::Finding => under(a.subject.id, Refold::PatrolOfFinding(a.subject.id)),
            SubjectKind::Tip | SubjectKind::Case => own(Refold::Nothing),
        },
        Body::CaseOpened(_) => own(Refold::Case(id)),
        Body::CaseVerified(b) => under(b.case, Refold::Case(b.case)),
        Body::CaseStopped(b) => under(b.case, Refold::Case(b.case)),
        Body::CaseActionTaken(b) => under(b.case, Refold::Case(b.case)),
        Body::CaseReferred(b) => under(b.case, Refold::Case(b.case)),
        Body::CaseMarkedMajor(b) => under(b.case, Refold::Case(b.case)),
        Body::CaseClosed(b) => under(b.case, Refold::Case(b.case)),
        Body::CaseConflictResolved(b) => under(b.case, Refold::Case(b.case)),
        Body::TipReceived(_) => own(Refold::Tip(id)),
        Body::TipAssigned(a) => under(a.tip, Refold::Tip(a.tip)),
        Body::TipAnswered(a) => under(a.tip, Refold::Tip(a.tip)),
        Body::ZeroReportFiled(z) => {
            let (officer, week) = crate::checks::zero_report::report_week(z);
            own(Refold::ZeroReport(officer, week))
        }
        Body::ZoneDefined(_) => own(Refold::Zone),
        Body::TipInformant(_)
        | Body::UnitDefined(_)
        | Body::UserEnrolled(_)
        | Body::UserChanged(_)
        | Body::PasswordChanged(_)
        | Body::PasswordReset(_)
        | Body::AssignmentSet(_)
        | Body::LicenceGranted(_)
        | Body::LicenceExtended(_)
        | Body::LicenceChanged(_)
        | Body::LicenceTransferred(_)
        | Body::LicenceCancelled(_)
        | Body::UserDisabled(_)
        | Body::UserEnabled(_)
        | Body::DeviceRevoked(_)
        // A review changes the patrol's check (`patrol_checks`), which the reports join, not a row.
        | Body::FlagReviewed(_) => own(Refold::Nothing),
    }
}

/// How a store reads a group's events back: the event with an id, and the events filed under an
/// entity. Each read may fail (`E`: the store's error).
pub trait Filed<E> {
    fn event(&mut self, id: &EventId) -> Result<Option<crate::event::Event>, E>;
    fn filed_under(&mut self, key: &EventId) -> Result<Vec<crate::event::Event>, E>;
}

/// The events of the group keyed `key`: the event `key` itself, the events filed under it, and
/// when `with_findings`, the events filed under each finding among them (a patrol's group).
pub fn group_events<E>(filed: &mut impl Filed<E>, key: &EventId, with_findings: bool) -> Result<Vec<crate::event::Event>, E> {
    let mut events: Vec<crate::event::Event> = filed.event(key)?.into_iter().collect();
    let under = filed.filed_under(key)?;
    let findings: Vec<EventId> = if with_findings {
        under.iter().filter(|e| e.kind == crate::body::kind::FINDING_REPORTED).map(|e| e.id).collect()
    } else {
        Vec::new()
    };
    events.extend(under);
    for f in findings {
        events.extend(filed.filed_under(&f)?);
    }
    Ok(events)
}
