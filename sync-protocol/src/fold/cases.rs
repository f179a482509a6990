//! Cases in the projection: each case keeps every step with author, time and note, and its state
//! is recomputed from the set of its steps (see [`super::case_graph`]), so delivery order never matters.

use serde::{Deserialize, Serialize};

use super::Projection;
use crate::body::{
    ActionKind, CaseActionTaken, CaseClosed, CaseConflictResolved, CaseMarkedMajor, CaseReferred, CaseSource, CaseStopped, CaseVerified,
    Department, Outcome, Verdict,
};
use crate::event::Event;
use crate::hlc::Hlc;
use crate::ids::{DeviceId, EventId, UnitId, UserId};

/// Where a case stands. A case whose heads disagree has no stage but a [`CaseConflict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Opened: the township (or county) has recorded receipt (已接收).
    Received,
    /// Verified as confirmed (属实).
    Verified,
    /// Verified as unfounded (查无实据), awaiting closure.
    Unfounded,
    /// Referred to the county mineral section (移交县矿产股).
    Referred,
    Closed,
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum StepDetail {
    Opened { source: CaseSource },
    Verified { verdict: Verdict },
    Stopped,
    ActionTaken { action: ActionKind, deadline: Option<i64>, departments: Vec<Department> },
    Referred,
    MarkedMajor { deadline: i64 },
    Closed { outcome: Outcome },
    ConflictResolved { keep: EventId },
}

/// One step of a case's history, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseStep {
    pub event: EventId,
    pub by: UserId,
    /// The event's HLC: the time shown for the step, and its place in the history.
    pub hlc: Hlc,
    pub device: DeviceId,
    pub seq: u64,
    /// The step(s) it was made on; empty for the opening step.
    pub after: Vec<EventId>,
    pub township: UnitId,
    pub note: String,
    pub detail: StepDetail,
    /// Why the step does not hold, when it does not. Such a step is kept and shown, never dropped,
    /// and changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl CaseStep {
    pub fn fold_key(&self) -> (Hlc, DeviceId, u64) {
        (self.hlc, self.device, self.seq)
    }

    pub fn at_ms(&self) -> i64 {
        i64::try_from(self.hlc.ms).unwrap_or(i64::MAX)
    }
}

/// A head of the case: a step nothing valid was made on, with the stage it leads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub step: EventId,
    pub stage: Stage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    pub by: UserId,
    pub at_ms: i64,
}

/// Concurrent steps that lead to different stages (or outcomes); shown until a
/// `case.conflict_resolved` joins them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseConflict {
    pub branches: Vec<Head>,
}

/// The county's supervision of a major case (重大案件督办).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Major {
    pub event: EventId,
    pub by: UserId,
    pub deadline: i64,
}

/// A case and everything derived from its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: EventId,
    pub source: CaseSource,
    pub township: UnitId,
    pub opened_by: UserId,
    /// The opening event's HLC ms: when the township recorded receipt.
    pub opened_at: i64,
    /// Every step in fold order; the first is the opening.
    pub steps: Vec<CaseStep>,
    /// `None` while the case is in conflict.
    pub stage: Option<Stage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<CaseConflict>,
    pub heads: Vec<EventId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The earliest valid `case.stopped`, HLC ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<i64>,
    /// Deadlines of valid orders to rectify, in fold order: the last one stands.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rectify_deadlines: Vec<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major: Option<Major>,
}

impl Case {
    /// `received`, `verified`, `unfounded`, `referred`, `closed` or `conflict`.
    pub fn status_label(&self) -> &'static str {
        match self.stage {
            None => "conflict",
            Some(Stage::Received) => "received",
            Some(Stage::Verified) => "verified",
            Some(Stage::Unfounded) => "unfounded",
            Some(Stage::Referred) => "referred",
            Some(Stage::Closed) => "closed",
        }
    }

    pub fn is_closed(&self) -> bool {
        self.stage == Some(Stage::Closed)
    }

    /// Where the case stood after `step` (the head a new step names), from the steps it holds.
    /// Depends only on that step and the steps it was made on, never on the case's heads now.
    pub fn stage_after(&self, step: &EventId) -> StepStage {
        super::case_graph::stage_after(self, step)
    }
}

/// Where a case stood after one of its steps, as the steps a replica (or the server) holds show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStage {
    /// The step is not held (or its case is not).
    NotHeld,
    /// The step is held but does not hold (it has a `problem`): the case stood nowhere after it.
    DoesNotHold,
    /// The stage the case had after the step.
    At(Stage),
}

