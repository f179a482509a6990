//! A snapshot of every table of a central store: its row count and a digest of its rows, so that
//! a test sees any INSERT, UPDATE or DELETE a request made, and in which tables.

use anyhow::Result;
use patrolsync_server::store::sql::{Engine, Sql, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

use crate::site::Site;

/// One table's state: how many rows, and a digest of their contents that does not depend on the
/// order the engine returns them in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableState {
    pub rows: i64,
    pub digest: [u8; 32],
}

/// Every table of a store (SQLite's own included), by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot(pub BTreeMap<String, TableState>);

impl Snapshot {
    /// Reads every table of the server's store (committed data), on either engine.
    pub fn of(server: &Site) -> Result<Snapshot> {
        Snapshot::read(&server.sql()?)
    }

    pub fn read(sql: &dyn Sql) -> Result<Snapshot> {
        let mut tables = BTreeMap::new();
        for name in crate::store_sql::tables(sql)? {
            tables.insert(name.clone(), table(sql, &name)?);
        }
        Ok(Snapshot(tables))
    }

    /// The tables whose rows differ from `before`, each with its change in row count (an
    /// UPDATE shows as a change of 0).
    pub fn changes_since(&self, before: &Snapshot) -> BTreeMap<String, i64> {
        let mut names: Vec<&String> = self.0.keys().chain(before.0.keys()).collect();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .filter(|n| self.0.get(*n) != before.0.get(*n))
            .map(|n| {
                let rows = |s: &Snapshot| s.0.get(n).map_or(0, |t| t.rows);
                (n.clone(), rows(self) - rows(before))
            })
            .collect()
    }
}

fn table(sql: &dyn Sql, name: &str) -> Result<TableState> {
    let mut row_digests: Vec<[u8; 32]> = Vec::new();
    let name = name.replace('"', "\"\"");
    // PostgreSQL: each row as its text (the SQL layer reads no timestamps, which its own tables
    // such as `schema_migrations` hold); SQLite: each column's value.
    let query = match sql.engine() {
        Engine::Sqlite => format!("SELECT * FROM \"{name}\""),
        Engine::Postgres => format!("SELECT CAST(t AS TEXT) FROM \"{name}\" t"),
    };
    sql.each(&query, &[], &mut |row| {
        let mut hasher = Sha256::new();
        for value in &row.0 {
            match value {
                Value::Null => hasher.update([0u8]),
                Value::Int(v) => {
                    hasher.update([1u8]);
                    hasher.update(v.to_le_bytes());
                }
                Value::Bool(v) => {
                    hasher.update([1u8]);
                    hasher.update(i64::from(*v).to_le_bytes());
                }
                Value::Real(v) => {
                    hasher.update([2u8]);
                    hasher.update(v.to_bits().to_le_bytes());
                }
                Value::Text(t) => {
                    hasher.update([3u8]);
                    hasher.update((t.len() as u64).to_le_bytes());
                    hasher.update(t.as_bytes());
                }
                Value::Blob(b) => {
                    hasher.update([3u8]);
                    hasher.update((b.len() as u64).to_le_bytes());
                    hasher.update(b);
                }
            }
        }
        row_digests.push(hasher.finalize().into());
        Ok(())
    })?;
    row_digests.sort_unstable();
    let mut hasher = Sha256::new();
    row_digests.iter().for_each(|d| hasher.update(d));
    Ok(TableState { rows: row_digests.len() as i64, digest: hasher.finalize().into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_that_keeps_the_row_count_is_seen() -> Result<()> {
        let conn = rusqlite::Connection::open_in_memory()?;
        conn.execute_batch("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y');")?;
        let before = Snapshot::read(&conn)?;
        assert!(Snapshot::read(&conn)?.changes_since(&before).is_empty());
        conn.execute("UPDATE t SET b = 'z' WHERE a = 2", [])?;
        assert_eq!(Snapshot::read(&conn)?.changes_since(&before), BTreeMap::from([("t".to_string(), 0)]));
        conn.execute("INSERT INTO t VALUES (3, NULL)", [])?;
        assert_eq!(Snapshot::read(&conn)?.changes_since(&before), BTreeMap::from([("t".to_string(), 1)]));
        Ok(())
    }
}
