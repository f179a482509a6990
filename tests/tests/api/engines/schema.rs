//! Both engines' migrations give the same tables and views with the same columns (types mapped, nullability
//! kept), so that a central migration without its PostgreSQL counterpart fails here; and
//! PostgreSQL's migrations apply once, also when two processes start together.

use anyhow::Result;
use patrolsync_server::store::StoreError;
use patrolsync_server::store::postgres::migrate;
use patrolsync_tests::pg_cluster;
use std::collections::BTreeSet;

/// (table, column, type, nullable): SQLite's declared types named as PostgreSQL's families.
type Column = (String, String, &'static str, bool);

fn sqlite_columns() -> Result<BTreeSet<Column>> {
    let mut conn = rusqlite::Connection::open_in_memory()?;
    schema::migrate(&mut conn, schema::CENTRAL)?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut columns = BTreeSet::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}')"))?;
        let rows =
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?, r.get::<_, i64>(3)?)))?;
        for row in rows {
            let (name, declared, not_null, pk) = row?;
            let family = match declared.as_str() {
                "INTEGER" => "integer",
                "TEXT" => "text",
                "BLOB" => "bytea",
                other => anyhow::bail!("{table}.{name}: type {other}"),
            };
            columns.insert((table.clone(), name, family, !not_null && pk == 0));
        }
    }
    Ok(columns)
}

fn postgres_columns(db: &pg_cluster::TestDb) -> Result<BTreeSet<Column>> {
    let mut client = db.connect()?;
    let rows = client.query(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'YES' FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> 'schema_migrations'",
        &[],
    )?;
    rows.iter()
        .map(|r| {
            let (table, name, pg_type): (String, String, String) = (r.get(0), r.get(1), r.get(2));
            // SQLite stores booleans as INTEGER: both are its integer family.
            let family = match pg_type.as_str() {
                "bigint" | "boolean" => "integer",
                "text" => "text",
                "bytea" => "bytea",
                other => anyhow::bail!("{table}.{name}: type {other}"),
            };
            Ok((table, name, family, r.get(3)))
        })
        .collect()
}

#[test]
fn both_engines_migrate_to_the_same_tables_and_columns() -> Result<()> {
    let db = pg_cluster::database()?;
    assert_eq!(migrate(db.url())?, schema::POSTGRES.len() as u32);
    let (sqlite, postgres) = (sqlite_columns()?, postgres_columns(&db)?);
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(only_sqlite.is_empty() && only_postgres.is_empty(), "only on SQLite: {only_sqlite:#?}\nonly on PostgreSQL: {only_postgres:#?}");
    assert!(sqlite.len() > 150, "{} columns", sqlite.len());
    Ok(())
}

#[test]
fn postgres_migrations_apply_once_even_from_two_processes_at_once() -> Result<()> {
    let db = pg_cluster::database()?;
    let url = db.url().to_string();
    let both = std::thread::scope(|s| {
        let a = s.spawn(|| migrate(&url));
        let b = s.spawn(|| migrate(&url));
        [a.join(), b.join()]
    });
    for reached in both {
        assert_eq!(reached.expect("no panic")?, schema::POSTGRES.len() as u32);
    }
    assert_eq!(migrate(&url)?, schema::POSTGRES.len() as u32, "again: a no-op");
    let applied: i64 = db.connect()?.query_one("SELECT count(*) FROM schema_migrations", &[])?.get(0);
    assert_eq!(applied, schema::POSTGRES.len() as i64);
    Ok(())
}

#[test]
fn a_newer_postgres_database_is_left_alone() -> Result<()> {
    let db = pg_cluster::database()?;
    migrate(db.url())?;
    db.connect()?.batch_execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'from a newer build')")?;
    let refused = migrate(db.url()).expect_err("refused");
    assert!(matches!(refused, StoreError::Migration(schema::MigrationError::TooNew { found: 999, .. })), "{refused:?}");
    Ok(())
}

