//! The evidence tables refuse UPDATE and DELETE on both engines, with the same message, through
//! their triggers; PostgreSQL refuses TRUNCATE too. A derived table (`flags`) is still updated.

use anyhow::Result;
use patrolsync_tests::pg_cluster;

/// The tables the triggers protect, and an UPDATE's assignment for each.
const EVIDENCE: [(&str, &str); 7] = [
    ("events", "raw = '{ }'"),
    ("quarantine", "raw = '{ }'"),
    ("attachments", "size = 2"),
    ("blobs", "size = 2"),
    ("blob_holders", "proved_at = 2"),
    ("merkle_leaves", "idx = 5"),
    ("merkle_checkpoints", "size = 2"),
];

/// One row in each evidence table and in `flags`, in SQLite's literals.
const SQLITE_ROWS: &str = "
    INSERT INTO events (server_seq, id, device_id, seq, hlc, author, kind, hash, raw, accepted, received_at)
        VALUES (1, x'01', x'02', 1, 'h', 'a', 'k', x'03', '{}', 1, 0);
    INSERT INTO quarantine (id, reason, message, raw, received_at) VALUES (1, 'bad_hash', 'm', '{}', 0);
    INSERT INTO attachments (server_seq, event_id, sha256, size, media_type, subject_kind, subject_id, officer, added_at)
        VALUES (1, x'01', printf('%064d', 0), 1, 'image/png', 'patrol', x'04', 'a', 0);
    INSERT INTO blobs (sha256, size, media_type, stored_at) VALUES (printf('%064d', 0), 1, 'image/png', 0);
    INSERT INTO blob_holders (sha256, user_id, proved_at) VALUES (printf('%064d', 0), 'a', 0);
    INSERT INTO merkle_leaves (idx, kind, row_id, hash) VALUES (0, 'event', 1, zeroblob(32));
    INSERT INTO merkle_checkpoints (size, origin, root, kid, signature, made_at)
        VALUES (1, 'o', zeroblob(32), zeroblob(4), zeroblob(64), 0);
    INSERT INTO flags (id, kind, detail, raised_at) VALUES (1, 'k', 'd', 0);";

/// The same rows in PostgreSQL's literals.
const POSTGRES_ROWS: &str = r"
    INSERT INTO events (server_seq, id, device_id, seq, hlc, author, kind, hash, raw, accepted, received_at)
        VALUES (1, '\x01', '\x02', 1, 'h', 'a', 'k', '\x03', '{}', true, 0);
    INSERT INTO quarantine (id, reason, message, raw, received_at) VALUES (1, 'bad_hash', 'm', '{}', 0);
    INSERT INTO attachments (server_seq, event_id, sha256, size, media_type, subject_kind, subject_id, officer, added_at)
        VALUES (1, '\x01', repeat('0', 64), 1, 'image/png', 'patrol', '\x04', 'a', 0);
    INSERT INTO blobs (sha256, size, media_type, stored_at) VALUES (repeat('0', 64), 1, 'image/png', 0);
    INSERT INTO blob_holders (sha256, user_id, proved_at) VALUES (repeat('0', 64), 'a', 0);
    INSERT INTO merkle_leaves (idx, kind, row_id, hash) VALUES (0, 'event', 1, decode(repeat('00', 32), 'hex'));
    INSERT INTO merkle_checkpoints (size, origin, root, kid, signature, made_at)
        VALUES (1, 'o', decode(repeat('00', 32), 'hex'), decode(repeat('00', 4), 'hex'), decode(repeat('00', 64), 'hex'), 0);
    INSERT INTO flags (id, kind, detail, raised_at) VALUES (1, 'k', 'd', 0);";

/// What a test does to an engine: run a statement (its error's message if refused), count rows.
trait Engine {
    fn run(&mut self, sql: &str) -> Result<u64, String>;
    fn rows(&mut self, table: &str) -> Result<i64>;
}

impl Engine for rusqlite::Connection {
    fn run(&mut self, sql: &str) -> Result<u64, String> {
        self.execute(sql, []).map(|n| n as u64).map_err(|e| e.to_string())
    }
    fn rows(&mut self, table: &str) -> Result<i64> {
        Ok(self.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
    }
}

impl Engine for postgres::Client {
    fn run(&mut self, sql: &str) -> Result<u64, String> {
        self.execute(sql, &[]).map_err(|e| e.as_db_error().map_or_else(|| e.to_string(), |db| db.message().to_string()))
    }
    fn rows(&mut self, table: &str) -> Result<i64> {
        Ok(self.query_one(&format!("SELECT count(*) FROM {table}"), &[])?.get(0))
    }
}

/// Every UPDATE and DELETE of every evidence table is refused and leaves its row; `flags` updates.
fn evidence_refuses_changes(engine: &mut dyn Engine) -> Result<()> {
    for (table, set) in EVIDENCE {
        for (verb, sql) in [("UPDATE", format!("UPDATE {table} SET {set}")), ("DELETE", format!("DELETE FROM {table}"))] {
            let refused = engine.run(&sql).expect_err("refused");
            assert_eq!(refused, format!("{table} is append-only evidence: {verb} refused"));
        }
        assert_eq!(engine.rows(table)?, 1, "{table} kept its row");
    }
    assert_eq!(engine.run("UPDATE flags SET cleared_at = 1").expect("flags are a read model"), 1);
    Ok(())
}

#[test]
fn sqlite_evidence_is_append_only() -> Result<()> {
    let mut conn = rusqlite::Connection::open_in_memory()?;
    schema::migrate(&mut conn, schema::CENTRAL)?;
    conn.execute_batch(SQLITE_ROWS)?;
    evidence_refuses_changes(&mut conn)
}

#[test]
fn postgres_evidence_is_append_only_and_refuses_truncate() -> Result<()> {
    let db = pg_cluster::database()?;
    patrolsync_server::store::postgres::migrate(db.url())?;
    let mut client = db.connect()?;
    client.batch_execute(POSTGRES_ROWS)?;
    evidence_refuses_changes(&mut client)?;
    for (table, _) in EVIDENCE {
        let refused = client.run(&format!("TRUNCATE {table} CASCADE")).expect_err("refused");
        assert_eq!(refused, format!("{table} is append-only evidence: TRUNCATE refused"));
        assert_eq!(client.rows(table)?, 1, "{table} kept its row");
    }
    Ok(())
}
