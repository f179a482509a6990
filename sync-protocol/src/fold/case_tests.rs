//! The case fold: every transition of the table, conflicts between concurrent steps, and
//! convergence whatever the delivery order (with duplicates).

use proptest::prelude::*;
use serde_json::{Value, json};

use super::{Position, Projection, Stage, StepDetail, StepStage, next};
use crate::body::{ActionKind, CaseSource, Outcome, Verdict};
use crate::crypto::{Hash, Sig};
use crate::event::Event;
use crate::hlc::Hlc;
use crate::ids::{DeviceId, EventId, UserId};

pub(crate) fn id(n: u16) -> EventId {
    format!("0192f0c1-7a3b-7c00-8000-00000000{n:04x}").parse().expect("id")
}

/// An event as the fold sees it; the fold checks no hash or signature.
pub(crate) fn event(n: u16, device: u8, ms: u64, author: &str, kind: &str, body: Value) -> Event {
    Event {
        id: id(n),
        device_id: DeviceId(format!("0192f0c1-0000-7000-8000-0000000000{device:02x}").parse::<EventId>().expect("device").0),
        seq: u64::from(n),
        hlc: Hlc::new(ms, 0),
        author: UserId::new(author).expect("user"),
        kind: kind.into(),
        body,
        prev: Hash::ZERO,
        hash: Hash::ZERO,
        sig: Sig([0; 64]),
    }
}

const T0: u64 = 1_764_131_257_000;
const CASE: u16 = 1;

fn opened() -> Event {
    let source = json!({"finding": id(900).to_string()});
    event(CASE, 1, T0, "ti-t01", "case.opened", json!({"v": 1, "source": source, "township": "T01", "note": "received"}))
}

/// A step of the case made on step `after`.
fn step(n: u16, device: u8, ms: u64, after: u16, kind: &str, extra: Value) -> Event {
    let mut body = json!({"v": 1, "case": id(CASE).to_string(), "township": "T01", "after": id(after).to_string(), "note": "n"});
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    event(n, device, T0 + ms, if device == 9 { "county-1" } else { "ti-t01" }, kind, body)
}

fn verified(n: u16, device: u8, after: u16) -> Event {
    step(n, device, u64::from(n) * 1000, after, "case.verified", json!({"verdict": "confirmed"}))
}

fn closed(n: u16, device: u8, after: u16, outcome: &str) -> Event {
    step(n, device, u64::from(n) * 1000, after, "case.closed", json!({"outcome": outcome}))
}

fn referred(n: u16, device: u8, after: u16) -> Event {
    step(n, device, u64::from(n) * 1000, after, "case.referred", json!({}))
}

fn resolved(n: u16, device: u8, heads: &[u16], keep: u16) -> Event {
    let heads: Vec<String> = heads.iter().map(|h| id(*h).to_string()).collect();
    let body =
        json!({"v": 1, "case": id(CASE).to_string(), "township": "T01", "heads": heads, "keep": id(keep).to_string(), "note": "decided"});
    event(n, device, T0 + u64::from(n) * 1000, "county-1", "case.conflict_resolved", body)
}

