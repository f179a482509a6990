//! `GET /v1/cases` and `GET /v1/cases/{id}`: the cases in the caller's scope with filters, and one
//! case with every step. Shared by the server (which answers) and the device CLI (which asks, or
//! answers the same from its own replica when offline): the filter and the summary are pure.

use serde::{Deserialize, Serialize};

use crate::body::{CaseSource, Outcome};
use crate::fold::{Case, Head, Major, Overdue, Stage, overdue};
use crate::ids::{EventId, UnitId, UserId};

/// The most cases one answer holds; `limit` may ask for fewer.
pub const MAX_CASES_PER_PAGE: u32 = 1_000;

/// The filters of a case listing (query string). All are optional and combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseQuery {
    /// Cases handled by this township-level unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub township: Option<UnitId>,
    /// Cases at this stage (`received`, `verified`, `unfounded`, `referred`, `closed`); a case in
    /// conflict has no stage and matches none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Only cases that missed a deadline (`true`), at the server's time of asking.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overdue: bool,
    /// Only cases in conflict (`true`): heads that disagree, waiting for `case resolve`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub conflict: bool,
    /// Only cases with an id below this (ids are UUIDv7, so: opened before it; paging backwards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<EventId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl CaseQuery {
    /// Whether `case` passes the filters at `now_ms` (the paging fields aside).
    pub fn matches(&self, case: &Case, now_ms: i64) -> bool {
        self.township.as_ref().is_none_or(|t| *t == case.township)
            && self.stage.is_none_or(|s| case.stage == Some(s))
            && (!self.overdue || overdue(case, now_ms).is_some())
            && (!self.conflict || case.conflict.is_some())
    }
}

/// A step an office user may take on a case as it stands (`crate::admit::offer` decides which):
/// what the console offers as an action. `close` closes with an outcome other than unfounded,
/// `close_unfounded` an unfounded case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseAction {
    /// `case.verified`, confirmed (核实属实).
    Verify,
    /// `case.verified`, unfounded (查无实据).
    Unfounded,
    /// `case.stopped` (制止).
    Stop,
    /// `case.action_taken`, an order to rectify (责令整改).
    Rectify,
    /// `case.action_taken`, a joint action (联合执法).
    Joint,
    /// `case.referred` (移送县局).
    Refer,
    /// `case.marked_major` (重大督办).
    Major,
    /// `case.closed` with an outcome other than unfounded.
    Close,
    /// `case.closed` with the outcome unfounded.
    CloseUnfounded,
    /// `case.conflict_resolved`.
    Resolve,
}

impl CaseAction {
    pub const ALL: [CaseAction; 10] = [
        CaseAction::Verify,
        CaseAction::Unfounded,
        CaseAction::Stop,
        CaseAction::Rectify,
        CaseAction::Joint,
        CaseAction::Refer,
        CaseAction::Major,
        CaseAction::Close,
        CaseAction::CloseUnfounded,
        CaseAction::Resolve,
    ];
}

/// One case in a listing: where it stands and its heads (the branches to choose from with
/// `case resolve --keep` when it is in conflict), without its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub id: EventId,
    pub source: CaseSource,
    pub township: UnitId,
    /// `received`, `verified`, `unfounded`, `referred`, `closed` or `conflict`.
    pub status: String,
    /// `None` while in conflict.
    pub stage: Option<Stage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    pub opened_by: UserId,
    pub opened_at: i64,
    /// HLC ms of the latest step.
    pub last_step_at: i64,
    pub steps: usize,
    /// Steps kept in the history that do not hold (they changed nothing).
    pub steps_not_holding: usize,
    pub heads: Vec<Head>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue: Option<Overdue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major: Option<Major>,
    /// When the activity was stopped on site (制止), HLC ms, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<i64>,
    /// The rectification deadlines ordered, Unix ms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rectify_deadlines: Vec<i64>,
    /// The steps the caller may take on the case as it stands (`crate::admit::offer`): filled by
    /// the server for the user who asks, empty in a summary made for nobody in particular. Added
    /// in protocol version 4.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<CaseAction>,
}

impl CaseSummary {
    /// The summary of `case` at `now_ms`.
    pub fn of(case: &Case, now_ms: i64) -> CaseSummary {
        CaseSummary {
            id: case.id,
            source: case.source,
            township: case.township.clone(),
            status: case.status_label().to_owned(),
            stage: case.stage,
            outcome: case.outcome,
            opened_by: case.opened_by.clone(),
            opened_at: case.opened_at,
            last_step_at: case.steps.iter().map(|s| s.at_ms()).max().unwrap_or(case.opened_at),
            steps: case.steps.len(),
            steps_not_holding: case.steps.iter().filter(|s| s.problem.is_some()).count(),
            heads: heads(case),
            overdue: overdue(case, now_ms),
            major: case.major.clone(),
            stopped_at: case.stopped_at,
            rectify_deadlines: case.rectify_deadlines.clone(),
            actions: Vec::new(),
        }
    }
}

/// The case's heads with their stage, author and time: its conflict's branches, or the heads that
/// agree on its stage.
pub fn heads(case: &Case) -> Vec<Head> {
    if let Some(conflict) = &case.conflict {
        return conflict.branches.clone();
    }
    let stage = case.stage.unwrap_or(Stage::Received);
    case.heads
        .iter()
        .filter_map(|h| case.steps.iter().find(|s| s.event == *h))
        .map(|s| Head { step: s.event, stage, outcome: case.outcome, by: s.by.clone(), at_ms: s.at_ms() })
        .collect()
}

