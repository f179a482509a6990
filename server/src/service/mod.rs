//! The use cases: what the HTTP handlers call, each with its own error type, which `http/` maps to
//! a status. They reach the store only through its traits (`crate::store`) and read the time only
//! from the injected clock.
//!
//! # Layout
//! - [`Services`]: what every use case may reach; [`principal`]: who is calling, from a bearer
//!   token and the store.
//! - [`auth`]: passwords, login throttling, access tokens; [`login`]: login, refresh, logout.
//! - [`sync`]: one sync round trip; [`ingest`]: its parallel half (parse, hash, signatures, the
//!   checks computed ahead); [`projection`]: the fold of a scope.
//! - [`admin`]: assignments and access records; [`people`]: users enrolled and changed, passwords
//!   reset and changed, the access log; [`evidence`]: blobs and missing evidence.
//! - [`reports`]: compliance, reconciliation, the ledger, flags and the county's audits;
//!   [`cases`]: the cases of a scope, listed and shown.
//! - [`roster`]: the county's roster (花名册, CSV or XLSX) imported and exported.
//! - [`health`]: liveness and readiness (the writer commits).

pub mod admin;
pub mod auth;
pub mod cases;
pub mod evidence;
pub mod health;
pub mod ingest;
pub mod login;
pub mod people;
pub mod principal;
pub mod projection;
pub mod reports;
#[cfg(feature = "http")]
pub mod roster;
pub mod sync;

use std::sync::Arc;

use crate::clock::SharedClock;
use crate::metrics::Metrics;
use crate::pool::Blocking;
use crate::store::Store;
use crate::store::blobs::upload::Blobs;
use auth::Auth;
use reports::ReportSettings;

/// What every use case may reach. Built once by the application.
pub struct Services {
    pub store: Arc<dyn Store>,
    /// Every "now" of the server.
    pub clock: SharedClock,
    /// Tokens, passwords, login throttling and session settings.
    pub auth: Auth,
    /// Threads for short CPU-bound work of a request (parsing and checking pushed events).
    pub cpu: Blocking,
    /// Evidence bytes and their limits.
    pub blobs: Blobs,
    /// Settings of the reports (compliance rules, reconciliation thresholds).
    pub reports: ReportSettings,
    /// What the use cases count (events by outcome, logins, evidence bytes).
    pub metrics: Arc<Metrics>,
}