#[test]
fn every_transition_of_the_table() {
    use Stage::*;
    let verify = |verdict| StepDetail::Verified { verdict };
    let action = StepDetail::ActionTaken { action: ActionKind::RectifyOrder, deadline: Some(1), departments: vec![] };
    let close = |outcome| StepDetail::Closed { outcome };
    let major = StepDetail::MarkedMajor { deadline: 1 };
    let ok = |s: Stage| -> Result<Position, &'static str> { Ok((s, None)) };
    #[rustfmt::skip]
    let table: Vec<(Stage, StepDetail, Result<Position, &str>)> = vec![
        (Received, verify(Verdict::Confirmed), ok(Verified)),
        (Received, verify(Verdict::Unfounded), ok(Unfounded)),
        (Verified, verify(Verdict::Confirmed), Err("the case was verified before")),
        (Referred, verify(Verdict::Unfounded), Err("the case was verified before")),
        (Received, StepDetail::Stopped, ok(Received)),
        (Verified, StepDetail::Stopped, ok(Verified)),
        (Referred, StepDetail::Stopped, ok(Referred)),
        (Unfounded, StepDetail::Stopped, Err("the case was found unfounded; it can only be closed")),
        (Received, action.clone(), Err("an action needs the case verified first")),
        (Verified, action.clone(), ok(Verified)),
        (Referred, action.clone(), ok(Referred)),
        (Unfounded, action.clone(), Err("the case was found unfounded; it can only be closed")),
        (Received, StepDetail::Referred, ok(Referred)),
        (Verified, StepDetail::Referred, ok(Referred)),
        (Referred, StepDetail::Referred, Err("the case was referred before")),
        (Unfounded, StepDetail::Referred, Err("the case was found unfounded; it can only be closed")),
        (Received, major.clone(), ok(Received)),
        (Verified, major.clone(), ok(Verified)),
        (Referred, major.clone(), ok(Referred)),
        (Unfounded, major.clone(), Err("the case was found unfounded; it can only be closed")),
        (Received, close(Outcome::Rectified), Err("a case is verified before it is closed")),
        (Verified, close(Outcome::Rectified), Ok((Closed, Some(Outcome::Rectified)))),
        (Referred, close(Outcome::Penalised), Ok((Closed, Some(Outcome::Penalised)))),
        (Verified, close(Outcome::Unfounded), Err("a confirmed case does not close as unfounded")),
        (Unfounded, close(Outcome::Unfounded), Ok((Closed, Some(Outcome::Unfounded)))),
        (Unfounded, close(Outcome::Transferred), Err("an unfounded case closes as unfounded")),
        (Closed, StepDetail::Stopped, Err("the case is closed")),
        (Closed, close(Outcome::Other), Err("the case is closed")),
        (Closed, StepDetail::Referred, Err("the case is closed")),
        (Verified, StepDetail::Opened { source: CaseSource::Tip(id(5)) }, Err("not a transition")),
    ];
    for (from, detail, want) in table {
        assert_eq!(next((from, None), &detail), want, "{from:?} + {detail:?}");
    }
}

#[test]
fn a_straight_history_keeps_every_step_with_author_and_time() {
    let events = [opened(), verified(2, 1, 1), step(3, 1, 3_000, 2, "case.stopped", json!({})), closed(4, 1, 3, "rectified")];
    let p = Projection::fold(&events);
    let case = &p.cases[&id(CASE)];
    assert_eq!((case.stage, case.outcome, case.conflict.is_none()), (Some(Stage::Closed), Some(Outcome::Rectified), true));
    assert_eq!(
        case.steps.iter().map(|s| (s.event, s.by.as_str(), s.at_ms())).collect::<Vec<_>>(),
        vec![
            (id(1), "ti-t01", T0 as i64),
            (id(2), "ti-t01", T0 as i64 + 2_000),
            (id(3), "ti-t01", T0 as i64 + 3_000),
            (id(4), "ti-t01", T0 as i64 + 4_000),
        ]
    );
    assert_eq!(case.stopped_at, Some(T0 as i64 + 3_000));
    assert!(case.steps.iter().all(|s| s.problem.is_none()));
}

#[test]
fn a_step_on_a_closed_case_is_kept_and_changes_nothing() {
    let events = [opened(), verified(2, 1, 1), closed(3, 1, 2, "rectified"), referred(4, 1, 3)];
    let case = &Projection::fold(&events).cases[&id(CASE)];
    assert_eq!(case.stage, Some(Stage::Closed));
    assert_eq!(case.steps[3].problem.as_deref(), Some("the case is closed"));
    assert_eq!(case.heads, vec![id(3)]);
}

