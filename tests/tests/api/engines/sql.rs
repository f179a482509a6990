//! The engine-neutral SQL layer (`store::sql`) on both engines: one scenario of statements in one
//! text, over the real schema, writes the same rows, reads them back as the same Rust values, and
//! refuses the same things (an append-only table's UPDATE, an integer past i64).

use anyhow::{Result, ensure};
use patrolsync_server::args;
use patrolsync_server::store::postgres::{Pg, Statements, off_runtime};
use patrolsync_server::store::sql::{Engine, Sql};
use patrolsync_tests::pg_cluster;

/// An event row as the scenario reads it back: server_seq, id, seq, accepted, reason, raw.
type EventRow = (i64, Vec<u8>, u64, bool, Option<String>, String);

/// What the scenario saw: the events, the quarantine's ids, and the counts it checked.
#[derive(Debug, PartialEq)]
struct Seen {
    events: Vec<EventRow>,
    quarantine: Vec<i64>,
    head: (u64, [u8; 32], Option<i64>),
    flagged: Vec<(String, bool)>,
}

fn scenario(sql: &dyn Sql) -> Result<Seen> {
    sql.run(
        "INSERT INTO users (id, display_name, role, units, password_hash) VALUES (?1, ?2, ?3, ?4, '')",
        args!["u1", "U", "village_officer", "[]"],
    )?;
    let device = [9u8; 16];
    sql.run(
        "INSERT INTO devices (id, user_id, public_key, enrolled_at, head_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
        args![&device, "u1", &[1u8; 32], 5i64, &[0u8; 32]],
    )?;
    // The writer assigns server_seq (PostgreSQL's has no default, SQLite's is the row id).
    let insert = "INSERT INTO events (server_seq, id, device_id, seq, hlc, author, kind, hash, raw, accepted, reason, received_at)
                  VALUES ((SELECT coalesce(max(server_seq), 0) + 1 FROM events), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                  RETURNING server_seq";
    for (i, accepted) in [(1u8, true), (2, false), (3, true)] {
        let reason = (!accepted).then_some("bad_signature");
        let seq = sql.one(
            insert,
            args![&[i; 16], &device, u64::from(i), "h", "u1", "patrol.recorded", &[i; 32], "{\"?\": 1}", accepted, reason, 7i64],
        )?;
        ensure!(seq.get::<i64>(0)? == i64::from(i), "server_seq {i}");
    }
    let again = "INSERT INTO event_routes (bucket, server_seq) VALUES (?1, ?2) ON CONFLICT DO NOTHING";
    ensure!(sql.run(again, args!["v:1", 1i64])? == 1 && sql.run(again, args!["v:1", 1i64])? == 0, "the second insert is ignored");
    let quarantine =
        "INSERT INTO quarantine (event_id, device_id, seq, reason, message, raw, received_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
    let mut ids = Vec::new();
    for seq in [None, Some(4u64)] {
        ids.push(sql.one(quarantine, args![None::<&[u8]>, Some(&device), seq, "malformed", "m", "{", 8i64])?.get::<i64>(0)?);
    }
    ensure!(
        sql.run(
            "UPDATE devices SET head_seq = ?2, head_hash = ?3, last_sync_at = ?4 WHERE id = ?1 AND head_seq <= ?2",
            args![&device, 3u64, &[3u8; 32], 9i64]
        )? == 1
    );
    ensure!(sql.run("UPDATE events SET raw = '?' WHERE server_seq = ?1", args![1i64]).is_err(), "events are append-only");
    ensure!(sql.run("UPDATE devices SET head_seq = ?1", args![u64::MAX]).is_err(), "past i64 is refused, not wrapped");

    // A flag per accepted event, raised while the events are read (a statement inside `each`).
    let mut flagged = Vec::new();
    sql.each("SELECT id, accepted FROM events WHERE kind = ?1 AND raw <> '?' ORDER BY server_seq", args!["patrol.recorded"], &mut |row| {
        if row.get::<bool>(1)? {
            sql.run("INSERT INTO flags (event_id, kind, detail, raised_at) VALUES (?1, 'k', 'd', 1)", args![row.get::<Vec<u8>>(0)?])?;
        }
        Ok(())
    })?;
    for row in sql.all("SELECT f.detail, e.accepted FROM flags f JOIN events e ON e.id = f.event_id ORDER BY f.id", args![])? {
        flagged.push((row.get(0)?, row.get(1)?));
    }
    let events = sql
        .all(
            "SELECT server_seq, id, seq, accepted, reason, raw FROM events WHERE accepted = TRUE OR reason IS NOT NULL ORDER BY server_seq",
            args![],
        )?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .collect::<Result<_, patrolsync_server::store::StoreError>>()?;
    let head = sql.one("SELECT head_seq, head_hash, last_sync_at FROM devices WHERE id = ?1", args![&device])?;
    ensure!(sql.optional("SELECT 1 FROM devices WHERE id = ?1", args![&[0u8; 16]])?.is_none());
    ensure!(sql.one("SELECT CAST(sum(seq) AS BIGINT) FROM events", args![])?.get::<i64>(0)? == 6);
    Ok(Seen { events, quarantine: ids, head: (head.get(0)?, head.get(1)?, head.get(2)?), flagged })
}

#[test]
fn the_sql_layer_writes_and_reads_the_same_on_both_engines() -> Result<()> {
    let mut conn = rusqlite::Connection::open_in_memory()?;
    schema::migrate(&mut conn, schema::CENTRAL)?;
    ensure!(Sql::engine(&conn) == Engine::Sqlite);
    let on_sqlite = scenario(&conn)?;

    let db = pg_cluster::database()?;
    patrolsync_server::store::postgres::migrate(db.url())?;
    let on_postgres = off_runtime(|| -> Result<Seen> {
        // Each statement its own transaction, as SQLite's: a refused one aborts no other.
        let mut client = db.connect()?;
        let pg = Pg::new(&mut client);
        ensure!(pg.engine() == Engine::Postgres);
        scenario(&pg)
    });
    let on_postgres = on_postgres?;
    // The writer's way: every statement through the connection's queue, as text (`Pg::queued`).
    let queued_db = pg_cluster::database()?;
    patrolsync_server::store::postgres::migrate(queued_db.url())?;
    let queued = off_runtime(|| -> Result<Seen> {
        let (mut client, statements) = (queued_db.connect()?, Statements::default());
        scenario(&Pg::queued(&mut client, &statements))
    })?;
    ensure!(on_postgres == queued, "bound in binary {on_postgres:?}\nwritten as text {queued:?}");
    ensure!(on_sqlite.events.len() == 3 && on_sqlite.quarantine == [1, 2] && on_sqlite.flagged.len() == 2, "{on_sqlite:?}");
    ensure!(on_sqlite == on_postgres, "SQLite saw {on_sqlite:?}\nPostgreSQL saw {on_postgres:?}");
    Ok(())
}

/// How many statements the session of `client` holds prepared whose text starts with `start`.
fn prepared(client: &mut postgres::Client, start: &str) -> Result<i64> {
    Ok(client.query_one("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE $1 || '%'", &[&start])?.get(0))
}

#[test]
fn a_postgres_connection_prepares_each_statement_once() -> Result<()> {
    let db = pg_cluster::database()?;
    patrolsync_server::store::postgres::migrate(db.url())?;
    off_runtime(|| -> Result<()> {
        let mut client = db.connect()?;
        let insert = "INSERT INTO units (id, level, parent) VALUES (?1, ?2, NULL)";
        let statements = Statements::default();
        for i in 0..3 {
            let mut tx = client.transaction()?;
            let sql = Pg::cached(&mut tx, &statements);
            sql.run(insert, args![format!("V{i}"), "village"])?;
            ensure!(sql.all("SELECT id FROM units WHERE level = ?1", args!["village"])?.len() == i + 1);
            tx.commit()?;
        }
        let (once, read_once) = (prepared(&mut client, "INSERT INTO units")?, prepared(&mut client, "SELECT id FROM units")?);
        ensure!(once == 1 && read_once == 1, "prepared once for the connection, across its transactions: {once}, {read_once}");

        // Without the cache each run prepares its statement and lets it go.
        Pg::new(&mut client).run(insert, args!["V9", "village"])?;
        ensure!(prepared(&mut client, "INSERT INTO units")? == 1, "the uncached run keeps nothing prepared");
        Ok(())
    })
}

#[test]
fn the_writers_queue_holds_writes_until_an_answer_is_needed() -> Result<()> {
    let db = pg_cluster::database()?;
    patrolsync_server::store::postgres::migrate(db.url())?;
    let insert = "INSERT INTO units (id, level, parent) VALUES (?1, ?2, NULL)";
    let township = "INSERT INTO units (id, level, parent) VALUES (?1, 'township', NULL)";
    let units = |sql: &dyn Sql| -> Result<Vec<String>> {
        Ok(sql.all("SELECT id FROM units ORDER BY id", args![])?.iter().map(|r| r.get(0)).collect::<Result<_, _>>()?)
    };
    off_runtime(|| -> Result<()> {
        let (mut client, statements) = (db.connect()?, Statements::default());
        let mut tx = client.transaction()?;
        {
            let sql = Pg::queued(&mut tx, &statements);
            // Quotes, a question mark and a backslash stay the text they were.
            for id in ["V1", "it's ?1 \\x00"] {
                sql.write(insert, args![id, "village"])?;
            }
            ensure!(units(&sql)? == ["V1", "it's ?1 \\x00"], "a read sees the writes queued before it");

            // A refused write is the error of what sends it, not its own; a statement first queued
            // behind it was never prepared, and is prepared when next used.
            sql.write(insert, args!["V1", "village"])?;
            sql.write(township, args!["T1"])?;
            ensure!(sql.flush().is_err(), "the duplicate key is found when the queue is sent");
            ensure!(sql.write(insert, args![u64::MAX, "village"]).is_err(), "an argument its parameter cannot take is refused at once");
        }
        tx.rollback()?;

        let mut tx = client.transaction()?;
        let sql = Pg::queued(&mut tx, &statements);
        sql.write(insert, args!["V2", "village"])?;
        sql.write(township, args!["T2"])?;
        ensure!(units(&sql)? == ["T2", "V2"], "the rolled-back rows are gone, both statements run");
        Ok(())
    })
}

#[test]
fn the_writers_queue_sends_a_grouped_tables_rows_as_one_insert_before_what_reads_them() -> Result<()> {
    let db = pg_cluster::database()?;
    patrolsync_server::store::postgres::migrate(db.url())?;
    let route = "INSERT INTO event_routes (bucket, server_seq) VALUES (?1, ?2)";
    let unit = "INSERT INTO units (id, level, parent) VALUES (?1, 'village', NULL)";
    // The command that wrote each row: rows written by one statement share it.
    let statements_of = |sql: &dyn Sql| -> Result<(i64, i64)> {
        let row = sql.one("SELECT count(*), count(DISTINCT cmin::text) FROM event_routes", args![])?;
        Ok((row.get(0)?, row.get(1)?))
    };
    off_runtime(|| -> Result<()> {
        let (mut client, statements) = (db.connect()?, Statements::default());
        let mut tx = client.transaction()?;
        {
            let sql = Pg::queued(&mut tx, &statements);
            for seq in 1..=300_i64 {
                sql.write(route, args![format!("v:{}", seq % 7), seq])?;
                // A write of another table between the rows does not send them.
                if seq % 100 == 0 {
                    sql.write(unit, args![format!("V{seq}")])?;
                }
            }
            ensure!(statements_of(&sql)? == (300, 1), "300 rows in one statement, sent before the read: {:?}", statements_of(&sql)?);

            // A write that names the table goes after the rows waiting: it finds the row there.
            sql.write(route, args!["v:x", 1_i64])?;
            sql.write("INSERT INTO event_routes (bucket, server_seq) VALUES (?1, ?2) ON CONFLICT DO NOTHING", args!["v:x", 1_i64])?;
            sql.flush()?;
            ensure!(statements_of(&sql)?.0 == 301, "the second insert of the same route was ignored");

            // A row refused by the table fails the whole group, when it is sent.
            sql.write(route, args!["v:y", 2_i64])?;
            sql.write(route, args!["v:1", 1_i64])?;
            ensure!(sql.flush().is_err(), "a duplicate route is refused when the rows are sent");
        }
        tx.rollback()?;
        let mut tx = client.transaction()?;
        let sql = Pg::queued(&mut tx, &statements);
        sql.write(route, args!["v:z", 3_i64])?;
        ensure!(statements_of(&sql)? == (1, 1), "nothing of the rolled-back rows is left, nor sent again");
        Ok(())
    })
}

/// The writer's queue prepares each statement in a message of its own: PostgreSQL keeps the
/// whole message a statement was prepared in as its text (`pg_prepared_statements.statement`) and
/// copies it at each `EXECUTE`, so a `PREPARE` sent beside a push's rows made every later use of
/// the statement copy those rows (most of the backend's time in a 40,000-event push, issue 16).
#[test]
fn the_writers_queue_prepares_each_statement_in_a_message_of_its_own() -> Result<()> {
    in_a_queued_transaction(|sql, _| {
        for seq in 1..=300_i64 {
            sql.write("INSERT INTO event_routes (bucket, server_seq) VALUES (?1, ?2)", args![format!("v:{}", seq % 7), seq])?;
            if seq % 100 == 0 {
                sql.write("INSERT INTO units (id, level, parent) VALUES (?1, 'village', NULL)", args![format!("V{seq}")])?;
            }
        }
        let prepared = sql.all("SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'w%' ORDER BY name", args![])?;
        ensure!(prepared.len() == 2, "the unit's insert and this read: {}", prepared.len());
        for row in &prepared {
            let text: String = row.get(1)?;
            ensure!(text.starts_with("PREPARE ") && !text.contains(';'), "prepared alone: {text:.200}");
        }
        ensure!(sql.one("SELECT count(*) FROM units WHERE id LIKE 'V%'", args![])?.get::<i64>(0)? == 3, "the units written");
        Ok(())
    })
}

/// An upsert whose values are expressions of its arguments waits too (a new patrol's row with its
/// kept row's condition, `store::postgres::grouped`), each argument inside an expression written
/// with its type; a row whose key already waits sends the waiting rows first, since one statement
/// may not upsert a row twice. The officer-week tally of the rows inserted by one statement
/// (migration 0014) and of the row updated by the next is that of the rows stored.
#[test]
fn the_writers_queue_groups_an_upserts_rows_and_sends_a_repeated_key_apart() -> Result<()> {
    let upsert = "INSERT INTO patrols (id, author, zone, started_at, entry, week, ledger_row)
                  VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?7 AND ?1 <> '\\x00'::bytea THEN ?8 END)
                  ON CONFLICT (id) DO UPDATE SET entry = excluded.entry, ledger_row = excluded.ledger_row";
    in_a_queued_transaction(|sql, _| {
        for (id, kept, row) in [(1_u8, true, "first"), (2, false, "second"), (3, true, "it's ?1"), (1, true, "again")] {
            sql.write(upsert, args![vec![id], "o1", "Z1", 0_i64, "{}", "2026-W01", kept, row])?;
        }
        sql.flush()?;
        let rows = sql.all("SELECT id, ledger_row, cmin::text FROM patrols ORDER BY id", args![])?;
        let seen: Vec<(Vec<u8>, Option<String>)> = rows.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect::<Result<_>>()?;
        let want = [(vec![1], Some("again".to_string())), (vec![2], None), (vec![3], Some("it's ?1".to_string()))];
        ensure!(seen == want, "{seen:?}");
        let commands: std::collections::BTreeSet<String> = rows.iter().map(|r| r.get(2)).collect::<Result<_, _>>()?;
        ensure!(commands.len() == 2, "three rows in one statement, the repeated key in the next: {commands:?}");
        let tally =
            sql.one("SELECT patrols, counting, unchecked FROM report_officer_weeks WHERE week = '2026-W01' AND officer = 'o1'", args![])?;
        ensure!((tally.get::<i64>(0)?, tally.get::<i64>(1)?, tally.get::<i64>(2)?) == (3, 0, 3), "three patrols, none checked");
        Ok(())
    })
}

