//! The officers' weekly counts (migration 0016) follow every change of a patrol's row and of its
//! check, whichever order they come in, and `verify` finds a count changed behind their back.

use rusqlite::{Connection, params};

/// A store with the central schema and nothing in it.
fn store() -> Connection {
    let mut conn = Connection::open_in_memory().expect("an in-memory store");
    schema::migrate(&mut conn, schema::CENTRAL).expect("the central schema");
    conn
}

fn patrol(conn: &Connection, id: u8, officer: &str, week: &str, entry: bool) {
    conn.execute(
        "INSERT INTO patrols (id, author, zone, started_at, week, entry) VALUES (?1, ?2, 'Z1', 0, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET author = excluded.author, week = excluded.week, entry = excluded.entry",
        params![[id], officer, week, entry.then_some("{}")],
    )
    .expect("a patrol row");
}

fn check(conn: &Connection, id: u8, counts: bool) {
    conn.execute(
        "INSERT INTO patrol_checks (patrol, officer, device_id, zone, week, started_at, ended_at, counts, explanation, report, checked_at)
         VALUES (?1, 'o', x'00', 'Z1', 'w', 0, 0, ?2, '', '', 0)
         ON CONFLICT (patrol) DO UPDATE SET counts = excluded.counts",
        params![[id], counts],
    )
    .expect("a check row");
}

/// Every row: (week, officer, patrols, counting, unchecked).
fn counts(conn: &Connection) -> Vec<(String, String, i64, i64, i64)> {
    let mut stmt = conn.prepare("SELECT * FROM report_officer_weeks ORDER BY week, officer").expect("a query");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))).expect("rows").map(|r| r.expect("a row")).collect()
}

fn row(week: &str, officer: &str, patrols: i64, counting: i64, unchecked: i64) -> (String, String, i64, i64, i64) {
    (week.into(), officer.into(), patrols, counting, unchecked)
}

#[test]
fn counts_follow_patrols_and_checks_in_either_order() {
    let conn = store();
    patrol(&conn, 1, "vo-1", "2026-W10", true);
    check(&conn, 1, true);
    check(&conn, 2, false);
    patrol(&conn, 2, "vo-1", "2026-W10", true);
    patrol(&conn, 3, "vo-1", "2026-W10", true);
    // A patrol's row without its entry (as a rebuild leaves it until its group is applied) is not counted.
    patrol(&conn, 4, "vo-2", "2026-W10", false);
    assert_eq!(counts(&conn), [row("2026-W10", "vo-1", 3, 1, 1)]);
    assert_eq!(super::rebuild::officer_weeks_differ(&conn).expect("compared"), 0);

    // A re-check turns a decision; an amendment that changes nothing counted moves nothing.
    check(&conn, 1, false);
    check(&conn, 3, true);
    patrol(&conn, 3, "vo-1", "2026-W10", true);
    assert_eq!(counts(&conn), [row("2026-W10", "vo-1", 3, 1, 0)]);

    // Entering the read model, moving to another week, leaving it: each week keeps its own.
    patrol(&conn, 4, "vo-2", "2026-W10", true);
    patrol(&conn, 2, "vo-1", "2026-W11", true);
    assert_eq!(counts(&conn), [row("2026-W10", "vo-1", 2, 1, 0), row("2026-W10", "vo-2", 1, 0, 1), row("2026-W11", "vo-1", 1, 0, 0)]);
    conn.execute("UPDATE patrols SET entry = NULL WHERE id = x'02'", []).expect("emptied");
    conn.execute("DELETE FROM patrol_checks WHERE patrol = x'03'", []).expect("removed");
    conn.execute("DELETE FROM patrols WHERE id = x'04'", []).expect("removed");
    assert_eq!(counts(&conn), [row("2026-W10", "vo-1", 2, 0, 1)]);
    // Entering a week that has a row already, through the upsert that rewrites a patrol's row (as
    // a rebuild does): the row's conflict must not fail the upsert.
    patrol(&conn, 2, "vo-1", "2026-W10", true);
    assert_eq!(counts(&conn), [row("2026-W10", "vo-1", 3, 0, 1)]);
    assert_eq!(super::rebuild::officer_weeks_differ(&conn).expect("compared"), 0);
}

#[test]
fn a_count_changed_behind_the_triggers_is_found() {
    let conn = store();
    patrol(&conn, 1, "vo-1", "2026-W10", true);
    check(&conn, 1, true);
    conn.execute("UPDATE report_officer_weeks SET counting = 0", []).expect("changed");
    assert_eq!(super::rebuild::officer_weeks_differ(&conn).expect("compared"), 1);
    conn.execute("DELETE FROM report_officer_weeks", []).expect("removed");
    assert_eq!(super::rebuild::officer_weeks_differ(&conn).expect("compared"), 1);
}
