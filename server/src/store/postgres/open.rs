//! Connecting to PostgreSQL, in the schema of the store's county, and bringing that schema up to
//! date: each migration of `schema::POSTGRES` in its own transaction with its row in
//! `schema_migrations`, under an advisory lock, so that processes starting together apply each
//! migration once.

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};
use schema::{Migration, MigrationError};

use super::{MIGRATION_LOCK, StoreError, WRITER_LOCK};

/// Where a store lives: the database `url` names (a URL, `postgresql://user@host/db`, or key-value
/// pairs, `host=/run/postgresql dbname=patrolsync`) and, in it, the schema of its county: `None`
/// for the connection's own `search_path` (a deployment of one county), else the one schema every
/// connection of the store is confined to (docs/architecture.md, "Counties").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub url: String,
    pub schema: Option<String>,
}

impl Location {
    /// The store of the county whose schema is `schema`, in the database `url` names.
    pub fn schema(url: &str, schema: &str) -> Location {
        Location { url: url.to_owned(), schema: Some(schema.to_owned()) }
    }
}

/// The store in the database `url` names, in the connection's own `search_path`.
impl From<&str> for Location {
    fn from(url: &str) -> Location {
        Location { url: url.to_owned(), schema: None }
    }
}

impl From<&String> for Location {
    fn from(url: &String) -> Location {
        Location::from(url.as_str())
    }
}

/// `name` as a quoted identifier: any text stays one name (a quote in it doubled).
pub(super) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Opens a connection to the store at `at`; a `host` that is a directory is a Unix socket. Without
/// TLS: the server reaches its database on loopback or a socket. In a county's schema the
/// `search_path` is that schema alone, so no statement can reach another county's tables.
pub(super) fn connect(at: &Location) -> Result<Client, StoreError> {
    let config: Config = at.url.parse()?;
    let mut client = config.connect(NoTls)?;
    if let Some(schema) = &at.schema {
        client.batch_execute(&format!("SET search_path TO {}", quoted(schema)))?;
    }
    Ok(client)
}

/// The writer lock of the store at `at` (`pg_advisory_xact_lock`'s key): [`WRITER_LOCK`] in the
/// connection's own `search_path`, as ever; in a county's schema, one of that schema's own (its
/// object id under a prefix of its own), so that two counties' writers never wait for each other.
pub(super) fn writer_lock(client: &mut Client, at: &Location) -> Result<i64, StoreError> {
    let Some(schema) = &at.schema else { return Ok(WRITER_LOCK) };
    let oid: i64 = client.query_one("SELECT oid::bigint FROM pg_namespace WHERE nspname = $1", &[schema])?.get(0);
    Ok(SCHEMA_WRITER_LOCKS | oid)
}

/// The high half of a county schema's writer lock; the low half is the schema's object id.
const SCHEMA_WRITER_LOCKS: i64 = 0x7073_6368 << 32;

/// Applies every migration of `schema::POSTGRES` the store at `at` has not had, first making its
/// county's schema if it has none; returns the version reached. A store newer than this build is
/// refused and left alone.
pub fn migrate(at: impl Into<Location>) -> Result<u32, StoreError> {
    let at = at.into();
    super::off_runtime(|| {
        let mut client = connect(&at)?;
        if let Some(schema) = &at.schema {
            let mut tx = client.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {}", quoted(schema)))?;
            tx.commit()?;
        }
        Ok(apply(&mut client, schema::POSTGRES)?)
    })
}

/// Applies `set` on `client`, one migration a transaction. Each transaction takes the migration
/// lock, then reads the version, so a process that waited sees what the other one applied.
fn apply(client: &mut Client, set: &[Migration]) -> Result<u32, MigrationError> {
    let known = set.last().map_or(0, |m| m.version);
    loop {
        let mut tx = client.transaction().map_err(version_error)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).map_err(version_error)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    integer PRIMARY KEY,
                 name       text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now()
             )",
        )
        .map_err(version_error)?;
        let found: i32 = tx.query_one("SELECT coalesce(max(version), 0) FROM schema_migrations", &[]).map_err(version_error)?.get(0);
        let found = u32::try_from(found).unwrap_or(0);
        if found > known {
            return Err(MigrationError::TooNew { found, known });
        }
        let Some(m) = set.iter().find(|m| m.version > found) else { return Ok(known) };
        let failed = |e: postgres::Error| MigrationError::Failed { version: m.version, name: m.name, source: Box::new(e) };
        tx.batch_execute(m.sql).map_err(failed)?;
        let version = i32::try_from(m.version).unwrap_or(i32::MAX);
        tx.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", &[&version, &m.name]).map_err(failed)?;
        tx.commit().map_err(failed)?;
    }
}

fn version_error(e: postgres::Error) -> MigrationError {
    MigrationError::Version(Box::new(e))
}

/// PostgreSQL's errors sorted by what a caller can do about them, by SQLSTATE: a full disk, a
/// read-only server (a standby) and lock conflicts have their own variants; corrupt data is
/// permanent; the rest (a lost connection among them) is an engine error, which may be retried.
impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> StoreError {
        let Some(code) = e.code() else { return StoreError::Engine(Box::new(e)) };
        if *code == SqlState::DISK_FULL {
            StoreError::Full(Box::new(e))
        } else if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
            StoreError::ReadOnly(Box::new(e))
        } else if [SqlState::T_R_SERIALIZATION_FAILURE, SqlState::T_R_DEADLOCK_DETECTED, SqlState::LOCK_NOT_AVAILABLE].contains(code) {
            StoreError::Busy(Box::new(e))
        } else if *code == SqlState::DATA_CORRUPTED || *code == SqlState::INDEX_CORRUPTED {
            StoreError::corrupt("database", e.to_string())
        } else {
            StoreError::Engine(Box::new(e))
        }
    }
}
