//! How a case's state follows from the set of its steps alone: each step is checked against the
//! stage of the step it was made on; the case's heads agree on one stage, or the case is in conflict.
//!
//! The steps form a graph by `after`. A step is *valid* when the step(s) it names are valid steps of
//! the same case and its transition holds from their stage (table in `docs/cases.md`, code in
//! [`next`]). A *head* is a valid step no valid step was made on. Every result here depends only on
//! which steps are present, never on the order they came in.

use std::collections::{BTreeMap, BTreeSet};

use super::cases::{Case, CaseConflict, CaseStep, Head, Major, Stage, StepDetail, StepStage};
use crate::body::{ActionKind, Outcome, Verdict};
use crate::ids::EventId;

/// A stage and, for a closed case, its outcome: two heads conflict when these differ.
pub type Position = (Stage, Option<Outcome>);

/// The stage a step leads to from `from`, or why it does not hold there.
pub fn next(from: Position, detail: &StepDetail) -> Result<Position, &'static str> {
    use Stage::*;
    let (stage, _) = from;
    if stage == Closed {
        return Err("the case is closed");
    }
    match (detail, stage) {
        (StepDetail::Verified { verdict: Verdict::Confirmed }, Received) => Ok((Verified, None)),
        (StepDetail::Verified { verdict: Verdict::Unfounded }, Received) => Ok((Unfounded, None)),
        (StepDetail::Verified { .. }, _) => Err("the case was verified before"),
        (_, Unfounded) if !matches!(detail, StepDetail::Closed { .. }) => Err("the case was found unfounded; it can only be closed"),
        (StepDetail::Stopped | StepDetail::MarkedMajor { .. }, _) => Ok(from),
        (StepDetail::ActionTaken { .. }, Received) => Err("an action needs the case verified first"),
        (StepDetail::ActionTaken { .. }, _) => Ok(from),
        (StepDetail::Referred, Received | Verified) => Ok((Referred, None)),
        (StepDetail::Referred, _) => Err("the case was referred before"),
        (StepDetail::Closed { .. }, Received) => Err("a case is verified before it is closed"),
        (StepDetail::Closed { outcome: Outcome::Unfounded }, Verified | Referred) => Err("a confirmed case does not close as unfounded"),
        (StepDetail::Closed { outcome }, Unfounded) if *outcome != Outcome::Unfounded => Err("an unfounded case closes as unfounded"),
        (StepDetail::Closed { outcome }, _) => Ok((Closed, Some(*outcome))),
        (StepDetail::Opened { .. } | StepDetail::ConflictResolved { .. }, _) => Err("not a transition"),
    }
}

enum Decision {
    Pending,
    Valid(Position),
    Invalid(String),
}

/// Recomputes everything derived from `case.steps`: each step's problem, heads, stage or
/// conflict, stop time, deadlines and major supervision.
pub(super) fn evaluate(case: &mut Case) {
    case.steps.sort_by_key(CaseStep::fold_key);
    let index = index_of(case);
    let (states, mut problems) = decide_all(case, &index);
    for (i, step) in case.steps.iter_mut().enumerate() {
        step.problem = match &states[i] {
            None => Some("its steps form a cycle".into()),
            Some(_) => problems[i].take(),
        };
    }
    let valid: Vec<Option<Position>> = states.into_iter().map(Option::flatten).collect();
    settle(case, &valid, &index);
}

/// Where the case stood after `step`, from the steps `case` holds (an evaluated case, as the
/// projection keeps it). Depends only on `step` and the steps it was made on.
pub(super) fn stage_after(case: &Case, step: &EventId) -> StepStage {
    let index = index_of(case);
    let Some(&i) = index.get(step) else { return StepStage::NotHeld };
    match decide_all(case, &index).0[i] {
        Some(Some((stage, _))) => StepStage::At(stage),
        Some(None) | None => StepStage::DoesNotHold,
    }
}

fn index_of(case: &Case) -> BTreeMap<EventId, usize> {
    case.steps.iter().enumerate().map(|(i, s)| (s.event, i)).collect()
}

/// Each step's state (`None`: undecided, in a cycle; `Some(None)`: does not hold) and problem.
type States = (Vec<Option<Option<Position>>>, Vec<Option<String>>);

