//! Recording a patrol and printing its verdict reads by index, never the whole replica: every
//! query that reading a part, a patrol's checks and a finding's licence check run is an index
//! search in SQLite's plan, on the schema as migrated, narrowed by more than the identity (every
//! row of a phone with one officer has the same `owner`, so a search by `owner` alone reads all).

use rusqlite::types::Null;

use super::fixture::Fixture;
use crate::replica::{events, parts, patrol_index};

/// The plan SQLite makes for `sql`, one line per step.
fn plan(f: &Fixture, sql: &str) -> Vec<String> {
    let mut stmt = f.replica.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).expect("plan");
    let nulls = std::iter::repeat_n(Null, stmt.parameter_count());
    let rows = stmt.query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3)).expect("rows");
    rows.map(|r| r.expect("detail")).collect()
}

#[test]
fn every_query_of_a_verdict_is_an_index_search() {
    let f = Fixture::new();
    let queries = parts::QUERIES.iter().chain(&events::QUERIES).chain(&patrol_index::QUERIES);
    for sql in queries {
        let steps = plan(&f, sql);
        assert!(steps.iter().any(|s| s.starts_with("SEARCH")), "{sql}: {steps:?}");
        assert!(!steps.iter().any(|s| s.starts_with("SCAN")), "{sql} scans a table: {steps:?}");
        for search in steps.iter().filter(|s| s.starts_with("SEARCH")) {
            assert!(search.contains("(owner=? AND "), "{sql} reads every row of the identity: {search}");
        }
    }
}
