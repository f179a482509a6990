//! A snapshot of every table of a central store: its row count and a digest of its rows, so that
//! a test sees any INSERT, UPDATE or DELETE a request made, and in which tables.

use anyhow::Result;
use rusqlite::types::ValueRef;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

use crate::site::Site;

/// One table's state: how many rows, and a digest of their contents that does not depend on the
/// order SQLite returns them in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableState {
    pub rows: i64,
    pub digest: [u8; 32],
}

/// Every table of a store (SQLite's own included), by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot(pub BTreeMap<String, TableState>);

impl Snapshot {
    /// Reads every table of the server's store (read-only, committed data).
    pub fn of(server: &Site) -> Result<Snapshot> {
        Snapshot::read(&server.open_store()?)
    }

    pub fn read(conn: &rusqlite::Connection) -> Result<Snapshot> {
        let names: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut tables = BTreeMap::new();
        for name in names {
            tables.insert(name.clone(), table(conn, &name)?);
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

fn table(conn: &rusqlite::Connection, name: &str) -> Result<TableState> {
    let mut statement = conn.prepare(&format!("SELECT * FROM \"{}\"", name.replace('"', "\"\"")))?;
    let columns = statement.column_count();
    let mut row_digests: Vec<[u8; 32]> = Vec::new();
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let mut hasher = Sha256::new();
        for i in 0..columns {
            match row.get_ref(i)? {
                ValueRef::Null => hasher.update([0u8]),
                ValueRef::Integer(v) => {
                    hasher.update([1u8]);
                    hasher.update(v.to_le_bytes());
                }
                ValueRef::Real(v) => {
                    hasher.update([2u8]);
                    hasher.update(v.to_bits().to_le_bytes());
                }
                ValueRef::Text(b) | ValueRef::Blob(b) => {
                    hasher.update([3u8]);
                    hasher.update((b.len() as u64).to_le_bytes());
                    hasher.update(b);
                }
            }
        }
        row_digests.push(hasher.finalize().into());
    }
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
