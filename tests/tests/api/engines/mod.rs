//! The store's two engines, SQLite and PostgreSQL, held to the same behaviour: each test runs one
//! scenario on both (PostgreSQL on the binary's throwaway cluster, a database per test,
//! [`patrolsync_tests::pg_cluster`]).

mod admission;
mod append_only;
mod audits;
mod config;
mod counties;
mod county_accounts;
mod county_imports;
mod events;
mod gis;
mod grouped_rows;
mod log;
mod many_patrols;
mod push;
mod round_trips;
mod schema;
mod serve;
mod sql;
mod tools;
mod verify;

use anyhow::Result;
use patrolsync_server::store::postgres::{Pg, off_runtime};
use patrolsync_server::store::sql::Sql;
use patrolsync_tests::pg_cluster;
use std::path::{Path, PathBuf};

/// Runs `scenario` on a fresh migrated store of each engine, each in one transaction that it
/// commits: SQLite's in memory, PostgreSQL's a database of the binary's cluster. Returns what it
/// saw on SQLite, then on PostgreSQL.
fn on_both<T: Send>(scenario: impl Fn(&dyn Sql) -> Result<T> + Sync) -> Result<(T, T)> {
    let mut conn = rusqlite::Connection::open_in_memory()?;
    ::schema::migrate(&mut conn, ::schema::CENTRAL)?;
    let tx = conn.transaction()?;
    let on_sqlite = scenario(&tx)?;
    tx.commit()?;

    let db = pg_cluster::database()?;
    patrolsync_server::store::postgres::migrate(db.url())?;
    let on_postgres = off_runtime(|| -> Result<T> {
        let mut client = db.connect()?;
        let mut tx = client.transaction()?;
        let seen = scenario(&Pg::new(&mut tx))?;
        tx.commit()?;
        Ok(seen)
    })?;
    Ok((on_sqlite, on_postgres))
}

/// The config of the demo deployment of two counties on the database `url` (Yunshan in schema
/// `public`, Baiyun in its own), then the counties `more`, each in a schema of its own; written in
/// `dir`, the deployment's data folder (`db`, beside which its token key file is).
fn deployment(dir: &Path, url: &str, more: &[&str]) -> Result<PathBuf> {
    let config = dir.join("server.toml");
    let db = dir.join("central.db");
    let mut text = format!(
        "db = {db:?}\n[store]\nkind = \"postgres\"\nurl = {url:?}\n[[counties]]\ncode = \"yunshan\"\nschema = \"public\"\n[[counties]]\ncode = \"baiyun\"\n"
    );
    for code in more {
        text.push_str(&format!("[[counties]]\ncode = {code:?}\n"));
    }
    std::fs::write(&config, text)?;
    Ok(config)
}
