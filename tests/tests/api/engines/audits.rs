//! The audits of a whole deployment (issue 16): `audit integrity|verify|read-model --config FILE`
//! without `--county` audits every county's store in turn, on either engine, and names the county
//! whose store fails; the others are still audited and still pass.

use anyhow::{Context, Result, ensure};
use patrolsync_server::store::sql::Sql;
use patrolsync_tests::app::{TestApp, spawn_counties_on_postgres, spawn_counties_on_sqlite};
use patrolsync_tests::county::path;
use patrolsync_tests::server::TestServer;
use serde_json::Value;
use std::path::{Path, PathBuf};

use super::deployment;

/// Runs an audit of the server binary: whether it succeeded, its standard output, and both
/// outputs together (for messages).
fn audit(args: &[&str]) -> Result<(bool, String, String)> {
    let out = TestServer::command(args, "")?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    Ok((out.status.success(), stdout.clone(), format!("{stdout}{}", String::from_utf8_lossy(&out.stderr))))
}

/// The demo's two counties on SQLite (a store file each) and the config that names them.
fn on_sqlite() -> Result<(TestApp, PathBuf)> {
    let app = spawn_counties_on_sqlite()?;
    let config = app.dir.path().join("server.toml");
    let db = app.db();
    std::fs::write(&config, format!("db = {db:?}\n[[counties]]\ncode = \"yunshan\"\ndb = {db:?}\n[[counties]]\ncode = \"baiyun\"\n"))?;
    Ok((app, config))
}

/// The demo's two counties on PostgreSQL (a schema each) and the config that names them.
fn on_postgres() -> Result<(TestApp, PathBuf)> {
    let app = spawn_counties_on_postgres()?;
    let config = deployment(app.dir.path(), app.store_url.as_deref().context("a PostgreSQL store")?, &[])?;
    Ok((app, config))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_of_the_deployment_audits_every_county_and_names_the_one_that_fails() -> Result<()> {
    for (app, config) in [on_sqlite()?, on_postgres()?] {
        every_county_audited(&app, &config).with_context(|| format!("on {:?}", app.sql().map(|s| s.engine())))?;
    }
    Ok(())
}

fn every_county_audited(app: &TestApp, config: &Path) -> Result<()> {
    let cfg = path(config)?;
    for check in ["integrity", "verify", "read-model"] {
        let (ok, out, said) = audit(&["audit", check, "--config", cfg])?;
        ensure!(ok, "{check} of an untouched deployment passes: {said}");
        ensure!(out.matches("== county ").count() == 2, "{check}: each county under its code: {out}");
        ensure!(
            out.contains("== county yunshan\n") && out.contains("== county baiyun\n") && out.ends_with("every county passed\n"),
            "{out}"
        );
    }
    let (ok, out, said) = audit(&["audit", "verify", "--json", "--config", cfg])?;
    ensure!(ok, "{said}");
    let report: Value = serde_json::from_str(&out)?;
    let counties = report["counties"].as_array().context("counties")?;
    let codes: Vec<_> =
        counties.iter().map(|c| (c["county"].as_str(), c["passed"].as_bool(), c["report"]["leaves"].as_u64() > Some(0))).collect();
    ensure!(codes == [(Some("yunshan"), Some(true), true), (Some("baiyun"), Some(true), true)], "{report}");

    // Whoever holds Baiyun's store lifts its guard and gives its last event the first's text.
    let baiyun = app.county_sql("baiyun")?;
    baiyun.unguard("events")?;
    baiyun.run(
        "UPDATE events SET raw = (SELECT raw FROM events WHERE server_seq = (SELECT min(server_seq) FROM events))
         WHERE server_seq = (SELECT max(server_seq) FROM events)",
        &[],
    )?;
    for check in ["integrity", "verify"] {
        let (ok, out, said) = audit(&["audit", check, "--config", cfg])?;
        ensure!(!ok, "{check} fails when one county's store was changed: {said}");
        let (yunshan, baiyun) = out.split_once("== county baiyun\n").context("baiyun's part")?;
        ensure!(yunshan.starts_with("== county yunshan\n") && yunshan.contains(" 0 problems"), "Yunshan audited and whole: {out}");
        ensure!(!baiyun.contains(" 0 problems") && out.ends_with("counties that failed: baiyun\n"), "Baiyun named: {out}");
    }
    let (ok, out, said) = audit(&["audit", "verify", "--json", "--config", cfg])?;
    ensure!(!ok, "{said}");
    let report: Value = serde_json::from_str(&out)?;
    let passed: Vec<_> = report["counties"].as_array().context("counties")?.iter().map(|c| c["passed"].as_bool()).collect();
    ensure!(passed == [Some(true), Some(false)], "{report}");

    // One county named: that county alone, as before (no heading).
    let (ok, out, said) = audit(&["audit", "verify", "--config", cfg, "--county", "yunshan"])?;
    ensure!(ok && !out.contains("== county") && out.contains(" 0 problems"), "{said}");
    // A kept checkpoint is one county's: with it, the county must be named.
    let note = app.dir.path().join("checkpoint.note");
    std::fs::write(&note, "not read")?;
    let (ok, _, said) = audit(&["audit", "verify", "--config", cfg, "--checkpoint", path(&note)?])?;
    ensure!(!ok && said.contains("--county"), "{said}");
    Ok(())
}
