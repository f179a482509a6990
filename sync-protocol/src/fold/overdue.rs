//! Overdue cases: an order to rectify or a major case's supervision deadline passed while the case
//! is still open. Pure: the server or the device passes `now` in.

use serde::{Deserialize, Serialize};

use super::cases::Case;

/// Which deadline was missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// The standing order to rectify (责令整改期限): the last one in fold order.
    Rectification,
    /// The county's supervision deadline of a major case (督办期限).
    Supervision,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissedDeadline {
    pub kind: DeadlineKind,
    pub deadline: i64,
    /// `now - deadline`, in ms (> 0).
    pub late_ms: i64,
}

/// The deadlines a case has missed, earliest first; never empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overdue {
    pub missed: Vec<MissedDeadline>,
}

/// Whether `case` is overdue at `now_ms`. A closed case is never overdue; a case in conflict is
/// not closed, so its deadlines still run. A deadline is missed once `now_ms` is past it.
pub fn overdue(case: &Case, now_ms: i64) -> Option<Overdue> {
    if case.is_closed() {
        return None;
    }
    let rectify = case.rectify_deadlines.last().map(|&d| (DeadlineKind::Rectification, d));
    let supervise = case.major.as_ref().map(|m| (DeadlineKind::Supervision, m.deadline));
    let mut missed: Vec<MissedDeadline> = rectify
        .into_iter()
        .chain(supervise)
        .filter(|&(_, deadline)| now_ms > deadline)
        .map(|(kind, deadline)| MissedDeadline { kind, deadline, late_ms: now_ms - deadline })
        .collect();
    missed.sort_by_key(|m| (m.deadline, m.kind));
    (!missed.is_empty()).then_some(Overdue { missed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::CaseSource;
    use crate::fold::{Major, Stage};
    use crate::ids::{EventId, UnitId, UserId};

    fn case(stage: Option<Stage>, rectify: &[i64], major: Option<i64>) -> Case {
        let id: EventId = "0192f0c1-7a3b-7c00-8000-000000000001".parse().expect("id");
        let by = UserId::new("county-1").expect("user");
        Case {
            id,
            source: CaseSource::Tip(id),
            township: UnitId::new("T01").expect("unit"),
            opened_by: by.clone(),
            opened_at: 0,
            steps: Vec::new(),
            stage,
            conflict: None,
            heads: Vec::new(),
            outcome: None,
            stopped_at: None,
            rectify_deadlines: rectify.to_vec(),
            major: major.map(|deadline| Major { event: id, by, deadline }),
        }
    }

    #[test]
    fn deadlines_past_on_open_cases_are_overdue() {
        use DeadlineKind::*;
        let miss = |kind, deadline, late_ms| MissedDeadline { kind, deadline, late_ms };
        #[rustfmt::skip]
        let table: Vec<(Case, i64, Option<Vec<MissedDeadline>>)> = vec![
            (case(Some(Stage::Verified), &[], None), 1_000, None),
            (case(Some(Stage::Verified), &[500], None), 500, None),
            (case(Some(Stage::Verified), &[500], None), 501, Some(vec![miss(Rectification, 500, 1)])),
            (case(Some(Stage::Verified), &[100, 900], None), 501, None),
            (case(Some(Stage::Referred), &[], Some(300)), 1_000, Some(vec![miss(Supervision, 300, 700)])),
            (case(Some(Stage::Referred), &[200], Some(300)), 1_000, Some(vec![miss(Rectification, 200, 800), miss(Supervision, 300, 700)])),
            (case(None, &[200], None), 1_000, Some(vec![miss(Rectification, 200, 800)])),
            (case(Some(Stage::Closed), &[200], Some(300)), 1_000, None),
        ];
        for (c, now, want) in table {
            assert_eq!(overdue(&c, now).map(|o| o.missed), want, "{:?} {:?} at {now}", c.rectify_deadlines, c.major);
        }
    }
}
