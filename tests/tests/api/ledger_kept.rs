//! The ledger's kept rows (`patrols.ledger_row`, docs/reports.md): each patrol's finished row is
//! written again by the writer in the transaction that changes what it shows without an event of
//! the patrol (a re-check that withdraws its flag and changes its quota decision, a case opened
//! and moved on its finding), and the ledger answers with it; the audit of the read model compares
//! every kept row with the row built again from what is stored, finds one changed behind the
//! server's back, and the rebuild mends it. On either engine.

use anyhow::{Context, Result, ensure};
use patrolsync_server::args;
use patrolsync_server::store::sql::{Engine, Sql};
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{office, tracks};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sync_protocol::body::{Body, FindingKind};
use sync_protocol::event::Event;
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::wire::AckStatus;

const OFFICER: &str = "vo-t03-v02";
const HOUR_MS: i64 = 3_600_000;

async fn accepted(device: &mut RawDevice, body: &Body) -> Result<Event> {
    let event = device.seal(body);
    let reply = device.sync(std::slice::from_ref(&event)).await?;
    ensure!(reply.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", reply.acks);
    Ok(event)
}

fn county_day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + 8 * HOUR_MS).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// The patrol's row in the county's ledger of the last day, checked to be its kept row as stored,
/// with no kept row of the store left to write.
async fn row(server: &TestApp, auditor: &RawDevice, patrol: EventId) -> Result<Value> {
    let now = now_ms() as i64;
    let path = format!("/v1/ledger?from={}&to={}", county_day(now - 24 * HOUR_MS), county_day(now));
    let (status, ledger) = auditor.get_json(&path).await?;
    ensure!(status == StatusCode::OK, "{path}: {status} {ledger}");
    let rows = ledger["rows"].as_array().context("rows")?;
    let row = rows.iter().find(|r| r["patrol"] == patrol.to_string()).context("the patrol's row")?.clone();
    let sql = server.sql()?;
    let kept: String = sql.one("SELECT ledger_row FROM patrols WHERE id = ?1", args![patrol.0.as_bytes()])?.get(0)?;
    ensure!(serde_json::from_str::<Value>(&kept)? == row, "the ledger answers the kept row: {kept} against {row}");
    let due = sql.count("SELECT count(*) FROM patrols WHERE entry IS NOT NULL AND ledger_row IS NULL", &[])?;
    ensure!(due == 0, "{due} kept rows left unwritten after the commit");
    Ok(row)
}

