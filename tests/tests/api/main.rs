//! The API tests, in one test binary: each module a topic, each test on the application built
//! in-process ([`patrolsync_tests::app::spawn_app`]: the real SQLite store in a temporary folder,
//! or with `PATROLSYNC_TEST_STORE=postgres` a database of a throwaway PostgreSQL cluster; the real
//! HTTP server on a loopback port 0, the demo county, an injected clock), driven by raw
//! protocol devices ([`patrolsync_tests::raw::RawDevice`], one method per route) and device
//! replicas. Tests that kill, freeze or restart the server, fill the disk under it, read what it
//! prints or run its command line are in the `process` binary, against the server binary itself.
//!
//! One binary links once: about 120 MB, where a binary per file linked 40 of them.
//! Run one module with `cargo test -p patrolsync-tests --test api ingest::`.

mod access_matrix;
mod ack_buckets;
mod admin_access;
mod against_server;
mod auth_limits;
mod auth_sessions;
mod bad_input;
mod cases_flow;
mod cases_pages;
mod checks_clocks;
mod checks_geofence;
mod clock;
mod console;
mod convergence_replicas;
mod counties;
mod device_checks;
mod device_office;
mod device_reports;
mod engines;
mod evidence_blobs;
mod evidence_cases;
mod evidence_device;
mod evidence_reports;
mod first_sync;
mod flag_review;
mod golden;
mod hostile_input;
mod https;
mod ingest;
mod integrity_in_service;
mod ledger_filings;
mod ledger_kept;
mod ledger_pages;
mod ledger_rows;
mod ops;
mod people;
mod replicas;
mod scope;
mod server_owned;
mod tip_moves;
mod upgrade;
mod upgrade_reports;
mod walkthrough;
mod zero_reports;
