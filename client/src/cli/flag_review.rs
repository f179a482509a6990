//! `flag review`: a township inspector or the county section reviews a flag (预警核查) on a patrol
//! or finding, offline, as a `flag.reviewed` event: a false alarm (误报) or confirmed (属实), with a note.

use clap::Subcommand;
use sync_protocol::body::{Body, FlagReviewed, FlagVerdict, Subject, SubjectKind};
use sync_protocol::ids::{EventId, UnitId};
use sync_protocol::wire::FlagKind;

use super::office::print_recorded;
use super::record::{parse_event_id, parse_snake};
use crate::replica::Replica;

#[derive(Debug, Subcommand)]
pub enum FlagCommand {
    /// Review a flag (as `flags` lists it) on a patrol or a finding; prints the review's id.
    Review {
        #[arg(long, value_parser = parse_event_id, conflicts_with = "finding", required_unless_present = "finding")]
        patrol: Option<EventId>,
        #[arg(long, value_parser = parse_event_id)]
        finding: Option<EventId>,
        /// The flag's kind, e.g. impossible_speed, duplicate_track, not_counted.
        #[arg(long, value_parser = parse_flag)]
        flag: FlagKind,
        /// The township the patrol or finding lies in.
        #[arg(long)]
        township: UnitId,
        /// false-alarm (误报: a held patrol counts again) or confirmed (属实).
        #[arg(long, value_parser = parse_verdict)]
        verdict: FlagVerdict,
        /// Why (required).
        #[arg(long)]
        note: String,
    },
}

pub fn flag(replica: &mut Replica, command: FlagCommand) -> anyhow::Result<()> {
    let FlagCommand::Review { patrol, finding, flag, township, verdict, note } = command;
    let subject = match (patrol, finding) {
        (Some(id), _) => Subject { kind: SubjectKind::Patrol, id },
        (None, Some(id)) => Subject { kind: SubjectKind::Finding, id },
        (None, None) => anyhow::bail!("name the --patrol or the --finding whose flag is reviewed"),
    };
    print_recorded(replica, &Body::FlagReviewed(FlagReviewed { subject, flag, township, verdict, note }))
}

fn parse_flag(s: &str) -> Result<FlagKind, String> {
    s.parse().map_err(|e: sync_protocol::ValidationError| e.to_string())
}

/// `false-alarm` or `false_alarm`, `confirmed`.
fn parse_verdict(s: &str) -> Result<FlagVerdict, String> {
    parse_snake(&s.replace('-', "_"))
}
