//! A zero report (零报告) is one row, in one table, of the read model: written as the report is
//! accepted, recomputed from the log by a rebuild, and read both by compliance and by the check
//! that flags a zero report a finding of the same week contradicts. The offline audit of the read
//! model and its rebuild (`store::offline`) run on either engine.

use anyhow::{Result, ensure};
use patrolsync_server::store::sql::Sql;
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::tracks;
use sync_protocol::body::{Body, FindingKind};
use sync_protocol::event::Event;
use sync_protocol::ids::ZoneId;
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::AckStatus;

async fn accepted(device: &mut RawDevice, body: &Body) -> Result<Event> {
    let event = device.seal(body);
    let reply = device.sync(std::slice::from_ref(&event)).await?;
    ensure!(reply.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", reply.acks);
    Ok(event)
}

#[tokio::test]
async fn a_zero_report_lost_from_its_table_is_rebuilt_from_the_log_for_compliance_and_the_check() -> Result<()> {
    let server = spawn_app()?;
    let mut officer = server.device("vo-t01-v01").await?;
    let county = server.device("ca-1").await?;
    let zone = ZoneId::new("Z-T01-V01")?;
    let start = now_ms() as i64 - 3 * 3_600_000;
    let week = IsoWeek::of_ms(start);
    let zero = tracks::zero_report(&officer.user, &zone, week);
    let report = accepted(&mut officer, &zero).await?;
    let filed = |body: &serde_json::Value| {
        body["officers"].as_array().into_iter().flatten().any(|o| o["officer"] == "vo-t01-v01" && o["zero_report_filed"] == true)
    };
    let compliance = format!("/v1/compliance?week={week}");
    assert!(filed(&county.get_json(&compliance).await?.1), "compliance counts the zero report");

    // The row lost behind the server's back (as a hand edit of the file would lose it): the audit
    // of the read model finds it missing, and a rebuild recomputes it from the log.
    server.sql()?.run("DELETE FROM zero_reports", &[])?;
    assert!(!filed(&county.get_json(&compliance).await?.1), "compliance reads the one table");
    let store = server.offline_store();
    assert_eq!(store.read_model()?.differences, 1);
    store.rebuild_read_model()?;
    assert_eq!(store.read_model()?.differences, 0);
    assert!(filed(&county.get_json(&compliance).await?.1), "rebuilt");

    // A finding of the same week contradicts the (rebuilt) row: the check reads the same table.
    let patrol = accepted(&mut officer, &tracks::patrol(&zone, start, 20, 7)).await?;
    accepted(&mut officer, &tracks::finding(&zone, patrol.id, start + 60_000, FindingKind::UnlicensedMining, None)).await?;
    let flagged = server.sql()?.count(
        "SELECT count(*) FROM flags WHERE event_id = ?1 AND kind = 'contradictory_zero_report'",
        patrolsync_server::args![report.id.0.as_bytes()],
    )?;
    assert_eq!(flagged, 1, "the zero report is flagged");
    Ok(())
}

/// A zero report speaks for a week lived: one for a week not yet begun is accepted (the phone's
/// clock may be wrong) and flagged `future_timestamp`, naming the week; this week's is not.
#[tokio::test]
async fn a_zero_report_for_a_week_not_yet_begun_is_flagged() -> Result<()> {
    let server = spawn_app()?;
    let mut officer = server.device("vo-t01-v01").await?;
    let zone = ZoneId::new("Z-T01-V01")?;
    let this_week = IsoWeek::of_ms(now_ms() as i64);
    let later = IsoWeek::of_ms(now_ms() as i64 + 15 * 86_400_000);
    let user = officer.user.clone();
    let now = accepted(&mut officer, &tracks::zero_report(&user, &zone, this_week)).await?;
    let ahead = accepted(&mut officer, &tracks::zero_report(&user, &zone, later)).await?;
    let flags = |report: &Event| {
        server.sql().and_then(|sql| {
            Ok(sql
                .all(
                    "SELECT detail FROM flags WHERE event_id = ?1 AND kind = 'future_timestamp'",
                    patrolsync_server::args![report.id.0.as_bytes()],
                )?
                .iter()
                .map(|r| r.get::<String>(0))
                .collect::<Result<Vec<_>, _>>()?)
        })
    };
    assert_eq!(flags(&now)?, Vec::<String>::new(), "this week's zero report");
    let flagged = flags(&ahead)?;
    ensure!(flagged.len() == 1 && flagged[0].starts_with(&format!("a zero report for {later}, a week that begins ")), "{flagged:?}");
    Ok(())
}
