//! The patrolsync sync server: merges every device replica into one central store, and serves
//! each level of the patrol network its scope.
//!
//! # Layout
//! Three layers, each depending only on the one below it, and tools beside them:
//! - [`http`]: routes, the `Principal` extractor, bodies, replies and the one error-to-status
//!   mapping (actix-web; the `http` feature, on by default).
//! - [`service`]: the use cases (login and sessions, sync and ingest, projection, admin, evidence,
//!   reports and audits), each with its own error type.
//! - [`store`]: one trait per concern, the SQLite engine behind them, and the blob files.
//! - [`tools`]: the command line, the demo county, reference data as GeoJSON.
//! - [`app`]: building the application from its config, clock and store; [`config`]: typed
//!   configuration; [`clock`]: the injected clock; [`codec`]: request bodies decoded, pure;
//!   [`pool`]: fixed thread pools; [`metrics`]: the Prometheus metrics the layers count; [`tls`]:
//!   HTTPS from a certificate and key.
//!
//! Without the `http` feature (`default-features = false`) the crate builds without actix-web:
//! what the fuzz targets drive (bodies, tokens, ingest's parsing, the GeoJSON checks) is all here.

#[cfg(feature = "http")]
pub mod app;
pub mod clock;
pub mod codec;
pub mod config;
#[cfg(feature = "http")]
pub mod http;
pub mod metrics;
pub mod pool;
pub mod service;
pub mod store;
pub mod tls;
pub mod tools;
