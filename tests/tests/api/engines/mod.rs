//! The store's two engines, SQLite and PostgreSQL, held to the same behaviour: each test runs one
//! scenario on both (PostgreSQL on the binary's throwaway cluster, a database per test,
//! [`patrolsync_tests::pg_cluster`]).

mod admission;
mod append_only;
mod events;
mod log;
mod schema;
mod sql;
