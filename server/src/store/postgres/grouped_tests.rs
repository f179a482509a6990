//! Which statements' rows may wait (`groupable`), and the statement a group of them becomes.

use super::*;
use std::sync::Arc;

/// A row of `shape` with each argument written as `N` (a column's value) or `tN` (in an expression).
fn row(shape: &Shape) -> String {
    shape
        .render::<()>(&mut |out, n, typed| {
            out.push_str(&if typed { format!("t{n}") } else { n.to_string() });
            Ok(())
        })
        .expect("written")
}

#[test]
fn plain_inserts_into_the_grouped_tables_wait() {
    let shape = groupable("INSERT INTO event_routes (bucket, server_seq)\n VALUES (?1, ?2)").expect("groupable");
    assert_eq!(shape.head, "INSERT INTO event_routes (bucket, server_seq) VALUES ");
    assert_eq!((row(&shape), shape.tail.as_str(), shape.keyed, shape.rank), ("(1, 2)".into(), "", false, 2));
    // The values in any order: each is written where its placeholder stands.
    assert_eq!(row(&groupable("INSERT INTO events (a, b) VALUES (?2, ?1)").expect("groupable")), "(2, 1)");
    for sql in [
        "INSERT INTO flags (event_id, kind) VALUES (?1, ?2)",
        "INSERT INTO events (a, b) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        "INSERT INTO events (a, b) VALUES (?1, ?2) RETURNING a",
        "INSERT INTO events (a, b) SELECT ?1, ?2",
        "INSERT INTO events (a, b) VALUES (?1, 'x')",
        "INSERT INTO events (a, b) VALUES (?1, NULL)",
        "INSERT INTO events (a, b) VALUES (?1)",
        "INSERT INTO events (a, b) VALUES (?1, ?)",
        "INSERT INTO events (a, b) VALUES (?1, ?2) -- a comment",
        "UPDATE events SET a = ?1",
    ] {
        assert_eq!(groupable(sql), None, "{sql}");
    }
    assert!(names_grouped("SELECT raw FROM events WHERE id = ?1"));
    assert!(names_grouped("UPDATE patrol_checks SET counts = ?2 WHERE patrol = ?1"));
    assert!(!names_grouped("INSERT INTO flags (event_id) VALUES (?1)"));
}

#[test]
fn a_value_may_be_an_expression_of_the_rows_arguments() {
    let sql = "INSERT INTO patrols (id, note, kept) VALUES (?1, ?2, CASE WHEN (SELECT string_agg(kind, ',') FROM flags
                   WHERE event_id = ?1) IS NOT DISTINCT FROM ?4 THEN ?3 END) ON CONFLICT (id) DO UPDATE SET note = excluded.note";
    let shape = groupable(sql).expect("groupable");
    assert_eq!(
        row(&shape),
        "(1, 2, CASE WHEN (SELECT string_agg(kind, ',') FROM flags WHERE event_id = t1) IS NOT DISTINCT FROM t4 THEN t3 END)"
    );
    assert_eq!((shape.tail.as_str(), shape.keyed, shape.arguments()), (" ON CONFLICT (id) DO UPDATE SET note = excluded.note", true, 4));
    // A placeholder's look-alike in quotes is text, and so is a comma inside one.
    let quoted = groupable("INSERT INTO events (a, b) VALUES (?1, coalesce(?2, '?3, ?4'))").expect("groupable");
    assert_eq!(row(&quoted), "(1, coalesce(t2, '?3, ?4'))");
    assert_eq!(quoted.arguments(), 2);
    for sql in [
        // The key is the first column and the first argument, and the upsert's own text holds none.
        "INSERT INTO patrols (id, note) VALUES (?1, ?2) ON CONFLICT (note) DO UPDATE SET id = excluded.id",
        "INSERT INTO patrols (id, note) VALUES (?2, ?1) ON CONFLICT (id) DO UPDATE SET note = excluded.note",
        "INSERT INTO patrols (id, note) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET note = ?2",
        "INSERT INTO patrols (id, note) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET note = excluded.note RETURNING id",
        "INSERT INTO patrols (id, note) VALUES (?1, lower('x'))",
    ] {
        assert_eq!(groupable(sql), None, "{sql}");
    }
}

#[test]
fn a_group_is_one_statement_of_its_rows() {
    let sql = "INSERT INTO events (a, b) VALUES (?1, ?2)";
    let mut group = Group::new(sql, Arc::new(groupable(sql).expect("groupable")));
    group.add("('1', 'x')", None);
    group.add("('2', NULL)", None);
    assert_eq!(group.statement(), "INSERT INTO events (a, b) VALUES ('1', 'x'), ('2', NULL);");

    let sql = "INSERT INTO patrols (id, note) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET note = excluded.note";
    let mut group = Group::new(sql, Arc::new(groupable(sql).expect("groupable")));
    group.add("('\\x01', 'a')", Some("'\\x01'".into()));
    assert!(group.holds("'\\x01'") && !group.holds("'\\x02'"));
    group.add("('\\x02', 'b')", Some("'\\x02'".into()));
    assert_eq!(
        group.statement(),
        "INSERT INTO patrols (id, note) VALUES ('\\x01', 'a'), ('\\x02', 'b') ON CONFLICT (id) DO UPDATE SET note = excluded.note;"
    );
}
