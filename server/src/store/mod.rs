//! The central store behind an interface: one trait per concern, every method async and free of
//! any engine's types, so that the use cases in `service/` run unchanged on another engine.
//!
//! # Layout
//! - [`ingest`]: storing pushed events ([`Ingest`]); [`sessions`]: users, devices, login sessions
//!   and refresh tokens ([`Sessions`]); [`pulls`]: reading buckets after a cursor ([`Pulls`]).
//! - [`reports`]: what the reports read beside the log ([`Reports`]): the place for a read model
//!   kept by the writer.
//! - [`evidence`]: attachments and blob completeness ([`Evidence`]); [`audit`]: the
//!   tamper-evident log and the integrity check ([`AuditLog`]); [`reference`]: reference data and
//!   access records authored by the server ([`ReferenceData`]); [`people`]: users enrolled and
//!   changed by admins, passwords reset and changed, the access log ([`People`]).
//! - `backend`: the traits that are the same on every engine (pushes, pulls, sessions, reference
//!   data, people), written once over what an engine gives: a job of its writer and a read.
//! - `jobs`: what runs inside either engine's single writer (the writer's context, ingest, authored
//!   reference events, enrolment, sessions, people); `reads`: pulls and a patrol's page, on either
//!   engine; `principal`: who is calling, read on every request.
//! - `batch`: what every engine's single writer shares (jobs batched into one transaction,
//!   results after the commit, the writer's health).
//! - `checks`: the checks at ingest (geofence, quota, flags, re-checks, copied tracks), run by
//!   either writer; the half that reads the reference alone is computed ahead, on the snapshot the
//!   writer publishes.
//! - [`admission`]: what admission and routing read of stored rows beyond the writer's caches,
//!   over either engine's SQL.
//! - `evidence_rows`: a verified blob's rows and the kept list of attachments missing their bytes,
//!   over either engine's SQL.
//! - [`events`]: the event log's rows (events, routes, quarantine, chain heads) over either
//!   engine's SQL, for the writer's side of a push.
//! - `read_model`: the reports' tables, kept by either writer as it accepts each event, checked
//!   against the log, and read by the reports (`Reports`, written once in `backend`).
//! - [`offline`]: the store the offline tools (the audits, `audit checkpoint`, the read model's
//!   rebuild) work on, a SQLite file or a PostgreSQL database, each tool's rule written once.
//! - [`error`]: [`StoreError`], the same for every engine. [`log`]: the tamper-evident log's rules
//!   over any engine's rows; [`identity`]: the server's own identity.
//! - [`sql`]: the engine-neutral SQL access layer (one statement text, neutral values), which
//!   each engine implements, so that rules over rows are written once for both.
//! - [`sqlite`]: the SQLite engine (one writer thread batching transactions, a pool of readers).
//! - [`postgres`] (the crate's `postgres` feature): the PostgreSQL engine: every trait of the
//!   store, through `backend`.
//! - [`blobs`]: evidence bytes on disk, beside the database. [`epoch`]: the store's epoch, which a
//!   restore renews (protocol.md §7.12).

pub mod admission;
pub mod audit;
mod backend;
mod batch;
pub mod blobs;
pub(crate) mod checks;
pub mod epoch;
mod error;
pub mod events;
pub mod evidence;
mod evidence_rows;
pub mod identity;
pub mod ingest;
pub(crate) mod jobs;
pub mod log;
pub mod offline;
pub mod people;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod principal;
pub mod pulls;
pub(crate) mod read_model;
mod reads;
pub mod reference;
pub mod reports;
pub mod sessions;
pub mod sql;
pub mod sqlite;

pub use audit::AuditLog;
pub use checks::{CheckSnapshot, Prechecked};
pub use error::{Conflict, EngineError, Entity, StoreError};
pub use evidence::Evidence;
pub use ingest::{Ingest, Pushed};
pub use people::People;
pub use pulls::Pulls;
pub use reference::ReferenceData;
pub use reports::Reports;
pub use sessions::Sessions;

use sync_protocol::hlc::Hlc;

/// Why `[store] kind = "postgres"` is refused at start by a build without the engine.
pub const POSTGRES_NOT_BUILT: &str = "this build has no PostgreSQL engine (it was built without the server crate's \
     default features); use kind = \"sqlite\" or a build with the PostgreSQL feature";

/// The PostgreSQL store at `url` (a connection string), in the county's `schema` if it has one
/// (else in the connection's own `search_path`), its migrations run; `None` when this build has
/// no PostgreSQL engine (the crate's `postgres` feature).
pub fn open_postgres(
    (url, schema): (&str, Option<&str>),
    settings: sqlite::Settings,
    pool: crate::pool::Blocking,
) -> Result<Option<std::sync::Arc<dyn Store>>, StoreError> {
    #[cfg(feature = "postgres")]
    {
        let at = postgres::Location { url: url.to_owned(), schema: schema.map(str::to_owned) };
        Ok(Some(std::sync::Arc::new(postgres::PostgresStore::open(at, settings, pool)?)))
    }
    #[cfg(not(feature = "postgres"))]
    {
        let _ = (url, schema, settings, pool);
        Ok(None)
    }
}

/// What every store method returns: a boxed future, so that the traits can be used as
/// `dyn` objects and an engine chosen at start.
pub type StoreFuture<'a, T> = futures_util::future::BoxFuture<'a, Result<T, StoreError>>;

/// Every concern of the store, as one object the application holds.
pub trait Store: Ingest + Sessions + Pulls + Reports + Evidence + AuditLog + ReferenceData + People {
    /// Answers once the store can be read (`/healthz`).
    fn ping(&self) -> StoreFuture<'_, ()>;

    /// Proves that the writer commits (`/readyz`): a commit of the last second stands, otherwise
    /// a small write is committed. Fails with the cause (a full disk, a read-only file, a stopped
    /// writer) when it cannot, or when a real commit failed moments ago and none has succeeded
    /// since.
    fn probe_write(&self) -> StoreFuture<'_, ()>;

    /// The server's hybrid logical clock, ticked: for replies.
    fn tick(&self) -> Hlc;
}
