//! The store the offline tools work on, a SQLite file or a PostgreSQL database: `audit integrity`,
//! `consistency`, `verify` and `read-model` each read one snapshot of it; `audit checkpoint` and
//! the read model's rebuild change it in one write transaction. Each tool's rule is one text over
//! the SQL layer (`store::sql`); only the transaction around it is the engine's.

use std::path::PathBuf;
use sync_protocol::merkle::SignedCheckpoint;
use sync_protocol::wire::audit::{CheckpointReply, ConsistencyQuery, ConsistencyReply, ReadModelCheck};

use super::audit::{IntegrityReport, LogReport};
use super::identity::ServerIdentity;
use super::log::{LogHead, Rows};
use super::sql::Sql;
use super::{Entity, StoreError};

/// The store an offline tool works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfflineStore {
    /// A SQLite store file.
    File(PathBuf),
    /// The PostgreSQL database a connection string names, in a county's schema when it has one
    /// (a deployment of several counties).
    Postgres { url: String, schema: Option<String> },
}

/// The GIS views [`OfflineStore::gis_views`] made: their names, the schema they are in (the
/// county's, or the connection's own), and the role granted to read them, if one was named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GisViews {
    pub schema: String,
    pub views: Vec<&'static str>,
    pub reader: Option<String>,
}

/// No store named yet (a command's arguments before they are resolved to one).
impl Default for OfflineStore {
    fn default() -> Self {
        OfflineStore::File(PathBuf::new())
    }
}

impl OfflineStore {
    /// Every stored event re-hashed, its signature checked, every device's chain walked.
    pub fn integrity(&self) -> Result<IntegrityReport, StoreError> {
        self.read(super::reads::integrity::check)
    }

    /// The proof that the log's first `from` leaves are a prefix of its first `to`.
    pub fn consistency(&self, query: ConsistencyQuery) -> Result<ConsistencyReply, StoreError> {
        self.read(move |sql| super::log::consistency(&mut Rows(sql), query))
    }

    /// The log re-derived from the rows and checked against every stored checkpoint and `kept`.
    pub fn verify(&self, kept: Option<&SignedCheckpoint>) -> Result<LogReport, StoreError> {
        self.read(move |sql| super::log::verify::verify(sql, kept))
    }

    /// The read model recomputed from the log and compared with its stored rows.
    pub fn read_model(&self) -> Result<ReadModelCheck, StoreError> {
        self.read(super::read_model::verify)
    }

    /// Empties the read model and applies every accepted event again (beside running servers,
    /// whose writers wait for it); returns how many events it applied.
    pub fn rebuild_read_model(&self) -> Result<u64, StoreError> {
        self.write(super::read_model::rebuild)
    }

    /// A signed checkpoint of the log at its current size, made at `now_ms` with the server's
    /// key: the one stored for this size if there is one (it must agree with the log), else a new
    /// one, stored. The store must hold the server's identity (made at a server's first start).
    pub fn checkpoint(&self, now_ms: i64) -> Result<CheckpointReply, StoreError> {
        self.write(move |sql| {
            let server = ServerIdentity::stored(sql)?
                .ok_or_else(|| StoreError::NotFound { what: Entity::ServerIdentity, id: "(no server has started on this store)".into() })?;
            let signed = super::log::checkpoint(&mut LogHead::default(), &mut Rows(sql), &server, now_ms)?;
            Ok(CheckpointReply::new(signed, server.key.public()))
        })
    }

    /// Makes the GIS views of a PostgreSQL store with PostGIS and grants `reader` to read them
    /// (`store::postgres::create_gis_views`); a SQLite store has none.
    pub fn gis_views(&self, reader: Option<&str>) -> Result<GisViews, StoreError> {
        match self {
            OfflineStore::File(_) => Err(StoreError::NotFound {
                what: Entity::Extension,
                id: "postgis: the GIS views are made in a PostgreSQL store ([store] kind = \"postgres\")".into(),
            }),
            #[cfg(feature = "postgres")]
            OfflineStore::Postgres { url, schema } => super::postgres::create_gis_views(&postgres_at(url, schema), reader),
            #[cfg(not(feature = "postgres"))]
            OfflineStore::Postgres { .. } => Err(no_postgres()),
        }
    }

    /// Runs `audit` on one snapshot of the store, writing nothing: a SQLite file opened read-only,
    /// in one transaction; PostgreSQL in one read-only `REPEATABLE READ` transaction.
    fn read<T: Send>(&self, audit: impl FnOnce(&dyn Sql) -> Result<T, StoreError> + Send) -> Result<T, StoreError> {
        match self {
            OfflineStore::File(path) => super::sqlite::ReadOnly::open(path)?.snapshot(audit),
            #[cfg(feature = "postgres")]
            OfflineStore::Postgres { url, schema } => super::postgres::read_offline(&postgres_at(url, schema), audit),
            #[cfg(not(feature = "postgres"))]
            OfflineStore::Postgres { .. } => Err(no_postgres()),
        }
    }

    /// Runs `change` in one write transaction that no writer shares: SQLite's file's write lock,
    /// PostgreSQL's writer role.
    fn write<T: Send>(&self, change: impl FnOnce(&dyn Sql) -> Result<T, StoreError> + Send) -> Result<T, StoreError> {
        match self {
            OfflineStore::File(path) => super::sqlite::write_offline(path, change),
            #[cfg(feature = "postgres")]
            OfflineStore::Postgres { url, schema } => super::postgres::write_offline(&postgres_at(url, schema), change),
            #[cfg(not(feature = "postgres"))]
            OfflineStore::Postgres { .. } => Err(no_postgres()),
        }
    }
}

/// The store's place on PostgreSQL: its database, and its county's schema if it has one.
#[cfg(feature = "postgres")]
fn postgres_at(url: &str, schema: &Option<String>) -> super::postgres::Location {
    super::postgres::Location { url: url.to_owned(), schema: schema.clone() }
}

/// Why a build without the PostgreSQL engine (the crate's `postgres` feature) refuses its store.
#[cfg(not(feature = "postgres"))]
fn no_postgres() -> StoreError {
    StoreError::Engine(super::POSTGRES_NOT_BUILT.into())
}
