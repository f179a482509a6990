//! SQL migrations for the central store and for the device replica, embedded in the binary and
//! applied in order. A migration that has been applied is never edited: add a new file instead.
//!
//! # Layout
//! - `migrations/central/NNNN_name.sql`: the server's store.
//! - `migrations/device/NNNN_name.sql`: a phone's replica.
//!
//! The applied version is SQLite's `user_version`; each migration runs in its own transaction
//! together with the version bump, so a crash leaves the database at one version or the next.

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
];

/// The device replica's migrations, in order.
pub const DEVICE: &[Migration] = &[
    migration!(1, "device", "0001_replica"),
    migration!(2, "device", "0002_blobs"),
    migration!(3, "device", "0003_refresh_tokens"),
    migration!(4, "device", "0004_fold_parts"),
    migration!(5, "device", "0005_service"),
];

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("the database is at version {found}, newer than this build knows ({known}): refusing to touch it")]
    TooNew { found: u32, known: u32 },
    #[error("migration {version} ({name}) failed")]
    Failed {
        version: u32,
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("could not read the schema version")]
    Version(#[source] rusqlite::Error),
}

/// Applies every migration of `set` that `conn` has not had yet. Returns the version reached.
pub fn migrate(conn: &mut Connection, set: &[Migration]) -> Result<u32, MigrationError> {
    let known = set.last().map_or(0, |m| m.version);
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(MigrationError::Version)?;
    if found > known {
        return Err(MigrationError::TooNew { found, known });
    }
    for m in set.iter().filter(|m| m.version > found) {
        let failed = |source| MigrationError::Failed { version: m.version, name: m.name, source };
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

    /// One row in each evidence table, then every UPDATE and DELETE of it is refused by its
    /// trigger; a derived table (`flags`) is still updated as re-checks need.
    #[test]
    fn evidence_tables_refuse_update_and_delete() {
        let mut conn = Connection::open_in_memory().expect("sqlite");
        migrate(&mut conn, CENTRAL).expect("migrates");
        conn.execute_batch(
            "INSERT INTO events (server_seq, id, device_id, seq, hlc, author, kind, hash, raw, accepted, received_at)
                 VALUES (1, x'01', x'02', 1, 'h', 'a', 'k', x'03', '{}', 1, 0);
             INSERT INTO quarantine (id, reason, message, raw, received_at) VALUES (1, 'bad_hash', 'm', '{}', 0);
             INSERT INTO attachments (server_seq, event_id, sha256, size, media_type, subject_kind, subject_id, officer, added_at)
                 VALUES (1, x'01', printf('%064d', 0), 1, 'image/png', 'patrol', x'04', 'a', 0);
             INSERT INTO blobs (sha256, size, media_type, stored_at) VALUES (printf('%064d', 0), 1, 'image/png', 0);
             INSERT INTO blob_holders (sha256, user_id, proved_at) VALUES (printf('%064d', 0), 'a', 0);
             INSERT INTO merkle_leaves (idx, kind, row_id, hash) VALUES (0, 'event', 1, zeroblob(32));
             INSERT INTO merkle_checkpoints (size, origin, root, kid, signature, made_at)
                 VALUES (1, 'o', zeroblob(32), zeroblob(4), zeroblob(64), 0);
             INSERT INTO flags (id, kind, detail, raised_at) VALUES (1, 'k', 'd', 0);",
        )
        .expect("one row each");
        let tables = [
            ("events", "raw = '{ }'"),
            ("quarantine", "raw = '{ }'"),
            ("attachments", "size = 2"),
            ("blobs", "size = 2"),
            ("blob_holders", "proved_at = 2"),
            ("merkle_leaves", "idx = 5"),
            ("merkle_checkpoints", "size = 2"),
        ];
        for (table, set) in tables {
            for (verb, sql) in [("UPDATE", format!("UPDATE {table} SET {set}")), ("DELETE", format!("DELETE FROM {table}"))] {
                let refused = conn.execute(&sql, []).expect_err("refused");
                assert_eq!(refused.to_string(), format!("{table} is append-only evidence: {verb} refused"));
            }
            let rows: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).expect("count");
            assert_eq!(rows, 1, "{table} kept its row");
        }
        assert_eq!(conn.execute("UPDATE flags SET cleared_at = 1", []).expect("flags are a read model"), 1);
    }

    #[test]
    fn a_newer_database_is_left_alone() {
        let mut conn = Connection::open_in_memory().expect("sqlite");
        conn.pragma_update(None, "user_version", 999).expect("pragma");
        assert!(matches!(migrate(&mut conn, CENTRAL), Err(MigrationError::TooNew { found: 999, .. })));
    }
}