fn decide_all(case: &Case, index: &BTreeMap<EventId, usize>) -> States {
    let mut states: Vec<Option<Option<Position>>> = vec![None; case.steps.len()];
    let mut problems: Vec<Option<String>> = vec![None; case.steps.len()];
    // Parents usually sort first, so this settles in one or two passes.
    loop {
        let mut progress = false;
        for i in 0..case.steps.len() {
            if states[i].is_some() {
                continue;
            }
            match decide(case, i, index, &states) {
                Decision::Pending => continue,
                Decision::Valid(p) => states[i] = Some(Some(p)),
                Decision::Invalid(why) => {
                    states[i] = Some(None);
                    problems[i] = Some(why);
                }
            }
            progress = true;
        }
        if !progress {
            return (states, problems);
        }
    }
}

fn decide(case: &Case, i: usize, index: &BTreeMap<EventId, usize>, states: &[Option<Option<Position>>]) -> Decision {
    let step = &case.steps[i];
    if let StepDetail::Opened { .. } = step.detail {
        return Decision::Valid((Stage::Received, None));
    }
    if step.township != case.township {
        return Decision::Invalid(format!("names township {}, but the case is {}'s", step.township, case.township));
    }
    let mut parents = Vec::with_capacity(step.after.len());
    for after in &step.after {
        match index.get(after).map(|&j| &states[j]) {
            None => return Decision::Invalid(format!("made on step {after}, which this replica does not hold")),
            Some(None) => return Decision::Pending,
            Some(Some(None)) => return Decision::Invalid(format!("made on step {after}, which does not hold")),
            Some(Some(Some(p))) => parents.push((*after, *p)),
        }
    }
    match (&step.detail, parents.as_slice()) {
        (StepDetail::ConflictResolved { keep }, ps) if ps.len() >= 2 => match ps.iter().find(|(id, _)| id == keep) {
            Some((_, p)) => Decision::Valid(*p),
            None => Decision::Invalid("keeps a head it does not join".into()),
        },
        (StepDetail::ConflictResolved { .. }, _) => Decision::Invalid("joins fewer than two heads".into()),
        (detail, [(_, p)]) => match next(*p, detail) {
            Ok(p) => Decision::Valid(p),
            Err(why) => Decision::Invalid(why.into()),
        },
        _ => Decision::Invalid("a step other than a resolution is made on exactly one step".into()),
    }
}

/// Heads, stage or conflict, and the effects of all valid steps (each is on some head's path).
fn settle(case: &mut Case, valid: &[Option<Position>], index: &BTreeMap<EventId, usize>) {
    let mut has_valid_child = BTreeSet::new();
    for (step, state) in case.steps.iter().zip(valid) {
        if state.is_some() {
            has_valid_child.extend(step.after.iter().filter_map(|a| index.get(a)).copied());
        }
    }
    let heads: Vec<Head> = (0..case.steps.len())
        .filter(|i| !has_valid_child.contains(i))
        .filter_map(|i| valid[i].map(|(stage, outcome)| (i, stage, outcome)))
        .map(|(i, stage, outcome)| {
            let s = &case.steps[i];
            Head { step: s.event, stage, outcome, by: s.by.clone(), at_ms: s.at_ms() }
        })
        .collect();
    let positions: BTreeSet<Position> = heads.iter().map(|h| (h.stage, h.outcome)).collect();
    case.heads = heads.iter().map(|h| h.step).collect();
    match positions.iter().next() {
        Some(&(stage, outcome)) if positions.len() == 1 => {
            (case.stage, case.outcome, case.conflict) = (Some(stage), outcome, None);
        }
        _ => (case.stage, case.outcome, case.conflict) = (None, None, Some(CaseConflict { branches: heads })),
    }
    let effective = || case.steps.iter().zip(valid).filter(|(_, v)| v.is_some()).map(|(s, _)| s);
    case.stopped_at = effective().filter(|s| s.detail == StepDetail::Stopped).map(CaseStep::at_ms).min();
    case.rectify_deadlines = effective()
        .filter_map(|s| match s.detail {
            StepDetail::ActionTaken { action: ActionKind::RectifyOrder, deadline, .. } => deadline,
            _ => None,
        })
        .collect();
    case.major = effective().rev().find_map(|s| match s.detail {
        StepDetail::MarkedMajor { deadline } => Some(Major { event: s.event, by: s.by.clone(), deadline }),
        _ => None,
    });
}
