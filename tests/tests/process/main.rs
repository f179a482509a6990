//! The tests that need the server as a process of its own, in one test binary: the `e2e-server`
//! binary (the same code as `patrolsync-server`) started on a temporary store
//! ([`patrolsync_tests::server::TestServer`]) to be killed with SIGKILL, frozen, restarted on the
//! same store or a full disk, or read for what it prints; and the server's command line (`init`,
//! `audit`, `reference`, `roster`, `rotate-token-key`, `config check`, `backup`, `restore`) with
//! its exit codes, killed part way too. Where such a test only needs a server beside the command,
//! it runs the application in-process. Everything else is in the `api` binary.
//!
//! Run one module with `cargo test -p patrolsync-tests --test process tamper_log::`.

mod audit;
mod auth_limits;
mod auth_sessions;
mod backup_restore;
mod benches;
mod checkbench;
mod county_imports;
mod county_into_service;
mod evidence_blobs;
mod first_load;
mod fortnight;
mod geobench;
mod hostile_input;
mod ingest;
mod integrity_in_service;
mod kill_first_run;
mod operations_doc;
mod ops;
mod pg_restarts;
mod reference_import;
mod replicas;
mod roster;
mod store_faults;
mod tamper_log;
mod writers;
