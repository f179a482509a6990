//! SQL migrations for the central store and for the device replica, embedded in the binary and
//! applied in order. A migration that has been applied is never edited: add a new file instead.
//!
//! # Layout
//! - `migrations/central/NNNN_name.sql`: the server's store.
//! - `migrations/device/NNNN_name.sql`: a phone's replica.
//! - `migrations/postgres/NNNN_name.sql`: the server's store on PostgreSQL, the same tables in
//!   PostgreSQL's types, starting from the state the central set reached at its 14th migration.
//!
//! On SQLite the applied version is `user_version`; each migration runs in its own transaction
//! together with the version bump, so a crash leaves the database at one version or the next.
//! The PostgreSQL set is applied by the server's PostgreSQL engine (this crate names no
//! PostgreSQL driver), the same way, with the version in a table of its own.

use rusqlite::Connection;

/// One migration: its version number (the file's `NNNN` prefix) and its SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

macro_rules! migration {
    ($version:expr, $dir:literal, $name:literal) => {
        Migration { version: $version, name: $name, sql: include_str!(concat!("../migrations/", $dir, "/", $name, ".sql")) }
    };
}

/// The central store's migrations, in order.
pub const CENTRAL: &[Migration] = &[
    migration!(1, "central", "0001_event_log"),
    migration!(2, "central", "0002_checks"),
    migration!(3, "central", "0003_blobs"),
    migration!(4, "central", "0004_check_indexes"),
    migration!(5, "central", "0005_sessions"),
    migration!(6, "central", "0006_merkle_log"),
    migration!(7, "central", "0007_long_patrols"),
    migration!(8, "central", "0008_checks_field_data"),
    migration!(9, "central", "0009_possession_and_tip_buckets"),
    migration!(10, "central", "0010_flag_reviews"),
    migration!(11, "central", "0011_read_model"),
    migration!(12, "central", "0012_people"),
    migration!(13, "central", "0013_office_events"),
    migration!(14, "central", "0014_fingerprint_passes"),
    migration!(15, "central", "0015_one_current_row"),
    migration!(16, "central", "0016_officer_weeks"),
    migration!(17, "central", "0017_fingerprint_positions"),
    migration!(18, "central", "0018_ledger_rows"),
    migration!(19, "central", "0019_answer_cost"),
];

/// The central store's migrations on PostgreSQL, in order.
pub const POSTGRES: &[Migration] = &[
    migration!(1, "postgres", "0001_event_log"),
    migration!(2, "postgres", "0002_checks"),
    migration!(3, "postgres", "0003_evidence"),
    migration!(4, "postgres", "0004_sessions_and_people"),
    migration!(5, "postgres", "0005_merkle_log"),
    migration!(6, "postgres", "0006_read_model"),
    migration!(7, "postgres", "0007_one_current_row"),
    migration!(8, "postgres", "0008_officer_weeks"),
    migration!(9, "postgres", "0009_fingerprint_positions"),
    migration!(10, "postgres", "0010_writer_generation"),
    migration!(11, "postgres", "0011_tally_in_one_statement"),
    migration!(12, "postgres", "0012_ledger_rows"),
    migration!(13, "postgres", "0013_ledger_row_by_check"),
    migration!(14, "postgres", "0014_tally_per_statement"),
    migration!(15, "postgres", "0015_answer_cost"),
];

/// The device replica's migrations, in order.
pub const DEVICE: &[Migration] = &[
    migration!(1, "device", "0001_replica"),
    migration!(2, "device", "0002_blobs"),
    migration!(3, "device", "0003_refresh_tokens"),
    migration!(4, "device", "0004_fold_parts"),
    migration!(5, "device", "0005_service"),
    migration!(6, "device", "0006_long_patrols"),
    migration!(7, "device", "0007_fingerprint_passes"),
];

/// The engine's own error, kept as the cause (SQLite's or PostgreSQL's driver).
pub type DriverError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("the database is at version {found}, newer than this build knows ({known}): refusing to touch it")]
    TooNew { found: u32, known: u32 },
    #[error("migration {version} ({name}) failed")]
    Failed {
        version: u32,
        name: &'static str,
        #[source]
        source: DriverError,
    },
    #[error("could not read the schema version")]
    Version(#[source] DriverError),
}

/// Applies every migration of `set` that `conn` has not had yet. Returns the version reached.
pub fn migrate(conn: &mut Connection, set: &[Migration]) -> Result<u32, MigrationError> {
    let known = set.last().map_or(0, |m| m.version);
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| MigrationError::Version(Box::new(e)))?;
    if found > known {
        return Err(MigrationError::TooNew { found, known });
    }
    for m in set.iter().filter(|m| m.version > found) {
        let failed = |source: rusqlite::Error| MigrationError::Failed { version: m.version, name: m.name, source: Box::new(source) };
        let tx = conn.transaction().map_err(failed)?;
        tx.execute_batch(m.sql).map_err(failed)?;
        tx.pragma_update(None, "user_version", m.version).map_err(failed)?;
        tx.commit().map_err(failed)?;
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions_are_consecutive(set: &[Migration]) {
        for (i, m) in set.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "{} is out of order", m.name);
            assert!(m.name.starts_with(&format!("{:04}_", m.version)), "{} does not carry its version", m.name);
        }
    }

    /// The PostgreSQL set is applied by the server's engine (the tests crate runs it on a real
    /// cluster); here its numbering, and that it protects every table the central set protects.
    #[test]
    fn the_postgres_set_is_numbered_and_protects_the_same_evidence() {
        versions_are_consecutive(POSTGRES);
        let protected = |set: &[Migration], marker: &str| -> Vec<String> {
            let mut tables: Vec<String> = set
                .iter()
                .flat_map(|m| m.sql.lines())
                .filter_map(|line| line.strip_prefix("CREATE TRIGGER ")?.split_once(marker).map(|(t, _)| t.to_string()))
                .collect();
            tables.sort();
            tables.dedup();
            tables
        };
        let sqlite = protected(CENTRAL, "_no_update ");
        assert_eq!(sqlite.len(), 7, "{sqlite:?}");
        assert_eq!(protected(POSTGRES, "_append_only "), sqlite);
    }

    #[test]
    fn every_migration_applies_to_an_empty_database_and_twice_is_a_no_op() {
        for set in [CENTRAL, DEVICE] {
            versions_are_consecutive(set);
            let mut conn = Connection::open_in_memory().expect("sqlite");
            let v = migrate(&mut conn, set).expect("migrates");
            assert_eq!(v, set.len() as u32);
            assert_eq!(migrate(&mut conn, set).expect("again"), v);
            let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0)).expect("count");
            assert!(tables > 0);
        }
    }

    #[test]
    fn a_newer_database_is_left_alone() {
        let mut conn = Connection::open_in_memory().expect("sqlite");
        conn.pragma_update(None, "user_version", 999).expect("pragma");
        assert!(matches!(migrate(&mut conn, CENTRAL), Err(MigrationError::TooNew { found: 999, .. })));
    }
}
