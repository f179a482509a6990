//! Sync with the server: login, the one-round-trip `POST /v1/sync`, applying its reply in one
//! local transaction, and the upload loop that retries on its own timer.
//!
//! # Layout
//! - `http`: the server's API as async calls ([`Api`]); `error`: [`SyncError`] and status mapping;
//!   `tls`: HTTPS with the county CA, and plain HTTP refused beyond loopback.
//! - `login`: identities are created at a username's first login here and reused after.
//! - `request`, `check`, `apply`: building one request; checking one reply apart from the replica
//!   (what fails its checks set aside); applying it in one transaction.
//! - `prefetch`: a run of pure pulls, the next page fetched and checked while one is applied.
//! - `round`: [`sync`], repeating rounds until nothing is pending and nothing more to pull.
//! - `blobs`: evidence bytes up (resuming from the server's offset) and down (verified).
//! - `backoff`, `upload_loop`: [`SyncLoop`], retrying on its own timer with backoff and jitter.

mod apply;
mod backoff;
mod blobs;
mod check;
mod error;
mod flags;
mod http;
pub(crate) mod login;
mod prefetch;
pub(crate) mod request;
mod round;
mod session;
mod tls;
mod upload_loop;

pub use apply::Applied;
pub use backoff::Backoff;
pub use blobs::{BlobReport, fetch_blob, fetch_evidence, upload_blobs};
pub use check::{Aside, Received};
pub use error::{SyncError, from_status};
pub use flags::{access_log, admin, admin_json, case, cases, change_password, flags, ledger_export, report};
pub use http::Api;
pub use login::{Account, login, login_with};
pub use round::{SyncReport, error_chain, sync, sync_with};
pub use session::logout;
pub use tls::parse_ca;
pub use upload_loop::{LoopConfig, LoopExit, RoundOutcome, SyncLoop};
