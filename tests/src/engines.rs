//! Holding the store's two engines to the same rows: a SQLite store's rows copied into a migrated
//! PostgreSQL database (so that both start from one state, server identity and all), and every
//! table of either read back in one neutral form, to compare.

use anyhow::{Context, Result};
use patrolsync_server::store::postgres::{Pg, migrate, off_runtime};
use patrolsync_server::store::sql::{Arg, Sql, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::pg_cluster::{self, TestDb};

/// The demo county's store on both engines, one starting state: its SQLite file in a temporary
/// folder (returned with it, removed when dropped) and its rows copied into a fresh migrated
/// database of the binary's PostgreSQL cluster.
pub fn demo_on_both() -> Result<(tempfile::TempDir, PathBuf, TestDb)> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("central.db");
    std::fs::write(&path, crate::app::demo_store()?)?;
    let db = pg_cluster::database()?;
    migrate(db.url()).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    off_runtime(|| copy_sqlite_into_postgres(&path, &mut db.connect()?)).context("copying the store")?;
    Ok((dir, path, db))
}

/// Every table of a SQLite store with its columns, in the store's order.
pub fn tables(sqlite: &rusqlite::Connection) -> Result<Vec<(String, Vec<String>)>> {
    let names: Vec<String> = sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    names
        .into_iter()
        .map(|table| {
            let columns = sqlite
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"))?
                .query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            Ok((table, columns))
        })
        .collect()
}

/// Copies every row of the SQLite store at `store` into the migrated, empty PostgreSQL database
/// `client` is connected to, in one transaction; identity columns then continue after the copied
/// ids. Foreign keys and triggers are not fired while copying (`session_replication_role`): the
/// rows are a consistent store already. Blocking: run it off the async workers.
pub fn copy_sqlite_into_postgres(store: &Path, client: &mut postgres::Client) -> Result<()> {
    let sqlite = rusqlite::Connection::open(store)?;
    let tables = tables(&sqlite)?;
    let mut tx = client.transaction()?;
    tx.batch_execute("SET LOCAL session_replication_role = replica")?;
    for (table, columns) in &tables {
        let list = columns.join(", ");
        let marks = (1..=columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
        let insert = format!("INSERT INTO {table} ({list}) VALUES ({marks})");
        let pg = Pg::new(&mut tx);
        for row in Sql::all(&sqlite, &format!("SELECT {list} FROM {table}"), &[])? {
            let args: Vec<Arg<'_>> = row.0.into_iter().map(arg).collect();
            pg.run(&insert, &args).with_context(|| format!("copying a row of {table}"))?;
        }
    }
    let identities: Vec<(String, String)> = tx
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND is_identity = 'YES'",
            &[],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    for (table, column) in identities {
        tx.execute(
            &format!("SELECT setval(pg_get_serial_sequence('{table}', '{column}'), max({column})) FROM {table} HAVING count(*) > 0"),
            &[],
        )?;
    }
    tx.commit()?;
    Ok(())
}

fn arg(value: Value) -> Arg<'static> {
    match value {
        Value::Null => Arg::Null,
        Value::Int(i) => Arg::Int(i),
        Value::Real(r) => Arg::Real(r),
        Value::Bool(b) => Arg::Bool(b),
        Value::Text(t) => Arg::Text(Cow::Owned(t)),
        Value::Blob(b) => Arg::Blob(Cow::Owned(b)),
    }
}

/// Every row of each of `tables`, in one form for both engines (a flag as 0 or 1), sorted.
pub fn rows(sql: &dyn Sql, tables: &[(String, Vec<String>)]) -> Result<BTreeMap<String, Vec<Vec<Value>>>> {
    let mut out = BTreeMap::new();
    for (table, columns) in tables {
        let mut rows: Vec<Vec<Value>> = sql
            .all(&format!("SELECT {} FROM {table}", columns.join(", ")), &[])?
            .into_iter()
            .map(|row| row.0.into_iter().map(|v| if let Value::Bool(b) = v { Value::Int(i64::from(b)) } else { v }).collect())
            .collect();
        rows.sort_by_cached_key(|row| format!("{row:?}"));
        out.insert(table.clone(), rows);
    }
    Ok(out)
}
