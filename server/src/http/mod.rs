//! The HTTP edge (actix-web): routes, the [`Principal`](principal::Principal) extractor, request
//! bodies, replies, and [`ApiError`](error::ApiError), the one error-to-status mapping. Handlers
//! parse, authorise, call one use case of `crate::service`, and map its result.
//!
//! # Layout
//! - [`routes`]: the route table (`routes!`, [`routes::ROUTES`]) and one file of handlers per area.
//! - [`console`]: the office console's embedded files and browser sessions.
//! - [`official`]: a city or province official as an extractor; [`county`]: the request's county as an extractor (its services); [`principal`]: the caller
//!   as an extractor; [`body`]: reading request bodies (limits, time);
//!   [`reply`]: JSON replies, compressed when it pays; [`error`]: [`error::ApiError`].
//! - [`request_log`]: the request log and the HTTP metrics (one middleware).

pub mod body;
pub mod console;
pub mod county;
pub mod error;
pub mod official;
pub mod principal;
pub mod reply;
pub mod request_log;
pub mod routes;

use std::sync::Arc;

use crate::clock::SharedClock;
use crate::metrics::Metrics;
use crate::service::auth::Auth;
use crate::service::counties::Counties;
use crate::service::officials::{Deployment, Officials};

/// What every handler can reach.
pub struct AppState {
    /// The deployment's counties, each with its use cases' dependencies (store, blobs, …); a
    /// handler reaches its request's through the [`county::County`] extractor.
    pub counties: Counties,
    /// City and province officials, above the counties.
    pub officials: Officials,
    /// Tokens, passwords and login limits, shared by the counties.
    pub auth: Arc<Auth>,
    /// Every "now" of the server.
    pub clock: SharedClock,
    /// What the server counts, all counties together.
    pub metrics: Arc<Metrics>,
    pub max_body_bytes: usize,
    /// How long a JSON request body may take to arrive.
    pub body_timeout: std::time::Duration,
    /// Bounds how many large sync requests are read and processed at once, and so the memory they
    /// hold; the rest wait their turn (the single writer serialises them anyway).
    pub syncs: std::sync::Arc<tokio::sync::Semaphore>,
    /// The office console's pages and their policy.
    pub console: console::Console,
    /// Log every request (`[log] requests`).
    pub log_requests: bool,
    /// Answer `/metrics` to a caller on the same host without a token (`[metrics] loopback`).
    pub metrics_on_loopback: bool,
}

impl AppState {
    /// The deployment's shared parts, for the officials' use cases.
    pub fn deployment(&self) -> Deployment<'_> {
        Deployment { counties: &self.counties, officials: &self.officials, auth: &self.auth, clock: &self.clock }
    }
}
