//! Read-only commands: `whoami`, `status`, `ledger`, `rejected`. Human text by default, with the
//! Chinese labels of DOMAIN.md; `--json` prints the library's structs as JSON.

use super::format;
use crate::replica::{LedgerPatrol, Replica};

pub fn whoami(replica: &Replica) -> anyhow::Result<()> {
    let me = replica.require_active()?;
    let now = replica.now_ms();
    println!("user (用户)        {} ({}) — login name {}", me.display_name, me.user, me.username);
    println!("role (角色)        {}", format::role(me.role));
    println!("device (设备)      {}", me.device_id);
    println!("server (服务器)    {}", me.server_url);
    match &me.token {
        Some(t) if me.has_valid_token(now) => println!("token (登录)       valid until {}", format::time(t.expires_at)),
        Some(t) => println!("token (登录)       expired {} — log in again to sync (需要重新登录)", format::time(t.expires_at)),
        None => println!("token (登录)       none — log in to sync"),
    }
    for other in replica.identities()?.into_iter().filter(|i| i.device_id != me.device_id) {
        println!("also on this phone (本机其他用户): {} ({})", other.username, other.display_name);
    }
    Ok(())
}

pub fn status(replica: &Replica, json: bool) -> anyhow::Result<()> {
    let s = replica.status()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(());
    }
    println!("officer (用户)             {} ({})", s.username, s.user);
    println!("pending (待上传)           {}", s.pending);
    if let Some(age) = s.oldest_pending_age_ms {
        println!("oldest pending (最早待上传) {} ago", format::duration(age));
    }
    println!("sent (已上传)              {}", s.sent);
    println!("rejected (被退回)          {}", s.rejected.len());
    println!("last sync (上次同步)       {}", format::opt_time(s.last_sync_at));
    if let Some(e) = &s.last_error {
        println!("last error (最近错误)      {} — {e}", format::opt_time(s.last_error_at));
    }
    if !s.token_valid {
        println!("login needed to sync (需要重新登录); recording still works offline");
    }
    for o in &s.others {
        println!("other officer on this phone (本机其他用户) {}: {} pending", o.username, o.pending);
    }
    Ok(())
}

pub fn rejected(replica: &Replica) -> anyhow::Result<()> {
    let rejected = replica.rejected()?;
    if rejected.is_empty() {
        println!("no rejected events (无被退回记录)");
    }
    for r in rejected {
        println!("#{} {} {} recorded {}", r.seq, r.kind, r.event_id, format::time(r.recorded_at));
        println!("    reason (原因) {}: {}", r.reason, r.message);
    }
    Ok(())
}

pub fn ledger(replica: &Replica, json: bool) -> anyhow::Result<()> {
    let ledger = replica.ledger()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&ledger)?);
        return Ok(());
    }
    println!("patrol ledger (巡查台帐): {} patrols (巡查)", ledger.patrols.len());
    for p in &ledger.patrols {
        print_patrol(p);
    }
    println!("zero reports (零报告): {}", ledger.zero_reports.len());
    for z in &ledger.zero_reports {
        let zone = z.zone.as_deref().unwrap_or("-");
        println!("  {} {} zone (片区) {zone} [{}] {}", z.week, z.officer, format::sync_state(&z.sync), z.note);
    }
    for c in &ledger.conflicts {
        println!("conflict (冲突) {} {}: {}", c.kind, c.event_id, c.problem);
    }
    Ok(())
}

fn print_patrol(p: &LedgerPatrol) {
    let r = &p.row;
    println!(
        "- {} {} zone (片区) {} {} — {} to {}, {} points (轨迹点), {} — {} [{}]",
        r.patrol,
        r.officer,
        r.zone,
        r.village,
        r.started,
        r.ended,
        p.track_points,
        format::distance(r.distance_m),
        format::result(&r.result),
        format::sync_state(&p.sync)
    );
    if !r.summary.is_empty() {
        println!("    summary (摘要) {}", r.summary);
    }
    if !r.explanation.is_empty() {
        println!("    check (核查) {}", r.explanation);
    }
    for (label, value) in [("flags (预警)", &r.flags), ("licence checks (许可核查)", &r.licence_checks), ("cases (案件)", &r.cases)]
    {
        if !value.is_empty() {
            println!("    {label} {value}");
        }
    }
    for f in &p.findings {
        let stopped = if f.stopped_on_spot { ", stopped on the spot (已制止)" } else { "" };
        let high = if f.high_priority { " HIGH PRIORITY (重点)" } else { "" };
        let mineral = f.mineral.as_deref().unwrap_or("-");
        println!(
            "    finding (发现) {} {} mineral {mineral}{stopped}{high} [{}]",
            f.id,
            format::finding_kind(&f.kind),
            format::sync_state(&f.sync)
        );
        println!("        at {:.7}, {:.7}: {}", f64::from(f.lon_e7) / 1e7, f64::from(f.lat_e7) / 1e7, f.description);
    }
    for a in &p.amendments {
        println!("    amended (更正) by {}: {} [{}]", a.by, a.reason, format::sync_state(&a.sync));
    }
}
