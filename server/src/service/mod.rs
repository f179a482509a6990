//! The use cases: what the HTTP handlers call, each with its own error type, which `http/` maps to
//! a status. They reach the store only through its traits (`crate::store`) and read the time only
//! from the injected clock.
//!
//! # Layout
//! - [`Services`]: what every use case of one county may reach; [`counties`]: the deployment's
//!   counties, each with its own `Services`, and how a request finds its county; [`principal`]: who is calling, from a bearer
//!   token and the store.
//! - [`auth`]: passwords, login throttling, access tokens; [`login`]: login, refresh, logout.
//! - [`sync`]: one sync round trip; [`ingest`]: its parallel half (parse, hash, signatures, the
//!   checks computed ahead); [`projection`]: the fold of a scope.
//! - [`admin`]: assignments and access records; [`people`]: users enrolled and changed, passwords
//!   reset and changed, the access log; [`evidence`]: blobs and missing evidence.
//! - [`reports`]: compliance, reconciliation, the ledger, flags and the county's audits;
//!   [`cases`]: the cases of a scope, listed and shown; [`patrols`]: one patrol as stored.
//! - [`officials`]: city and province officials, principals of the deployment; [`rollups`]: their
//!   week by county, from each county's own reports.
//! - [`roster`]: the county's roster (花名册, CSV or XLSX) imported and exported.
//! - [`health`]: liveness and readiness (the writer commits).

pub mod admin;
pub mod auth;
pub mod cases;
pub mod counties;
pub mod evidence;
pub mod health;
pub mod ingest;
pub mod login;
pub mod officials;
pub mod patrols;
pub mod people;
pub mod principal;
pub mod projection;
pub mod reports;
pub mod rollups;
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

/// What every use case of one county may reach. Built once per county by the application.
pub struct Services {
    /// The county these services serve.
    pub county: counties::CountyName,
    /// The county's own store.
    pub store: Arc<dyn Store>,
    /// Every "now" of the server.
    pub clock: SharedClock,
    /// Tokens, passwords, login throttling and session settings.
    pub auth: Arc<Auth>,
    /// Threads for short CPU-bound work of a request (parsing and checking pushed events).
    pub cpu: Blocking,
    /// The county's evidence bytes and their limits.
    pub blobs: Blobs,
    /// Settings of the reports (compliance rules, reconciliation thresholds).
    pub reports: ReportSettings,
    /// What the use cases count (events by outcome, logins, evidence bytes).
    pub metrics: Arc<Metrics>,
}
