//! The offline tools on a PostgreSQL store named by the server's config, beside a serving process
//! on the throwaway cluster: `audit read-model` (and its `--rebuild`), `audit integrity`, `audit
//! checkpoint` and `audit consistency` find a clean store clean (exit 0), and name the row changed
//! behind the server's back (exit 1), as they do on a SQLite file (`process::audit`); `backup` and
//! `restore` refuse the store, pointing at pg_dump and pg_restore, and write nothing.

use anyhow::{Context, Result, ensure};
use patrolsync_server::store::postgres::off_runtime;
use patrolsync_tests::pg_cluster::{self, TestDb};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::server::{TestServer, server_binary};
use patrolsync_tests::{DEMO_PASSWORD, tracks};
use serde_json::Value;
use std::path::{Path, PathBuf};
use sync_protocol::body::FindingKind;
use sync_protocol::event::Event;
use sync_protocol::ids::ZoneId;
use sync_protocol::merkle::verify_consistency;
use sync_protocol::wire::AckStatus;
use sync_protocol::wire::audit::{CheckpointReply, ConsistencyReply};

/// What one run of a tool gave: success, standard output, standard error.
struct Ran {
    ok: bool,
    out: String,
    err: String,
}

/// `patrolsync-server <args> --config FILE`.
fn tool(args: &[&str], config: &Path) -> Result<Ran> {
    let out = std::process::Command::new(server_binary()).args(args).arg("--config").arg(config).output()?;
    let ran = Ran {
        ok: out.status.success(),
        out: String::from_utf8_lossy(&out.stdout).into(),
        err: String::from_utf8_lossy(&out.stderr).into(),
    };
    ensure!(ran.ok || out.status.code() == Some(1), "{args:?} ended with {}: {}", out.status, ran.err);
    Ok(ran)
}

/// A tool's JSON report.
fn json(ran: &Ran) -> Result<Value> {
    serde_json::from_str(&ran.out).with_context(|| format!("{}\n{}", ran.out, ran.err))
}

/// A serving process on a database of the cluster, its config file, and an officer's phone and
/// the county admin logged in to it.
struct County {
    server: TestServer,
    config: PathBuf,
    officer: RawDevice,
    admin: RawDevice,
}

impl County {
    async fn start(db: &TestDb) -> Result<County> {
        let server = TestServer::start_with(&[("PATROLSYNC_STORE_KIND", "postgres"), ("PATROLSYNC_STORE_URL", db.url())])?;
        let config = server.dir.path().join("postgres.toml");
        std::fs::write(&config, format!("[store]\nkind = \"postgres\"\nurl = {:?}\n", db.url()))?;
        let mut officer = RawDevice::new(&server.url(), "vo-t01-v01")?;
        officer.login(DEMO_PASSWORD).await?;
        let mut admin = RawDevice::new(&server.url(), "ca-1")?;
        admin.login(DEMO_PASSWORD).await?;
        Ok(County { server, config, officer, admin })
    }