#[tokio::test]
async fn a_kept_ledger_row_follows_its_recheck_and_its_findings_case_and_the_audit_compares_it() -> Result<()> {
    let server = spawn_app()?;
    let (own, other) = (ZoneId::new("Z-T03-V02")?, ZoneId::new("Z-T03-V01")?);
    let mut officer = server.device(OFFICER).await?;
    let (auditor, admin, mut inspector) = (server.device("ca-1").await?, server.device("admin").await?, server.device("ti-t03-1").await?);
    let start = now_ms() as i64 - 6 * HOUR_MS;
    // A patrol of the officer's zone walked in the neighbouring village's zone, with a finding.
    let astray = accepted(&mut officer, &tracks::line_patrol(&own, tracks::zone_centre(&other), start, 100, 2_000)).await?;
    let finding = accepted(&mut officer, &tracks::finding(&own, astray.id, start + 60_000, FindingKind::UnlicensedMining, None)).await?;
    let first = row(&server, &auditor, astray.id).await?;
    ensure!(first["counts"] == false && first["flags"].as_str().unwrap_or_default().contains("outside_zone"), "{first}");
    ensure!(first["findings"].as_str().unwrap_or_default().starts_with("unlicensed_mining") && first["cases"] == "", "{first}");

    // Reassigned to that zone from before the patrol: the re-check withdraws its flag and it counts.
    let assign = json!({ "officer": OFFICER, "zone": other.as_str(), "from": start - 60_000 }).to_string();
    let (status, body) = admin.post("/v1/admin/assignments", assign.as_bytes()).await?;
    ensure!(status == StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let rechecked = row(&server, &auditor, astray.id).await?;
    ensure!(rechecked["counts"] == true && !rechecked["flags"].as_str().unwrap_or_default().contains("outside_zone"), "{rechecked}");
    ensure!(rechecked["explanation"] != first["explanation"], "{rechecked}");

    // A case opened on its finding, then verified: the row shows each stage.
    let opened = accepted(&mut inspector, &office::open_on_finding(finding.id, "T03")).await?;
    ensure!(row(&server, &auditor, astray.id).await?["cases"] == "received", "the case opened");
    accepted(&mut inspector, &office::verify(opened.id, "T03", opened.id)).await?;
    let verified = row(&server, &auditor, astray.id).await?;
    ensure!(verified["cases"] == "verified", "{verified}");

    // The audit compares the kept rows: one changed behind the server's back differs, and the
    // rebuild writes it again.
    let store = server.offline_store();
    ensure!(store.read_model()?.differences == 0, "the kept rows equal the rows built again");
    server.sql()?.run("UPDATE patrols SET ledger_row = '{}' WHERE id = ?1", args![astray.id.0.as_bytes()])?;
    let changed = store.read_model()?;
    ensure!(changed.differences == 1 && changed.examples.iter().any(|e| e.contains("kept ledger rows")), "{changed:?}");
    store.rebuild_read_model()?;
    ensure!(store.read_model()?.differences == 0, "rebuilt");
    ensure!(row(&server, &auditor, astray.id).await? == verified, "the rebuilt row is the row the writer kept");
    Ok(())
}

/// Counts, in the test's table `kept_writes`, every write of a kept row after its patrol's insert
/// (an `UPDATE` naming `ledger_row`, the writer's or a trigger's).
fn count_kept_writes(sql: &dyn Sql) -> Result<()> {
    let statements: &[&str] = match sql.engine() {
        Engine::Sqlite => &[
            "CREATE TABLE kept_writes (patrol BLOB)",
            "CREATE TRIGGER count_kept_writes AFTER UPDATE OF ledger_row ON patrols
             BEGIN INSERT INTO kept_writes VALUES (new.id); END",
        ],
        Engine::Postgres => &[
            "CREATE TABLE kept_writes (patrol bytea)",
            "CREATE FUNCTION count_kept_writes() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN INSERT INTO kept_writes VALUES (NEW.id); RETURN NULL; END $$",
            "CREATE TRIGGER count_kept_writes AFTER UPDATE OF ledger_row ON patrols
             FOR EACH ROW EXECUTE FUNCTION count_kept_writes()",
        ],
    };
    for s in statements {
        sql.run(s, args![])?;
    }
    Ok(())
}

/// A new patrol's kept row goes in with the patrol's own row: the writer checks the patrol first
/// and writes its row with what the check decided and flagged, so that no kept row of a push is
/// written a second time (on PostgreSQL such an update is never heap-only: it wrote every index of
/// `patrols` again and left a dead row, issue 16). The rows are those built from what is stored.
#[tokio::test]
async fn a_new_patrols_kept_row_is_written_with_its_insert_and_not_again() -> Result<()> {
    let server = spawn_app()?;
    let (own, other) = (ZoneId::new("Z-T03-V02")?, ZoneId::new("Z-T03-V01")?);
    let mut officer = server.device(OFFICER).await?;
    let auditor = server.device("ca-1").await?;
    count_kept_writes(&server.sql()?)?;
    let start = now_ms() as i64 - 6 * HOUR_MS;
    let walked = [tracks::zone_centre(&own), tracks::zone_centre(&other)];
    let events: Vec<Event> = walked
        .iter()
        .enumerate()
        .map(|(i, at)| officer.seal(&tracks::line_patrol(&own, *at, start + i as i64 * HOUR_MS, 100, 2_000)))
        .collect();
    let reply = officer.sync(&events).await?;
    ensure!(reply.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", reply.acks);
    let (inside, astray) = (row(&server, &auditor, events[0].id).await?, row(&server, &auditor, events[1].id).await?);
    ensure!(!inside["flags"].as_str().unwrap_or_default().contains("outside_zone"), "{inside}");
    ensure!(astray["counts"] == false && astray["flags"].as_str().unwrap_or_default().contains("outside_zone"), "{astray}");
    let rewritten = server.sql()?.count("SELECT count(*) FROM kept_writes", &[])?;
    ensure!(rewritten == 0, "{rewritten} kept rows of new patrols written again after their insert");
    ensure!(server.offline_store().read_model()?.differences == 0, "the kept rows equal the rows built again");
    Ok(())
}

/// The kept row a new patrol's insert writes is the writer's only if what is stored shows what
/// the writer built it from: a flag already open on the patrol's id before it arrived (here put
/// there under the API) is not the writer's to know, so the insert leaves the row due and the
/// writer writes it, with that flag, before the commit.
#[tokio::test]
async fn a_new_patrols_kept_row_shows_a_flag_on_its_id_the_writer_did_not_raise() -> Result<()> {
    let server = spawn_app()?;
    let own = ZoneId::new("Z-T03-V02")?;
    let mut officer = server.device(OFFICER).await?;
    let auditor = server.device("ca-1").await?;
    count_kept_writes(&server.sql()?)?;
    let patrol = officer.seal(&tracks::line_patrol(&own, tracks::zone_centre(&own), now_ms() as i64 - 6 * HOUR_MS, 100, 2_000));
    server.sql()?.run(
        "INSERT INTO flags (event_id, device_id, kind, detail, raised_at) VALUES (?1, ?2, 'too_short', 'before it came', 0)",
        args![patrol.id.0.as_bytes(), patrol.device_id.0.as_bytes()],
    )?;
    let reply = officer.sync(std::slice::from_ref(&patrol)).await?;
    ensure!(reply.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", reply.acks);
    let shown = row(&server, &auditor, patrol.id).await?;
    ensure!(shown["flags"].as_str().unwrap_or_default().contains("too_short"), "{shown}");
    let rewritten = server.sql()?.count("SELECT count(*) FROM kept_writes", &[])?;
    ensure!(rewritten == 1, "the row left due is written once before the commit: {rewritten}");
    ensure!(server.offline_store().read_model()?.differences == 0, "the kept rows equal the rows built again");
    Ok(())
}
