//! A reviewed hold: a township or county user's `flag.reviewed` on a held patrol. A false alarm
//! lifts the hold (the patrol counts again if its numbers do); a confirmed flag keeps it.
//!
//! The flag a hold answers to: an impossible jump `impossible_speed`, a copy `duplicate_track`;
//! `not_counted` (the list of what did not count) answers for every hold. A review never lifts a
//! rule the numbers fail. Reviews are kept with the check, so a re-check keeps them.

use serde::{Deserialize, Serialize};

use super::recheck::PatrolCheck;
use super::valid_patrol::{QuotaHold, QuotaRules, decide_with};
use crate::body::FlagVerdict;
use crate::ids::UserId;
use crate::wire::FlagKind;

/// One review of a flag on the patrol, as kept with its check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldReview {
    pub flag: FlagKind,
    pub verdict: FlagVerdict,
    pub by: UserId,
}

impl QuotaHold {
    /// The flag that raised this hold.
    pub fn flag(&self) -> FlagKind {
        match self {
            QuotaHold::ImpossibleJump { .. } => FlagKind::ImpossibleSpeed,
            QuotaHold::Copy { .. } => FlagKind::DuplicateTrack,
        }
    }
}

impl PatrolCheck {
    /// This check with `review` kept, the decision made again (see the module docs).
    pub fn reviewed(mut self, review: HoldReview, rules: &QuotaRules) -> PatrolCheck {
        if !self.reviews.contains(&review) {
            self.reviews.push(review);
        }
        self.redecide(rules);
        self
    }

    /// Decides again with the holds the reviews leave on, and says who lifted which.
    pub(super) fn redecide(&mut self, rules: &QuotaRules) {
        let lifted_by = |hold: &QuotaHold| {
            self.reviews.iter().find(|r| r.verdict == FlagVerdict::FalseAlarm && (r.flag == hold.flag() || r.flag == FlagKind::NotCounted))
        };
        let on: Vec<QuotaHold> = self.holds.iter().copied().filter(|h| lifted_by(h).is_none()).collect();
        self.decision = decide_with(&self.report, rules, &on);
        let lifted: Vec<String> =
            self.holds.iter().filter_map(|h| lifted_by(h).map(|r| format!("{} reviewed as a false alarm by {}", h.flag(), r.by))).collect();
        if !lifted.is_empty() {
            self.decision.explanation = format!("{}; {}", self.decision.explanation, lifted.join("; "));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::patrol_report::GeofenceReport;
    use crate::checks::valid_patrol::QuotaDecision;

    fn held(minutes: i64) -> PatrolCheck {
        let report = GeofenceReport {
            fixes: 100,
            fixes_inside: 99,
            fixes_unassigned: 0,
            inside_ms: minutes * 60_000,
            outside_ms: 0,
            inside_m: 10_700.0,
            outside_m: 0.0,
            max_outside_m: 0.0,
            crossings: Vec::new(),
            excluded_ms: 0,
            excluded_m: 0.0,
            flagged: false,
        };
        let holds = vec![QuotaHold::ImpossibleJump { kmh: 900, from_fix: 17, at: 1_795_660_925_000 }];
        let decision = decide_with(&report, &QuotaRules::default(), &holds);
        PatrolCheck { report, decision, holds, reviews: Vec::new() }
    }

    fn review(flag: FlagKind, verdict: FlagVerdict) -> HoldReview {
        HoldReview { flag, verdict, by: UserId::new("ti-t01").expect("user") }
    }

    #[test]
    fn a_false_alarm_lifts_the_hold_and_says_who_reviewed_it() {
        let rules = QuotaRules::default();
        assert!(!held(133).decision.counts);
        let c = held(133).reviewed(review(FlagKind::ImpossibleSpeed, FlagVerdict::FalseAlarm), &rules);
        assert_eq!(
            c.decision,
            QuotaDecision {
                counts: true,
                explanation: "counts: 133 min, 10.7 km in zone, 99 % inside; impossible_speed reviewed as a false alarm by ti-t01".into()
            }
        );
        let via_list = held(133).reviewed(review(FlagKind::NotCounted, FlagVerdict::FalseAlarm), &rules);
        assert!(via_list.decision.counts);
    }

    #[test]
    fn a_confirmed_flag_another_flag_or_failing_numbers_keep_it_from_counting() {
        let rules = QuotaRules::default();
        let table = [
            (held(133), review(FlagKind::ImpossibleSpeed, FlagVerdict::Confirmed)),
            (held(133), review(FlagKind::DuplicateTrack, FlagVerdict::FalseAlarm)),
            (held(133), review(FlagKind::TrackingGap, FlagVerdict::FalseAlarm)),
            (held(12), review(FlagKind::ImpossibleSpeed, FlagVerdict::FalseAlarm)),
        ];
        for (check, r) in table {
            let c = check.reviewed(r.clone(), &rules);
            assert!(!c.decision.counts, "{r:?}: {}", c.decision.explanation);
            assert_eq!(c.reviews, vec![r]);
        }
    }
}
