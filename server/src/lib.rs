//! The patrolsync sync server: merges every device replica into one central store, and serves
//! each level of the patrol network its scope.
//!
//! # Layout
//! - [`cli`]: the command line, [`cli_log`] its commands of the tamper-evident log; [`app`]: building and running the application; [`config`]:
//!   typed configuration.
//! - [`routes`]: thin HTTP handlers; [`error`]: the one error type and its status mapping;
//!   [`body`]: reading request bodies (limits, decompression); [`reply`]: writing JSON replies.
//! - [`auth`]: passwords, tokens, and the [`auth::Principal`] extractor.
//! - [`login`], [`sync`], [`projection`], [`admin`]: what the handlers call; [`reports`]: the
//!   compliance, reconciliation, ledger and audit reports.
//! - [`blobs`]: evidence bytes (resumable uploads, verification, storage); [`evidence`]: what the
//!   blob and missing-evidence handlers call.
//! - [`ingest`]: parsing and signature checks before the writer.
//! - [`store`]: the central SQLite store with its single writer; [`pool`]: fixed thread pools.
//! - [`reference_file`]: reference data as GeoJSON, imported and exported by `patrolsync-server reference`.
//! - [`demo`], [`seed`]: the demo county and loading it (through [`reference_file`]).

pub mod admin;
pub mod app;
pub mod auth;
pub mod blobs;
pub mod body;
pub mod cli;
pub mod cli_log;
pub mod config;
pub mod demo;
pub mod error;
pub mod evidence;
pub mod ingest;
pub mod login;
pub mod pool;
pub mod projection;
pub mod reference_file;
pub mod reply;
pub mod reports;
pub mod routes;
pub mod seed;
pub mod store;
pub mod sync;

/// Sync requests allocate and free many large buffers; glibc's allocator hands each back to the
/// kernel and pays for zeroed pages again on the next request. mimalloc keeps them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
