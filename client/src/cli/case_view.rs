//! `case list` and `case show`: the cases of your scope as the server holds them (or, with
//! `--offline`, as this phone's replica shows them, own unsent steps included), each case with its
//! heads, so that a conflict's branches can be chosen from with `case resolve --keep`.

use anyhow::Context;
use clap::Args;
use sync_protocol::fold::{Case, Head, StepDetail};
use sync_protocol::ids::{EventId, UnitId};
use sync_protocol::wire::cases::{CaseDetail, CaseList, CaseQuery, CaseSummary, list};

use super::format;
use super::record::{parse_event_id, parse_snake};
use crate::replica::Replica;

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Cases of this township-level unit.
    #[arg(long)]
    pub township: Option<UnitId>,
    /// received, verified, unfounded, referred or closed.
    #[arg(long, value_parser = parse_snake::<sync_protocol::fold::Stage>)]
    pub stage: Option<sync_protocol::fold::Stage>,
    /// Only cases past a deadline (逾期).
    #[arg(long)]
    pub overdue: bool,
    /// Only cases in conflict (分歧), waiting for `case resolve`.
    #[arg(long)]
    pub conflict: bool,
    /// From this phone's replica instead of the server (no network needed).
    #[arg(long)]
    pub offline: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The case (the id of its `case.opened`).
    #[arg(long = "case", value_parser = parse_event_id)]
    pub case_id: EventId,
    /// From this phone's replica instead of the server (no network needed).
    #[arg(long)]
    pub offline: bool,
    #[arg(long)]
    pub json: bool,
}

/// `case list`.
pub fn list_cases(replica: &Replica, a: ListArgs) -> anyhow::Result<()> {
    let query = CaseQuery { township: a.township, stage: a.stage, overdue: a.overdue, conflict: a.conflict, before: None, limit: None };
    let cases: CaseList = if a.offline {
        list(replica.projection()?.cases.values(), &query, replica.now_ms())
    } else {
        super::block_on(crate::sync::cases(replica, &query))?
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&cases)?);
        return Ok(());
    }
    println!("cases (案件): {}{}", cases.cases.len(), if cases.more { " (more: narrow the filters)" } else { "" });
    for c in &cases.cases {
        println!("{}", summary_line(c));
        if c.stage.is_none() {
            print_heads(&c.heads);
        }
    }
    Ok(())
}

/// `case show`.
pub fn show_case(replica: &Replica, a: ShowArgs) -> anyhow::Result<()> {
    let detail = if a.offline {
        let projection = replica.projection()?;
        let case = projection.cases.get(&a.case_id).with_context(|| format!("no case {} in this replica (sync first?)", a.case_id))?;
        CaseDetail::of(case, replica.now_ms())
    } else {
        super::block_on(crate::sync::case(replica, a.case_id))?
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&detail)?);
        return Ok(());
    }
    println!("{}", summary_line(&detail.summary));
    println!("steps (步骤):");
    print_steps(&detail.case);
    println!("heads (当前分支):");
    print_heads(&detail.summary.heads);
    if detail.summary.stage.is_none() {
        println!("in conflict (分歧): choose a head with `case resolve --case {} --keep <head> --note <why>`", detail.case.id);
    }
    Ok(())
}

fn summary_line(c: &CaseSummary) -> String {
    let overdue = match &c.overdue {
        Some(o) => {
            o.missed.iter().map(|m| format!(" OVERDUE (逾期) {} since {}", format::word(&m.kind), format::time(m.deadline))).collect()
        }
        None => String::new(),
    };
    let major = c.major.as_ref().map(|m| format!(" major (督办) until {}", format::time(m.deadline))).unwrap_or_default();
    format!(
        "{} {} {} opened {} by {}, {} steps, last {}{major}{overdue}",
        c.id,
        c.township,
        c.status,
        format::time(c.opened_at),
        c.opened_by,
        c.steps,
        format::time(c.last_step_at)
    )
}

fn print_heads(heads: &[Head]) {
    for h in heads {
        let outcome = h.outcome.map(|o| format!(" ({})", format::word(&o))).unwrap_or_default();
        println!("  head {} {}{outcome} by {} at {}", h.step, format::word(&h.stage), h.by, format::time(h.at_ms));
    }
}

fn print_steps(case: &Case) {
    for s in &case.steps {
        let what = match &s.detail {
            StepDetail::Opened { .. } => "opened".to_owned(),
            StepDetail::Verified { verdict } => format!("verified {}", format::word(verdict)),
            StepDetail::Stopped => "stopped".to_owned(),
            StepDetail::ActionTaken { action, deadline, departments } => {
                let by = deadline.map(|d| format!(" by {}", format::time(d))).unwrap_or_default();
                let with = if departments.is_empty() { String::new() } else { format!(" with {}", format::words(departments)) };
                format!("{}{by}{with}", format::word(action))
            }
            StepDetail::Referred => "referred".to_owned(),
            StepDetail::MarkedMajor { deadline } => format!("marked major until {}", format::time(*deadline)),
            StepDetail::Closed { outcome } => format!("closed {}", format::word(outcome)),
            StepDetail::ConflictResolved { keep } => format!("resolved, keeping {keep}"),
        };
        let after = s.after.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        let problem = s.problem.as_deref().map(|p| format!(" DOES NOT HOLD (无效): {p}")).unwrap_or_default();
        println!("  {} {} {what} by {} on [{after}]: {}{problem}", s.event, format::time(s.at_ms()), s.by, s.note);
    }
}