/// A table's rows wait in one group at a time: rows of two statement texts into one table reach it
/// in the order they were queued, so the last write of a row stands, as when each is sent alone.
#[test]
fn the_writers_queue_keeps_the_order_of_two_statements_rows_into_one_table() -> Result<()> {
    let columns = "INSERT INTO patrols (id, author, zone, started_at, entry, week, ledger_row) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    let (first, second) = (
        format!("{columns} ON CONFLICT (id) DO UPDATE SET ledger_row = excluded.ledger_row"),
        format!("{columns} ON CONFLICT (id) DO UPDATE SET ledger_row = excluded.ledger_row, entry = excluded.entry"),
    );
    in_a_queued_transaction(|sql, _| {
        for (text, id, row) in [(&first, 1_u8, "a1"), (&second, 2, "b2"), (&first, 2, "a2"), (&second, 3, "b3")] {
            sql.write(text, args![vec![id], "o1", "Z1", 0_i64, "{}", "2026-W01", row])?;
        }
        sql.flush()?;
        let rows = sql.all("SELECT id, ledger_row FROM patrols ORDER BY id", args![])?;
        let seen: Vec<(Vec<u8>, String)> = rows.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect::<Result<_>>()?;
        let want = [(vec![1], "a1".to_string()), (vec![2], "a2".to_string()), (vec![3], "b3".to_string())];
        ensure!(seen == want, "the last write of each row stands: {seen:?}");
        Ok(())
    })
}

