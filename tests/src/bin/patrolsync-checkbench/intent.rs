//! A check of the plan against the schedule's intent before anything is sent: a walk is dated
//! before what its phone sent earlier (by more than 5 minutes), or shares more than a minute with
//! another walk of its officer, exactly where the corpus planted that. A mismatch is a bug of the
//! generator, not of the server.

use std::collections::HashMap;

use anyhow::{Result, bail};
use sync_protocol::wire::FlagKind;

use crate::plan::Plan;

const BEHIND_SLACK_MS: i64 = 300_000;
const OVERLAP_SLACK_MS: i64 = 60_000;

pub fn check(plan: &Plan) -> Result<()> {
    let mut problems = Vec::new();
    let mut latest: HashMap<usize, i64> = HashMap::new();
    for i in plan.push_order() {
        let x = &plan.items[i];
        let Some(p) = x.patrol() else { continue };
        let earliest = p.track.first().map_or(p.started_at, |f| f.t.min(p.started_at));
        let behind = latest.get(&x.phone).is_some_and(|m| m - earliest > BEHIND_SLACK_MS);
        if behind != x.expect.contains(&FlagKind::BehindDeviceClock) {
            problems.push(format!("{} ({}): behind its phone's clock {behind}, planted otherwise", i, x.case));
        }
        let last = p.track.last().map_or(p.ended_at, |f| f.t.max(p.ended_at));
        latest.entry(x.phone).and_modify(|m| *m = (*m).max(last)).or_insert(last);
    }
    let walks: Vec<usize> = (0..plan.items.len()).filter(|&i| plan.items[i].patrol().is_some()).collect();
    for &i in &walks {
        let (x, p) = (&plan.items[i], plan.items[i].patrol());
        let Some(p) = p else { continue };
        let overlaps = walks.iter().filter(|&&j| j != i && plan.items[j].officer == x.officer).any(|&j| {
            let q = plan.items[j].patrol().map_or((0, 0), |q| (q.started_at, q.ended_at));
            p.ended_at.min(q.1) - p.started_at.max(q.0) > OVERLAP_SLACK_MS
        });
        if overlaps != x.expect.contains(&FlagKind::OverlappingPatrol) {
            problems.push(format!("{} ({}): overlaps another walk of {} {overlaps}, planted otherwise", i, x.case, x.officer));
        }
    }
    if !problems.is_empty() {
        bail!("the generated plan contradicts its intent:\n{}", problems.join("\n"));
    }
    Ok(())
}
