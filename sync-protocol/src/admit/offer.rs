//! What an office user may do, decided by admission itself: a case step is offered when
//! [`super::admit`]'s rules would accept it from the user and the fold would hold it on the case as
//! it stands; the townships where they may record tips and cases are those admission allows.
//! The console offers exactly these as actions (docs/console.md), so it hides only what the
//! server would refuse, and a rule changed in `office.rs` or `fold::next` changes the offer too.

use serde::{Deserialize, Serialize};
use std::convert::Infallible;

use super::office::authorise_office;
use super::{Authority, Caller, SubjectFacts};
use crate::body::{
    ActionKind, Body, CaseActionTaken, CaseClosed, CaseConflictResolved, CaseMarkedMajor, CaseReferred, CaseStopped, CaseVerified,
    Department, Outcome, Role, Subject, TipChannel, TipReceived, Verdict,
};
use crate::fold::{StepDetail, StepStage, next};
use crate::ids::{DeviceId, EventId, UnitId, UserId, ZoneId};
use crate::wire::cases::{CaseAction, CaseSummary};

/// The user an offer is for: who they are, their role and the units they serve (an inspector's
/// townships), as the store holds them now.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub user: &'a UserId,
    pub role: Role,
    pub units: &'a [UnitId],
}

impl Viewer<'_> {
    fn caller(&self) -> Caller {
        Caller { user: self.user.clone(), device: DeviceId(uuid::Uuid::nil()), role: self.role }
    }

    /// Whether admission lets this user record `body`, the store answering from `case` (if any).
    fn may_record(&self, body: &Body, case: Option<&CaseSummary>) -> bool {
        authorise_office(&self.caller(), body, &View { viewer: self, case }).is_ok()
    }
}

/// The store as admission asks it, answered from the viewer's units and the case summary alone.
struct View<'a> {
    viewer: &'a Viewer<'a>,
    case: Option<&'a CaseSummary>,
}

impl Authority for View<'_> {
    type Error = Infallible;

    fn was_assigned(&self, _: &UserId, _: &ZoneId, _: i64, _: i64) -> Result<bool, Infallible> {
        Ok(false)
    }
    fn had_any_zone(&self, _: &UserId, _: i64, _: i64) -> Result<bool, Infallible> {
        Ok(false)
    }
    fn patrol_author(&self, _: &EventId) -> Result<Option<UserId>, Infallible> {
        Ok(None)
    }
    fn case_township(&self, case: &EventId) -> Result<Option<UnitId>, Infallible> {
        Ok(self.case.filter(|c| &c.id == case).map(|c| c.township.clone()))
    }
    fn case_stage_after(&self, case: &EventId, step: &EventId) -> Result<StepStage, Infallible> {
        let head = self.case.filter(|c| &c.id == case).and_then(|c| c.heads.iter().find(|h| &h.step == step));
        Ok(head.map_or(StepStage::NotHeld, |h| StepStage::At(h.stage)))
    }
    fn subject(&self, _: &Subject) -> Result<Option<SubjectFacts>, Infallible> {
        Ok(None)
    }
    fn inspects(&self, inspector: &UserId, township: &UnitId) -> Result<bool, Infallible> {
        let v = self.viewer;
        Ok(v.role == Role::TownshipInspector && inspector == v.user && v.units.contains(township))
    }
}

/// The steps `viewer` may take on `case` as it stands: each is admitted from them and holds. A
/// case in conflict offers only its resolution (as the phone, which resolves before acting).
pub fn case_actions(viewer: &Viewer<'_>, case: &CaseSummary) -> Vec<CaseAction> {
    CaseAction::ALL.into_iter().filter(|a| holds(*a, case) && viewer.may_record(&step_body(*a, case), Some(case))).collect()
}

/// Fills each summary's `actions` for `viewer`.
pub fn fill_actions<'a>(viewer: &Viewer<'_>, cases: impl IntoIterator<Item = &'a mut CaseSummary>) {
    for c in cases {
        c.actions = case_actions(viewer, c);
    }
}

/// Whether `action` holds on `case` as it stands (`fold::next` from its stage).
fn holds(action: CaseAction, case: &CaseSummary) -> bool {
    match (action, case.stage) {
        (CaseAction::Resolve, stage) => stage.is_none() && case.heads.len() >= 2,
        (_, None) => false,
        (action, Some(stage)) => next((stage, case.outcome), &detail(action)).is_ok(),
    }
}

