//! `case …` and `tip …`: what a township inspector or the county section records on a phone,
//! offline (docs/cases.md): each step is made on the case's current head in this replica.
//! `case list` and `case show` are in `case_view`.

use anyhow::{Context, bail};
use clap::Subcommand;
use sync_protocol::body::{
    ActionKind, Body, CaseActionTaken, CaseClosed, CaseConflictResolved, CaseMarkedMajor, CaseOpened, CaseReferred, CaseSource,
    CaseStopped, CaseVerified, Department, Outcome, TipAnswered, TipAssigned, TipChannel, TipInformant, TipReceived, Verdict,
};
use sync_protocol::ids::{EventId, UnitId};

use super::record::{parse_event_id, parse_snake, parse_time};
use crate::replica::Replica;
use sync_protocol::admit::offer::{Viewer, action_of, case_actions};
use sync_protocol::wire::cases::CaseSummary;

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Record receipt (受理) of a finding or a tip: opens a case; prints its id.
    Open {
        #[arg(long, value_parser = parse_event_id, conflicts_with = "tip", required_unless_present = "tip")]
        finding: Option<EventId>,
        #[arg(long, value_parser = parse_event_id)]
        tip: Option<EventId>,
        #[arg(long)]
        township: UnitId,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Verification (核查): confirmed (属实) or unfounded (查无实据).
    Verify {
        #[arg(long, value_parser = parse_event_id)]
        case: EventId,
        #[arg(long, value_parser = parse_snake::<Verdict>)]
        verdict: Verdict,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Stopped on the spot (制止).
    Stop {
        #[arg(long, value_parser = parse_event_id)]
        case: EventId,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// An order to rectify (责令整改) by a deadline (RFC 3339).
    Rectify {
        #[arg(long, value_parser = parse_event_id)]
        case: EventId,
        #[arg(long, value_parser = parse_time)]
        deadline: i64,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// A joint action (联合执法) with departments: work_safety, environment, police, market_regulation, water, forestry, earthquake.
    Joint {
        #[arg(long, value_parser = parse_event_id)]
        case: EventId,
        #[arg(long = "department", value_parser = parse_snake::<Department>, required = true)]
        departments: Vec<Department>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Refer the case to the county (移送县局), with the reason.
    Refer {
        #[arg(long, value_parser = parse_event_id)]
        case: EventId,
        #[arg(long)]
        note: String,
    },
    /// Mark the case major (重大案件督办) with a supervision deadline (county only).
    Major {
        #[arg(long, value_parser = parse_event_id)]
        case: EventId,
        #[arg(long, value_parser = parse_time)]
        deadline: i64,
        #[arg(long)]
        note: String,
    },
    /// Close the case (结案): rectified, penalised, transferred, unfounded or other.
    Close {
        #[arg(long, value_parser = parse_event_id)]
        case: EventId,
        #[arg(long, value_parser = parse_snake::<Outcome>)]
        outcome: Outcome,
        #[arg(long)]
        note: String,
    },
    /// The cases of your scope (案件列表), with filters: from the server, or `--offline` from this phone.
    List(super::case_view::ListArgs),
    /// One case with every step and its heads (案件详情), to choose a head to `--keep`.
    Show(super::case_view::ShowArgs),
    /// Resolve a conflict: join every head of the case, keeping one.
    Resolve {
        #[arg(long, value_parser = parse_event_id)]
        case: EventId,
        #[arg(long, value_parser = parse_event_id)]
        keep: EventId,
        #[arg(long)]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TipCommand {
    /// Record a tip (举报) received by hotline, report_box, petition or in_person; prints its id.
    Receive {
        #[arg(long, value_parser = parse_snake::<TipChannel>)]
        channel: TipChannel,
        #[arg(long)]
        content: String,
        #[arg(long)]
        township: UnitId,
        /// When it was received, RFC 3339 (default: now).
        #[arg(long, value_parser = parse_time)]
        received_at: Option<i64>,
        /// The informant's name and contact: seen only by the county and the assigned township.
        #[arg(long, default_value = "")]
        informant_name: String,
        #[arg(long, default_value = "")]
        informant_contact: String,
    },
    /// Assign the tip to a township, optionally asking a village to check it.
    Assign {
        #[arg(long, value_parser = parse_event_id)]
        tip: EventId,
        #[arg(long)]
        township: UnitId,
        #[arg(long)]
        village: Option<UnitId>,
        /// What the village is asked to check (never the informant).
        #[arg(long)]
        brief: String,
    },
    /// Answer the tip, with the patrol that checked it and the case that followed, if any.
    Answer {
        #[arg(long, value_parser = parse_event_id)]
        tip: EventId,
        #[arg(long, value_parser = parse_event_id)]
        patrol: Option<EventId>,
        #[arg(long, value_parser = parse_event_id)]
        case: Option<EventId>,
        #[arg(long)]
        answer: String,
    },
}

pub fn case(replica: &mut Replica, command: CaseCommand) -> anyhow::Result<()> {
    let body = match command {
        CaseCommand::List(args) => return super::case_view::list_cases(replica, args),
        CaseCommand::Show(args) => return super::case_view::show_case(replica, args),
        CaseCommand::Open { finding, tip, township, note } => {
            let source = match (finding, tip) {
                (Some(f), _) => CaseSource::Finding(f),
                (None, Some(t)) => CaseSource::Tip(t),
                (None, None) => bail!("name the --finding or the --tip the case is opened on"),
            };
            Body::CaseOpened(CaseOpened { source, township, note })
        }
        CaseCommand::Resolve { case, keep, note } => {
            let (township, heads) = heads(replica, case)?;
            Body::CaseConflictResolved(CaseConflictResolved { case, township, heads, keep, note })
        }
        step => {
            let body = step_body(replica, step)?;
            offered(replica, &body)?;
            body
        }
    };
    print_recorded(replica, &body)
}

/// A step the case's stage and the user's role do not offer now (`sync_protocol::admit::offer`,
/// the console's buttons) is refused here, offline: the server would only refuse it at sync. The
/// phone holds the cases of the townships its user answers for, so the case's is taken as theirs.
fn offered(replica: &Replica, body: &Body) -> anyhow::Result<()> {
    let (Some(action), Some(case)) = (action_of(body), body.continued_case()) else { return Ok(()) };
    let Some(case) = replica.case(case)? else { return Ok(()) };
    let me = replica.require_active()?;
    let units = [case.township.clone()];
    let summary = CaseSummary::of(&case, replica.now_ms());
    let offer = case_actions(&Viewer { user: &me.user, role: me.role, units: &units }, &summary);
    if offer.contains(&action) {
        return Ok(());
    }
    let open = if offer.is_empty() { "none".to_owned() } else { super::format::words(&offer) };
    bail!(
        "case {} is {}: a {} may not {} it now (本阶段不可执行); the steps open to you: {open}",
        case.id,
        summary.status,
        me.role.as_str(),
        super::format::word(&action)
    )
}

/// A step made on the case's one current head.
fn step_body(replica: &Replica, step: CaseCommand) -> anyhow::Result<Body> {
    let case = match &step {
        CaseCommand::Verify { case, .. }
        | CaseCommand::Stop { case, .. }
        | CaseCommand::Rectify { case, .. }
        | CaseCommand::Joint { case, .. }
        | CaseCommand::Refer { case, .. }
        | CaseCommand::Major { case, .. }
        | CaseCommand::Close { case, .. } => *case,
        CaseCommand::Open { .. } | CaseCommand::Resolve { .. } | CaseCommand::List(_) | CaseCommand::Show(_) => {
            bail!("not a step on a case")
        }
    };
    let (township, heads) = heads(replica, case)?;
    let [after] = heads[..] else { bail!("case {case} is in conflict (分歧): resolve it first with `case resolve --keep <head>`") };
    let action = |action, deadline, departments, note| CaseActionTaken {
        case,
        township: township.clone(),
        after,
        action,
        deadline,
        departments,
        note,
    };
    Ok(match step {
        CaseCommand::Verify { verdict, note, .. } => Body::CaseVerified(CaseVerified { case, township, after, verdict, note }),
        CaseCommand::Stop { note, .. } => Body::CaseStopped(CaseStopped { case, township, after, note }),
        CaseCommand::Rectify { deadline, note, .. } => {
            Body::CaseActionTaken(action(ActionKind::RectifyOrder, Some(deadline), Vec::new(), note))
        }
        CaseCommand::Joint { departments, note, .. } => Body::CaseActionTaken(action(ActionKind::JointAction, None, departments, note)),
        CaseCommand::Refer { note, .. } => Body::CaseReferred(CaseReferred { case, township, after, note }),
        CaseCommand::Major { deadline, note, .. } => Body::CaseMarkedMajor(CaseMarkedMajor { case, township, after, deadline, note }),
        CaseCommand::Close { outcome, note, .. } => Body::CaseClosed(CaseClosed { case, township, after, outcome, note }),
        CaseCommand::Open { .. } | CaseCommand::Resolve { .. } | CaseCommand::List(_) | CaseCommand::Show(_) => {
            bail!("not a step on a case")
        }
    })
}

/// The case's township and current heads in this replica.
fn heads(replica: &Replica, case: EventId) -> anyhow::Result<(UnitId, Vec<EventId>)> {
    let c = replica.case(case)?.with_context(|| format!("no case {case} in this replica (sync first?)"))?;
    Ok((c.township, c.heads))
}

pub fn tip(replica: &mut Replica, command: TipCommand) -> anyhow::Result<()> {
    match command {
        TipCommand::Receive { channel, content, township, received_at, informant_name, informant_contact } => {
            let received_at = received_at.unwrap_or_else(|| replica.now_ms());
            let body = Body::TipReceived(TipReceived { channel, content, location: None, received_at, township: township.clone() });
            let tip = replica.record_office(&body)?;
            if !informant_name.trim().is_empty() || !informant_contact.trim().is_empty() {
                let informant = TipInformant { tip, township, name: informant_name, contact: informant_contact };
                replica.record_office(&Body::TipInformant(informant))?;
            }
            eprintln!("tip recorded (举报已登记), pending upload (待上传)");
            println!("{tip}");
            Ok(())
        }
        TipCommand::Assign { tip, township, village, brief } => {
            print_recorded(replica, &Body::TipAssigned(TipAssigned { tip, township, village, brief, location: None, note: String::new() }))
        }
        TipCommand::Answer { tip, patrol, case, answer } => {
            let township = replica.tip(tip)?.map(|t| t.township).with_context(|| format!("no tip {tip} in this replica"))?;
            print_recorded(replica, &Body::TipAnswered(TipAnswered { tip, township, patrol, case, answer }))
        }
    }
}

pub(super) fn print_recorded(replica: &mut Replica, body: &Body) -> anyhow::Result<()> {
    let id = replica.record_office(body)?;
    eprintln!("{} recorded (已记录), pending upload (待上传)", body.kind());
    println!("{id}");
    Ok(())
}
