//! `problems` (服务器问题): what this phone noticed about its server — a restore from a backup, a
//! log that did not extend the one it witnessed — and the pulled events it kept aside because
//! they failed their checks; with the checkpoint it holds, for the county to compare.

use crate::replica::Replica;

use super::format;

pub fn problems(replica: &Replica, json: bool) -> anyhow::Result<()> {
    let notices = replica.server_notices()?;
    let aside = replica.aside_events()?;
    let checkpoint = replica.witnessed_checkpoint()?;
    if json {
        let all = serde_json::json!({ "notices": notices, "aside": aside, "checkpoint": checkpoint });
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(());
    }
    println!("server notices (服务器通知): {}", notices.len());
    for n in &notices {
        println!("  {} {}: {}", format::time(n.at), n.kind, n.detail);
    }
    println!("events kept aside (已隔离的记录): {}", aside.len());
    for a in &aside {
        println!("  {} {} [{}]: {}", format::time(a.received_at), a.event_id.as_deref().unwrap_or("(no id)"), a.bucket, a.problem);
    }
    match checkpoint {
        Some(note) => print!("checkpoint held (本机见证的检查点):\n{note}"),
        None => println!("checkpoint held (本机见证的检查点): none yet"),
    }
    Ok(())
}
