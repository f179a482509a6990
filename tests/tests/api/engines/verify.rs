//! `audit verify` on a PostgreSQL store, named by the server's config: a server process on the
//! throwaway cluster takes the demo county and a phone's pushes, `audit verify` finds the log
//! whole beside it, then finds and locates a stored event changed with the append-only trigger
//! disabled, as it does on a SQLite file (`process::tamper_log`).

use anyhow::{Context, Result, ensure};
use patrolsync_server::store::postgres::off_runtime;
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::server::{TestServer, server_binary};
use patrolsync_tests::{DEMO_PASSWORD, pg_cluster, tracks};
use serde_json::Value;
use std::path::Path;
use sync_protocol::ids::ZoneId;
use sync_protocol::wire::AckStatus;
use sync_protocol::wire::audit::CheckpointReply;

/// One problem `audit verify` reported: `(leaf, at, problem)`.
type Problem = (Option<u64>, String, String);

/// `audit verify --json --config FILE`: success, each problem, and the whole report.
fn verify(config: &Path) -> Result<(bool, Vec<Problem>, Value)> {
    let out = std::process::Command::new(server_binary()).args(["audit", "verify", "--json", "--config"]).arg(config).output()?;
    let report: Value = serde_json::from_slice(&out.stdout).with_context(|| String::from_utf8_lossy(&out.stderr).into_owned())?;
    let problems = report["problems"].as_array().context("problems")?.iter();
    let problems = problems
        .map(|p| (p["leaf"].as_u64(), p["at"].as_str().unwrap_or("").to_owned(), p["problem"].as_str().unwrap_or("").to_owned()))
        .collect();
    Ok((out.status.success(), problems, report))
}

#[tokio::test]
async fn audit_verify_reads_a_postgres_store_and_finds_an_event_changed_in_it() -> Result<()> {
    let db = pg_cluster::database()?;
    let server = TestServer::start_with(&[("PATROLSYNC_STORE_KIND", "postgres"), ("PATROLSYNC_STORE_URL", db.url())])?;
    let mut phone = RawDevice::new(&server.url(), "vo-t01-v01")?;
    phone.login(DEMO_PASSWORD).await?;
    let (zone, start) = (ZoneId::new("Z-T01-V01")?, now_ms() as i64 - 3_600_000);
    let patrols = [phone.seal(&tracks::patrol(&zone, start, 20, 1)), phone.seal(&tracks::patrol(&zone, start + 600_000, 20, 2))];
    let reply = phone.sync(&patrols).await?;
    ensure!(reply.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", reply.acks);
    let mut county = RawDevice::new(&server.url(), "ca-1")?;
    county.login(DEMO_PASSWORD).await?;
    let (status, checkpoint) = county.audit_checkpoint().await?;
    ensure!(status.is_success(), "{checkpoint}");
    let size = serde_json::from_value::<CheckpointReply>(checkpoint)?.checkpoint.checkpoint.size;

    let config = server.dir.path().join("postgres.toml");
    std::fs::write(&config, format!("[store]\nkind = \"postgres\"\nurl = {:?}\n", db.url()))?;
    let (ok, problems, report) = verify(&config)?;
    ensure!(ok && problems.is_empty(), "an untouched store is whole: {report}");
    let leaves = report["leaves"].as_u64().context("leaves")?;
    ensure!(leaves == size, "the log as the server signed it: {report}");
    ensure!(report["checkpoints_checked"].as_u64() >= Some(1), "{report}");

    // Whoever holds the database disables the trigger and gives the last patrol the first's text.
    let (seq, leaf) = off_runtime(|| -> Result<(i64, i64)> {
        let mut client = db.connect()?;
        let seq: i64 = client.query_one("SELECT max(server_seq) FROM events", &[])?.get(0);
        let leaf: i64 = client.query_one("SELECT idx FROM merkle_leaves WHERE kind = 'event' AND row_id = $1", &[&seq])?.get(0);
        client.batch_execute(&format!(
            "ALTER TABLE events DISABLE TRIGGER events_append_only;
             UPDATE events SET raw = (SELECT raw FROM events WHERE server_seq = {} ) WHERE server_seq = {seq};
             ALTER TABLE events ENABLE TRIGGER events_append_only;",
            seq - 1
        ))?;
        Ok((seq, leaf))
    })?;
    let (ok, problems, report) = verify(&config)?;
    let not_hashing = "the row does not hash to its leaf: the row or the leaf was changed".to_string();
    ensure!(!ok, "a changed store fails: {report}");
    ensure!(problems == vec![(Some(leaf as u64), format!("event {seq}"), not_hashing)], "{report}");
    Ok(())
}