    /// A patrol and a finding of it, accepted; returns the patrol.
    async fn patrol_with_finding(&mut self, seed: u64) -> Result<Event> {
        let (zone, start) = (ZoneId::new("Z-T01-V01")?, now_ms() as i64 - 3_600_000);
        let patrol = self.officer.seal(&tracks::patrol(&zone, start, 20, seed));
        let finding = self.officer.seal(&tracks::finding(&zone, patrol.id, start + 60_000, FindingKind::UnlicensedMining, None));
        let reply = self.officer.sync(&[patrol.clone(), finding]).await?;
        ensure!(reply.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", reply.acks);
        Ok(patrol)
    }

    /// The checkpoint the server signs now (`GET /v1/audit/checkpoint`), stored for its size.
    async fn checkpoint(&self) -> Result<CheckpointReply> {
        let (status, reply) = self.admin.audit_checkpoint().await?;
        ensure!(status.is_success(), "{reply}");
        Ok(serde_json::from_value(reply)?)
    }
}

/// Runs `sql` as whoever holds the database: the evidence tables' triggers are theirs to disable.
fn behind_the_servers_back(db: &TestDb, sql: &str) -> Result<()> {
    off_runtime(|| -> Result<()> { Ok(db.connect()?.batch_execute(sql)?) })
}

#[tokio::test]
async fn audit_read_model_finds_a_changed_row_of_a_postgres_store_and_its_rebuild_mends_it() -> Result<()> {
    let db = pg_cluster::database()?;
    let mut county = County::start(&db).await?;
    let patrol = county.patrol_with_finding(1).await?;
    let config = county.config.clone();

    let clean = tool(&["audit", "read-model", "--json"], &config)?;
    let report = json(&clean)?;
    ensure!(clean.ok && report["differences"] == 0, "an untouched read model equals the log: {report}");
    ensure!(report["patrols"].as_u64() >= Some(1) && report["findings"].as_u64() >= Some(1), "{report}");

    // The patrol's row moved to another township, and every zero report lost.
    let id = hex::encode(patrol.id.0.as_bytes());
    behind_the_servers_back(&db, &format!("UPDATE patrols SET township = 'T-99' WHERE id = '\\x{id}'; DELETE FROM zero_reports;"))?;
    let changed = tool(&["audit", "read-model"], &config)?;
    ensure!(!changed.ok, "a changed read model fails: {}", changed.out);
    ensure!(changed.out.contains(&format!("differs: patrol {}", patrol.id)), "names the patrol: {}", changed.out);

    let rebuilt = tool(&["audit", "read-model", "--rebuild", "--json"], &config)?;
    ensure!(rebuilt.ok && json(&rebuilt)?["differences"] == 0, "rebuilt from the log: {}\n{}", rebuilt.out, rebuilt.err);
    ensure!(rebuilt.err.contains("read model rebuilt from"), "{}", rebuilt.err);
    let township: String = off_runtime(|| -> Result<String> {
        Ok(db.connect()?.query_one("SELECT township FROM patrols WHERE id = $1", &[&patrol.id.0.as_bytes().as_slice()])?.get(0))
    })?;
    ensure!(township != "T-99", "the row recomputed");

    // The serving process writes on after the rebuild, and the read model keeps equal to the log.
    county.patrol_with_finding(2).await?;
    let after = tool(&["audit", "read-model", "--json"], &config)?;
    ensure!(after.ok && json(&after)?["differences"] == 0, "{}", after.out);
    Ok(())
}

#[tokio::test]
async fn audit_integrity_checkpoint_and_consistency_read_a_postgres_store_and_name_what_was_changed() -> Result<()> {
    let db = pg_cluster::database()?;
    let mut county = County::start(&db).await?;
    county.patrol_with_finding(1).await?;
    let first = county.checkpoint().await?.checkpoint.checkpoint;
    county.patrol_with_finding(2).await?;
    let second = county.checkpoint().await?;
    let config = county.config.clone();

    let integrity = tool(&["audit", "integrity", "--json"], &config)?;
    let report = json(&integrity)?;
    ensure!(integrity.ok && report["breaks"] == Value::Array(vec![]), "{report}");
    ensure!(report["events_checked"].as_u64() >= Some(4), "{report}");

    // The checkpoint of the log's size is the one the server stored; a proof links the two sizes.
    let signed = tool(&["audit", "checkpoint", "--json"], &config)?;
    ensure!(signed.ok, "{}", signed.err);
    let signed: CheckpointReply = serde_json::from_str(&signed.out)?;
    ensure!(signed.checkpoint == second.checkpoint, "{signed:?} against {second:?}");
    let second = second.checkpoint.checkpoint;
    let (from, to) = (first.size.to_string(), second.size.to_string());
    let proof = tool(&["audit", "consistency", "--from", &from, "--to", &to], &config)?;
    ensure!(proof.ok, "{}", proof.err);
    let proof: ConsistencyReply = serde_json::from_str(&proof.out)?;
    verify_consistency(first.size, second.size, &first.root, &second.root, &proof.proof)?;
    let beyond = tool(&["audit", "consistency", "--from", &from, "--to", &(second.size + 5).to_string()], &config)?;
    ensure!(!beyond.ok && beyond.err.contains("log size"), "a size the log has not reached: {}", beyond.err);

    // The stored checkpoint of the log's size given another root, with its trigger disabled.
    behind_the_servers_back(
        &db,
        &format!(
            "ALTER TABLE merkle_checkpoints DISABLE TRIGGER merkle_checkpoints_append_only;
             UPDATE merkle_checkpoints SET root = decode(repeat('00', 32), 'hex') WHERE size = {};
             ALTER TABLE merkle_checkpoints ENABLE TRIGGER merkle_checkpoints_append_only;",
            second.size
        ),
    )?;
    let refused = tool(&["audit", "checkpoint"], &config)?;
    ensure!(!refused.ok && refused.out.is_empty(), "no checkpoint is signed over a changed one: {}", refused.out);
    ensure!(refused.err.contains(&format!("the checkpoint of size {} does not match the log", second.size)), "{}", refused.err);

    // The last patrol's event given the first's text, with the events' trigger disabled.
    let seq: i64 = off_runtime(|| -> Result<i64> {
        let mut client = db.connect()?;
        Ok(client.query_one("SELECT server_seq FROM events WHERE kind = 'patrol.recorded' ORDER BY server_seq DESC LIMIT 1", &[])?.get(0))
    })?;
    behind_the_servers_back(
        &db,
        &format!(
            "ALTER TABLE events DISABLE TRIGGER events_append_only;
             UPDATE events SET raw = (SELECT raw FROM events WHERE kind = 'patrol.recorded' ORDER BY server_seq LIMIT 1)
                 WHERE server_seq = {seq};
             ALTER TABLE events ENABLE TRIGGER events_append_only;"
        ),
    )?;
    let broken = tool(&["audit", "integrity", "--json"], &config)?;
    let report = json(&broken)?;
    let breaks = report["breaks"].as_array().context("breaks")?;
    ensure!(!broken.ok && !breaks.is_empty(), "a changed event fails: {report}");
    ensure!(breaks.iter().all(|b| b["server_seq"] == seq), "each break is the changed event's: {report}");
    Ok(())
}

#[tokio::test]
async fn backup_and_restore_refuse_a_postgres_store_naming_its_own_tools_and_write_nothing() -> Result<()> {
    let db = pg_cluster::database()?;
    let county = County::start(&db).await?;
    let rows = || off_runtime(|| -> Result<i64> { Ok(db.connect()?.query_one("SELECT count(*) FROM events", &[])?.get(0)) });
    let before = rows()?;
    let (to, restored) = (county.server.dir.path().join("backup"), county.server.dir.path().join("restored"));
    let backup = tool(&["backup", "--to", to.to_str().context("path")?], &county.config)?;
    let from = county.server.dir.path().join("some-backup");
    let restore = tool(&["restore", "--from", from.to_str().context("path")?, "--to", restored.to_str().context("path")?], &county.config)?;
    for (name, ran) in [("backup", &backup), ("restore", &restore)] {
        ensure!(!ran.ok, "{name} of a PostgreSQL store is refused: {}", ran.out);
        for named in ["pg_dump", "pg_restore", "docs/operations.md", "PostgreSQL"] {
            ensure!(ran.err.contains(named), "{name}'s refusal names {named}: {}", ran.err);
        }
    }
    ensure!(!to.exists() && !restored.exists(), "nothing was written");
    ensure!(rows()? == before, "the store is as it was");
    Ok(())
}
