//! A server process serving on PostgreSQL (`[store] kind = "postgres"`): `serve --demo` loads the
//! demo county into a database of the throwaway cluster, a phone syncs, and every report answers
//! as a SQLite server answers for the same pushes; the integrity check, the witness and the
//! readiness probe pass on both.

use anyhow::{Result, ensure};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::server::TestServer;
use patrolsync_tests::{DEMO_PASSWORD, pg_cluster, tracks};
use reqwest::StatusCode;
use serde_json::Value;
use sync_protocol::ids::ZoneId;
use sync_protocol::wire::AckStatus;

/// `value` without the keys whose values are the moment of the answer or of the push (`as_of`,
/// a flag's `raised_at`: each server received the pushes at its own time).
fn settled(mut value: Value) -> Value {
    match &mut value {
        Value::Object(map) => {
            map.remove("as_of");
            map.remove("raised_at");
            for v in map.values_mut() {
                *v = settled(v.take());
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| *v = settled(v.take())),
        _ => {}
    }
    value
}

#[tokio::test]
async fn a_server_process_serves_the_demo_county_on_postgres_and_answers_every_report_as_on_sqlite() -> Result<()> {
    let db = pg_cluster::database()?;
    let pg = TestServer::start_with(&[("PATROLSYNC_STORE_KIND", "postgres"), ("PATROLSYNC_STORE_URL", db.url())])?;
    let sqlite = TestServer::start()?;

    // The same phone (its id and key) pushes the same sealed events to both servers.
    let mut phone = RawDevice::new(&sqlite.url(), "vo-t01-v01")?;
    let start = now_ms() as i64 - 3_600_000;
    let inside = phone.seal(&tracks::patrol(&ZoneId::new("Z-T01-V01")?, start, 20, 1));
    let outside = phone.seal(&tracks::patrol(&ZoneId::new("Z-T01-V01")?, start + 600_000, 20, 7));
    let week = sync_protocol::values::IsoWeek::of_ms(start).to_string();
    let today = chrono::Utc::now().date_naive();
    let days = format!("from={}&to={}", today - chrono::Days::new(2), today + chrono::Days::new(2));

    let mut answers = Vec::new();
    for server in [&sqlite, &pg] {
        let mut d = RawDevice::new(&server.url(), "vo-t01-v01")?;
        (d.device, d.key) = (phone.device, phone.key.clone());
        d.login(DEMO_PASSWORD).await?;
        let reply = d.sync(&[inside.clone(), outside.clone()]).await?;
        ensure!(reply.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", reply.acks);

        let mut county = RawDevice::new(&server.url(), "ca-1")?;
        county.login(DEMO_PASSWORD).await?;
        let mut seen = Vec::new();
        for (name, (status, body)) in [
            ("compliance", county.compliance(&format!("week={week}")).await?),
            ("reconciliation", county.reconciliation("township=T01").await?),
            ("map", county.map(&days).await?),
            ("cases", county.cases("").await?),
            ("flags", county.flags("").await?),
        ] {
            ensure!(status == StatusCode::OK, "{name}: {status} {body}");
            seen.push((name, settled(body)));
        }
        let ledger = county.ledger(&days).await?;
        ensure!(ledger.status() == StatusCode::OK, "ledger: {}", ledger.status());
        seen.push(("ledger", settled(ledger.json().await?)));

        let (status, integrity) = county.audit_integrity().await?;
        ensure!(status == StatusCode::OK && integrity["breaks"] == serde_json::json!([]), "{status} {integrity}");
        ensure!(integrity["events_checked"].as_u64() > Some(2), "{integrity}");
        let (status, checkpoint) = county.audit_checkpoint().await?;
        ensure!(status == StatusCode::OK, "{checkpoint}");
        let (status, ready) = county.readyz().await?;
        ensure!(status == StatusCode::OK, "{ready}");
        answers.push(seen);
    }
    for ((name, on_sqlite), (_, on_postgres)) in answers[0].iter().zip(&answers[1]) {
        ensure!(on_sqlite == on_postgres, "{name} differs:\nSQLite: {on_sqlite}\nPostgreSQL: {on_postgres}");
    }
    ensure!(
        answers[1][4].1["flags"].as_array().is_some_and(|f| !f.is_empty()),
        "the patrol outside its zone was flagged: {}",
        answers[1][4].1
    );
    Ok(())
}