/// The officers' weekly counts (migration 0016 and its PostgreSQL counterpart): the same changes of
/// patrols and their checks, in either order, leave the same counts on both engines, and the
/// counts those changes should give.
#[test]
fn both_engines_keep_the_same_weekly_counts() -> Result<()> {
    let patrol = |id: u8, officer: &str, week: &str, entry: bool| {
        format!(
            "INSERT INTO patrols (id, author, zone, started_at, week, entry) VALUES ({{id{id}}}, '{officer}', 'Z1', 0, '{week}', {})
             ON CONFLICT (id) DO UPDATE SET author = excluded.author, week = excluded.week, entry = excluded.entry",
            if entry { "'{}'" } else { "NULL" }
        )
    };
    let check = |id: u8, counts: bool| {
        format!(
            "INSERT INTO patrol_checks (patrol, officer, device_id, zone, week, started_at, ended_at, counts, explanation, report, checked_at)
             VALUES ({{id{id}}}, 'o', {{id0}}, 'Z1', 'w', 0, 0, {counts}, '', '', 0) ON CONFLICT (patrol) DO UPDATE SET counts = excluded.counts"
        )
    };
    let steps = [
        patrol(1, "vo-1", "2026-W10", true),
        check(1, true),
        check(2, false),
        patrol(2, "vo-1", "2026-W10", true),
        patrol(3, "vo-1", "2026-W10", true),
        patrol(4, "vo-2", "2026-W10", false),
        check(1, false),
        check(3, true),
        patrol(3, "vo-1", "2026-W10", true),
        patrol(4, "vo-2", "2026-W10", true),
        patrol(2, "vo-1", "2026-W11", true),
        patrol(5, "vo-3", "2026-W12", true),
        "UPDATE patrols SET entry = NULL WHERE id = {id2}".to_string(),
        "DELETE FROM patrol_checks WHERE patrol = {id3}".to_string(),
        "DELETE FROM patrols WHERE id = {id4}".to_string(),
        // Into a week that has its row, through the upsert (as a rebuild does).
        patrol(2, "vo-1", "2026-W10", true),
    ];
    let ids =
        |sql: &str, literal: &dyn Fn(u8) -> String| (0..6).fold(sql.to_string(), |s, i| s.replace(&format!("{{id{i}}}"), &literal(i)));
    let read = "SELECT week, officer, patrols, counting, unchecked FROM report_officer_weeks ORDER BY week, officer";

    let mut sqlite = rusqlite::Connection::open_in_memory()?;
    schema::migrate(&mut sqlite, schema::CENTRAL)?;
    for step in &steps {
        sqlite.execute(&ids(step, &|i| format!("x'0{i}'")), [])?;
    }
    let on_sqlite: Vec<(String, String, i64, i64, i64)> =
        sqlite.prepare(read)?.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?.collect::<Result<_, _>>()?;

    let db = pg_cluster::database()?;
    migrate(db.url())?;
    let mut client = db.connect()?;
    for step in &steps {
        client.batch_execute(&ids(step, &|i| format!("'\\x0{i}'::bytea")))?;
    }
    let on_postgres: Vec<(String, String, i64, i64, i64)> =
        client.query(read, &[])?.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))).collect();

    let expected =
        [("2026-W10", "vo-1", 3, 0, 1), ("2026-W12", "vo-3", 1, 0, 1)].map(|(w, o, p, c, u)| (w.to_string(), o.to_string(), p, c, u));
    assert_eq!(on_sqlite, expected);
    assert_eq!(on_postgres, expected);
    Ok(())
}

