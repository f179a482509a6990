//! Report rate (报告率) and times: a finding is *received* when a `case.opened` names it; it is
//! received *in time* within `report_within_h` of its `observed_at`; times to receipt and to stopping.

use serde::{Deserialize, Serialize};

use super::{ComplianceRules, FindingFact};

/// Durations in ms over a set of findings: the lower median and the maximum.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Durations {
    pub count: u32,
    pub median_ms: Option<i64>,
    pub max_ms: Option<i64>,
}

impl Durations {
    fn of(mut ms: Vec<i64>) -> Durations {
        ms.sort_unstable();
        let median_ms = ms.len().checked_sub(1).map(|last| ms[last / 2]);
        Durations { count: ms.len() as u32, median_ms, max_ms: ms.last().copied() }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reporting {
    pub findings: u32,
    pub received: u32,
    pub received_in_time: u32,
    /// Not received yet, and `now` still within the window: left out of the rate.
    pub awaiting: u32,
    /// `received_in_time * 100 / (findings - awaiting)`, rounded down; `None` when nothing is due.
    pub report_rate_percent: Option<u32>,
    /// From `observed_at` to the first `case.opened` naming the finding, over received findings.
    pub to_receipt: Durations,
    /// From `observed_at` to stopping (0 when stopped on the spot, else the first valid
    /// `case.stopped` of its cases), over stopped findings.
    pub to_stop: Durations,
}

/// Report figures over `findings`. Negative spans (a receipt before the observation, from a
/// skewed clock) count as 0.
pub fn reporting<'a>(findings: impl Iterator<Item = &'a FindingFact>, rules: &ComplianceRules, now_ms: i64) -> Reporting {
    let mut r = Reporting::default();
    let (mut receipts, mut stops) = (Vec::new(), Vec::new());
    for f in findings {
        r.findings += 1;
        match f.received_at.map(|t| (t - f.observed_at).max(0)) {
            Some(span) => {
                r.received += 1;
                r.received_in_time += u32::from(span <= rules.report_within_ms());
                receipts.push(span);
            }
            None if now_ms <= f.observed_at.saturating_add(rules.report_within_ms()) => r.awaiting += 1,
            None => {}
        }
        let stopped = if f.stopped_on_spot { Some(0) } else { f.stopped_at.map(|t| (t - f.observed_at).max(0)) };
        stops.extend(stopped);
    }
    r.report_rate_percent = (r.received_in_time * 100).checked_div(r.findings - r.awaiting);
    (r.to_receipt, r.to_stop) = (Durations::of(receipts), Durations::of(stops));
    r
}