/// A page of cases, newest first; `more` when older ones match too (ask with `before`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseList {
    pub cases: Vec<CaseSummary>,
    pub more: bool,
}

/// The listing of `cases` (the caller's scope) that `query` asks for at `now_ms`.
pub fn list<'a>(cases: impl IntoIterator<Item = &'a Case>, query: &CaseQuery, now_ms: i64) -> CaseList {
    let limit = query.limit.unwrap_or(MAX_CASES_PER_PAGE).clamp(1, MAX_CASES_PER_PAGE) as usize;
    let mut matching: Vec<&Case> =
        cases.into_iter().filter(|c| query.before.is_none_or(|b| c.id < b)).filter(|c| query.matches(c, now_ms)).collect();
    matching.sort_by_key(|c| std::cmp::Reverse(c.id));
    let more = matching.len() > limit;
    CaseList { cases: matching.into_iter().take(limit).map(|c| CaseSummary::of(c, now_ms)).collect(), more }
}

/// One case with every step (`case.steps`, each with author, time, note and, when it does not
/// hold, its problem), its heads and what it is overdue on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDetail {
    pub summary: CaseSummary,
    pub case: Case,
}

impl CaseDetail {
    pub fn of(case: &Case, now_ms: i64) -> CaseDetail {
        CaseDetail { summary: CaseSummary::of(case, now_ms), case: case.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fold::Projection;
    use crate::fold::case_tests::{event, id};
    use serde_json::json;

    const T0: u64 = 1_764_131_257_000;

    /// Case 1 in T01 in conflict (closed against referred), case 10 in T02 verified with an order
    /// to rectify by T0 + 1 day.
    fn cases() -> Projection {
        let step = |n: u16, case: u16, t: &str, after: u16, kind: &str, extra: serde_json::Value| {
            let mut body = json!({"v": 1, "case": id(case).to_string(), "township": t, "after": id(after).to_string(), "note": "n"});
            body.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
            event(n, 1, T0 + u64::from(n) * 1_000, "ti-1", kind, body)
        };
        let open = |n: u16, t: &str| {
            let body = json!({"v": 1, "source": {"finding": id(900 + n).to_string()}, "township": t, "note": ""});
            event(n, 1, T0 + u64::from(n) * 1_000, "ti-1", "case.opened", body)
        };
        Projection::fold(&[
            open(1, "T01"),
            step(2, 1, "T01", 1, "case.verified", json!({"verdict": "confirmed"})),
            step(3, 1, "T01", 2, "case.closed", json!({"outcome": "rectified"})),
            step(4, 1, "T01", 2, "case.referred", json!({})),
            open(10, "T02"),
            step(11, 10, "T02", 10, "case.verified", json!({"verdict": "confirmed"})),
            step(12, 10, "T02", 11, "case.action_taken", json!({"action": "rectify_order", "deadline": T0 + 86_400_000})),
        ])
    }

    #[test]
    fn filters_combine_and_a_conflict_lists_its_branches() {
        let p = cases();
        let later = (T0 + 2 * 86_400_000) as i64;
        let ids = |q: CaseQuery, now| list(p.cases.values(), &q, now).cases.iter().map(|c| c.id).collect::<Vec<_>>();
        assert_eq!(ids(CaseQuery::default(), later), vec![id(10), id(1)], "newest first");
        assert_eq!(ids(CaseQuery { conflict: true, ..CaseQuery::default() }, later), vec![id(1)]);
        assert_eq!(ids(CaseQuery { overdue: true, ..CaseQuery::default() }, later), vec![id(10)]);
        assert_eq!(ids(CaseQuery { overdue: true, ..CaseQuery::default() }, T0 as i64), Vec::<EventId>::new());
        assert_eq!(ids(CaseQuery { stage: Some(Stage::Verified), ..CaseQuery::default() }, later), vec![id(10)]);
        assert_eq!(ids(CaseQuery { stage: Some(Stage::Referred), ..CaseQuery::default() }, later), Vec::<EventId>::new());
        let t01: UnitId = "T01".parse().expect("unit");
        assert_eq!(ids(CaseQuery { township: Some(t01), ..CaseQuery::default() }, later), vec![id(1)]);
        assert_eq!(ids(CaseQuery { before: Some(id(10)), ..CaseQuery::default() }, later), vec![id(1)]);
        let page = list(p.cases.values(), &CaseQuery { limit: Some(1), ..CaseQuery::default() }, later);
        assert_eq!((page.cases.len(), page.more), (1, true));

        let summary = CaseSummary::of(&p.cases[&id(1)], later);
        assert_eq!(summary.status, "conflict");
        assert_eq!(
            summary.heads.iter().map(|h| (h.step, h.stage)).collect::<Vec<_>>(),
            vec![(id(3), Stage::Closed), (id(4), Stage::Referred)]
        );
        let summary = CaseSummary::of(&p.cases[&id(10)], later);
        assert_eq!(summary.heads.iter().map(|h| (h.step, h.stage)).collect::<Vec<_>>(), vec![(id(12), Stage::Verified)]);
        assert!(summary.overdue.is_some());
    }

    #[test]
    fn a_query_reads_from_a_query_string_and_refuses_unknown_fields() {
        let q: CaseQuery = serde_json::from_value(json!({"stage": "referred", "overdue": true})).expect("query");
        assert_eq!((q.stage, q.overdue, q.conflict), (Some(Stage::Referred), true, false));
        assert!(serde_json::from_value::<CaseQuery>(json!({"stage": "lost"})).is_err());
        assert!(serde_json::from_value::<CaseQuery>(json!({"colour": "red"})).is_err());
    }
}
