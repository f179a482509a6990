//! The store's two engines, SQLite and PostgreSQL, held to the same behaviour: each test runs one
//! scenario on both (PostgreSQL on the binary's throwaway cluster, a database per test,
//! [`patrolsync_tests::pg_cluster`]).

mod admission;
mod append_only;
mod config;
mod counties;
mod county_imports;
mod events;
mod log;
mod many_patrols;
mod push;
mod schema;
mod serve;
mod sql;
mod tools;
mod verify;

use anyhow::Result;
use patrolsync_server::store::postgres::{Pg, off_runtime};
use patrolsync_server::store::sql::Sql;
use patrolsync_tests::pg_cluster;

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