/// The kept ledger rows (migration 0018 and its PostgreSQL counterpart): each change of what a
/// patrol's row shows (its place or entry, its check, a flag on it or on its finding, a finding's
/// verdict, a case on a finding) clears that patrol's row and no other, on both engines; a write
/// that changes nothing shown (the same entry again, a flag's review) clears none.
#[test]
fn both_engines_clear_the_kept_ledger_row_of_the_patrol_a_change_shows_on() -> Result<()> {
    let setup = [
        "INSERT INTO patrols (id, author, zone, started_at, week, entry, village, township)
         VALUES ({id1}, 'vo-1', 'Z1', 0, 'w', '{}', 'V1', 'T1'), ({id2}, 'vo-1', 'Z1', 0, 'w', '{}', 'V1', 'T1'),
                ({id3}, 'vo-1', 'Z1', 0, 'w', '{}', 'V1', 'T1'), ({id4}, 'vo-1', 'Z1', 0, 'w', '{}', 'V1', 'T1')",
        "INSERT INTO report_findings (id, patrol, officer, zone, township, observed_at, stopped_on_spot)
         VALUES ({id5}, {id2}, 'vo-1', 'Z1', 'T1', 0, FALSE), ({id6}, {id3}, 'vo-1', 'Z1', 'T1', 0, FALSE)",
        "INSERT INTO flags (event_id, device_id, kind, detail, raised_at) VALUES ({id4}, {id0}, 'too_short', '', 0)",
    ];
    let keep_all = "UPDATE patrols SET ledger_row = 'kept' WHERE entry IS NOT NULL";
    let steps: [(&str, &[u8]); 12] = [
        ("UPDATE patrols SET village = 'V2' WHERE id = {id1}", &[1]),
        ("UPDATE patrols SET entry = '{}', village = 'V2' WHERE id = {id1}", &[]),
        ("UPDATE patrols SET entry = '{\"amended\":1}' WHERE id = {id1}", &[1]),
        (
            "INSERT INTO patrol_checks (patrol, officer, device_id, zone, week, started_at, ended_at, counts, explanation, report, checked_at)
             VALUES ({id2}, 'vo-1', {id0}, 'Z1', 'w', 0, 0, TRUE, 'counts', '', 0)",
            &[2],
        ),
        ("UPDATE patrol_checks SET counts = FALSE, explanation = 'does not' WHERE patrol = {id2}", &[2]),
        ("INSERT INTO flags (event_id, device_id, kind, detail, raised_at) VALUES ({id5}, {id0}, 'unlicensed_area', '', 0)", &[2]),
        ("UPDATE flags SET cleared_at = 1 WHERE event_id = {id5}", &[2]),
        ("UPDATE flags SET reviewed_at = 1, review = 'seen' WHERE event_id = {id4}", &[]),
        ("UPDATE flags SET cleared_at = 1 WHERE event_id = {id4}", &[4]),
        (
            "INSERT INTO finding_checks (finding, patrol, licence, high_priority, verdict, checked_at)
             VALUES ({id6}, {id3}, NULL, FALSE, '{}', 0)",
            &[3],
        ),
        (
            "INSERT INTO report_cases (id, source, township, closed, opened_at, stopped_at, state)
             VALUES ({id1}, {id6}, 'T1', FALSE, 0, NULL, 'received')",
            &[3],
        ),
        ("UPDATE report_cases SET state = 'verified' WHERE source = {id6}", &[3]),
    ];
    let ids =
        |sql: &str, literal: &dyn Fn(u8) -> String| (0..7).fold(sql.to_string(), |s, i| s.replace(&format!("{{id{i}}}"), &literal(i)));
    let cleared = "SELECT id FROM patrols WHERE ledger_row IS NULL ORDER BY id";
    let expected: Vec<Vec<Vec<u8>>> = steps.iter().map(|(_, ids)| ids.iter().map(|i| vec![*i]).collect()).collect();

    let mut sqlite = rusqlite::Connection::open_in_memory()?;
    schema::migrate(&mut sqlite, schema::CENTRAL)?;
    let sqlite_literal = |i: u8| format!("x'0{i}'");
    for step in setup {
        sqlite.execute(&ids(step, &sqlite_literal), [])?;
    }
    let mut on_sqlite = Vec::new();
    for (step, _) in &steps {
        sqlite.execute(keep_all, [])?;
        sqlite.execute(&ids(step, &sqlite_literal), [])?;
        on_sqlite.push(sqlite.prepare(cleared)?.query_map([], |r| r.get::<_, Vec<u8>>(0))?.collect::<Result<Vec<_>, _>>()?);
    }

    let db = pg_cluster::database()?;
    migrate(db.url())?;
    let mut client = db.connect()?;
    let pg_literal = |i: u8| format!("'\\x0{i}'::bytea");
    for step in setup {
        client.batch_execute(&ids(step, &pg_literal))?;
    }
    let mut on_postgres = Vec::new();
    for (step, _) in &steps {
        client.batch_execute(keep_all)?;
        client.batch_execute(&ids(step, &pg_literal))?;
        on_postgres.push(client.query(cleared, &[])?.iter().map(|r| r.get::<_, Vec<u8>>(0)).collect::<Vec<_>>());
    }
    assert_eq!(on_sqlite, expected);
    assert_eq!(on_postgres, expected);
    Ok(())
}