/// A job that fails after its savepoint went out is rolled back to it whatever it queued since: its
/// statements still waiting are dropped, not sent ahead of the rollback, where one that fails (here
/// the same key again) made PostgreSQL skip the rollback and left the batch's transaction aborted.
#[test]
fn a_failed_jobs_waiting_statements_are_dropped_before_its_rollback() -> Result<()> {
    let unit = "INSERT INTO units (id, level, parent) VALUES (?1, 'village', NULL)";
    in_a_queued_transaction(|sql, statements| {
        statements.queue().open_job();
        sql.write(unit, args!["V1"])?;
        sql.flush()?;
        sql.write(unit, args!["V1"])?;
        statements.queue().close_job(false);
        sql.flush()?;
        // The batch goes on: the next job's unit is stored, the failed job's is not.
        sql.write(unit, args!["V2"])?;
        let units = sql.all("SELECT id FROM units WHERE id LIKE 'V%' ORDER BY id", args![])?;
        let ids: Vec<String> = units.iter().map(|r| r.get(0)).collect::<Result<_, _>>()?;
        ensure!(ids == ["V2"], "{ids:?}");
        Ok(())
    })
}

/// Runs `scenario` on the writer's queue (`Pg::queued`) over a transaction of a fresh migrated
/// database of the binary's cluster, with the connection's statements, off the async runtime.
fn in_a_queued_transaction(scenario: impl FnOnce(&dyn Sql, &Statements) -> Result<()> + Send) -> Result<()> {
    let db = pg_cluster::database()?;
    patrolsync_server::store::postgres::migrate(db.url())?;
    off_runtime(|| -> Result<()> {
        let (mut client, statements) = (db.connect()?, Statements::default());
        let mut tx = client.transaction()?;
        scenario(&Pg::queued(&mut tx, &statements), &statements)
    })
}
