//! `check-patrol` and `check-finding` (the checks on the phone, offline: will this patrol count
//! and why, is this finding inside a licence) and `flags`
//! (the flags the server raised in your scope, with filters).

use clap::Args;
use sync_protocol::ids::{EventId, UnitId, UserId};
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::FlagKind;
use sync_protocol::wire::flags::FlagQuery;

use super::format;
use super::record::parse_week;
use crate::replica::Replica;

#[derive(Debug, Args)]
pub struct FlagArgs {
    /// e.g. outside_zone, not_counted, unlicensed_area, impossible_speed (docs/checks.md lists them)
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<FlagKind>,
    #[arg(long, value_parser = parse_unit)]
    pub village: Option<UnitId>,
    #[arg(long, value_parser = parse_unit)]
    pub township: Option<UnitId>,
    /// One officer's flags (user id, e.g. vo-t03-v02).
    #[arg(long, value_parser = parse_user)]
    pub officer: Option<UserId>,
    /// ISO week, e.g. 2026-W48.
    #[arg(long, value_parser = parse_week)]
    pub week: Option<IsoWeek>,
    /// Also list flags a re-check withdrew.
    #[arg(long)]
    pub withdrawn: bool,
    /// Only the flags of high priority (a protected mineral: rare earth, tin).
    #[arg(long)]
    pub high_priority: bool,
    /// Also list flags already reviewed (the history); without it, the open ones.
    #[arg(long)]
    pub reviewed: bool,
    #[arg(long)]
    pub json: bool,
}

pub fn check_patrol(replica: &Replica, patrol: EventId, json: bool) -> anyhow::Result<()> {
    let verdict = replica.check_patrol(patrol)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&verdict)?);
    } else {
        println!("{}", format::patrol_check(&verdict));
    }
    Ok(())
}

pub fn check_finding(replica: &Replica, finding: EventId, json: bool) -> anyhow::Result<()> {
    let verdict = replica.check_finding(finding)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&verdict)?);
    } else {
        println!("{}", format::licence_verdict(&verdict));
    }
    Ok(())
}

pub async fn flags(replica: &Replica, a: FlagArgs) -> anyhow::Result<()> {
    let query = FlagQuery {
        kind: a.kind,
        village: a.village,
        township: a.township,
        officer: a.officer,
        week: a.week,
        withdrawn: a.withdrawn,
        high_priority: a.high_priority,
        reviewed: a.reviewed,
        before: None,
        limit: None,
    };
    let list = crate::sync::flags(replica, &query).await?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    println!("flags (预警): {}{}", list.flags.len(), if list.more { " (more: narrow the filters)" } else { "" });
    for f in &list.flags {
        let place =
            [f.township.as_ref().map(UnitId::as_str), f.village.as_ref().map(UnitId::as_str)].into_iter().flatten().collect::<Vec<_>>();
        let withdrawn = f.withdrawn_at.map(|t| format!(" [withdrawn (已撤销) {}]", format::time(t))).unwrap_or_default();
        let reviewed =
            f.review.as_ref().map(|r| format!(" [reviewed (已核查) {} by {}: {}]", r.verdict.as_str(), r.by, r.note)).unwrap_or_default();
        let high = if f.high_priority { "HIGH PRIORITY (重点) " } else { "" };
        println!(
            "- {high}{} {} {} {} {}: {}{withdrawn}{reviewed}",
            format::time(f.raised_at),
            f.kind,
            place.join("/"),
            f.week.map(|w| w.to_string()).unwrap_or_default(),
            f.event.map(|e| e.to_string()).unwrap_or_default(),
            f.detail
        );
    }
    Ok(())
}

fn parse_kind(s: &str) -> Result<FlagKind, String> {
    s.parse().map_err(|e: sync_protocol::ValidationError| e.to_string())
}

fn parse_unit(s: &str) -> Result<UnitId, String> {
    s.parse().map_err(|e: sync_protocol::ValidationError| e.to_string())
}

fn parse_user(s: &str) -> Result<UserId, String> {
    s.parse().map_err(|e: sync_protocol::ValidationError| e.to_string())
}