#[test]
fn closed_on_one_device_and_referred_on_another_is_a_conflict_until_resolved() {
    let base = vec![opened(), verified(2, 1, 1), closed(3, 1, 2, "rectified"), referred(4, 2, 2)];
    let case = &Projection::fold(&base).cases[&id(CASE)];
    assert_eq!((case.stage, case.status_label()), (None, "conflict"));
    let branches = &case.conflict.as_ref().expect("conflict").branches;
    assert_eq!(branches.iter().map(|b| (b.step, b.stage)).collect::<Vec<_>>(), vec![(id(3), Stage::Closed), (id(4), Stage::Referred)]);
    assert_eq!(case.steps.len(), 4, "both branches stay in the history");

    let mut resolved_events = base.clone();
    resolved_events.push(resolved(5, 9, &[3, 4], 4));
    let case = &Projection::fold(&resolved_events).cases[&id(CASE)];
    assert_eq!((case.stage, case.conflict.as_ref(), case.heads.clone()), (Some(Stage::Referred), None, vec![id(5)]));

    // A step concurrent with the resolution opens the conflict again.
    let mut again = resolved_events.clone();
    again.push(closed(6, 3, 4, "penalised"));
    let case = &Projection::fold(&again).cases[&id(CASE)];
    let branches = &case.conflict.as_ref().expect("conflict again").branches;
    assert_eq!(branches.iter().map(|b| (b.step, b.stage)).collect::<Vec<_>>(), vec![(id(5), Stage::Referred), (id(6), Stage::Closed)]);
    // A step on the closed branch does not hold and changes nothing.
    let mut late = resolved_events;
    late.push(step(7, 3, 7_000, 3, "case.stopped", json!({})));
    let case = &Projection::fold(&late).cases[&id(CASE)];
    assert_eq!((case.steps[5].problem.as_deref(), case.stage), (Some("the case is closed"), Some(Stage::Referred)));
}

#[test]
fn where_the_case_stood_after_a_step_depends_on_that_step_alone() {
    // Closed on device 1 and referred on device 2, both after the verification; a stop on the closure.
    let events =
        [opened(), verified(2, 1, 1), closed(3, 1, 2, "rectified"), referred(4, 2, 2), step(5, 1, 5_000, 3, "case.stopped", json!({}))];
    let case = &Projection::fold(&events).cases[&id(CASE)];
    assert!(case.conflict.is_some());
    assert_eq!(case.stage_after(&id(1)), StepStage::At(Stage::Received));
    assert_eq!(case.stage_after(&id(2)), StepStage::At(Stage::Verified));
    assert_eq!(case.stage_after(&id(3)), StepStage::At(Stage::Closed));
    assert_eq!(case.stage_after(&id(4)), StepStage::At(Stage::Referred));
    assert_eq!(case.stage_after(&id(5)), StepStage::DoesNotHold, "a stop on a closed case");
    assert_eq!(case.stage_after(&id(77)), StepStage::NotHeld);
}

#[test]
fn concurrent_steps_that_agree_are_no_conflict() {
    let action = |n, device| {
        step(n, device, 3_000, 2, "case.action_taken", json!({"action": "rectify_order", "deadline": T0 + 86_400_000 * u64::from(n)}))
    };
    let events = [opened(), verified(2, 1, 1), action(3, 1), action(4, 2)];
    let case = &Projection::fold(&events).cases[&id(CASE)];
    assert_eq!((case.stage, case.heads.len()), (Some(Stage::Verified), 2));
    assert_eq!(case.rectify_deadlines, vec![(T0 + 86_400_000 * 3) as i64, (T0 + 86_400_000 * 4) as i64]);
    // Two closures with different outcomes do conflict.
    let events = [opened(), verified(2, 1, 1), closed(3, 1, 2, "rectified"), closed(4, 2, 2, "penalised")];
    assert!(Projection::fold(&events).cases[&id(CASE)].conflict.is_some());
}

#[test]
fn steps_before_their_case_or_parent_wait_and_then_hold() {
    let events = [verified(2, 1, 1), closed(3, 1, 2, "rectified")];
    let mut p = Projection::default();
    for e in events.iter().rev() {
        p.apply(e);
    }
    assert_eq!(p.waiting_steps[&id(CASE)].len(), 2);
    p.apply(&opened());
    assert!(p.waiting_steps.is_empty());
    assert_eq!(p.cases[&id(CASE)].stage, Some(Stage::Closed));
    // A step on a step this replica does not hold says so.
    let lone = [opened(), closed(3, 1, 2, "rectified")];
    let case = &Projection::fold(&lone).cases[&id(CASE)];
    assert!(case.steps[1].problem.as_deref().is_some_and(|p| p.contains("does not hold")));
}

#[test]
fn a_step_naming_another_township_does_not_hold() {
    let mut other = verified(2, 1, 1);
    other.body["township"] = json!("T02");
    let case = &Projection::fold(&[opened(), other]).cases[&id(CASE)];
    assert_eq!(case.stage, Some(Stage::Received));
    assert!(case.steps[1].problem.as_deref().is_some_and(|p| p.contains("T02")));
}

