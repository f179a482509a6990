//! The patrolsync sync server: merges every device replica into one central store, and serves
//! each level of the patrol network its scope.
//!
//! # Layout
//! - [`app`]: building and running the application; [`config`]: typed configuration.
//! - [`routes`]: thin HTTP handlers; [`error`]: the one error type and its status mapping;
//!   [`body`]: reading request bodies (limits, decompression).
//! - [`auth`]: passwords, tokens, and the [`auth::Principal`] extractor.
//! - [`login`], [`sync`], [`projection`], [`admin`]: what the handlers call.
//! - [`ingest`]: parsing and signature checks before the writer.
//! - [`store`]: the central SQLite store with its single writer.
//! - [`demo`], [`seed`]: the demo county and loading it.

pub mod admin;
pub mod app;
pub mod auth;
pub mod body;
pub mod config;
pub mod demo;
pub mod error;
pub mod ingest;
pub mod login;
pub mod projection;
pub mod routes;
pub mod seed;
pub mod store;
pub mod sync;
