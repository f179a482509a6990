//! Connecting to PostgreSQL and bringing its schema up to date: each migration of
//! `schema::POSTGRES` in its own transaction with its row in `schema_migrations`, under an advisory
//! lock, so that processes starting together apply each migration once.

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};
use schema::{Migration, MigrationError};

use super::{MIGRATION_LOCK, StoreError};

/// Opens a connection to the database `url` names: a URL (`postgresql://user@host/db`) or
/// key-value pairs (`host=/run/postgresql dbname=patrolsync`); a `host` that is a directory is a
/// Unix socket. Without TLS: the server reaches its database on loopback or a socket.
pub(super) fn connect(url: &str) -> Result<Client, StoreError> {
    let config: Config = url.parse()?;
    Ok(config.connect(NoTls)?)
}

/// Applies every migration of `schema::POSTGRES` the database at `url` has not had; returns the
/// version reached. A database newer than this build is refused and left alone.
pub fn migrate(url: &str) -> Result<u32, StoreError> {
    super::off_runtime(|| {
        let mut client = connect(url)?;
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