#[test]
fn marking_major_keeps_the_latest_deadline() {
    let major = |n, device, deadline: u64| step(n, device, u64::from(n) * 1000, 2, "case.marked_major", json!({"deadline": deadline}));
    let events = [opened(), referred(2, 1, 1), major(3, 9, T0 + 5), major(4, 8, T0 + 9)];
    let case = &Projection::fold(&events).cases[&id(CASE)];
    assert_eq!(case.major.as_ref().map(|m| (m.event, m.deadline)), Some((id(4), (T0 + 9) as i64)));
}

/// A case history where several devices act on what they had seen: each new step is made on a
/// random earlier step (a concurrent sibling whenever two pick the same one).
fn history() -> impl Strategy<Value = Vec<Event>> {
    let kinds = prop::collection::vec((0usize..100, 0u8..6, 1u8..4, 0u64..5_000), 1..10);
    kinds.prop_map(|picks| {
        let mut events = vec![opened()];
        for (i, (pick, kind, device, ms)) in picks.into_iter().enumerate() {
            let n = i as u16 + 2;
            let after = events[pick % events.len()].id;
            let after_n = (events.iter().position(|e| e.id == after).unwrap_or(0) + 1) as u16;
            let e = match kind {
                0 => verified(n, device, after_n),
                1 => closed(n, device, after_n, "rectified"),
                2 => referred(n, device, after_n),
                3 => step(n, device, ms, after_n, "case.stopped", json!({})),
                4 => closed(n, device, after_n, "penalised"),
                _ => resolved(n, 9, &[after_n, (n - 1).max(1)], after_n),
            };
            events.push(e);
        }
        events
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Every replica, whatever order and however often the events arrive, shows the same case:
    /// the same history, heads, stage and conflict.
    #[test]
    fn cases_converge_whatever_the_delivery_order(events in history(), seed in any::<u64>(), dups in prop::collection::vec(any::<prop::sample::Index>(), 0..4)) {
        let reference = Projection::fold(&events);
        let mut delivered = events.clone();
        delivered.extend(dups.iter().map(|d| d.get(&events).clone()));
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed);
        rand::seq::SliceRandom::shuffle(delivered.as_mut_slice(), &mut rng);
        // A replica that applies in arrival order, without re-sorting.
        let mut replica = Projection::default();
        for e in &delivered {
            replica.apply(e);
        }
        prop_assert_eq!(&replica.cases, &reference.cases);
        prop_assert!(replica.waiting_steps.is_empty());
        // A visible conflict is exactly the heads, and they disagree; a case without one has a stage.
        for case in reference.cases.values() {
            match &case.conflict {
                Some(c) => {
                    prop_assert_eq!(c.branches.iter().map(|b| b.step).collect::<Vec<_>>(), case.heads.clone());
                    let positions: std::collections::BTreeSet<Position> = c.branches.iter().map(|b| (b.stage, b.outcome)).collect();
                    prop_assert!(positions.len() > 1);
                    prop_assert!(case.stage.is_none());
                }
                None => prop_assert!(case.stage.is_some() && !case.heads.is_empty()),
            }
        }
        // The server folds the whole log; a second device folds a shuffled copy with duplicates.
        prop_assert_eq!(&Projection::fold(&delivered).cases, &reference.cases);
    }

    /// Applying an event a second time changes nothing.
    #[test]
    fn applying_a_case_event_twice_changes_nothing(events in history(), which in any::<prop::sample::Index>()) {
        let mut p = Projection::fold(&events);
        let before = p.cases.clone();
        p.apply(which.get(&events));
        prop_assert_eq!(p.cases, before);
    }
}

/// The convergence property is only as strong as its histories: they must hold conflicts and
/// resolutions that take effect.
#[test]
fn the_generated_histories_hold_conflicts_and_resolutions() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut conflicts, mut resolutions) = (0, 0);
    for _ in 0..200 {
        let events = history().new_tree(&mut runner).expect("history").current();
        let case = &Projection::fold(&events).cases[&id(CASE)];
        conflicts += usize::from(case.conflict.is_some());
        resolutions += case.steps.iter().filter(|s| matches!(s.detail, StepDetail::ConflictResolved { .. }) && s.problem.is_none()).count();
    }
    assert!(conflicts >= 20 && resolutions >= 10, "{conflicts} cases in conflict, {resolutions} resolutions that hold");
}
