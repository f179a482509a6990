//! `week`: the active officer's status for a week, computed on the phone with no network
//! ("1 of 2 patrols this week", 本周有效巡查 1/2 次).

use sync_protocol::values::IsoWeek;

use crate::replica::Replica;

pub fn week(replica: &Replica, week: Option<IsoWeek>, json: bool) -> anyhow::Result<()> {
    let w = replica.my_week(week)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&w)?);
        return Ok(());
    }
    println!("{} {}: {} / {}", w.officer, w.week, w.status, w.status_zh);
    let zero = match (w.zero_report_needed, w.zero_report_filed) {
        (false, _) => format!("{} finding(s) reported (发现 {} 条)", w.findings, w.findings),
        (true, true) => "nothing found, zero report filed (零报告已提交)".to_string(),
        (true, false) => "nothing found, zero report not filed yet (零报告未提交)".to_string(),
    };
    println!("{zero}");
    Ok(())
}