/// A step of a case as read from its event, before the projection places it.
pub(super) struct NewStep {
    pub case: EventId,
    pub township: UnitId,
    pub after: Vec<EventId>,
    pub note: String,
    pub detail: StepDetail,
}

impl From<CaseVerified> for NewStep {
    fn from(b: CaseVerified) -> Self {
        NewStep {
            case: b.case,
            township: b.township,
            after: vec![b.after],
            note: b.note,
            detail: StepDetail::Verified { verdict: b.verdict },
        }
    }
}

impl From<CaseStopped> for NewStep {
    fn from(b: CaseStopped) -> Self {
        NewStep { case: b.case, township: b.township, after: vec![b.after], note: b.note, detail: StepDetail::Stopped }
    }
}

impl From<CaseActionTaken> for NewStep {
    fn from(b: CaseActionTaken) -> Self {
        let detail = StepDetail::ActionTaken { action: b.action, deadline: b.deadline, departments: b.departments };
        NewStep { case: b.case, township: b.township, after: vec![b.after], note: b.note, detail }
    }
}

impl From<CaseReferred> for NewStep {
    fn from(b: CaseReferred) -> Self {
        NewStep { case: b.case, township: b.township, after: vec![b.after], note: b.note, detail: StepDetail::Referred }
    }
}

impl From<CaseMarkedMajor> for NewStep {
    fn from(b: CaseMarkedMajor) -> Self {
        let detail = StepDetail::MarkedMajor { deadline: b.deadline };
        NewStep { case: b.case, township: b.township, after: vec![b.after], note: b.note, detail }
    }
}

impl From<CaseClosed> for NewStep {
    fn from(b: CaseClosed) -> Self {
        NewStep {
            case: b.case,
            township: b.township,
            after: vec![b.after],
            note: b.note,
            detail: StepDetail::Closed { outcome: b.outcome },
        }
    }
}

impl From<CaseConflictResolved> for NewStep {
    fn from(b: CaseConflictResolved) -> Self {
        let detail = StepDetail::ConflictResolved { keep: b.keep };
        NewStep { case: b.case, township: b.township, after: b.heads, note: b.note, detail }
    }
}

fn step_of(event: &Event, township: UnitId, after: Vec<EventId>, note: String, detail: StepDetail) -> CaseStep {
    CaseStep {
        event: event.id,
        by: event.author.clone(),
        hlc: event.hlc,
        device: event.device_id,
        seq: event.seq,
        after,
        township,
        note,
        detail,
        problem: None,
    }
}

impl Projection {
    /// `case.opened`: a new case, joined by any of its steps that arrived before it.
    pub(super) fn open_case(&mut self, event: &Event, source: CaseSource, township: UnitId, note: String) {
        if self.cases.contains_key(&event.id) {
            return;
        }
        let opening = step_of(event, township.clone(), Vec::new(), note, StepDetail::Opened { source });
        let mut steps = vec![opening];
        steps.extend(self.waiting_steps.remove(&event.id).unwrap_or_default());
        let mut case = Case {
            id: event.id,
            source,
            township,
            opened_by: event.author.clone(),
            opened_at: i64::try_from(event.hlc.ms).unwrap_or(i64::MAX),
            steps,
            stage: Some(Stage::Received),
            conflict: None,
            heads: vec![event.id],
            outcome: None,
            stopped_at: None,
            rectify_deadlines: Vec::new(),
            major: None,
        };
        super::case_graph::evaluate(&mut case);
        if let CaseSource::Tip(tip) = source {
            self.link_tip_case(tip, event.id);
        }
        self.cases.insert(event.id, case);
    }

    /// Any later step. Applying the same event twice changes nothing.
    pub(super) fn add_case_step(&mut self, event: &Event, new: NewStep) {
        let step = step_of(event, new.township, new.after, new.note, new.detail);
        let Some(case) = self.cases.get_mut(&new.case) else {
            let waiting = self.waiting_steps.entry(new.case).or_default();
            if !waiting.iter().any(|s| s.event == step.event) {
                waiting.push(step);
            }
            return;
        };
        if case.steps.iter().any(|s| s.event == step.event) {
            return;
        }
        case.steps.push(step);
        super::case_graph::evaluate(case);
    }
}