/// What `action` does, as the fold reads it.
fn detail(action: CaseAction) -> StepDetail {
    match action {
        CaseAction::Verify => StepDetail::Verified { verdict: Verdict::Confirmed },
        CaseAction::Unfounded => StepDetail::Verified { verdict: Verdict::Unfounded },
        CaseAction::Stop => StepDetail::Stopped,
        CaseAction::Rectify => StepDetail::ActionTaken { action: ActionKind::RectifyOrder, deadline: Some(0), departments: vec![] },
        CaseAction::Joint => {
            StepDetail::ActionTaken { action: ActionKind::JointAction, deadline: None, departments: vec![Department::Police] }
        }
        CaseAction::Refer => StepDetail::Referred,
        CaseAction::Major => StepDetail::MarkedMajor { deadline: 0 },
        CaseAction::Close => StepDetail::Closed { outcome: Outcome::Rectified },
        CaseAction::CloseUnfounded => StepDetail::Closed { outcome: Outcome::Unfounded },
        CaseAction::Resolve => StepDetail::ConflictResolved { keep: EventId(uuid::Uuid::nil()) },
    }
}

/// The action a case step's body takes (the inverse of the bodies the offer judges): what a phone
/// looks up in [`case_actions`] before it records the step. `None` for a body that is no step on
/// an open case (an opening, a resolution, a tip).
pub fn action_of(body: &Body) -> Option<CaseAction> {
    Some(match body {
        Body::CaseVerified(b) if b.verdict == Verdict::Unfounded => CaseAction::Unfounded,
        Body::CaseVerified(_) => CaseAction::Verify,
        Body::CaseStopped(_) => CaseAction::Stop,
        Body::CaseActionTaken(b) if b.action == ActionKind::RectifyOrder => CaseAction::Rectify,
        Body::CaseActionTaken(_) => CaseAction::Joint,
        Body::CaseReferred(_) => CaseAction::Refer,
        Body::CaseMarkedMajor(_) => CaseAction::Major,
        Body::CaseClosed(b) if b.outcome == Outcome::Unfounded => CaseAction::CloseUnfounded,
        Body::CaseClosed(_) => CaseAction::Close,
        _ => return None,
    })
}

/// The body of `action` on `case`, made on its first head (a resolution on all its heads), with
/// placeholders where the user types (note, deadline, departments): what admission judges.
fn step_body(action: CaseAction, case: &CaseSummary) -> Body {
    let (id, township) = (case.id, case.township.clone());
    let after = case.heads.first().map_or(case.id, |h| h.step);
    let note = String::new();
    match detail(action) {
        StepDetail::Verified { verdict } => Body::CaseVerified(CaseVerified { case: id, township, after, verdict, note }),
        StepDetail::Stopped => Body::CaseStopped(CaseStopped { case: id, township, after, note }),
        StepDetail::ActionTaken { action, deadline, departments } => {
            Body::CaseActionTaken(CaseActionTaken { case: id, township, after, action, deadline, departments, note })
        }
        StepDetail::Referred => Body::CaseReferred(CaseReferred { case: id, township, after, note }),
        StepDetail::MarkedMajor { deadline } => Body::CaseMarkedMajor(CaseMarkedMajor { case: id, township, after, deadline, note }),
        StepDetail::Closed { outcome } => Body::CaseClosed(CaseClosed { case: id, township, after, outcome, note }),
        StepDetail::ConflictResolved { .. } | StepDetail::Opened { .. } => Body::CaseConflictResolved(CaseConflictResolved {
            case: id,
            township,
            heads: case.heads.iter().map(|h| h.step).collect(),
            keep: after,
            note,
        }),
    }
}

/// Where a user may record tips and open cases (receive, assign, answer, open on a tip or a
/// finding): every township, or the townships listed, or none (`county` false, no townships).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeReach {
    /// Every township (the county mineral section).
    pub county: bool,
    /// The townships they answer for, when not `county`.
    pub townships: Vec<UnitId>,
}

impl OfficeReach {
    /// Whether the reach holds `township`.
    pub fn holds(&self, township: &UnitId) -> bool {
        self.county || self.townships.contains(township)
    }
}

/// The reach of `viewer`: where admission accepts a `tip.received` from them. `county` is judged
/// on a township that none of their units names.
pub fn reach(viewer: &Viewer<'_>) -> OfficeReach {
    let tip = |township: &UnitId| {
        Body::TipReceived(TipReceived {
            channel: TipChannel::Hotline,
            content: String::new(),
            location: None,
            received_at: 0,
            township: township.clone(),
        })
    };
    // One more name than there are units: one of them is none of the units.
    let elsewhere = (0..=viewer.units.len()).filter_map(|n| UnitId::new(format!("elsewhere-{n}")).ok()).find(|u| !viewer.units.contains(u));
    let county = elsewhere.is_some_and(|u| viewer.may_record(&tip(&u), None));
    let townships = if county { Vec::new() } else { viewer.units.iter().filter(|u| viewer.may_record(&tip(u), None)).cloned().collect() };
    OfficeReach { county, townships }
}

#[cfg(test)]
#[path = "offer_tests.rs"]
mod tests;
