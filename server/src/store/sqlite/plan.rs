//! The plan SQLite makes of a statement (`EXPLAIN QUERY PLAN`), for the tests that hold a report
//! to the index it should walk: a plan that scans a whole table costs the county's history.

use rusqlite::Connection;

/// The plan's lines (`SCAN t`, `SEARCH t USING INDEX i (c=?)`, …), parameters left unbound.
pub(crate) fn plan(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let mut rows = stmt.raw_query();
    let mut lines = Vec::new();
    while let Some(row) = rows.next()? {
        lines.push(row.get::<_, String>(3)?);
    }
    Ok(lines)
}

/// Whether `plan` reads every row of `table` (a `SCAN` of the table itself, or of an index that
/// is not partial: `partial` names the partial indexes, whose scan reads only their rows).
pub(crate) fn scans_all_of(plan: &[String], table: &str, partial: &[&str]) -> bool {
    plan.iter().any(|line| {
        let Some(rest) = line.strip_prefix("SCAN ").and_then(|l| l.strip_prefix(table)) else { return false };
        !(rest.starts_with(' ') && partial.iter().any(|index| rest.ends_with(&format!("INDEX {index}"))))
            && (rest.is_empty() || rest.starts_with(' '))
    })
}

/// Whether `plan` reads `table` through `index`.
pub(crate) fn uses(plan: &[String], table: &str, index: &str) -> bool {
    plan.iter().any(|line| line.contains(&format!(" {table} ")) && line.contains(&format!("INDEX {index}")))
}

/// A reader on a new, empty store of its own (the folder goes with the first value): where a
/// test asks SQLite for the plans of the reports' statements.
pub(crate) fn empty_store_reader() -> Result<(tempfile::TempDir, Connection), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("central.db");
    drop(super::SqliteStore::open(&path)?);
    let reader = super::open_reader(&path)?;
    Ok((dir, reader))
}
